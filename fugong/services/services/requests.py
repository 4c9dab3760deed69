"""A request's life: filed, routed, claimed, transferred or returned, answered, rated, closed
and perhaps reopened. The lifecycle is

    待分派 (no unit yet) → 待签收 → 办理中 → 已答复 → 企业评价 → 办结

held on two levels: each handling unit's `Assignment` moves through `ASSIGNMENT_MOVES`, and the
request's status follows from its active assignments (`_refresh_status`). Every change appends a
`RequestStep` with who and when; nothing is overwritten that a figure "as of T" needs."""

from collections.abc import Sequence
from datetime import datetime
from uuid import uuid4

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.core.models import Department, User
from fugong.core.permissions import has_role
from fugong.core.uploads import check_attachments
from fugong.core.validators import normalize_phone
from fugong.enterprises.models import Enterprise
from fugong.enterprises.selectors import enterprises_visible_to
from fugong.enterprises.services import visit_record
from fugong.services.access import coordinators, handler_members, handles
from fugong.services.models import (
    Assignment,
    Channel,
    Rating,
    RoutingRule,
    ServiceRequest,
    TaskForce,
    UnassignedPeriod,
    Urgency,
)
from fugong.services.services.base import (
    A,
    Action,
    R,
    Role,
    _active,
    _assign,
    _enterprise_accounts,
    _handler_kwargs,
    _locked,
    _locked_assignment,
    _move,
    _now,
    _refresh_status,
    _require_coordinator,
    _require_handler,
    _required,
    _set_status,
    _step,
    _store_attachments,
    _tell,
)

# Roles that file a request for an enterprise: the enterprise itself, and the officers who
# serve it (a hotline call, a visit, a difficulty written in a daily report).
FILING_ROLES = (Role.ENTERPRISE, Role.COORDINATOR, Role.AREA_OFFICER, Role.LIAISON)


def may_file_for(user: User, enterprise: Enterprise) -> bool:
    if not has_role(user, *FILING_ROLES):
        return False
    if user.role == Role.ENTERPRISE:
        return enterprise.pk == user.enterprise_id
    return enterprises_visible_to(user).filter(pk=enterprise.pk).exists()


@transaction.atomic
def request_submit(
    *,
    actor: User,
    enterprise: Enterprise,
    category: str,
    title: str,
    description: str,
    channel: str,
    urgency: str = Urgency.NORMAL,
    caller_name: str = "",
    caller_phone: str = "",
    report=None,
    visit=None,
    attachments: Sequence = (),
    at: datetime | None = None,
) -> ServiceRequest:
    """File a request and route it by the routing table; with no matching rule it waits for the
    coordinator (待分派), who is told."""
    if not may_file_for(actor, enterprise):
        raise PermissionDenied(_("无权为该企业登记诉求"))
    at = _now(at)
    checked = check_attachments(attachments)
    request = ServiceRequest(
        enterprise=enterprise,
        category=category,
        title=title.strip(),
        description=description.strip(),
        urgency=urgency,
        channel=channel,
        caller_name=caller_name.strip(),
        caller_phone=_normalised_phone(caller_phone),
        report=report,
        visit=visit,
        raised_by=actor,
        grade=enterprise.effective_grade,
        status=R.UNASSIGNED,
        created_at=at,
    )
    _check_channel(request, actor)
    request.number = f"new-{uuid4().hex[:16]}"  # unique until the row has its id
    request.full_clean()
    request.save()
    request.number = f"SQ{timezone.localtime(at):%Y%m%d}{request.pk:06d}"
    request.save(update_fields=["number"])
    step = _step(request, Action.SUBMIT, actor=actor, at=at, channel=channel)
    _store_attachments(request, step, checked, actor=actor)
    rule = route_for(enterprise, category)
    if rule is None:
        UnassignedPeriod.objects.create(request=request, started_at=at)
        _tell(
            coordinators(),
            request,
            _("新诉求待分派"),
            _("%(enterprise)s：%(title)s（无匹配的分派规则，请人工分派）")
            % {"enterprise": enterprise.name, "title": request.title},
        )
        return request
    assignment = _assign(
        request,
        department=rule.department,
        task_force=rule.task_force,
        role=Assignment.Role.LEAD,
        actor=None,
        at=at,
    )
    _step(
        request,
        Action.ROUTE,
        actor=None,
        at=at,
        assignment=assignment,
        note=_("按分派规则自动分派"),
        rule=rule.pk,
    )
    _refresh_status(request, at=at)
    return request


def _normalised_phone(value: str) -> str:
    try:
        return normalize_phone(value) if value else ""
    except ValidationError as exc:
        raise ValidationError({"caller_phone": exc.messages}) from None


@transaction.atomic
def visit_record_with_requests(
    *,
    actor: User,
    enterprise: Enterprise,
    visited_on,
    kind: str,
    findings: str,
    officer: User | None = None,
    requests: Sequence[dict] = (),
    at: datetime | None = None,
):
    """A visit and the requests the officer raised during it, written together or not at all;
    each `requests` item holds category, title, description and optionally urgency."""
    visit = visit_record(
        actor=actor,
        enterprise=enterprise,
        visited_on=visited_on,
        kind=kind,
        findings=findings,
        officer=officer,
    )
    filed = [
        request_submit(
            actor=actor, enterprise=enterprise, channel=Channel.VISIT, visit=visit, at=at, **item
        )
        for item in requests
    ]
    return visit, filed


def _check_channel(request: ServiceRequest, actor: User) -> None:
    if request.channel == Channel.HOTLINE:
        if actor.role == Role.ENTERPRISE:
            raise ValidationError({"channel": [_("热线来电由工作人员登记")]})
        if not request.caller_phone:
            raise ValidationError({"caller_phone": [_("热线来电须登记来电号码")]})
    if request.visit is not None and (
        request.channel != Channel.VISIT or request.visit.enterprise_id != request.enterprise_id
    ):
        raise ValidationError({"visit": [_("走访记录与企业不符")]})
    if request.channel == Channel.REPORT and (
        request.report is None or request.report.enterprise_id != request.enterprise_id
    ):
        raise ValidationError({"report": [_("请指明该企业的一份复工填报")]})


def route_for(enterprise: Enterprise, category: str) -> RoutingRule | None:
    """The most specific rule: the enterprise's park, then the deepest area containing its
    street, then the district-wide rule."""
    best, best_rank = None, -1
    rules = RoutingRule.objects.filter(category=category).select_related(
        "area", "department", "task_force"
    )
    for rule in rules:
        rank = _rule_rank(rule, enterprise)
        if rank > best_rank and _rule_usable(rule):
            best, best_rank = rule, rank
    return best


def _rule_rank(rule: RoutingRule, enterprise: Enterprise) -> int:
    if rule.area is None:
        return 0
    if rule.area.is_park:
        return 1000 if rule.area_id == enterprise.park_id else -1
    if enterprise.region.path.startswith(rule.area.path):
        return len(rule.area.path)
    return -1


def _rule_usable(rule: RoutingRule) -> bool:
    handler = rule.handler
    return handler is not None and handler.is_active


@transaction.atomic
def request_route(
    *,
    actor: User,
    request: ServiceRequest,
    department: Department | None = None,
    task_force: TaskForce | None = None,
    co_departments: Sequence[Department] = (),
    note: str = "",
    at: datetime | None = None,
) -> ServiceRequest:
    """Send an open request to a unit (and co-handlers). Units already on it are withdrawn: their
    clocks stop, and their steps stay in the record."""
    _require_coordinator(actor)
    request = _locked(request)
    if not request.is_open:
        raise ValidationError(_("诉求已办结；如需继续办理请先重新打开"))
    if request.status == R.REPLIED:
        raise ValidationError(_("诉求已答复，正等待企业评价，不能改派"))
    at = _now(at)
    handler = _handler_kwargs(department, task_force)
    withdrawn = _active(request)
    for assignment in withdrawn:
        _move(assignment, "cancel", at=at)
        assignment.end_reason = _("指挥部改派")
        assignment.save(update_fields=["status", "ended_at", "end_reason"])
    lead = _assign(request, **handler, role=Assignment.Role.LEAD, actor=actor, at=at)
    _step(
        request,
        Action.REROUTE if withdrawn else Action.ROUTE,
        actor=actor,
        at=at,
        assignment=lead,
        note=note,
        withdrawn=[a.handler_name for a in withdrawn],
    )
    for co in co_departments:
        if co != department:
            _add_cohandler(request, department=co, task_force=None, actor=actor, at=at, note=note)
    _refresh_status(request, at=at)
    return request


@transaction.atomic
def request_add_cohandler(
    *,
    actor: User,
    request: ServiceRequest,
    department: Department | None = None,
    task_force: TaskForce | None = None,
    note: str = "",
    at: datetime | None = None,
) -> Assignment:
    """Another unit joins with its own clock. The coordinator or the lead unit may ask."""
    request = _locked(request)
    lead = next((a for a in _active(request) if a.role == Assignment.Role.LEAD), None)
    if not (has_role(actor, Role.COORDINATOR) or (lead is not None and handles(actor, lead))):
        raise PermissionDenied(_("只有指挥部或主办单位可以增加协办单位"))
    if request.status not in (R.PENDING, R.IN_PROGRESS):
        raise ValidationError(
            _("「%(status)s」的诉求不能增加协办单位") % {"status": request.get_status_display()}
        )
    assignment = _add_cohandler(
        request,
        department=department,
        task_force=task_force,
        actor=actor,
        at=_now(at),
        note=note,
    )
    _refresh_status(request, at=at)
    return assignment


def _add_cohandler(request, *, department, task_force, actor, at, note) -> Assignment:
    assignment = _assign(
        request,
        department=department,
        task_force=task_force,
        role=Assignment.Role.CO,
        actor=actor,
        at=at,
    )
    _step(request, Action.COHANDLE, actor=actor, at=at, assignment=assignment, note=note)
    return assignment


@transaction.atomic
def assignment_claim(*, actor: User, assignment: Assignment, at: datetime | None = None):
    assignment = _locked_assignment(assignment)
    _require_handler(actor, assignment)
    at = _now(at)
    _move(assignment, "claim", at=at)
    assignment.claimed_at, assignment.claimed_by = at, actor
    assignment.save(update_fields=["status", "claimed_at", "claimed_by"])
    _step(assignment.request, Action.CLAIM, actor=actor, at=at, assignment=assignment)
    _refresh_status(assignment.request, at=at)
    return assignment


@transaction.atomic
def assignment_transfer(
    *,
    actor: User,
    assignment: Assignment,
    reason: str,
    department: Department | None = None,
    task_force: TaskForce | None = None,
    at: datetime | None = None,
) -> Assignment:
    """Pass the request to the unit it belongs with. This unit's clock stops here; the receiving
    unit starts its own."""
    assignment = _locked_assignment(assignment)
    _require_handler(actor, assignment)
    reason = _required(reason, "reason", _("请说明转办理由"))
    target = _handler_kwargs(department, task_force)
    if (assignment.department, assignment.task_force) == (department, task_force):
        raise ValidationError({"department": [_("不能转给本单位")]})
    at = _now(at)
    _move(assignment, "transfer", at=at)
    assignment.end_reason = reason
    assignment.save(update_fields=["status", "ended_at", "end_reason"])
    request = assignment.request
    successor = _assign(request, **target, role=assignment.role, actor=actor, at=at)
    _step(
        request,
        Action.TRANSFER,
        actor=actor,
        at=at,
        assignment=assignment,
        note=reason,
        to=successor.handler_name,
        successor=successor.pk,
    )
    _refresh_status(request, at=at)
    return successor


@transaction.atomic
def assignment_return(
    *, actor: User, assignment: Assignment, reason: str, at: datetime | None = None
) -> Assignment:
    """ "Not ours": the unit hands the request back; with nobody left on it, the coordinator is
    told to route it again."""
    assignment = _locked_assignment(assignment)
    _require_handler(actor, assignment)
    reason = _required(reason, "reason", _("请说明退回理由"))
    at = _now(at)
    _move(assignment, "return", at=at)
    assignment.end_reason = reason
    assignment.save(update_fields=["status", "ended_at", "end_reason"])
    request = assignment.request
    _step(request, Action.RETURN, actor=actor, at=at, assignment=assignment, note=reason)
    _refresh_status(request, at=at)
    if request.status == R.UNASSIGNED:
        _tell(
            coordinators(),
            request,
            _("诉求被退回，请重新分派"),
            _("%(unit)s退回了%(number)s（%(title)s）：%(reason)s")
            % {
                "unit": assignment.handler_name,
                "number": request.number,
                "title": request.title,
                "reason": reason,
            },
        )
    return assignment


@transaction.atomic
def assignment_reply(
    *,
    actor: User,
    assignment: Assignment,
    reply: str,
    attachments: Sequence = (),
    at: datetime | None = None,
) -> Assignment:
    """The unit's answer. When every unit on the request has answered, the enterprise is asked
    to rate it."""
    assignment = _locked_assignment(assignment)
    _require_handler(actor, assignment)
    reply = _required(reply, "reply", _("请填写答复内容"))
    at = _now(at)
    checked = check_attachments(attachments)
    _move(assignment, "reply", at=at)
    assignment.reply, assignment.replied_at, assignment.replied_by = reply, at, actor
    assignment.save(update_fields=["status", "reply", "replied_at", "replied_by"])
    request = assignment.request
    step = _step(request, Action.REPLY, actor=actor, at=at, assignment=assignment, note=reply)
    _store_attachments(request, step, checked, actor=actor)
    _refresh_status(request, at=at)
    if request.status == R.REPLIED:
        _tell(
            _enterprise_accounts(request),
            request,
            _("您的诉求已答复，请评价"),
            _("%(number)s（%(title)s）已由%(unit)s答复，请登录查看并评价。")
            % {"number": request.number, "title": request.title, "unit": assignment.handler_name},
        )
    return assignment


@transaction.atomic
def request_rate(
    *,
    actor: User,
    request: ServiceRequest,
    rating: str,
    comment: str = "",
    at: datetime | None = None,
) -> ServiceRequest:
    """The enterprise's verdict on the answers. 满意/基本满意 close the request. 不满意 (with a
    comment) sends it back once to the same units for a second round; after that it closes. The
    coordinator may record a rating taken by phone (电话回访)."""
    request = _locked(request)
    by_phone = has_role(actor, Role.COORDINATOR)
    if not (
        by_phone or (actor.role == Role.ENTERPRISE and actor.enterprise_id == request.enterprise_id)
    ):
        raise PermissionDenied(_("只有提出诉求的企业可以评价"))
    if rating not in Rating.values:
        raise ValidationError({"rating": [_("请选择满意、基本满意或不满意")]})
    if request.status != R.REPLIED:
        raise ValidationError(
            _("「%(status)s」的诉求不能评价，答复后才能评价")
            % {"status": request.get_status_display()}
        )
    comment = comment.strip()
    if rating == Rating.UNSATISFIED and not comment:
        raise ValidationError({"comment": [_("不满意时请写明原因，承办单位将据此重新办理")]})
    at = _now(at)
    answered = _active(request)
    for assignment in answered:
        assignment.rating, assignment.rated_at = rating, at
    request.rating, request.rating_comment, request.rated_at = rating, comment, at
    request.save(update_fields=["rating", "rating_comment", "rated_at"])
    _step(
        request,
        Action.RATE,
        actor=actor,
        at=at,
        note=comment,
        rating=rating,
        by_phone=by_phone or None,
    )
    if rating == Rating.UNSATISFIED and request.reopen_count == 0:
        _reopen_after_rating(request, answered, actor=actor, at=at, comment=comment)
    else:
        _complete(request, answered, actor=actor, at=at, note="")
    return request


def _reopen_after_rating(request, answered, *, actor, at, comment) -> None:
    for assignment in answered:
        _move(assignment, "reopen", at=at)
        assignment.end_reason = _("企业不满意，重新办理")
        assignment.save(update_fields=["status", "ended_at", "end_reason", "rating", "rated_at"])
    request.reopen_count += 1
    request.round += 1
    request.save(update_fields=["reopen_count", "round"])
    _step(request, Action.REOPEN, actor=actor, at=at, note=comment, by="rating")
    _restart(request, answered, actor=actor, at=at, why=_("企业不满意：%(c)s") % {"c": comment})


def _restart(request, previous: Sequence[Assignment], *, actor, at, why: str) -> None:
    """A new round for the units that answered last time, each with a fresh clock, and told
    why it came back."""
    for assignment in previous:
        handler = {"department": assignment.department, "task_force": assignment.task_force}
        _assign(request, **handler, role=assignment.role, actor=actor, at=at)
        _tell(handler_members(**handler), request, _("诉求退回重新办理"), why)
    _refresh_status(request, at=at)


def _complete(request, answered, *, actor, at, note) -> None:
    for assignment in answered:
        if assignment.status == A.REPLIED:
            _move(assignment, "complete", at=at)
            assignment.completed_at = at
        else:
            _move(assignment, "cancel", at=at)
            assignment.end_reason = note or _("诉求办结")
        assignment.save(
            update_fields=["status", "ended_at", "end_reason", "completed_at", "rating", "rated_at"]
        )
    _set_status(request, R.CLOSED, at=at)
    request.closed_at = at
    request.save(update_fields=["status", "closed_at"])
    _step(request, Action.CLOSE, actor=actor, at=at, note=note)


@transaction.atomic
def request_close(
    *, actor: User, request: ServiceRequest, note: str, at: datetime | None = None
) -> ServiceRequest:
    """The coordinator closes a request (the enterprise withdrew it, it was settled by phone)."""
    _require_coordinator(actor)
    request = _locked(request)
    note = _required(note, "note", _("请说明办结理由"))
    if not request.is_open:
        raise ValidationError(_("诉求已办结"))
    _complete(request, _active(request), actor=actor, at=_now(at), note=note)
    return request


@transaction.atomic
def request_reopen(
    *, actor: User, request: ServiceRequest, reason: str, at: datetime | None = None
) -> ServiceRequest:
    """The coordinator reopens a closed request: the units that answered it start a new round
    (or, if none did, it waits to be routed)."""
    _require_coordinator(actor)
    request = _locked(request)
    reason = _required(reason, "reason", _("请说明重新打开的理由"))
    if request.status != R.CLOSED:
        raise ValidationError(_("只有已办结的诉求可以重新打开"))
    at = _now(at)
    last_round = request.assignments.filter(status=A.DONE).order_by("-round").first()
    previous = (
        list(request.assignments.filter(status=A.DONE, round=last_round.round))
        if last_round
        else []
    )
    # With units to go back to, _restart assigns them at once: the request does not wait.
    _set_status(request, R.PENDING if previous else R.UNASSIGNED, at=at)
    request.closed_at, request.last_reopened_at, request.round = None, at, request.round + 1
    request.rating, request.rating_comment, request.rated_at = "", "", None
    request.save(
        update_fields=[
            "status",
            "closed_at",
            "last_reopened_at",
            "round",
            "rating",
            "rating_comment",
            "rated_at",
        ]
    )
    _step(request, Action.REOPEN, actor=actor, at=at, note=reason, by="coordinator")
    if previous:
        _restart(
            request, previous, actor=actor, at=at, why=_("指挥部重新打开：%(r)s") % {"r": reason}
        )
    else:
        _tell(coordinators(), request, _("诉求已重新打开，请分派"), request.title)
    return request

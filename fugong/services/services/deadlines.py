"""Deadlines that move or pass: extensions the coordinator grants, escalation (督办) as clocks
near and pass their deadlines, and requests closed when the enterprise never rates them."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.core.models import User
from fugong.core.permissions import has_role
from fugong.services import calendar
from fugong.services.access import coordinators, handler_members, leaders
from fugong.services.models import (
    Assignment,
    Escalation,
    Extension,
    ServiceRequest,
    Stage,
)
from fugong.services.services.base import (
    A,
    Action,
    R,
    Role,
    _active,
    _format,
    _locked,
    _locked_assignment,
    _move,
    _now,
    _require_coordinator,
    _require_handler,
    _required,
    _step,
    _tell,
    _unique,
)
from fugong.services.services.requests import _complete

# A replied request the enterprise does not rate within this many working days is closed
# without a rating (and counts in no satisfaction figure).
RATING_WINDOW_DAYS = 5


@transaction.atomic
def extension_request(
    *,
    actor: User,
    assignment: Assignment,
    stage: str,
    extra_days: int,
    reason: str,
    at: datetime | None = None,
) -> Extension:
    assignment = _locked_assignment(assignment)
    _require_handler(actor, assignment)
    at = _now(at)
    _move(assignment, "extend", at=at)
    reason = _required(reason, "reason", _("请说明延期理由"))
    if stage not in (Stage.REPLY, Stage.RESOLVE):
        raise ValidationError({"stage": [_("只能申请延长答复或办结期限")]})
    extension = Extension(
        assignment=assignment,
        stage=stage,
        current_due=assignment.due_for(stage),
        extra_days=extra_days,
        reason=reason,
        requested_by=actor,
        requested_at=at,
    )
    extension.full_clean()
    try:
        with transaction.atomic():
            extension.save()
    except IntegrityError:
        raise ValidationError(_("已有一份待审批的延期申请")) from None
    request = assignment.request
    _step(
        request,
        Action.EXTENSION_REQUEST,
        actor=actor,
        at=extension.requested_at,
        assignment=assignment,
        note=reason,
        stage=stage,
        extra_days=extra_days,
    )
    _tell(
        coordinators(),
        request,
        _("延期申请待审批"),
        _("%(unit)s申请将%(number)s的%(stage)s期限延长%(days)d个工作日：%(reason)s")
        % {
            "unit": assignment.handler_name,
            "number": request.number,
            "stage": Stage(stage).label,
            "days": extra_days,
            "reason": reason,
        },
    )
    return extension


@transaction.atomic
def extension_decide(
    *,
    actor: User,
    extension: Extension,
    approve: bool,
    note: str = "",
    at: datetime | None = None,
) -> Extension:
    """Approving moves the deadline (and the later ones, so they stay in order), on a clock
    still running; the deadlines it replaces are kept on the extension."""
    _require_coordinator(actor)
    extension = Extension.objects.select_related("assignment").get(pk=extension.pk)
    assignment = _locked_assignment(extension.assignment)
    if extension.status != Extension.Status.PENDING:
        raise ValidationError(_("该延期申请已审批"))
    if not approve and not note.strip():
        raise ValidationError({"note": [_("不同意时请写明意见")]})
    at = _now(at)
    extension.decided_by, extension.decided_at, extension.decision_note = actor, at, note.strip()
    if approve:
        _move(assignment, "extend", at=at)  # an answered or ended clock has no deadline to move
        extension.reply_due_before = assignment.reply_due
        extension.resolve_due_before = assignment.resolve_due
        extension.status = Extension.Status.APPROVED
        extension.new_due = calendar.extend(
            assignment.due_for(extension.stage), extension.extra_days
        )
        assignment.reply_due = (
            extension.new_due if extension.stage == Stage.REPLY else assignment.reply_due
        )
        assignment.resolve_due = max(assignment.resolve_due, extension.new_due)
        assignment.last_extended_at = at
        assignment.save(update_fields=["reply_due", "resolve_due", "last_extended_at"])
    else:
        extension.status = Extension.Status.REJECTED
    extension.save()
    _step(
        assignment.request,
        Action.EXTENSION_APPROVE if approve else Action.EXTENSION_REJECT,
        actor=actor,
        at=at,
        assignment=assignment,
        note=note.strip(),
        new_due=extension.new_due.isoformat() if extension.new_due else None,
    )
    _tell(
        handler_members(department=assignment.department, task_force=assignment.task_force),
        assignment.request,
        _("延期申请已审批"),
        _("%(number)s的延期申请：%(result)s。%(note)s")
        % {
            "number": assignment.request.number,
            "result": extension.get_status_display(),
            "note": note.strip(),
        },
    )
    return extension


def _escalation_recipients(assignment: Assignment, level: str) -> list[User]:
    unit = {"department": assignment.department, "task_force": assignment.task_force}
    handlers = [assignment.claimed_by] if assignment.claimed_by else handler_members(**unit)
    department = assignment.department or assignment.task_force.lead_department
    head = [department.head] if department.head_id else []
    if level == Escalation.Level.WARNING:
        return handlers
    if level == Escalation.Level.HEAD:
        return head or handler_members(**unit)
    if level == Escalation.Level.MANUAL:  # a leader presses the people doing the work
        return _unique(handlers + head)
    return _unique(leaders() + coordinators())


ESCALATION_TITLES = {
    Escalation.Level.WARNING: _("诉求今日到期"),
    Escalation.Level.HEAD: _("诉求已逾期（督办）"),
    Escalation.Level.LEADER: _("诉求逾期超过一个工作日（区领导督办）"),
    Escalation.Level.MANUAL: _("领导督办"),
}


def _escalate(
    assignment: Assignment, *, stage: str, level: str, at: datetime, actor=None, note=""
) -> Escalation | None:
    """Record and send one escalation; an automatic one that was already sent is not repeated."""
    recipients = _escalation_recipients(assignment, level)
    request = assignment.request
    try:
        with transaction.atomic():
            escalation = Escalation.objects.create(
                assignment=assignment,
                stage=stage,
                level=level,
                at=at,
                due=assignment.due_for(stage),
                recipients=[user.name for user in recipients],
                raised_by=actor,
                note=note,
            )
    except IntegrityError:
        return None
    _step(
        request,
        Action.ESCALATE,
        actor=actor,
        at=at,
        assignment=assignment,
        note=note or str(ESCALATION_TITLES[level]),
        level=level,
        stage=stage,
    )
    _tell(
        recipients,
        request,
        str(ESCALATION_TITLES[level]),
        _("%(number)s（%(enterprise)s：%(title)s）在%(unit)s的%(stage)s期限为%(due)s。%(note)s")
        % {
            "number": request.number,
            "enterprise": request.enterprise.name,
            "title": request.title,
            "unit": assignment.handler_name,
            "stage": Stage(stage).label,
            "due": _format(assignment.due_for(stage)),
            "note": note,
        },
    )
    return escalation


def escalation_level_due(due: datetime, at: datetime) -> str | None:
    """Which level a clock has reached at `at`: its due day has begun (warning), it has passed
    (head), or a further working day has passed too (leaders)."""
    if at > calendar.extend(due, 1):
        return Escalation.Level.LEADER
    if at > due:
        return Escalation.Level.HEAD
    if timezone.localtime(at).date() >= timezone.localtime(due).date():
        return Escalation.Level.WARNING
    return None


def escalate_due(*, at: datetime | None = None) -> list[Escalation]:
    """Scan every running clock and escalate those that reached a new level. Run periodically by
    the scheduler; running it twice sends nothing twice."""
    at = at or timezone.now()
    sent = []
    running = Assignment.objects.filter(
        # A clock due after today cannot have reached any level; reply_due ≥ claim_due.
        status__in=(A.PENDING, A.IN_PROGRESS),
        claim_due__lte=calendar.end_of_day(timezone.localtime(at).date()),
    ).select_related("request__enterprise", "department__head", "task_force", "claimed_by")
    for assignment in running.iterator(chunk_size=500):
        stage = assignment.current_stage
        reached = escalation_level_due(assignment.due_for(stage), at)
        if reached is None:
            continue
        # Only the level reached is sent: after a pause of the scheduler nobody is warned of a
        # deadline that has long passed.
        with transaction.atomic():
            escalation = _escalate(assignment, stage=stage, level=reached, at=at)
        if escalation is not None:
            sent.append(escalation)
    return sent


@transaction.atomic
def request_escalate(
    *, actor: User, request: ServiceRequest, note: str, at: datetime | None = None
) -> list[Escalation]:
    """A leader or the coordinator presses every unit still working on the request."""
    if not has_role(actor, Role.LEADER, Role.COORDINATOR):
        raise PermissionDenied(_("只有区领导或指挥部可以督办"))
    note = _required(note, "note", _("请填写督办意见"))
    request = _locked(request)
    working = [a for a in _active(request) if a.current_stage]
    if not working:
        raise ValidationError(_("该诉求目前没有正在办理的单位"))
    at = _now(at)
    return [
        _escalate(
            a, stage=a.current_stage, level=Escalation.Level.MANUAL, at=at, actor=actor, note=note
        )
        for a in working
    ]


@transaction.atomic
def request_close_unrated(*, request: ServiceRequest, at: datetime) -> bool:
    """Close a request whose answers have waited RATING_WINDOW_DAYS working days for a rating."""
    request = _locked(request)
    if request.status != R.REPLIED:
        return False
    answered = _active(request)
    last_reply = max(a.replied_at for a in answered)
    if calendar.due_after(last_reply, RATING_WINDOW_DAYS) > at:
        return False
    _complete(request, answered, actor=None, at=at, note=_("企业逾期未评价，系统自动办结"))
    return True


def close_unrated(*, at: datetime | None = None) -> int:
    at = at or timezone.now()
    closed = 0
    # N working days are at least N calendar days: a request answered since then cannot be due,
    # so the scheduler's run does not lock every answered request in the district.
    recent = at - timedelta(days=RATING_WINDOW_DAYS)
    answered_lately = Assignment.objects.filter(
        status__in=Assignment.ACTIVE_STATUSES, replied_at__gt=recent
    )
    candidates = ServiceRequest.objects.filter(status=R.REPLIED).exclude(
        pk__in=answered_lately.values("request_id")
    )
    for request in candidates.only("pk"):
        if request_close_unrated(request=request, at=at):
            closed += 1
    return closed

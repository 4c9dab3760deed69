"""What every write to a request shares: the assignment's moves, the clocks, steps and
notifications, and locking the request while it changes."""

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.core.models import Department, User
from fugong.core.permissions import has_role
from fugong.core.services import notify
from fugong.services import calendar
from fugong.services.access import handler_members, handles
from fugong.services.models import (
    Assignment,
    Attachment,
    DeadlinePolicy,
    RequestStep,
    ServiceRequest,
    TaskForce,
    UnassignedPeriod,
)

Role = User.Role


Action = RequestStep.Action


A = Assignment.Status


R = ServiceRequest.Status


# Working days to claim, reply and resolve when no DeadlinePolicy row says otherwise.
DEFAULT_DAYS = (1, 3, 10)


# action → (statuses it may start from, status it leaves the assignment in)
ASSIGNMENT_MOVES = {
    "claim": ({A.PENDING}, A.IN_PROGRESS),
    "reply": ({A.IN_PROGRESS}, A.REPLIED),
    "transfer": ({A.PENDING, A.IN_PROGRESS}, A.TRANSFERRED),
    "return": ({A.PENDING, A.IN_PROGRESS}, A.RETURNED),
    "extend": ({A.PENDING, A.IN_PROGRESS}, None),
    "complete": ({A.REPLIED}, A.DONE),
    "reopen": ({A.REPLIED, A.DONE}, A.REOPENED),
    "cancel": ({A.PENDING, A.IN_PROGRESS}, A.CANCELLED),
}


def _move(assignment: Assignment, action: str, *, at: datetime) -> None:
    allowed, target = ASSIGNMENT_MOVES[action]
    if assignment.status not in allowed:
        raise ValidationError(
            _("该诉求在「%(unit)s」处为「%(status)s」，不能%(action)s")
            % {
                "unit": assignment.handler_name,
                "status": assignment.get_status_display(),
                "action": ACTION_WORDS[action],
            },
            code="invalid_transition",
        )
    if target is not None:
        assignment.status = target
        if target not in Assignment.ACTIVE_STATUSES:
            assignment.ended_at = at


ACTION_WORDS = {
    "claim": _("签收"),
    "reply": _("答复"),
    "transfer": _("转办"),
    "return": _("退回"),
    "extend": _("申请延期"),
    "complete": _("办结"),
    "reopen": _("重新办理"),
    "cancel": _("撤回"),
}


def _now(at: datetime | None) -> datetime:
    now = timezone.now()
    if at is None:
        return now
    if at > now:
        raise ValidationError({"at": [_("时间不能晚于现在")]})
    return at


def deadline_days(category: str, grade: str) -> tuple[int, int, int]:
    """(claim, reply, resolve) working days for a request of this category from an enterprise of
    this grade: the grade's own row, else the category's row, else the defaults."""
    policies = {
        p.grade: p for p in DeadlinePolicy.objects.filter(category=category, grade__in=[grade, ""])
    }
    policy = policies.get(grade) or policies.get("")
    if policy is None:
        return DEFAULT_DAYS
    return policy.claim_days, policy.reply_days, policy.resolve_days


def clocks(*, category: str, grade: str, start: datetime) -> dict[str, datetime]:
    claim, reply, resolve = deadline_days(category, grade)
    return {
        "claim_due": calendar.due_after(start, claim),
        "reply_due": calendar.due_after(start, reply),
        "resolve_due": calendar.due_after(start, resolve),
    }


def _require_handler(user: User, assignment: Assignment) -> None:
    if not handles(user, assignment):
        raise PermissionDenied(_("只有承办单位的工作人员可以办理"))


def _require_coordinator(user: User) -> None:
    if not has_role(user, Role.COORDINATOR):
        raise PermissionDenied(_("只有指挥部（协调员）可以执行此操作"))


def _locked(request: ServiceRequest) -> ServiceRequest:
    """The request row locked for this transaction, so two people acting on it at once are
    applied one after the other against the latest state."""
    return (
        ServiceRequest.objects.select_for_update().select_related("enterprise").get(pk=request.pk)
    )


def _locked_assignment(assignment: Assignment) -> Assignment:
    request = _locked(assignment.request)
    fresh = Assignment.objects.select_related("department", "task_force").get(pk=assignment.pk)
    fresh.request = request
    return fresh


def _handler_kwargs(department: Department | None, task_force: TaskForce | None) -> dict:
    if (department is None) == (task_force is None):
        raise ValidationError({"department": [_("请指定一个承办部门或服务专班")]})
    if department is not None and not department.is_active:
        raise ValidationError({"department": [_("该部门已停用")]})
    if task_force is not None and not task_force.is_active:
        raise ValidationError({"task_force": [_("该服务专班已停用")]})
    return {"department": department, "task_force": task_force}


def _step(
    request: ServiceRequest,
    action: str,
    *,
    actor: User | None,
    at: datetime,
    assignment: Assignment | None = None,
    note: str = "",
    **data,
) -> RequestStep:
    return RequestStep.objects.create(
        request=request,
        assignment=assignment,
        action=action,
        actor=actor,
        at=at,
        note=note,
        data={k: v for k, v in data.items() if v not in (None, "")},
    )


def _link(request: ServiceRequest) -> str:
    return reverse("services:detail", args=[request.pk])


def _tell(recipients: Iterable[User], request: ServiceRequest, title: str, body: str) -> None:
    people = {user.pk: user for user in recipients if user is not None}
    if people:
        notify(recipients=people.values(), title=title, body=body, link=_link(request))


def _enterprise_accounts(request: ServiceRequest) -> list[User]:
    return list(
        User.objects.filter(
            role=Role.ENTERPRISE, enterprise_id=request.enterprise_id, is_active=True
        )
    )


def _store_attachments(request, step, checked, *, actor) -> None:
    for index, item in enumerate(checked, start=1):
        attachment = Attachment(
            request=request,
            step=step,
            original_name=item.upload.name[:200],
            content_type=item.content_type,
            size=item.size,
            uploaded_by=actor,
        )
        attachment.file.save(f"{step.pk}-{index}.{item.extension}", item.upload, save=False)
        attachment.save()


def _assign(
    request: ServiceRequest,
    *,
    department: Department | None,
    task_force: TaskForce | None,
    role: str,
    actor: User | None,
    at: datetime,
) -> Assignment:
    """Start a unit's clock on the request and tell its people."""
    handler = _handler_kwargs(department, task_force)
    duplicate = request.assignments.filter(
        status__in=Assignment.ACTIVE_STATUSES, **handler
    ).exists()
    if duplicate:
        raise ValidationError(
            {"department": [_("「%(unit)s」已在办理该诉求") % {"unit": (department or task_force)}]}
        )
    assignment = Assignment.objects.create(
        request=request,
        role=role,
        category=request.category,
        round=request.round,
        status=A.PENDING,
        assigned_at=at,
        assigned_by=actor,
        **handler,
        **clocks(category=request.category, grade=request.grade, start=at),
    )
    _tell(
        handler_members(**handler),
        request,
        _("新诉求待签收"),
        _("%(enterprise)s：%(title)s。请于%(due)s前签收。")
        % {
            "enterprise": request.enterprise.name,
            "title": request.title,
            "due": _format(assignment.claim_due),
        },
    )
    return assignment


def _format(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%m月%d日%H:%M")


def _active(request: ServiceRequest) -> list[Assignment]:
    return list(
        request.assignments.filter(status__in=Assignment.ACTIVE_STATUSES).select_related(
            "department", "task_force"
        )
    )


def _refresh_status(request: ServiceRequest, *, at: datetime) -> None:
    """The request's status follows from its active assignments (once closed, it stays so)."""
    if request.status == R.CLOSED:
        return
    statuses = {a.status for a in _active(request)}
    if not statuses:
        status = R.UNASSIGNED
    elif statuses == {A.REPLIED}:
        status = R.REPLIED
    elif statuses & {A.IN_PROGRESS, A.REPLIED}:
        status = R.IN_PROGRESS
    else:
        status = R.PENDING
    if status != request.status:
        _set_status(request, status, at=at)
        request.save(update_fields=["status"])


def _set_status(request: ServiceRequest, status: str, *, at: datetime) -> None:
    """Change the request's status (the caller saves it), keeping its unassigned periods: one
    opens when it comes to wait for a unit, and closes when it stops waiting."""
    if status == request.status:
        return
    if request.status == R.UNASSIGNED:
        request.unassigned_periods.filter(ended_at__isnull=True).update(ended_at=at)
    elif status == R.UNASSIGNED:
        UnassignedPeriod.objects.create(request=request, started_at=at)
    request.status = status


def _required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: [message]})
    return value


def _unique(users: list[User]) -> list[User]:
    return list({user.pk: user for user in users if user is not None}.values())

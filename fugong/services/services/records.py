"""Records kept beside the requests: thank-you letters, and the settings the coordinator keeps
(routing table, deadline table, working-day calendar)."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.core.models import Department, User
from fugong.core.permissions import has_role
from fugong.enterprises.models import Enterprise
from fugong.services.models import (
    CalendarDay,
    Category,
    DeadlinePolicy,
    RoutingRule,
    ServiceRequest,
    ThankYouLetter,
)
from fugong.services.services.base import (
    Action,
    Role,
    _now,
    _require_coordinator,
    _step,
)


@transaction.atomic
def letter_record(
    *,
    actor: User,
    department: Department,
    sender: str,
    received_on,
    summary: str,
    request: ServiceRequest | None = None,
    enterprise: Enterprise | None = None,
    at: datetime | None = None,
) -> ThankYouLetter:
    """A letter of thanks, recorded by the coordinator or by the department that received it."""
    at = _now(at)
    if not (
        has_role(actor, Role.COORDINATOR)
        or (has_role(actor, Role.DEPARTMENT) and actor.department_id == department.pk)
    ):
        raise PermissionDenied(_("只有指挥部或受表扬部门可以登记感谢信"))
    if request is not None:
        enterprise = enterprise or request.enterprise
        if not request.assignments.filter(department=department).exists():
            raise ValidationError({"request": [_("该诉求未由此部门办理")]})
    letter = ThankYouLetter(
        department=department,
        sender=sender.strip(),
        received_on=received_on,
        summary=summary.strip(),
        request=request,
        enterprise=enterprise,
        recorded_by=actor,
        recorded_at=at,
    )
    if received_on and received_on > timezone.localtime(at).date():
        raise ValidationError({"received_on": [_("收信日期不能晚于今天")]})
    letter._history_user = actor
    letter.full_clean()
    letter.save()
    if request is not None:
        _step(request, Action.THANKS, actor=actor, at=at, note=letter.summary)
    return letter


# (grade, claim, reply, resolve) in working days, as migration 0002 stores them.
DEFAULT_DEADLINES = [("", 1, 3, 10), ("A", 1, 2, 7)]


def deadline_policies_ensure_defaults() -> None:
    """Store the default deadline table when it is empty (a database emptied by a flush)."""
    if DeadlinePolicy.objects.exists():
        return
    DeadlinePolicy.objects.bulk_create(
        DeadlinePolicy(
            category=category,
            grade=grade,
            claim_days=claim,
            reply_days=reply,
            resolve_days=resolve,
        )
        for category in Category.values
        for grade, claim, reply, resolve in DEFAULT_DEADLINES
    )


def _save_setting(instance, *, actor: User):
    _require_coordinator(actor)
    instance._history_user = actor
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def routing_rule_save(*, actor: User, rule: RoutingRule) -> RoutingRule:
    return _save_setting(rule, actor=actor)


@transaction.atomic
def routing_rule_delete(*, actor: User, rule: RoutingRule) -> None:
    _require_coordinator(actor)
    rule._history_user = actor
    rule.delete()


@transaction.atomic
def deadline_policy_save(*, actor: User, policy: DeadlinePolicy) -> DeadlinePolicy:
    return _save_setting(policy, actor=actor)


@transaction.atomic
def calendar_day_save(*, actor: User, day: CalendarDay) -> CalendarDay:
    return _save_setting(day, actor=actor)


@transaction.atomic
def calendar_day_delete(*, actor: User, day: CalendarDay) -> None:
    _require_coordinator(actor)
    day._history_user = actor
    day.delete()

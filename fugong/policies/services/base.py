"""What the policy services share: the clock, permission checks, appended events."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.core.models import User
from fugong.policies.models import Policy, PolicyEvent
from fugong.policies.selectors import may_edit

Role = User.Role


def now_or(at: datetime | None) -> datetime:
    now = timezone.now()
    if at is None:
        return now
    if at > now:
        raise ValidationError({"at": [_("时间不能晚于现在")]})
    return at


def require_editor(user: User, policy: Policy) -> None:
    if not may_edit(user, policy):
        raise PermissionDenied(_("只有指挥部或该政策的联系部门可以执行此操作"))


def event(policy: Policy, action: str, *, actor: User | None, at: datetime, note="", **data):
    return PolicyEvent.objects.create(
        policy=policy,
        action=action,
        actor=actor,
        at=at,
        note=note[:300],
        data={k: v for k, v in data.items() if v not in (None, "")},
    )


def locked(policy: Policy) -> Policy:
    """The policy row locked for this transaction (publishing and editing serialise)."""
    return Policy.objects.select_for_update().get(pk=policy.pk)


def required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: [message]})
    return value

"""What every write in 送要素 shares: the moment it happens, who may act for which enterprise,
saving with history, and refusing a move a record's status does not allow."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.core.models import User
from fugong.core.permissions import has_role
from fugong.enterprises.models import Enterprise
from fugong.enterprises.selectors import enterprises_visible_to

Role = User.Role


def now_or(at: datetime | None) -> datetime:
    now = timezone.now()
    if at is None:
        return now
    if at > now:
        raise ValidationError({"at": [_("时间不能晚于现在")]})
    return at


def require_role(actor: User, *roles: str, message: str) -> None:
    if not has_role(actor, *roles):
        raise PermissionDenied(message)


def require_for_enterprise(actor: User, enterprise: Enterprise, *roles: str) -> None:
    """The actor has one of `roles` and the enterprise is theirs to serve (an enterprise: itself;
    an officer: one of theirs; the coordinator: any)."""
    if not has_role(actor, *roles):
        raise PermissionDenied(_("无权为企业办理此事项"))
    if not enterprises_visible_to(actor).filter(pk=enterprise.pk).exists():
        raise PermissionDenied(_("无权为该企业办理此事项"))


def saved(instance, *, actor: User, reason: str = "", update_fields=None):
    """full_clean, then save with the actor on the history record."""
    instance._history_user = actor
    if reason:
        instance._change_reason = reason
    instance.full_clean()
    instance.save(update_fields=update_fields)
    return instance


def require_status(instance, allowed, action: str) -> None:
    if instance.status not in allowed:
        raise ValidationError(
            _("当前状态为「%(status)s」，不能%(action)s")
            % {"status": instance.get_status_display(), "action": action},
            code="invalid_transition",
        )


def locked(instance):
    """The row locked for this transaction, read again."""
    return type(instance).objects.select_for_update().get(pk=instance.pk)

"""Writes shared by every app: notifications, accounts."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.core.models import ImportJob, Notification, User
from fugong.core.tasks import deliver_notification

_muted = ContextVar("notifications_muted", default=False)


@contextmanager
def notifications_muted() -> Iterator[None]:
    """Replaying history (the demo district's March 2020) must not text anyone today."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


@transaction.atomic
def notify(
    *, recipients: Iterable[User], title: str, body: str, link: str = ""
) -> list[Notification]:
    """Put a message in each recipient's inbox and deliver it in the background once committed."""
    if _muted.get():
        return []
    notifications = Notification.objects.bulk_create(
        [Notification(recipient=user, title=title, body=body, link=link) for user in recipients]
    )
    ids = [n.pk for n in notifications]
    transaction.on_commit(lambda: [deliver_notification.enqueue(pk) for pk in ids])
    return notifications


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    notification = Notification.objects.get(pk=notification_id, recipient=user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


COORDINATORS_GROUP = "协调员"


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    password: str | None,
    display_name: str = "",
    phone: str = "",
    department=None,
    areas=(),
    enterprise=None,
) -> User:
    """An account with its role and scope. Coordinators also get the back office (/admin/)."""
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        phone=phone,
        department=department,
        enterprise=enterprise,
        is_staff=role == User.Role.COORDINATOR,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    _check_scope(user, areas)
    user.full_clean(exclude=["password"])
    user.save()
    user.areas.set(areas)
    if user.is_staff:
        user.groups.add(ensure_coordinators_group())
    return user


def _check_scope(user: User, areas) -> None:
    Role = User.Role
    problems = {
        Role.DEPARTMENT: (
            user.department_id is None,
            "department",
            _("区直部门用户须指定所属部门"),
        ),
        Role.AREA_OFFICER: (not areas, "areas", _("街道/乡镇/园区用户须指定负责区域")),
        Role.ENTERPRISE: (user.enterprise_id is None, "enterprise", _("企业用户须指定所属企业")),
    }
    missing, field_name, message = problems.get(user.role, (False, "", ""))
    if missing:
        raise ValidationError({field_name: [message]})


def ensure_coordinators_group():
    """The group whose permissions open the back office to coordinators: every model of ours."""
    from django.contrib.auth.models import Group, Permission

    group, _created = Group.objects.get_or_create(name=COORDINATORS_GROUP)
    permissions = Permission.objects.filter(
        content_type__app_label__in=["core", "enterprises", "services", "policies"]
    )
    group.permissions.set(permissions)
    return group


@transaction.atomic
def import_job_start(*, kind: str, upload, actor: User) -> ImportJob:
    """Keep the uploaded file before anything is read from it, so every import can be traced."""
    job = ImportJob(
        kind=kind,
        original_name=upload.name[:200],
        uploaded_by=actor,
        status=ImportJob.Status.PREVIEWED,
    )
    job.file.save(f"{kind}.{upload.name.rsplit('.', 1)[-1][:5].lower()}", upload, save=False)
    job.save()
    return job


@transaction.atomic
def import_job_finish(*, job: ImportJob, result: dict, applied: bool) -> ImportJob:
    job.summary = {k: v for k, v in result.items() if k != "errors"}
    job.errors = result.get("errors", [])
    if applied:
        job.status, job.applied_at = ImportJob.Status.APPLIED, timezone.now()
    elif not result.get("ok"):
        job.status = ImportJob.Status.REFUSED
    job.save(update_fields=["summary", "errors", "status", "applied_at"])
    return job


def text_message(*, to: str, name: str, title: str, body: str) -> None:
    """A text to a phone number with no account behind it (an enterprise's registered contact)."""
    from fugong.core.notifications import Message, get_backend

    get_backend().send(Message(to=to, recipient_name=name, title=title, body=body))

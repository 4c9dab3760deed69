"""Writing the library: a policy drafted, edited, published (matched and pushed) and expired,
with its attachments. Every change keeps history (simple-history) and an event."""

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.core.exceptions import StaleRecord
from fugong.core.forms import EARLIEST_MOMENT
from fugong.core.models import User
from fugong.core.permissions import has_role
from fugong.core.uploads import check_attachments
from fugong.policies import rules
from fugong.policies.models import (
    BenefitKind,
    MatchingRun,
    Mode,
    Policy,
    PolicyAttachment,
    PolicyEvent,
)
from fugong.policies.services.base import Role, event, locked, now_or, require_editor
from fugong.policies.services.matching import policy_rematch

Action = PolicyEvent.Action
RULE_FIELDS = ("rule", "situation_as_of")


def _check(policy: Policy, actor: User) -> None:
    """The rule against the whitelist, the benefit against the mode, the dates in order."""
    try:
        policy.rule = rules.validate(policy.rule)
    except ValidationError as exc:
        raise ValidationError({"rule": exc.messages}) from None
    errors = {}
    kind = policy.benefit_kind
    if kind in (BenefitKind.FIXED, BenefitKind.PER_WORKER) and policy.benefit_amount is None:
        errors["benefit_amount"] = [_("请填写金额")]
    if kind == BenefitKind.PERCENT:
        if policy.benefit_percent is None:
            errors["benefit_percent"] = [_("请填写比例")]
        if policy.mode == Mode.AUTO_GRANT:
            errors["benefit_kind"] = [_("免申即享的政策无需企业申报，只能按定额或在册职工人数兑现")]
    if policy.situation_as_of and policy.situation_as_of < EARLIEST_MOMENT:
        errors["situation_as_of"] = [_("复工情况时点应在2000年1月1日以后")]
    if policy.expires_on and policy.expires_on < policy.effective_on:
        errors["expires_on"] = [_("截止日期不能早于施行日期")]
    department_user = has_role(actor, Role.DEPARTMENT) and not has_role(actor, Role.COORDINATOR)
    if department_user and policy.department_id != actor.department_id:
        errors["department"] = [_("区直部门只能登记本部门联系的政策")]
    if errors:
        raise ValidationError(errors)
    policy.full_clean(exclude=["created_by"])


def _store_attachments(policy: Policy, uploads: Sequence, actor: User) -> list[str]:
    """The uploads (checked by their content) stored with the policy; returns the files written,
    for `_forget_files` should the save fail after them."""
    written = []
    for index, item in enumerate(check_attachments(uploads), start=policy.attachments.count() + 1):
        attachment = PolicyAttachment(
            policy=policy,
            original_name=item.upload.name[:200],
            content_type=item.content_type,
            size=item.size,
            uploaded_by=actor,
        )
        attachment.file.save(f"{index}.{item.extension}", item.upload, save=False)
        written.append(attachment.file.name)
        attachment.save()
    return written


def _forget_files(names: list[str]) -> None:
    """Files stored by a save that then failed: its rows roll back, so the files go too."""
    storage = PolicyAttachment._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


def _with_attachments(save, policy: Policy, uploads: Sequence, actor: User):
    """Run `save` after storing the uploads; if anything after the storing fails, the stored
    files are removed with the rolled-back rows (no orphan files)."""
    written = []
    try:
        with transaction.atomic():
            written = _store_attachments(policy, uploads, actor)
            return save()
    except BaseException:
        _forget_files(written)
        raise


@transaction.atomic
def policy_create(
    *, actor: User, policy: Policy, attachments: Sequence = (), at: datetime | None = None
) -> Policy:
    """A draft, by the coordinator or (for its own policies) a department."""
    if not has_role(actor, Role.COORDINATOR, Role.DEPARTMENT):
        raise PermissionDenied(_("只有指挥部或区直部门可以登记政策"))
    at = now_or(at)
    policy.status = Policy.Status.DRAFT
    policy.created_by = actor
    policy.refresh_title_keys()
    _check(policy, actor)
    policy._history_user = actor
    policy.save()

    def after_storing():
        event(policy, Action.CREATE, actor=actor, at=at)
        return policy

    return _with_attachments(after_storing, policy, attachments, actor)


@transaction.atomic
def policy_update(
    *,
    actor: User,
    policy: Policy,
    attachments: Sequence = (),
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Policy:
    """Save edits made to `policy`. A published policy whose rule changed is matched again.
    With `expected_version` (the version the editor started from), an edit made while someone
    else saved is refused rather than overwriting their change."""
    require_editor(actor, Policy.objects.get(pk=policy.pk))
    stored = locked(policy)
    if expected_version is not None and stored.version != expected_version:
        raise StaleRecord(stored)
    policy.version = stored.version + 1
    at = now_or(at)
    policy.status = stored.status  # publishing and expiry have their own services
    policy.refresh_title_keys()
    _check(policy, actor)
    rule_changed = any(getattr(stored, name) != getattr(policy, name) for name in RULE_FIELDS)
    if rule_changed:
        policy.rule_changed_at = at
    policy._history_user = actor
    policy.save()

    def after_storing():
        event(policy, Action.RULE if rule_changed else Action.EDIT, actor=actor, at=at)
        if rule_changed and policy.status == Policy.Status.PUBLISHED:
            policy_rematch(policy=policy, trigger=MatchingRun.Trigger.RULE, actor=actor, at=at)
        return policy

    return _with_attachments(after_storing, policy, attachments, actor)


@transaction.atomic
def policy_publish(
    *, actor: User, policy: Policy, at: datetime | None = None, push: bool = True
) -> MatchingRun:
    """Publish a draft: it appears in the public list, is matched against every enterprise, and
    the matched enterprises and their officers are told (after commit, in the background)."""
    policy = locked(policy)
    require_editor(actor, policy)
    at = now_or(at)
    if policy.status != Policy.Status.DRAFT:
        raise ValidationError(_("只有草稿可以发布"))
    if policy.expires_on and policy.expires_on < timezone.localtime(at).date():
        raise ValidationError({"expires_on": [_("截止日期已过，不能发布")]})
    policy.status, policy.published_at = Policy.Status.PUBLISHED, at
    policy._history_user = actor
    policy.save(update_fields=["status", "published_at", "updated_at"])
    event(policy, Action.PUBLISH, actor=actor, at=at)
    return policy_rematch(
        policy=policy, trigger=MatchingRun.Trigger.PUBLISH, actor=actor, at=at, push=push
    )


@transaction.atomic
def policy_expire(
    *, actor: User | None, policy: Policy, at: datetime | None = None, note: str = ""
) -> Policy:
    """End a published policy (by hand, or past its date: actor None). Its matches stay, as
    they were, for the figures; it is no longer matched, pushed or applied for."""
    policy = locked(policy)
    if actor is not None:
        require_editor(actor, policy)
    at = now_or(at)
    if policy.status != Policy.Status.PUBLISHED:
        raise ValidationError(_("只有已发布的政策可以设为到期"))
    policy.status, policy.expired_at = Policy.Status.EXPIRED, at
    policy._history_user = actor
    policy.save(update_fields=["status", "expired_at", "updated_at"])
    event(policy, Action.EXPIRE, actor=actor, at=at, note=note or _("手动设为到期"))
    return policy


def expire_due(*, today=None) -> int:
    """Published policies past their date are expired (the nightly run calls this)."""
    today = today or timezone.localdate()
    due = Policy.objects.filter(status=Policy.Status.PUBLISHED, expires_on__lt=today)
    for policy in due:
        policy_expire(actor=None, policy=policy, note=_("已过截止日期，自动到期"))
    return len(due)


@transaction.atomic
def attachment_delete(*, actor: User, attachment: PolicyAttachment) -> None:
    """The attachment's row now, its file once that is committed (a rolled-back deletion keeps
    both)."""
    require_editor(actor, attachment.policy)
    name = attachment.file.name
    attachment.delete()
    event(
        attachment.policy,
        Action.EDIT,
        actor=actor,
        at=timezone.now(),
        note=_("删除附件「%(name)s」") % {"name": attachment.original_name},
    )
    transaction.on_commit(lambda: _forget_files([name]))

"""免申即享: an auto-grant policy's payout list, made from its current matches with the amount
each enterprise gets and why, publicly noticed (公示) for the policy's objection window in
working days, its objections handled, then confirmed and handed to finance, and recorded as
paid:

    待公示 → 公示中 (anyone may object) → 已确认 (window over, every objection handled) → 已拨付

An upheld objection takes its enterprise off the list; dismissing it on reconsideration, or
its withdrawal, puts the enterprise back (while no other upheld objection to it stands). Every
step is recorded with who and when. An enterprise is on at most one list per policy that was
not taken off."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.core.models import User
from fugong.core.services import notify
from fugong.core.validators import normalize_phone
from fugong.policies.benefits import benefit_for
from fugong.policies.models import (
    BenefitKind,
    Objection,
    ObjectionStep,
    PayoutBatch,
    PayoutLine,
    Policy,
    PolicyMatch,
)
from fugong.policies.selectors import may_review
from fugong.policies.services.base import Role, now_or, required
from fugong.services import calendar

B = PayoutBatch.Status


def _require_reviewer(user: User, policy: Policy) -> None:
    if not may_review(user, policy):
        raise PermissionDenied(_("只有指挥部或该政策的联系部门可以操作兑现清单"))


def _locked(batch: PayoutBatch) -> PayoutBatch:
    return PayoutBatch.objects.select_for_update().select_related("policy").get(pk=batch.pk)


def _save(batch: PayoutBatch, actor: User | None, *fields: str) -> None:
    batch._history_user = actor
    batch.save(update_fields=list(fields))


@transaction.atomic
def payout_batch_create(*, actor: User, policy: Policy, at: datetime | None = None) -> PayoutBatch:
    """The list of the policy's current matches not on an earlier list, with their amounts."""
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    _require_reviewer(actor, policy)
    at = now_or(at)
    if not policy.is_auto_grant or policy.status != Policy.Status.PUBLISHED:
        raise ValidationError(_("只有已发布的免申即享政策可以生成兑现清单"))
    if policy.benefit_kind not in (BenefitKind.FIXED, BenefitKind.PER_WORKER):
        raise ValidationError(_("该政策没有可计算的兑现金额"))
    if policy.payout_batches.filter(status__in=(B.DRAFT, B.NOTICE)).exists():
        raise ValidationError(_("该政策已有一份待公示或公示中的清单，请先处理完毕"))
    listed = PayoutLine.objects.filter(batch__policy=policy, excluded=False).values("enterprise_id")
    matches = (
        PolicyMatch.objects.filter(policy=policy, ended_at__isnull=True)
        .exclude(enterprise_id__in=listed)
        .select_related("enterprise")
        .order_by("enterprise__region__sort_order", "enterprise__name")
    )
    batch = PayoutBatch(policy=policy, status=B.DRAFT, created_by=actor, created_at=at)
    batch._history_user = actor
    batch.save()
    lines = []
    for match in matches:
        benefit = benefit_for(policy, headcount=match.enterprise.payroll_headcount)
        lines.append(
            PayoutLine(
                batch=batch, enterprise=match.enterprise, amount=benefit.amount, basis=benefit.basis
            )
        )
    if not lines:
        raise ValidationError(_("没有尚未列入清单的符合条件企业"))
    PayoutLine.objects.bulk_create(lines, batch_size=2000)
    return batch


@transaction.atomic
def payout_notice_start(
    *, actor: User, batch: PayoutBatch, at: datetime | None = None
) -> PayoutBatch:
    """Publish the list for objections; the window is the policy's objection days (working
    days)."""
    batch = _locked(batch)
    _require_reviewer(actor, batch.policy)
    at = now_or(at)
    if batch.status != B.DRAFT:
        raise ValidationError(_("只有待公示的清单可以开始公示"))
    batch.status = B.NOTICE
    batch.notice_starts_at = at
    batch.notice_ends_at = calendar.due_after(at, batch.policy.objection_days)
    _save(batch, actor, "status", "notice_starts_at", "notice_ends_at")
    return batch


# Filing is open to anyone: one phone may object to a list this many times, and one client
# (a keyed hash of its address) this many times an hour, over every list.
MAX_OBJECTIONS_PER_PHONE = 10
MAX_OBJECTIONS_PER_CLIENT_HOUR = 20
OS = Objection.Status
OStep = ObjectionStep.Action


def _objection_step(objection: Objection, action: str, *, actor, at, note="") -> None:
    ObjectionStep.objects.create(
        objection=objection, action=action, actor=actor, at=at, note=note[:500]
    )


def _throttled(message: str) -> ValidationError:
    return ValidationError(message, code="throttled")


@transaction.atomic
def objection_file(
    *,
    batch: PayoutBatch,
    name: str,
    phone: str,
    content: str,
    line: PayoutLine | None = None,
    at: datetime | None = None,
    idempotency_key: str = "",
    client: str = "",
) -> Objection:
    """Anyone may object while the list is noticed; the policy's department and the
    coordinators are told. Filing again is harmless: the same Idempotency-Key, or the same
    phone on the same enterprise of the same policy, returns the objection already filed
    (`objection.created` is False). The batch row is locked, so two copies of one submission
    arriving at once still make one objection."""
    batch = _locked(batch)
    at = now_or(at)
    if batch.status != B.NOTICE or at > batch.notice_ends_at:
        raise ValidationError(_("该清单不在公示期内，不能提出异议"))
    if line is not None and line.batch_id != batch.pk:
        raise ValidationError({"line": [_("该企业不在这份清单中")]})
    try:
        phone = normalize_phone(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from None
    key = (idempotency_key or "").strip()[:100]
    earlier = Objection.objects.filter(batch=batch, idempotency_key=key).first() if key else None
    if earlier is None:
        # One list of a policy is noticed at a time: this list is "the policy" here.
        same = Objection.objects.filter(batch=batch, phone=phone)
        same = (
            same.filter(line__enterprise_id=line.enterprise_id)
            if line is not None
            else same.filter(line__isnull=True)
        )
        earlier = same.order_by("filed_at", "id").first()
    if earlier is not None:
        earlier.created = False
        return earlier
    if Objection.objects.filter(batch=batch, phone=phone).count() >= MAX_OBJECTIONS_PER_PHONE:
        raise _throttled(
            _("同一联系电话对这份清单已提出%(n)d条异议，请致电政策联系部门")
            % {"n": MAX_OBJECTIONS_PER_PHONE}
        )
    recent = Objection.objects.filter(client=client, filed_at__gt=at - timedelta(hours=1))
    if client and recent.count() >= MAX_OBJECTIONS_PER_CLIENT_HOUR:
        raise _throttled(_("提交过于频繁，请稍后再试"))
    objection = Objection(
        batch=batch,
        line=line,
        name=required(name, "name", _("请填写姓名或单位")),
        phone=phone,
        content=required(content, "content", _("请写明异议内容")),
        filed_at=at,
        idempotency_key=key,
        client=client[:32],
    )
    objection.full_clean()
    objection.save()
    _objection_step(objection, OStep.FILE, actor=None, at=at, note=objection.content)
    objection.created = True
    reviewers = User.objects.filter(
        is_active=True, role__in=(Role.COORDINATOR, Role.DEPARTMENT)
    ).exclude(role=Role.DEPARTMENT, department_id__isnull=True)
    reviewers = [
        u
        for u in reviewers
        if u.role == Role.COORDINATOR or u.department_id == batch.policy.department_id
    ]
    if reviewers:
        notify(
            recipients=reviewers,
            title=_("兑现清单公示收到异议"),
            body=_("「%(policy)s」的公示清单收到异议：%(content)s")
            % {"policy": batch.policy.title, "content": objection.content[:100]},
            link=reverse("policies:batch_detail", args=[batch.pk]),
        )
    return objection


def _refresh_line(line: PayoutLine | None) -> None:
    """A line is off the list while an upheld objection to it stands (the latest one's reply is
    the reason), and on it otherwise."""
    if line is None:
        return
    upheld = line.objections.filter(status=OS.UPHELD).order_by("handled_at", "id").last()
    line.excluded = upheld is not None
    line.excluded_reason = upheld.reply[:300] if upheld else ""
    line.save(update_fields=["excluded", "excluded_reason"])


def _objection_for_change(actor: User, objection: Objection) -> tuple[Objection, PayoutBatch]:
    objection = Objection.objects.select_related("batch__policy", "line").get(pk=objection.pk)
    batch = _locked(objection.batch)
    _require_reviewer(actor, batch.policy)
    objection = (
        Objection.objects.select_for_update(of=("self",))
        .select_related("line")
        .get(pk=objection.pk)
    )
    if batch.status not in (B.NOTICE, B.DRAFT):
        raise ValidationError(_("清单已确认，不能再处理异议"))
    if objection.status == OS.WITHDRAWN:
        raise ValidationError(_("该异议已撤回"))
    return objection, batch


@transaction.atomic
def objection_handle(
    *,
    actor: User,
    objection: Objection,
    uphold: bool,
    reply: str,
    at: datetime | None = None,
) -> Objection:
    """Upheld: the enterprise it names comes off the list; dismissed: the list stands. Until the
    list is confirmed a decision may be reconsidered (upheld → dismissed puts the enterprise
    back, and the other way round)."""
    objection, _batch = _objection_for_change(actor, objection)
    at = now_or(at)
    target = OS.UPHELD if uphold else OS.DISMISSED
    if objection.status == target:
        raise ValidationError(
            _("该异议已是「%(status)s」") % {"status": objection.get_status_display()}
        )
    reply = required(reply, "reply", _("请填写处理意见"))
    objection.status = target
    objection.reply, objection.handled_by, objection.handled_at = reply, actor, at
    objection.save(update_fields=["status", "reply", "handled_by", "handled_at"])
    _objection_step(
        objection, OStep.UPHOLD if uphold else OStep.DISMISS, actor=actor, at=at, note=reply
    )
    _refresh_line(objection.line)
    return objection


@transaction.atomic
def objection_withdraw(
    *, actor: User, objection: Objection, note: str, at: datetime | None = None
) -> Objection:
    """The objector withdraws (by telephone or in person; the reviewer records it): an upheld
    objection no longer keeps its enterprise off the list."""
    objection, _batch = _objection_for_change(actor, objection)
    at = now_or(at)
    note = required(note, "note", _("请写明撤回的情况"))
    objection.status = OS.WITHDRAWN
    objection.handled_by, objection.handled_at = actor, at
    objection.save(update_fields=["status", "handled_by", "handled_at"])
    _objection_step(objection, OStep.WITHDRAW, actor=actor, at=at, note=note)
    _refresh_line(objection.line)
    return objection


@transaction.atomic
def payout_confirm(*, actor: User, batch: PayoutBatch, at: datetime | None = None) -> PayoutBatch:
    batch = _locked(batch)
    _require_reviewer(actor, batch.policy)
    at = now_or(at)
    if batch.status != B.NOTICE:
        raise ValidationError(_("只有公示中的清单可以确认"))
    if at <= batch.notice_ends_at:
        raise ValidationError(
            _("公示期至%(end)s，期满后才能确认")
            % {"end": timezone.localtime(batch.notice_ends_at).strftime("%Y-%m-%d %H:%M")}
        )
    if batch.objections.filter(status=Objection.Status.OPEN).exists():
        raise ValidationError(_("还有未处理的异议"))
    batch.status, batch.confirmed_at = B.CONFIRMED, at
    _save(batch, actor, "status", "confirmed_at")
    return batch


@transaction.atomic
def payout_mark_paid(
    *, actor: User, batch: PayoutBatch, paid_on: date | None = None, at: datetime | None = None
) -> PayoutBatch:
    batch = _locked(batch)
    _require_reviewer(actor, batch.policy)
    at = now_or(at)
    if batch.status != B.CONFIRMED:
        raise ValidationError(_("只有已确认的清单可以登记拨付"))
    paid_on = paid_on or timezone.localtime(at).date()
    if paid_on > timezone.localtime(at).date():
        raise ValidationError({"paid_on": [_("拨付日期不能晚于今天")]})
    batch.status, batch.paid_on = B.PAID, paid_on
    _save(batch, actor, "status", "paid_on")
    return batch


def batch_total(batch: PayoutBatch) -> Decimal:
    total = batch.lines.filter(excluded=False).aggregate(total=Sum("amount"))["total"]
    return Decimal(total or 0).quantize(Decimal("0.01"))


BATCH_ACTIONS = {
    "notice": (B.DRAFT,),
    "confirm": (B.NOTICE,),
    "pay": (B.CONFIRMED,),
}


def batch_actions_available(batch: PayoutBatch, user: User) -> list[str]:
    if not may_review(user, batch.policy):
        return []
    return [name for name, statuses in BATCH_ACTIONS.items() if batch.status in statuses]

"""Loans applied for on enterprises' behalf (the seed: 300万元 each for five talent
enterprises), and what the bank did with them.

    已申报 → 银行审核 → 已放款 / 已退回;  已申报 → 已退回
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.core.models import User
from fugong.enterprises.models import Enterprise
from fugong.factors.access import FOR_ENTERPRISE
from fugong.factors.models import LoanApplication
from fugong.factors.services.base import (
    Role,
    locked,
    require_for_enterprise,
    require_role,
    require_status,
    saved,
)
from fugong.policies.models import Kind, Policy

L = LoanApplication.Status

# move → (statuses it starts from, status it leaves, the date field it stamps)
LOAN_MOVES = {
    "review": ({L.SUBMITTED}, L.BANK_REVIEW, "review_started_on"),
    "disburse": ({L.BANK_REVIEW}, L.DISBURSED, "decided_on"),
    "return": ({L.SUBMITTED, L.BANK_REVIEW}, L.RETURNED, "decided_on"),
}
MOVE_WORDS = {"review": _("转入银行审核"), "disburse": _("登记放款"), "return": _("退回")}


def interest_policies():
    """The policies a loan may name for its interest subsidy: published, of kind 贷款贴息."""
    return Policy.objects.filter(kind=Kind.LOAN_INTEREST, status=Policy.Status.PUBLISHED)


def _day(on: date | None) -> date:
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise ValidationError({"on": [_("日期不能晚于今天")]})
    return on


@transaction.atomic
def loan_submit(
    *,
    actor: User,
    enterprise: Enterprise,
    amount: Decimal,
    purpose: str,
    bank: str,
    term_months: int,
    subsidy_policy: Policy | None = None,
    subsidy_note: str = "",
    submitted_on: date | None = None,
) -> LoanApplication:
    """File a loan; its interest subsidy policy, if any, is a published 贷款贴息 policy of the
    library (`subsidy_note` names one the library does not hold)."""
    require_for_enterprise(actor, enterprise, *FOR_ENTERPRISE)
    if subsidy_policy is not None and not interest_policies().filter(pk=subsidy_policy.pk).exists():
        raise ValidationError({"subsidy_policy": [_("请选择政策库中已发布的贷款贴息政策")]})
    loan = LoanApplication(
        enterprise=enterprise,
        amount=amount,
        purpose=purpose.strip(),
        bank=bank.strip(),
        term_months=term_months,
        subsidy_policy=subsidy_policy,
        subsidy_note=subsidy_note.strip(),
        submitted_on=_day(submitted_on),
        submitted_by=actor,
    )
    return saved(loan, actor=actor)


@transaction.atomic
def loan_move(
    *,
    actor: User,
    loan: LoanApplication,
    move: str,
    on: date | None = None,
    note: str = "",
    disbursed_amount: Decimal | None = None,
) -> LoanApplication:
    """The coordinator records the bank's steps: accepted for review, paid out, or sent back."""
    require_role(actor, Role.COORDINATOR, message=_("只有指挥部可以登记贷款办理进度"))
    if move not in LOAN_MOVES:
        raise ValidationError({"move": [_("未知的操作")]})
    loan = locked(loan)
    allowed, target, stamp = LOAN_MOVES[move]
    require_status(loan, allowed, MOVE_WORDS[move])
    on = _day(on)
    earliest = loan.review_started_on or loan.submitted_on
    if on < earliest:
        raise ValidationError({"on": [_("日期不能早于%(day)s") % {"day": earliest}]})
    if move == "return" and not note.strip():
        raise ValidationError({"note": [_("退回时请写明原因")]})
    if move == "disburse":
        amount = loan.amount if disbursed_amount is None else disbursed_amount
        if not Decimal(0) < amount <= loan.amount:
            raise ValidationError({"disbursed_amount": [_("放款金额应大于0且不超过申请金额")]})
        loan.disbursed_amount = amount
    loan.status = target
    setattr(loan, stamp, on)
    if note.strip():
        loan.note = note.strip()[:300]
    return saved(loan, actor=actor)

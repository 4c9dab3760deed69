"""What a policy pays one enterprise, with the basis finance reads: 「在册职工32人×500元=16,000元」,
「上限30,000元」. Amounts are in yuan, rounded to the fen."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from fugong.policies.models import BenefitKind, Policy

FEN = Decimal("0.01")


@dataclass(frozen=True)
class Benefit:
    amount: Decimal
    basis: str


def yuan(amount: Decimal) -> str:
    text = f"{amount.quantize(FEN):,.2f}"
    return (text[:-3] if text.endswith(".00") else text) + _("元")


def benefit_for(policy: Policy, *, headcount: int = 0, base: Decimal | None = None) -> Benefit:
    """The amount for an enterprise with this payroll headcount (per-worker policies) or this
    declared base (percentage policies), capped by the policy's cap."""
    kind = policy.benefit_kind
    if kind == BenefitKind.NONE:
        return Benefit(Decimal(0), _("非资金类政策"))
    if kind == BenefitKind.FIXED:
        amount = policy.benefit_amount or Decimal(0)
        basis = _("定额%(amount)s") % {"amount": yuan(amount)}
    elif kind == BenefitKind.PER_WORKER:
        per = policy.benefit_amount or Decimal(0)
        amount = per * headcount
        basis = _("在册职工%(n)d人×%(per)s=%(amount)s") % {
            "n": headcount,
            "per": yuan(per),
            "amount": yuan(amount),
        }
    else:
        base = base or Decimal(0)
        percent = policy.benefit_percent or Decimal(0)
        amount = (base * percent / 100).quantize(FEN, rounding=ROUND_HALF_UP)
        basis = _("申报基数%(base)s×%(percent)s%%=%(amount)s") % {
            "base": yuan(base),
            "percent": f"{percent.normalize():f}",
            "amount": yuan(amount),
        }
    amount = amount.quantize(FEN, rounding=ROUND_HALF_UP)
    cap = policy.benefit_cap
    if cap is not None and amount > cap:
        return Benefit(cap, _("%(basis)s，按上限%(cap)s") % {"basis": basis, "cap": yuan(cap)})
    return Benefit(amount, basis)

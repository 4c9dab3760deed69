"""Reads of the policy library: who sees which policy, match, application and payout list (one
function each, used by pages, exports and the API), the public list's search, and the take-up
figures (matched → notified → read → applied → approved → paid)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from fugong.core.models import User
from fugong.core.permissions import has_role
from fugong.core.rates import format_rate
from fugong.enterprises.selectors import enterprises_visible_to
from fugong.policies.models import (
    Application,
    BenefitKind,
    Objection,
    PayoutBatch,
    PayoutLine,
    Policy,
    PolicyMatch,
)

Role = User.Role
STAFF_ROLES = (Role.LEADER, Role.COORDINATOR, Role.DEPARTMENT, Role.AREA_OFFICER, Role.LIAISON)
EDITOR_ROLES = (Role.COORDINATOR, Role.DEPARTMENT)
FIGURE_ROLES = (Role.LEADER, Role.COORDINATOR, Role.DEPARTMENT, Role.AREA_OFFICER, Role.LIAISON)
PUBLIC_STATUSES = (Policy.Status.PUBLISHED, Policy.Status.EXPIRED)


def _whole_district(user: User) -> bool:
    return user.is_superuser or user.role in (Role.LEADER, Role.COORDINATOR)


def public_policies() -> QuerySet[Policy]:
    """What anyone may read without logging in: published and expired policies."""
    return Policy.objects.filter(status__in=PUBLIC_STATUSES)


def policies_visible_to(user: User) -> QuerySet[Policy]:
    """Staff see the library; drafts only the coordinators and the department that owns them.
    Enterprises and the public see published and expired policies."""
    if not (user.is_authenticated and user.is_active):
        return public_policies()
    if _whole_district(user):
        return Policy.objects.all()
    if user.role == Role.DEPARTMENT:
        return Policy.objects.filter(
            Q(status__in=PUBLIC_STATUSES) | Q(department_id=user.department_id)
        )
    return public_policies()


def policies_editable_by(user: User) -> QuerySet[Policy]:
    if has_role(user, Role.COORDINATOR):
        return Policy.objects.all()
    if has_role(user, Role.DEPARTMENT):
        return Policy.objects.filter(department_id=user.department_id)
    return Policy.objects.none()


def may_edit(user: User, policy: Policy) -> bool:
    return has_role(user, Role.COORDINATOR) or (
        has_role(user, Role.DEPARTMENT) and policy.department_id == user.department_id
    )


def search_policies(policies: QuerySet[Policy], q: str) -> QuerySet[Policy]:
    """Title, document number, issuer or summary; pinyin of the title (「wgfh」 finds 稳岗返还)."""
    term = (q or "").strip()
    if not term:
        return policies
    condition = (
        Q(title__icontains=term)
        | Q(document_number__icontains=term)
        | Q(issuer__icontains=term)
        | Q(summary__icontains=term)
    )
    if term.isascii():
        key = term.lower().replace(" ", "")
        condition |= Q(title_initials__contains=key) | Q(title_pinyin__contains=key)
    return policies.filter(condition)


def matches_visible_to(user: User) -> QuerySet[PolicyMatch]:
    """A department its own policies' matches; officers their enterprises'; an enterprise its own."""
    matches = PolicyMatch.objects.all()
    if not (user.is_authenticated and user.is_active):
        return matches.none()
    if _whole_district(user):
        return matches
    if user.role == Role.DEPARTMENT:
        return matches.filter(policy__department_id=user.department_id)
    if user.role in (Role.AREA_OFFICER, Role.LIAISON, Role.ENTERPRISE):
        return matches.filter(enterprise__in=enterprises_visible_to(user).values("pk"))
    return matches.none()


def applications_visible_to(user: User) -> QuerySet[Application]:
    applications = Application.objects.all()
    if not (user.is_authenticated and user.is_active):
        return applications.none()
    if _whole_district(user):
        return applications
    if user.role == Role.DEPARTMENT:
        return applications.filter(policy__department_id=user.department_id)
    if user.role in (Role.AREA_OFFICER, Role.LIAISON, Role.ENTERPRISE):
        return applications.filter(enterprise__in=enterprises_visible_to(user).values("pk"))
    return applications.none()


def batches_visible_to(user: User) -> QuerySet[PayoutBatch]:
    batches = PayoutBatch.objects.all()
    if not (user.is_authenticated and user.is_active):
        return batches.none()
    if _whole_district(user):
        return batches
    if user.role == Role.DEPARTMENT:
        return batches.filter(policy__department_id=user.department_id)
    return batches.none()


def objections_visible_to(user: User) -> QuerySet[Objection]:
    """Objections to the payout lists the user may see (their reviewers')."""
    return Objection.objects.filter(batch__in=batches_visible_to(user))


def public_notices() -> QuerySet[PayoutBatch]:
    """Payout lists that are, or have been, publicly noticed."""
    return PayoutBatch.objects.exclude(status=PayoutBatch.Status.DRAFT).filter(
        notice_starts_at__isnull=False
    )


def may_review(user: User, policy: Policy) -> bool:
    """The policy's department reviews applications and handles objections; so may the
    coordinators."""
    return may_edit(user, policy)


# For one enterprise


def eligible_policies(enterprise_id: int) -> QuerySet[PolicyMatch]:
    """Published policies the enterprise currently meets, newest match first."""
    return (
        PolicyMatch.objects.filter(
            enterprise_id=enterprise_id,
            ended_at__isnull=True,
            policy__status=Policy.Status.PUBLISHED,
        )
        .select_related("policy", "policy__department")
        .order_by("-matched_at")
    )


@dataclass
class Received:
    policy: Policy
    amount: Decimal
    on: object
    how: str


def received_by(enterprise_id: int) -> list[Received]:
    """What the enterprise has been paid: applications paid and auto-grant lists paid."""
    received = [
        Received(a.policy, a.paid_amount or Decimal(0), a.paid_on, a.get_status_display())
        for a in Application.objects.filter(
            enterprise_id=enterprise_id, status=Application.Status.PAID
        ).select_related("policy")
    ]
    lines = PayoutLine.objects.filter(
        enterprise_id=enterprise_id, excluded=False, batch__status=PayoutBatch.Status.PAID
    ).select_related("batch__policy")
    received += [
        Received(
            line.batch.policy,
            line.amount,
            line.batch.paid_on,
            str(line.batch.policy.get_mode_display()),
        )
        for line in lines
    ]
    return sorted(received, key=lambda r: r.on or timezone.localdate(), reverse=True)


# Take-up figures


@dataclass
class TakeUp:
    """One policy's funnel (or the total): 应享尽享 is paid ÷ matched.

    "Paid" is an apply policy's paid applications and an auto-grant policy's enterprises on a
    payout list marked paid (not taken off). "Matched" is the enterprises that meet the policy
    now, plus those paid whose match has since ended (they were entitled when paid), so the
    rate never passes 100%. Policies that pay no money (a relief another office applies, 社保减免)
    have no rate and stay out of the total's; the page, its sheet and the API read these same
    numbers."""

    policy: Policy | None = None
    matched: int = 0
    notified: int = 0
    read: int = 0
    applied: int = 0
    approved: int = 0
    paid: int = 0
    amount: Decimal = field(default_factory=lambda: Decimal(0))
    # Of the matched and the paid, those of policies that pay money: the rate's terms.
    cash_matched: int = 0
    cash_paid: int = 0

    @property
    def pays(self) -> bool:
        return self.policy is None or self.policy.benefit_kind != BenefitKind.NONE

    @property
    def take_up_text(self) -> str:
        return format_rate(self.cash_paid, self.cash_matched) if self.pays else "—"

    @property
    def take_up_rate(self):
        return None if not (self.pays and self.cash_matched) else self.cash_paid / self.cash_matched

    def add(self, other: "TakeUp") -> None:
        for name in (
            "matched",
            "notified",
            "read",
            "applied",
            "approved",
            "paid",
            "amount",
            "cash_matched",
            "cash_paid",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


APPLIED_STATUSES = ("submitted", "more_info", "approved", "rejected", "paid")


def take_up_figures(user: User, policies: QuerySet[Policy] | None = None):
    """Per policy and in total, within what the user sees: three grouped queries."""
    policies = policies if policies is not None else policies_visible_to(user)
    if user.role == Role.DEPARTMENT and not user.is_superuser:
        policies = policies.filter(department_id=user.department_id)
    policies = policies.filter(status__in=PUBLIC_STATUSES).select_related("department")
    rows = {p.pk: TakeUp(policy=p) for p in policies}
    matches = (
        matches_visible_to(user)
        .filter(policy_id__in=rows, ended_at__isnull=True)
        .values("policy_id")
        .annotate(
            matched=Count("id"),
            notified=Count("id", filter=Q(notified_at__isnull=False)),
            read=Count("id", filter=Q(read_at__isnull=False)),
        )
        .order_by()
    )
    for row in matches:
        target = rows[row["policy_id"]]
        target.matched, target.notified, target.read = row["matched"], row["notified"], row["read"]
    applications = (
        applications_visible_to(user)
        .filter(policy_id__in=rows)
        .annotate(still_matched=_still_matched("policy_id"))
        .values("policy_id")
        .annotate(
            applied=Count("enterprise", distinct=True, filter=Q(status__in=APPLIED_STATUSES)),
            approved=Count("enterprise", distinct=True, filter=Q(status__in=("approved", "paid"))),
            paid=Count("enterprise", distinct=True, filter=Q(status="paid")),
            paid_unmatched=Count(
                "enterprise", distinct=True, filter=Q(status="paid", still_matched=False)
            ),
            amount=Sum("paid_amount", filter=Q(status="paid")),
        )
        .order_by()
    )
    for row in applications:
        target = rows[row["policy_id"]]
        target.applied, target.approved = row["applied"], row["approved"]
        target.paid, target.amount = row["paid"], row["amount"] or Decimal(0)
        target.matched += row["paid_unmatched"]
    lines = (
        PayoutLine.objects.filter(
            batch__policy_id__in=rows,
            excluded=False,
            enterprise__in=_enterprises_for_lines(user),
        )
        .annotate(still_matched=_still_matched("batch__policy_id"))
        .values("batch__policy_id")
        .annotate(
            granted=Count(
                "enterprise",
                distinct=True,
                filter=Q(batch__status__in=("confirmed", "paid")),
            ),
            paid=Count("enterprise", distinct=True, filter=Q(batch__status="paid")),
            paid_unmatched=Count(
                "enterprise", distinct=True, filter=Q(batch__status="paid", still_matched=False)
            ),
            amount=Sum("amount", filter=Q(batch__status="paid")),
        )
        .order_by()
    )
    for row in lines:
        target = rows[row["batch__policy_id"]]
        target.approved += row["granted"]
        target.paid += row["paid"]
        target.amount += row["amount"] or Decimal(0)
        target.matched += row["paid_unmatched"]
    for target in rows.values():
        if target.pays:
            target.cash_matched, target.cash_paid = target.matched, target.paid
    total = TakeUp()
    for row in rows.values():
        total.add(row)
    return list(rows.values()), total


def _still_matched(policy_field: str):
    """Whether the row's enterprise has an active match of the row's policy."""
    return Exists(
        PolicyMatch.objects.filter(
            policy_id=OuterRef(policy_field),
            enterprise_id=OuterRef("enterprise_id"),
            ended_at__isnull=True,
        )
    )


def _enterprises_for_lines(user: User):
    if _whole_district(user) or user.role == Role.DEPARTMENT:
        from fugong.enterprises.models import Enterprise

        return Enterprise.objects.values("pk")
    return enterprises_visible_to(user).values("pk")


def not_applied(policy: Policy, user: User) -> QuerySet[PolicyMatch]:
    """Enterprises that meet the policy and have neither applied nor been put on one of its
    payout lists (paid, or on the way to it): the officers' chase list."""
    applications = Application.objects.filter(
        policy=policy, enterprise=OuterRef("enterprise"), status__in=APPLIED_STATUSES
    )
    listed = PayoutLine.objects.filter(
        batch__policy=policy, enterprise=OuterRef("enterprise"), excluded=False
    )
    return (
        matches_visible_to(user)
        .filter(policy=policy, ended_at__isnull=True)
        .exclude(Exists(applications))
        .exclude(Exists(listed))
        .select_related("enterprise", "enterprise__region", "enterprise__park")
        .order_by("enterprise__region__sort_order", "enterprise__name")
    )

"""Applications for `apply` policies (申请后兑现):

    企业提交 → 待审核 ⇄ 待补充材料 → 已通过 → 已兑现
                    ↘ 未通过        (the enterprise may withdraw while it waits)

The policy's department (or the coordinator) reviews within the policy's review days, counted
on the working-day calendar of `fugong.services.calendar`. Every move appends a step."""

from datetime import date, datetime
from decimal import Decimal
from uuid import uuid4

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fugong.core.models import User
from fugong.core.services import notify
from fugong.enterprises.models import Enterprise
from fugong.policies import rules
from fugong.policies.benefits import benefit_for, yuan
from fugong.policies.models import Application, ApplicationStep, BenefitKind, Mode, Policy
from fugong.policies.selectors import may_review
from fugong.policies.services.base import Role, now_or, required
from fugong.services import calendar

S = Application.Status
Step = ApplicationStep.Action

# action → (statuses it may start from, status it leaves)
APPLICATION_MOVES = {
    "ask": ({S.SUBMITTED}, S.MORE_INFO),
    "resubmit": ({S.MORE_INFO}, S.SUBMITTED),
    "approve": ({S.SUBMITTED}, S.APPROVED),
    "reject": ({S.SUBMITTED}, S.REJECTED),
    "pay": ({S.APPROVED}, S.PAID),
    "withdraw": ({S.SUBMITTED, S.MORE_INFO}, S.WITHDRAWN),
}
ACTION_WORDS = {
    "ask": gettext_lazy("要求补充材料"),
    "resubmit": gettext_lazy("补充材料"),
    "approve": gettext_lazy("审核通过"),
    "reject": gettext_lazy("审核不通过"),
    "pay": gettext_lazy("兑现"),
    "withdraw": gettext_lazy("撤回"),
}


def _move(application: Application, action: str) -> None:
    allowed, target = APPLICATION_MOVES[action]
    if application.status not in allowed:
        raise ValidationError(
            _("申请当前为「%(status)s」，不能%(action)s")
            % {"status": application.get_status_display(), "action": ACTION_WORDS[action]},
            code="invalid_transition",
        )
    application.status = target


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update()
        .select_related("policy", "enterprise")
        .get(pk=application.pk)
    )


def _step(application, action, *, actor, at, note="", **data) -> ApplicationStep:
    return ApplicationStep.objects.create(
        application=application,
        action=action,
        actor=actor,
        at=at,
        note=note,
        data={k: str(v) for k, v in data.items() if v not in (None, "")},
    )


def _link(application: Application) -> str:
    return reverse("policies:application_detail", args=[application.pk])


def _tell_enterprise(application: Application, title: str, body: str) -> None:
    accounts = User.objects.filter(
        role=Role.ENTERPRISE, enterprise_id=application.enterprise_id, is_active=True
    )
    if accounts:
        notify(recipients=list(accounts), title=title, body=body, link=_link(application))


def _tell_reviewers(application: Application, title: str, body: str) -> None:
    reviewers = User.objects.filter(
        role=Role.DEPARTMENT, department_id=application.policy.department_id, is_active=True
    )
    if reviewers:
        notify(recipients=list(reviewers), title=title, body=body, link=_link(application))


def _require_reviewer(user: User, application: Application) -> None:
    if not may_review(user, application.policy):
        raise PermissionDenied(_("只有该政策的联系部门或指挥部可以审核"))


def _require_own(user: User, application: Application) -> None:
    if not (user.role == Role.ENTERPRISE and user.enterprise_id == application.enterprise_id):
        raise PermissionDenied(_("只有申请企业本身可以执行此操作"))


def prefilled_for(enterprise: Enterprise) -> dict:
    """The register's data an application carries, as it stood when the enterprise applied."""
    return {
        "name": enterprise.name,
        "uscc": enterprise.uscc,
        "category": enterprise.get_category_display(),
        "region": enterprise.region.name,
        "legal_representative": enterprise.legal_representative,
        "contact_person": enterprise.contact_person,
        "contact_phone": enterprise.contact_phone,
        "payroll_headcount": enterprise.payroll_headcount,
        "address": enterprise.address,
    }


def eligibility(policy: Policy, enterprise: Enterprise) -> rules.Explanation:
    """Whether the enterprise meets the policy now, and why (or why not)."""
    facts = rules.facts_for(Enterprise.objects.filter(pk=enterprise.pk), policy.situation_as_of)
    return rules.explain(policy.rule or rules.EVERYONE, facts[0])


def _check_open_for_applications(policy: Policy, at: datetime) -> None:
    today = timezone.localtime(at).date()
    if policy.status != Policy.Status.PUBLISHED:
        raise ValidationError(_("该政策未发布或已到期，不能申请"))
    if policy.mode != Mode.APPLY:
        raise ValidationError(_("该政策免申即享，无需申请"))
    if today < policy.effective_on or (policy.expires_on and today > policy.expires_on):
        raise ValidationError(_("不在该政策的申报期内"))


@transaction.atomic
def application_submit(
    *,
    actor: User,
    policy: Policy,
    statement: str,
    declared_base: Decimal | None = None,
    requested_amount: Decimal | None = None,
    at: datetime | None = None,
) -> Application:
    """An enterprise applies from its portal. It must meet the conditions now; if it does not,
    the refusal says which conditions it misses."""
    if actor.role != Role.ENTERPRISE or not actor.enterprise_id:
        raise PermissionDenied(_("只有企业用户可以申请政策"))
    at = now_or(at)
    policy = Policy.objects.select_related("department").get(pk=policy.pk)
    _check_open_for_applications(policy, at)
    enterprise = (
        Enterprise.objects.select_for_update().select_related("region").get(pk=actor.enterprise_id)
    )
    verdict = eligibility(policy, enterprise)
    if not verdict.met:
        raise ValidationError(verdict.verdict, code="not_eligible")
    statement = required(statement, "statement", _("请填写申请说明"))
    if policy.benefit_kind == BenefitKind.PERCENT and declared_base is None:
        raise ValidationError({"declared_base": [_("请填写申报基数")]})
    application = Application(
        number=f"new-{uuid4().hex[:16]}",
        policy=policy,
        enterprise=enterprise,
        applicant=actor,
        status=S.SUBMITTED,
        submitted_at=at,
        due_at=calendar.due_after(at, policy.review_days),
        prefilled=prefilled_for(enterprise),
        statement=statement,
        declared_base=declared_base,
        requested_amount=requested_amount,
    )
    application.full_clean(exclude=["number"])
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        raise ValidationError(_("贵企业已申请此政策，请在“我的申请”中查看进度")) from None
    application.number = f"ZC{timezone.localtime(at):%Y%m%d}{application.pk:05d}"
    application.save(update_fields=["number"])
    _step(application, Step.SUBMIT, actor=actor, at=at, note=statement)
    _tell_reviewers(
        application,
        _("新的政策申请待审核"),
        _("%(enterprise)s申请「%(policy)s」，请于%(due)s前审核。")
        % {
            "enterprise": enterprise.name,
            "policy": policy.title,
            "due": timezone.localtime(application.due_at).strftime("%m月%d日"),
        },
    )
    return application


@transaction.atomic
def application_ask(
    *, actor: User, application: Application, note: str, at: datetime | None = None
) -> Application:
    application = _locked(application)
    _require_reviewer(actor, application)
    at = now_or(at)
    note = required(note, "note", _("请写明需要补充的材料"))
    _move(application, "ask")
    application.decision_note = note
    application.save(update_fields=["status", "decision_note"])
    _step(application, Step.ASK, actor=actor, at=at, note=note)
    _tell_enterprise(
        application,
        _("政策申请需补充材料"),
        _("「%(policy)s」：%(note)s") % {"policy": application.policy.title, "note": note},
    )
    return application


@transaction.atomic
def application_resubmit(
    *,
    actor: User,
    application: Application,
    note: str,
    declared_base: Decimal | None = None,
    at: datetime | None = None,
) -> Application:
    """The enterprise supplies what was asked; the review clock starts again."""
    application = _locked(application)
    _require_own(actor, application)
    at = now_or(at)
    note = required(note, "note", _("请说明补充的内容"))
    _move(application, "resubmit")
    if declared_base is not None:
        application.declared_base = declared_base
    application.due_at = calendar.due_after(at, application.policy.review_days)
    application.save(update_fields=["status", "declared_base", "due_at"])
    _step(application, Step.RESUBMIT, actor=actor, at=at, note=note, declared_base=declared_base)
    _tell_reviewers(
        application,
        _("政策申请已补充材料"),
        _("%(enterprise)s已补充「%(policy)s」的申请材料。")
        % {"enterprise": application.enterprise.name, "policy": application.policy.title},
    )
    return application


def _check_within_standard(amount: Decimal, benefit, label: str) -> None:
    if amount > benefit.amount:
        raise ValidationError(
            {
                "amount": [
                    _("%(label)s不能超过按政策标准计算的%(amount)s（%(basis)s）")
                    % {"label": label, "amount": yuan(benefit.amount), "basis": benefit.basis}
                ]
            }
        )


def computed_benefit(application: Application):
    return benefit_for(
        application.policy,
        headcount=application.prefilled.get("payroll_headcount", 0),
        base=application.declared_base,
    )


@transaction.atomic
def application_approve(
    *,
    actor: User,
    application: Application,
    amount: Decimal | None = None,
    note: str = "",
    at: datetime | None = None,
) -> Application:
    """Approve with the amount the policy gives (or a lower one, with a note); never above what
    the policy's standard gives this application (fixed, per worker, per cent of the declared
    base, capped)."""
    application = _locked(application)
    _require_reviewer(actor, application)
    at = now_or(at)
    _move(application, "approve")
    benefit = computed_benefit(application)
    amount = benefit.amount if amount is None else amount
    cap = application.policy.benefit_cap
    if amount < 0:
        raise ValidationError({"amount": [_("金额不能为负数")]})
    if cap is not None and amount > cap:
        raise ValidationError({"amount": [_("核定金额超过政策上限%(cap)s") % {"cap": yuan(cap)}]})
    _check_within_standard(amount, benefit, _("核定金额"))
    if amount != benefit.amount and not note.strip():
        raise ValidationError({"note": [_("核定金额与政策标准不同，请说明理由")]})
    application.approved_amount = amount
    application.decided_at, application.decision_note = at, note.strip() or benefit.basis
    application.save(update_fields=["status", "approved_amount", "decided_at", "decision_note"])
    _step(
        application, Step.APPROVE, actor=actor, at=at, note=application.decision_note, amount=amount
    )
    _tell_enterprise(
        application,
        _("政策申请已通过"),
        _("「%(policy)s」核定%(amount)s，待兑现。")
        % {"policy": application.policy.title, "amount": yuan(amount)},
    )
    return application


@transaction.atomic
def application_reject(
    *, actor: User, application: Application, reason: str, at: datetime | None = None
) -> Application:
    application = _locked(application)
    _require_reviewer(actor, application)
    at = now_or(at)
    reason = required(reason, "reason", _("请写明不通过的理由"))
    _move(application, "reject")
    application.decided_at, application.decision_note = at, reason
    application.save(update_fields=["status", "decided_at", "decision_note"])
    _step(application, Step.REJECT, actor=actor, at=at, note=reason)
    _tell_enterprise(
        application,
        _("政策申请未通过"),
        _("「%(policy)s」：%(reason)s") % {"policy": application.policy.title, "reason": reason},
    )
    return application


@transaction.atomic
def application_pay(
    *,
    actor: User,
    application: Application,
    amount: Decimal | None = None,
    paid_on: date | None = None,
    at: datetime | None = None,
) -> Application:
    application = _locked(application)
    _require_reviewer(actor, application)
    at = now_or(at)
    _move(application, "pay")
    amount = application.approved_amount if amount is None else amount
    if amount is None or amount < 0 or amount > application.approved_amount:
        raise ValidationError({"amount": [_("兑现金额应在0到核定金额之间")]})
    _check_within_standard(amount, computed_benefit(application), _("兑现金额"))
    paid_on = paid_on or timezone.localtime(at).date()
    if paid_on > timezone.localtime(at).date():
        raise ValidationError({"paid_on": [_("兑现日期不能晚于今天")]})
    application.paid_amount, application.paid_on = amount, paid_on
    application.save(update_fields=["status", "paid_amount", "paid_on"])
    _step(application, Step.PAY, actor=actor, at=at, amount=amount, paid_on=paid_on)
    _tell_enterprise(
        application,
        _("政策资金已兑现"),
        _("「%(policy)s」%(amount)s已于%(on)s拨付。")
        % {"policy": application.policy.title, "amount": yuan(amount), "on": paid_on},
    )
    return application


@transaction.atomic
def application_withdraw(
    *, actor: User, application: Application, at: datetime | None = None
) -> Application:
    application = _locked(application)
    _require_own(actor, application)
    at = now_or(at)
    _move(application, "withdraw")
    application.save(update_fields=["status"])
    _step(application, Step.WITHDRAW, actor=actor, at=at)
    return application


def actions_available(application: Application, user: User) -> list[str]:
    """What this person may do to the application now (pages show these forms; the API lists
    them); the services decide again when one is taken."""
    own = user.role == Role.ENTERPRISE and user.enterprise_id == application.enterprise_id
    reviewer = may_review(user, application.policy)
    allowed = {
        "ask": reviewer,
        "approve": reviewer,
        "reject": reviewer,
        "pay": reviewer,
        "resubmit": own,
        "withdraw": own,
    }
    return [
        action
        for action, permitted in allowed.items()
        if permitted and application.status in APPLICATION_MOVES[action][0]
    ]

"""An `apply` policy: the enterprise applies with its register data filled in, the department
reviews (approve, reject with a reason, ask for more), then pays; every forbidden move is
refused and nothing is half-written."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fugong.enterprises.models import Enterprise
from fugong.policies import services
from fugong.policies.models import Application
from fugong.policies.selectors import applications_visible_to
from fugong.services import calendar

pytestmark = pytest.mark.django_db


def apply(people, policy, **values):
    return services.application_submit(
        actor=people.enterprise_a, policy=policy, statement="未裁员，申请稳岗补贴。", **values
    )


def test_an_enterprise_applies_with_its_register_data_and_a_working_day_deadline(
    make_policy, people
):
    policy = make_policy(publish=True, review_days=3)
    application = apply(people, policy)
    assert application.status == "submitted" and application.number.startswith("ZC")
    assert application.prefilled["uscc"] == people.enterprise_a.enterprise.uscc
    assert application.due_at == calendar.due_after(application.submitted_at, 3)
    assert [s.action for s in application.steps.all()] == ["submit"]


def test_an_enterprise_that_misses_a_condition_is_told_which(make_policy, people):
    policy = make_policy(
        publish=True, rule={"all": [{"attr": "payroll_headcount", "op": "gte", "value": 50}]}
    )
    with pytest.raises(ValidationError) as caught:
        apply(people, policy)
    assert caught.value.messages == ["不符合：用工人数≥50人（实际20人）"]
    assert not Application.objects.exists()


def test_applying_twice_a_draft_or_an_auto_grant_policy_is_refused(make_policy, people):
    with pytest.raises(ValidationError, match="未发布"):
        apply(people, make_policy())
    with pytest.raises(ValidationError, match="免申即享"):
        apply(people, make_policy(publish=True, mode="auto_grant", title="免申"))
    policy = make_policy(publish=True, title="再次申请")
    apply(people, policy)
    with pytest.raises(ValidationError, match="已申请此政策"):
        apply(people, policy)
    with pytest.raises(PermissionDenied):
        services.application_submit(actor=people.coordinator, policy=policy, statement="代报")


def test_review_ask_resubmit_approve_pay(make_policy, people, policy_desk):
    policy = make_policy(publish=True)
    application = apply(people, policy)
    clerk = policy_desk.rs_clerk
    with pytest.raises(ValidationError, match="补充的材料"):
        services.application_ask(actor=clerk, application=application, note=" ")
    services.application_ask(actor=clerk, application=application, note="请补充社保缴费记录")
    with pytest.raises(ValidationError, match="不能审核通过"):
        services.application_approve(actor=clerk, application=application)
    services.application_resubmit(
        actor=people.enterprise_a, application=application, note="已上传缴费记录"
    )
    approved = services.application_approve(actor=clerk, application=application)
    assert approved.approved_amount == Decimal("10000.00")  # 20 workers × 500 yuan
    assert approved.decision_note == "在册职工20人×500元=10,000元"
    paid = services.application_pay(actor=clerk, application=application)
    assert (paid.status, paid.paid_amount) == ("paid", Decimal("10000.00"))
    assert [s.action for s in paid.steps.all()] == ["submit", "ask", "resubmit", "approve", "pay"]


def test_the_cap_holds_and_a_different_amount_needs_a_reason(make_policy, people, policy_desk):
    Enterprise.objects.filter(pk=people.enterprise_a.enterprise_id).update(payroll_headcount=100)
    policy = make_policy(publish=True)
    application = apply(people, policy)
    clerk = policy_desk.rs_clerk
    assert services.computed_benefit(application).basis.endswith("按上限30,000元")
    with pytest.raises(ValidationError, match="超过政策上限"):
        services.application_approve(actor=clerk, application=application, amount=Decimal(40000))
    with pytest.raises(ValidationError, match="请说明理由"):
        services.application_approve(actor=clerk, application=application, amount=Decimal(100))
    approved = services.application_approve(actor=clerk, application=application)
    assert approved.approved_amount == Decimal("30000.00")
    with pytest.raises(ValidationError, match="0到核定金额之间"):
        services.application_pay(actor=clerk, application=application, amount=Decimal(30001))


def test_a_percentage_policy_needs_the_declared_base(make_policy, people, policy_desk):
    policy = make_policy(
        publish=True,
        title="房租减免（示例）",
        kind="rent",
        benefit_kind="percent",
        benefit_amount=None,
        benefit_percent=Decimal("50"),
        benefit_cap=Decimal("20000"),
    )
    with pytest.raises(ValidationError, match="申报基数"):
        apply(people, policy)
    application = apply(people, policy, declared_base=Decimal("18000"))
    approved = services.application_approve(actor=policy_desk.rs_clerk, application=application)
    assert approved.approved_amount == Decimal("9000.00")


def test_rejecting_needs_a_reason_and_other_departments_may_not_review(
    make_policy, people, policy_desk
):
    application = apply(people, make_policy(publish=True))
    with pytest.raises(PermissionDenied):
        services.application_reject(actor=people.clerk, application=application, reason="x")
    with pytest.raises(PermissionDenied):
        services.application_approve(actor=people.enterprise_a, application=application)
    with pytest.raises(ValidationError, match="理由"):
        services.application_reject(actor=policy_desk.rs_clerk, application=application, reason="")
    rejected = services.application_reject(
        actor=people.coordinator, application=application, reason="2019年有裁员记录"
    )
    assert rejected.status == "rejected"
    with pytest.raises(ValidationError, match="不能兑现"):
        services.application_pay(actor=people.coordinator, application=application)


def test_the_enterprise_withdraws_and_may_apply_again(make_policy, people):
    policy = make_policy(publish=True)
    application = apply(people, policy)
    with pytest.raises(PermissionDenied):
        services.application_withdraw(actor=people.enterprise_b, application=application)
    services.application_withdraw(actor=people.enterprise_a, application=application)
    assert apply(people, policy).status == "submitted"


def test_enterprise_b_sees_nothing_of_a_s_applications(make_policy, people, policy_desk):
    application = apply(people, make_policy(publish=True))
    assert not applications_visible_to(people.enterprise_b).exists()
    assert not applications_visible_to(people.clerk).exists()  # another department's policy
    assert not applications_visible_to(people.park_officer).exists()
    for insider in (
        people.enterprise_a,
        people.coordinator,
        people.leader,
        people.street_officer,
        people.liaison,
        policy_desk.rs_clerk,
    ):
        assert list(applications_visible_to(insider)) == [application], insider


def test_a_date_in_the_future_is_refused(make_policy, people):
    policy = make_policy(publish=True)
    with pytest.raises(ValidationError):
        apply(people, policy, at=timezone.now() + timezone.timedelta(days=1))


@pytest.mark.parametrize(
    ("standard", "base", "computed", "above"),
    [
        (
            {"benefit_kind": "fixed", "benefit_amount": Decimal(5000), "benefit_cap": None},
            None,
            "5000.00",
            Decimal("5000.01"),
        ),
        ({"benefit_kind": "per_worker"}, None, "10000.00", Decimal("10000.01")),  # 20 × 500
        (
            {
                "benefit_kind": "percent",
                "benefit_amount": None,
                "benefit_percent": Decimal(10),
                "benefit_cap": Decimal(20000),
            },
            Decimal("18000"),
            "1800.00",
            Decimal("1800.01"),
        ),
        (
            {"benefit_kind": "none", "benefit_amount": None, "benefit_cap": None},
            None,
            "0.00",
            Decimal("0.01"),
        ),
    ],
)
def test_the_approved_amount_never_exceeds_what_the_standard_gives(
    make_policy, people, policy_desk, standard, base, computed, above
):
    policy = make_policy(publish=True, **standard)
    application = apply(people, policy, declared_base=base)
    clerk = policy_desk.rs_clerk
    with pytest.raises(ValidationError) as caught:
        services.application_approve(
            actor=clerk, application=application, amount=above, note="加发"
        )
    assert "核定金额不能超过按政策标准计算的" in caught.value.message_dict["amount"][0]
    application.refresh_from_db()
    assert application.status == "submitted" and application.approved_amount is None
    approved = services.application_approve(actor=clerk, application=application)
    assert approved.approved_amount == Decimal(computed)
    with pytest.raises(ValidationError) as caught:
        services.application_pay(actor=clerk, application=application, amount=above)
    assert "amount" in caught.value.message_dict


def test_the_paid_amount_is_refused_above_the_standard_even_if_the_approval_was(
    make_policy, people, policy_desk
):
    """An approval stored before the check (or edited in the database) is not paid beyond the
    standard either."""
    policy = make_policy(publish=True)
    application = apply(people, policy)
    approved = services.application_approve(actor=policy_desk.rs_clerk, application=application)
    Application.objects.filter(pk=approved.pk).update(approved_amount=Decimal(20000))
    with pytest.raises(ValidationError) as caught:
        services.application_pay(actor=policy_desk.rs_clerk, application=application)
    assert "兑现金额不能超过按政策标准计算的" in caught.value.message_dict["amount"][0]

"""云招聘 and loans through their services: an opening's review, applications, hotlines, the
figures and their bulletin lines, and a loan's steps."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fugong.conftest import at
from fugong.enterprises.tests.factories import EnterpriseFactory
from fugong.factors import services
from fugong.factors.models import County, JobOpening
from fugong.factors.selectors import (
    filter_public_openings,
    loan_figures,
    public_openings,
    recruitment_figures,
    short_enterprise_name,
)
from fugong.factors.tests.conftest import id_number

pytestmark = pytest.mark.django_db


def opening_values(**changes):
    return {
        "title": "数控车床操作工",
        "positions": 12,
        "salary_min": 4500,
        "salary_max": 6500,
        "requirements": "持证上岗优先",
        "work_place": "马寨工业园",
        "contact_person": "王经理",
        "contact_phone": "13812345678",
        "valid_until": timezone.localdate() + timedelta(days=30),
        **changes,
    }


@pytest.fixture
def submit(people):
    def make(enterprise=None, actor=None, **changes):
        actor = actor or people.enterprise_a
        return services.opening_submit(
            actor=actor,
            enterprise=enterprise or actor.enterprise or people.enterprise_a.enterprise,
            **opening_values(**changes),
        )

    return make


def test_an_enterprise_s_opening_waits_for_the_coordinator_then_is_public(submit, people):
    opening = submit()
    assert opening.status == "pending" and not public_openings().exists()
    with pytest.raises(PermissionDenied):
        services.opening_review(actor=people.enterprise_a, opening=opening, approve=True)
    with pytest.raises(ValidationError, match="退回时请写明原因"):
        services.opening_review(actor=people.coordinator, opening=opening, approve=False)
    services.opening_review(actor=people.coordinator, opening=opening, approve=True)
    assert list(public_openings()) == [opening]
    with pytest.raises(ValidationError, match="不能审核"):
        services.opening_review(actor=people.coordinator, opening=opening, approve=True)
    services.opening_update(actor=people.enterprise_a, opening=opening, positions=20)
    opening.refresh_from_db()
    assert opening.status == "pending" and opening.positions == 20  # back to the check
    assert opening.history.count() == 3


def test_an_opening_is_checked(submit, people):
    with pytest.raises(ValidationError) as error:
        submit(contact_phone="12345")
    assert "contact_phone" in error.value.message_dict
    with pytest.raises(ValidationError):
        submit(salary_min=9000, salary_max=5000)
    with pytest.raises(ValidationError) as error:
        submit(valid_until=date(2020, 1, 1))
    assert "valid_until" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        submit(enterprise=people.enterprise_b.enterprise)
    assert not JobOpening.objects.exists()


def test_the_board_searches_by_keyword_industry_street_and_salary(submit, people, district):
    a = submit(actor=people.coordinator)  # the coordinator's own is published at once
    b = submit(
        enterprise=people.enterprise_b.enterprise,
        actor=people.coordinator,
        title="超市理货员",
        salary_min=3000,
        salary_max=3800,
        is_shortage=False,
    )
    board = public_openings()
    assert list(filter_public_openings(board, q="数控")) == [a]
    assert list(filter_public_openings(board, q="乙方")) == [b]
    assert list(filter_public_openings(board, industry="F")) == [b]
    assert list(filter_public_openings(board, street=district.region("410103001"))) == [a]
    assert list(filter_public_openings(board, salary=5000)) == [a]
    assert list(filter_public_openings(board, shortage=True)) == [a]
    services.opening_close(actor=people.enterprise_a, opening=a)
    assert list(public_openings()) == [b]


def test_applications_move_from_submitted_to_a_decision(submit, people):
    opening = submit(actor=people.coordinator)
    seeker = services.seeker_register(
        actor=people.clerk,
        name="赵六",
        id_number=id_number(3),
        phone="13900000003",
        home_county=County.objects.get(code="411624"),
        wanted_job="数控",
    )
    application = services.application_create(actor=people.clerk, opening=opening, seeker=seeker)
    with pytest.raises(ValidationError, match="已投递过"):
        services.application_create(actor=people.clerk, opening=opening, seeker=seeker)
    with pytest.raises(PermissionDenied):
        services.application_move(actor=people.enterprise_b, application=application, move="hire")
    services.application_move(actor=people.enterprise_a, application=application, move="interview")
    services.application_move(actor=people.enterprise_a, application=application, move="hire")
    with pytest.raises(ValidationError, match="不能标记未录用"):
        services.application_move(actor=people.enterprise_a, application=application, move="reject")
    figures = recruitment_figures()
    assert (figures.applications, figures.interviews, figures.hires) == (1, 1, 1)


def test_a_seeker_from_outside_henan_is_registered_with_a_new_county(people):
    from fugong.factors.counties import CountyLookup

    county = CountyLookup()("341221 临泉县")
    seeker = services.seeker_register(
        actor=people.coordinator,
        name="钱七",
        id_number=id_number(4, county="341221"),
        phone="13900000004",
        home_county=county,
    )
    assert seeker.home_county.code == "341221" and not seeker.home_county.located
    with pytest.raises(ValidationError, match="不在区划表中"):
        CountyLookup()("341222")
    County.objects.create(code="320106", name="鼓楼区", prefecture="南京市")
    with pytest.raises(ValidationError, match="请填写6位区划代码"):
        CountyLookup()("鼓楼区")  # 开封's and 南京's
    assert CountyLookup()("沈丘").code == "411624"


def test_the_bulletin_line_counts_talent_enterprises_and_their_shortage_positions(
    submit, people, district
):
    talent = EnterpriseFactory(is_talent=True)
    other = EnterpriseFactory()
    submit(enterprise=talent, actor=people.coordinator, positions=40)
    submit(enterprise=talent, actor=people.coordinator, positions=2, is_shortage=False)
    submit(enterprise=other, actor=people.coordinator, positions=100)
    submit(enterprise=talent, actor=people.coordinator, positions=7)
    JobOpening.objects.filter(positions=7).update(published_at=at("2020-03-30 10:00"))
    figures = recruitment_figures(at("2020-03-23 17:00"))
    assert figures.bulletin_line == "推送发布0家重点人才企业、0个紧缺岗位信息"
    now = recruitment_figures()
    assert now.bulletin_line == "推送发布1家重点人才企业、47个紧缺岗位信息"
    assert (now.enterprises, now.openings, now.positions) == (2, 4, 149)


def test_hotlines_are_kept_by_the_coordinator(people, district):
    hotline = services.hotline_save(
        actor=people.coordinator,
        number="68186000",
        department=district.departments["rs"],
        topic="招工用工",
        hours="8:30–17:30",
        opened_on=date(2020, 2, 10),
    )
    assert hotline.number == "0371-68186000"
    with pytest.raises(PermissionDenied):
        services.hotline_retire(actor=people.clerk, hotline=hotline)
    with pytest.raises(ValidationError):
        services.hotline_save(
            actor=people.coordinator,
            number="0371-68186000",
            department=district.departments["rs"],
            topic="重复",
            hours="全天",
            opened_on=date(2020, 2, 10),
        )


# Loans


def loan(people, enterprise=None, actor=None, **changes):
    return services.loan_submit(
        actor=actor or people.coordinator,
        enterprise=enterprise or people.enterprise_a.enterprise,
        **{
            "amount": Decimal("300"),
            "purpose": "复工流动资金",
            "bank": "中原银行",
            "term_months": 12,
            "subsidy_note": "郑州市中小微企业贷款贴息",
            "submitted_on": date(2020, 3, 5),
            **changes,
        },
    )


def test_a_loan_goes_through_the_bank_s_steps(people):
    application = loan(people)
    with pytest.raises(PermissionDenied):
        services.loan_move(actor=people.enterprise_a, loan=application, move="review")
    with pytest.raises(ValidationError, match="不能登记放款"):
        services.loan_move(actor=people.coordinator, loan=application, move="disburse")
    with pytest.raises(ValidationError) as error:
        services.loan_move(
            actor=people.coordinator, loan=application, move="review", on=date(2020, 3, 1)
        )
    assert "on" in error.value.message_dict
    services.loan_move(
        actor=people.coordinator, loan=application, move="review", on=date(2020, 3, 9)
    )
    with pytest.raises(ValidationError) as error:
        services.loan_move(
            actor=people.coordinator,
            loan=application,
            move="disburse",
            disbursed_amount=Decimal("301"),
        )
    assert "disbursed_amount" in error.value.message_dict
    services.loan_move(
        actor=people.coordinator, loan=application, move="disburse", on=date(2020, 3, 20)
    )
    application.refresh_from_db()
    assert (application.status, application.disbursed_amount) == ("disbursed", Decimal("300"))
    assert [h.status for h in application.history.order_by("history_date")] == [
        "submitted",
        "bank_review",
        "disbursed",
    ]


def test_a_loan_is_filed_only_for_an_enterprise_one_serves(people):
    with pytest.raises(PermissionDenied):
        loan(people, enterprise=people.enterprise_b.enterprise, actor=people.enterprise_a)
    with pytest.raises(ValidationError):
        loan(people, amount=Decimal("0"))


def test_the_loan_line_names_the_talent_enterprises(people, district):
    names = ["河南中沃消防科技股份有限公司", "郑州盈鼎医疗器械有限公司", "郑州宏靖彩印包装有限公司"]
    for day, name in enumerate(names, start=1):
        loan(
            people,
            enterprise=EnterpriseFactory(name=name, is_talent=True),
            submitted_on=date(2020, 3, day),
        )
    loan(people)  # not a talent enterprise
    figures = loan_figures(people.leader)
    assert figures.bulletin_line == (
        "为中沃消防、盈鼎医疗器械、宏靖彩印包装等3家人才企业申报了各300万元的贷款申请"
    )
    assert figures.applications == 4 and figures.amount == Decimal("1200")
    assert short_enterprise_name("花花牛乳业集团股份有限公司") == "花花牛乳业"
    assert not loan_figures(people.enterprise_b).applications


@pytest.fixture
def interest_policy(people, district):
    """A published 贷款贴息 policy, and a draft one, in the policy library."""
    from fugong.policies import services as policy_services
    from fugong.policies.models import Policy

    def make(publish=True, kind="loan_interest", title="郑州市中小微企业贷款贴息（示例）"):
        policy = policy_services.policy_create(
            actor=people.coordinator,
            policy=Policy(
                title=title,
                document_number="郑政〔2020〕3号",
                issuer="郑州市人民政府（示例）",
                level="city",
                kind=kind,
                is_example=True,
                summary="对受疫情影响的中小微企业新增贷款给予贴息。",
                department=district.departments["cz"],
                effective_on=date(2020, 2, 1),
                mode="apply",
                rule={"all": []},
            ),
        )
        if publish:
            policy_services.policy_publish(actor=people.coordinator, policy=policy, push=False)
            policy.refresh_from_db()
        return policy

    return make


def test_a_loan_links_a_published_interest_subsidy_policy(people, interest_policy):
    from django.db.models import ProtectedError

    policy = interest_policy()
    application = loan(people, subsidy_policy=policy)
    assert application.subsidy_policy == policy
    assert application.history.get().subsidy_policy_id == policy.pk
    for wrong in (interest_policy(publish=False), interest_policy(kind="subsidy", title="补贴")):
        with pytest.raises(ValidationError) as error:
            loan(people, subsidy_policy=wrong)
        assert "subsidy_policy" in error.value.message_dict
    with pytest.raises(ProtectedError):
        policy.delete()


def test_the_loan_line_counts_each_enterprise_once_and_says_nothing_false_without_loans(
    people, district
):
    assert "0家" not in loan_figures(people.leader).bulletin_line
    assert loan_figures(people.leader).bulletin_line == "尚无人才企业贷款申请"
    first = EnterpriseFactory(name="河南中沃消防科技股份有限公司", is_talent=True)
    second = EnterpriseFactory(name="郑州盈鼎医疗器械有限公司", is_talent=True)
    loan(people, enterprise=first, submitted_on=date(2020, 3, 1))
    loan(people, enterprise=first, submitted_on=date(2020, 3, 2))
    loan(people, enterprise=second, submitted_on=date(2020, 3, 3))
    assert loan_figures(people.leader).bulletin_line == (
        "为中沃消防、盈鼎医疗器械等2家人才企业申报了共900万元的贷款申请"
    )
    loan(people, enterprise=second, submitted_on=date(2020, 3, 4))
    assert loan_figures(people.leader).bulletin_line == (
        "为中沃消防、盈鼎医疗器械等2家人才企业申报了各600万元的贷款申请"
    )


def test_openings_not_yet_published_sort_after_the_published_on_every_database(submit, people):
    """-published_at puts NULLs first on PostgreSQL and last on SQLite: nulls_last makes the
    list the same on both (the published newest first, then those waiting, newest first)."""
    from fugong.factors.selectors import openings_visible_to

    waiting_old = submit(title="甲")
    published = submit(title="乙")
    waiting_new = submit(title="丙")
    services.opening_review(actor=people.coordinator, opening=published, approve=True)
    assert list(openings_visible_to(people.coordinator)) == [published, waiting_new, waiting_old]


def test_the_migration_links_a_loan_s_note_only_to_a_published_policy(people, interest_policy):
    from importlib import import_module

    from django.apps import apps

    link_named_policies = import_module(
        "fugong.factors.migrations.0004_loan_subsidy_policy_link"
    ).link_named_policies
    draft = interest_policy(publish=False)
    application = loan(people, subsidy_note="按郑政〔2020〕3号申请贴息")
    link_named_policies(apps, None)
    application.refresh_from_db()
    assert application.subsidy_policy is None  # a draft is not shown to the enterprise
    published = interest_policy(title="郑州市中小微企业贷款贴息")
    link_named_policies(apps, None)
    application.refresh_from_db()
    assert application.subsidy_policy == published != draft

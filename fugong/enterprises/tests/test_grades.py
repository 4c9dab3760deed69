"""Grading (ABC等级划定): the default rules, rules as data the coordinator edits, overrides with a
reason that survive recomputation, the grade history, and who may do which."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from fugong.conftest import HUAIHE, JIEFANG
from fugong.core.tests.factories import uscc_for
from fugong.enterprises import services
from fugong.enterprises.models import Enterprise, GradeRule
from fugong.enterprises.selectors import (
    effective_grade,
    grade_counts,
    grade_for,
    grade_history,
    grade_rules,
)
from fugong.enterprises.tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_rules(db):
    """Migration 0003 stores the defaults; a database emptied by a flush gets them back here."""
    services.grade_rules_ensure_defaults()


def recompute(people, **kwargs):
    return services.grades_recompute(actor=people.coordinator, **kwargs)


def fresh(enterprise) -> Enterprise:
    return Enterprise.objects.get(pk=enterprise.pk)


def c_rule() -> GradeRule:
    return GradeRule.objects.get(grade="C")


# The default rules


def test_the_default_rules_are_the_issues_five_rows_in_order():
    rows = [(r.order, r.grade, r.describe()) for r in grade_rules()]
    assert rows == [
        (10, "A", "规上工业或规上服务业"),
        (20, "A", "重点企业"),
        (30, "A", "人才企业"),
        (40, "C", "规下工业或规下服务业，职工人数少于10"),
        (100, "B", "其余所有企业"),
    ]


DEFAULT_CASES = [
    # category, headcount, is_key, is_talent, grade
    ("industry_above", 3, False, False, "A"),  # 规上, however small
    ("services_above", 500, False, False, "A"),
    ("industry_below", 3, True, False, "A"),  # key beats the small-size C
    ("services_below", 0, False, True, "A"),  # talent beats the small-size C
    ("industry_below", 9, False, False, "C"),
    ("services_below", 0, False, False, "C"),
    ("industry_below", 10, False, False, "B"),  # 10 is not "under 10"
    ("services_below", 250, False, False, "B"),
]


@pytest.mark.parametrize("category, headcount, is_key, is_talent, expected", DEFAULT_CASES)
def test_the_default_rules_grade_each_case_alike_in_memory_and_in_sql(
    people, category, headcount, is_key, is_talent, expected
):
    enterprise = EnterpriseFactory(
        category=category, payroll_headcount=headcount, is_key=is_key, is_talent=is_talent
    )
    assert enterprise.grade == ""
    assert grade_for(enterprise, grade_rules()) == expected
    recompute(people)  # the SQL expression must choose as `grade_for` does
    assert fresh(enterprise).grade == expected


def test_an_enterprise_registered_through_the_service_is_graded_at_once(people, district):
    enterprise = services.enterprise_create(
        actor=people.coordinator,
        name="郑州新登记科技有限公司",
        uscc=uscc_for(5000),
        region=district.region(HUAIHE),
        category="services_below",
        payroll_headcount=4,
    )
    assert enterprise.grade == "C" and not enterprise.grade_overridden


def test_an_edit_of_what_the_rules_read_regrades_at_once_unless_graded_by_hand(people, district):
    shop = services.enterprise_create(
        actor=people.coordinator,
        name="郑州新登记科技有限公司",
        uscc=uscc_for(5001),
        region=district.region(HUAIHE),
        category="services_below",
        payroll_headcount=4,
    )
    services.enterprise_update(actor=people.coordinator, enterprise=shop, address="大学路1号")
    assert fresh(shop).grade == "C"
    services.enterprise_update(actor=people.coordinator, enterprise=shop, is_key=True)
    assert fresh(shop).grade == "A"  # key enterprises are A: its requests get A deadlines now
    services.grade_override(actor=people.coordinator, enterprise=shop, grade="B", reason="核实")
    services.enterprise_update(actor=people.coordinator, enterprise=shop, payroll_headcount=3)
    assert (fresh(shop).grade, fresh(shop).grade_overridden) == ("B", True)


def test_an_import_regrades_what_it_changes_and_a_grade_in_the_file_is_an_override(people):
    from fugong.enterprises.tests.test_import import row, run

    assert run(people, [row(企业类别="规下工业", 在册职工人数=6, 重点企业="否", 企业等级="")]).ok
    enterprise = Enterprise.objects.get(uscc=uscc_for(900001))
    assert (enterprise.grade, enterprise.grade_overridden) == ("", False)  # taken as is
    file_without_grades = [row(企业类别="规上工业", 在册职工人数=6, 重点企业="否")]
    result = services.enterprises_import(
        actor=people.coordinator,
        file=_without_column(file_without_grades, "企业等级"),
    )
    assert result.ok and fresh(enterprise).grade == "A"  # now 规上: the rules regrade it
    assert run(people, [row(企业类别="规上工业", 在册职工人数=6, 重点企业="否", 企业等级="C")]).ok
    graded = fresh(enterprise)
    assert (graded.grade, graded.grade_overridden) == ("C", True)
    assert graded.grade_reason == "导入文件指定的等级"
    recompute(people)
    assert fresh(enterprise).grade == "C"


def _without_column(rows, header):
    from fugong.enterprises.importing import HEADERS
    from fugong.enterprises.tests.test_import import workbook

    return workbook(rows, headers=[h for h in HEADERS if h != header])


def test_an_enterprise_with_no_grade_counts_as_b(people, login):
    company_a = people.enterprise_a.enterprise
    assert company_a.grade == "" and company_a.effective_grade == "B"
    assert effective_grade(company_a) == "B"
    EnterpriseFactory(grade="A")
    assert grade_counts(Enterprise.objects.all()) == {"A": 1, "B": 2, "C": 0}
    listed = login(people.coordinator).get(reverse("enterprises:list"), {"grade": "B"})
    assert {e.name for e in listed.context["page"]} == {
        "郑州甲方机械有限公司",
        "郑州乙方商贸有限公司",
    }
    api = login(people.coordinator).get(reverse("api_enterprise_grade", args=[company_a.pk]))
    assert api.json()["grade"] == "" and api.json()["effective_grade"] == "B"


def test_no_matching_rule_gives_b(people):
    GradeRule.objects.exclude(grade="A").delete()
    small = EnterpriseFactory(category="industry_below", payroll_headcount=2)
    assert grade_for(small, grade_rules()) == "B"
    recompute(people)
    assert fresh(small).grade == "B"


# Rules as data, applied by recomputation


@pytest.fixture
def graded(people):
    """Companies A and B (20 workers, 规下) graded B; a small one C; one overridden to A."""
    small = EnterpriseFactory(name="郑州小作坊有限公司", payroll_headcount=8)
    kept = EnterpriseFactory(name="郑州人工评级有限公司", payroll_headcount=8)
    services.grade_override(
        actor=people.coordinator, enterprise=kept, grade="A", reason="区委确定的重点培育对象"
    )
    first = recompute(people)
    # A and B become B, as they already counted; only the small one really changes.
    assert (first.changed, first.overridden) == (1, 1)
    return {"a": people.enterprise_a.enterprise, "b": people.enterprise_b.enterprise} | {
        "small": small,
        "kept": kept,
    }


def edit_c_rule_on_the_page(client, **changes):
    rule = c_rule()
    data = {
        "order": rule.order,
        "grade": rule.grade,
        "categories": rule.categories,
        "is_key": "unknown",
        "is_talent": "unknown",
        "headcount_below": rule.headcount_below,
        "note": rule.note,
        **changes,
    }
    return client.post(reverse("enterprises:grade_rule_edit", args=[rule.pk]), data)


def test_a_coordinator_edits_a_rule_and_recompute_applies_it_leaving_overrides_alone(
    people, login, graded
):
    client = login(people.coordinator)
    response = edit_c_rule_on_the_page(client, headcount_below=30, note="30人以下规下企业")
    assert response.status_code == 302 and response.url == reverse("enterprises:grade_rules")
    rule = c_rule()
    assert (rule.headcount_below, rule.note) == (30, "30人以下规下企业")
    assert rule.history.latest().history_user == people.coordinator
    # Saving a rule changes no grade; the page tells how many the rules would change.
    assert fresh(graded["a"]).grade == "B"
    page = client.get(reverse("enterprises:grade_rules"))
    assert page.context["pending"] == 2 and page.context["overridden"] == 1
    assert "职工人数少于30" in page.content.decode()

    result = recompute(people)
    assert (result.changed, result.overridden) == (2, 1)
    assert result.by_grade == {"A": 1, "B": 0, "C": 3}
    assert result.moves == {("B", "C"): 2}
    assert [fresh(graded[k]).grade for k in ("a", "b", "small")] == ["C", "C", "C"]
    kept = fresh(graded["kept"])
    assert (kept.grade, kept.grade_overridden, kept.grade_reason) == (
        "A",
        True,
        "区委确定的重点培育对象",
    )
    assert kept.history.latest().history_change_reason == "区委确定的重点培育对象"  # untouched
    latest = fresh(graded["a"]).history.latest()
    assert (latest.grade, latest.history_user, latest.history_change_reason) == (
        "C",
        people.coordinator,
        "按规则重新评级",
    )


def test_a_dry_run_counts_without_writing(people, graded):
    rule = c_rule()
    services.grade_rule_update(actor=people.coordinator, rule=rule, headcount_below=30)
    versions = dict(Enterprise.objects.values_list("pk", "version"))
    history_rows = Enterprise.history.count()
    dry = recompute(people, dry_run=True)
    assert dry.as_dict() == {
        "dry_run": True,
        "changed": 2,
        "overridden": 1,
        "by_grade": {"A": 1, "B": 0, "C": 3},
        "moves": [{"old": "B", "new": "C", "count": 2}],
    }
    assert fresh(graded["a"]).grade == "B"
    assert dict(Enterprise.objects.values_list("pk", "version")) == versions
    assert Enterprise.history.count() == history_rows
    real = recompute(people)
    assert (real.changed, real.by_grade) == (dry.changed, dry.by_grade)


def test_a_second_recompute_changes_nothing(people, graded):
    again = recompute(people)
    assert (again.changed, again.moves) == (0, {})
    assert again.by_grade == {"A": 1, "B": 2, "C": 1}


def test_a_rule_added_through_the_api_takes_effect_at_the_next_recompute(people, login, graded):
    response = login(people.coordinator).post(
        reverse("api_grade_rules"),
        {"order": 5, "grade": "C", "categories": ["services_below"], "note": "规下服务业"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["description"] == "规下服务业"
    assert fresh(graded["b"]).grade == "B"
    result = recompute(people)
    assert result.changed == 1 and fresh(graded["b"]).grade == "C"
    assert fresh(graded["a"]).grade == "B"  # 规下工业: untouched by the new rule


def test_the_api_patches_and_deletes_a_rule(people, login, graded):
    client = login(people.coordinator)
    rule = c_rule()
    url = reverse("api_grade_rule", args=[rule.pk])
    patched = client.patch(url, {"headcount_below": 30}, content_type="application/json")
    assert patched.status_code == 200
    assert patched.json()["description"] == "规下工业或规下服务业，职工人数少于30"
    assert client.delete(url).status_code == 204
    assert not GradeRule.objects.filter(grade="C").exists()
    recompute(people)
    assert fresh(graded["small"]).grade == "B"


def test_a_rule_with_an_unknown_category_is_refused(people, login):
    with pytest.raises(ValidationError) as refused:
        services.grade_rule_create(
            actor=people.coordinator, order=1, grade="A", categories=["mining"]
        )
    assert refused.value.message_dict == {"categories": ["企业类别只能从四类企业中选择"]}
    response = login(people.coordinator).post(
        reverse("api_grade_rules"),
        {"order": 1, "grade": "A", "categories": ["mining"]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() | {"errors": []} == {
        "code": "invalid_choice",
        "message": "“mining” 不是合法选项。",
        "field": "categories.0",
        "errors": [],
    }
    assert GradeRule.objects.count() == 5


# Overrides


def test_an_override_needs_a_reason(people, login):
    company_a = people.enterprise_a.enterprise
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as refused:
            services.grade_override(
                actor=people.coordinator, enterprise=company_a, grade="A", reason=reason
            )
        assert refused.value.message_dict == {"reason": ["请填写调整等级的理由"]}
    client = login(people.coordinator)
    page = client.post(reverse("enterprises:grade_override", args=[company_a.pk]), {"grade": "A"})
    assert page.status_code == 200 and page.context["form"].errors["reason"]
    api = client.post(
        reverse("api_enterprise_grade", args=[company_a.pk]),
        {"grade": "A", "reason": ""},
        content_type="application/json",
    )
    assert api.status_code == 400 and api.json()["field"] == "reason"
    assert fresh(company_a).grade == "" and not fresh(company_a).grade_overridden


def test_an_override_to_an_unknown_grade_is_refused(people):
    with pytest.raises(ValidationError) as refused:
        services.grade_override(
            actor=people.coordinator,
            enterprise=people.enterprise_a.enterprise,
            grade="D",
            reason="试试",
        )
    assert refused.value.message_dict == {"grade": ["等级应为 A、B 或 C"]}


def test_an_override_is_recorded_in_the_grade_history(people, login):
    company_a = people.enterprise_a.enterprise
    recompute(people)  # "" → B by the rules
    response = login(people.coordinator).post(
        reverse("enterprises:grade_override", args=[company_a.pk]),
        {"grade": "A", "reason": "  省级专精特新企业  "},
    )
    assert response.status_code == 302
    company_a = fresh(company_a)
    assert (company_a.grade, company_a.grade_overridden, company_a.grade_reason) == (
        "A",
        True,
        "省级专精特新企业",
    )
    changes = grade_history(company_a)
    assert [(c.old, c.new, c.overridden, c.reason) for c in changes] == [
        ("B", "A", True, "省级专精特新企业"),
        ("", "B", False, "按规则重新评级"),
    ]
    assert changes[0].who == "coordinator"
    detail = login(people.coordinator).get(reverse("enterprises:detail", args=[company_a.pk]))
    assert detail.context["grade_history"][0].reason == "省级专精特新企业"
    assert "人工评级" in detail.content.decode()


def test_the_same_override_twice_writes_one_history_row(people):
    company_a = people.enterprise_a.enterprise
    before = company_a.history.count()
    for _ in range(2):
        services.grade_override(
            actor=people.coordinator, enterprise=company_a, grade="C", reason="长期停产"
        )
    assert fresh(company_a).history.count() == before + 1
    assert fresh(company_a).version == 2


def test_an_override_survives_recomputation_until_it_is_cleared(people, login):
    company_a = people.enterprise_a.enterprise  # 规下, 20 workers: B by the rules
    services.grade_override(
        actor=people.coordinator, enterprise=company_a, grade="C", reason="长期停产"
    )
    recompute(people)
    assert fresh(company_a).grade == "C"
    response = login(people.coordinator).post(
        reverse("enterprises:grade_override_clear", args=[company_a.pk])
    )
    assert response.status_code == 302
    company_a = fresh(company_a)
    assert (company_a.grade, company_a.grade_overridden, company_a.grade_reason) == ("B", False, "")
    newest = grade_history(company_a)[0]
    assert (newest.old, newest.new, newest.overridden, newest.reason) == (
        "C",
        "B",
        False,
        "恢复按规则评级",
    )


def test_the_api_sets_and_clears_an_override(people, login):
    company_a = people.enterprise_a.enterprise
    client = login(people.coordinator)
    url = reverse("api_enterprise_grade", args=[company_a.pk])
    set_ = client.post(url, {"grade": "A", "reason": "招商引资"}, content_type="application/json")
    assert set_.status_code == 200
    assert set_.json() | {"id": 0} == {
        "id": 0,
        "grade": "A",
        "effective_grade": "A",
        "grade_overridden": True,
        "grade_reason": "招商引资",
        "version": 2,
    }
    cleared = client.delete(url)
    assert cleared.status_code == 200
    assert (cleared.json()["grade"], cleared.json()["grade_overridden"]) == ("B", False)
    assert cleared.json()["version"] == 3


def test_clearing_when_not_overridden_changes_nothing(people):
    company_a = people.enterprise_a.enterprise
    before = company_a.history.count()
    services.grade_override_clear(actor=people.coordinator, enterprise=company_a)
    assert fresh(company_a).grade == "" and fresh(company_a).history.count() == before


# Who may edit rules and override


@pytest.mark.parametrize(
    "persona, status, can_edit",
    [
        ("coordinator", 200, True),
        ("leader", 200, False),  # reads the rules and counts, edits nothing
        ("clerk", 403, None),
        ("street_officer", 403, None),
        ("liaison", 403, None),
        ("enterprise_a", 403, None),
        ("nobody", 403, None),
    ],
)
def test_the_rules_page_is_for_the_coordinator_and_read_only_for_the_leader(
    people, login, persona, status, can_edit
):
    response = login(getattr(people, persona)).get(reverse("enterprises:grade_rules"))
    assert response.status_code == status
    if status == 200:
        assert response.context["can_edit"] is can_edit
        html = response.content.decode()
        assert ("新增规则" in html) is can_edit
        assert ('data-testid="recompute"' in html) is can_edit


@pytest.mark.parametrize(
    "persona", ["leader", "clerk", "street_officer", "liaison", "enterprise_a"]
)
def test_only_the_coordinator_edits_rules_through_the_pages(people, login, persona):
    client = login(getattr(people, persona))
    rule = c_rule()
    assert client.get(reverse("enterprises:grade_rule_create")).status_code == 403
    assert client.get(reverse("enterprises:grade_rule_edit", args=[rule.pk])).status_code == 403
    assert edit_c_rule_on_the_page(client, headcount_below=99).status_code == 403
    delete = client.post(reverse("enterprises:grade_rule_delete", args=[rule.pk]))
    assert delete.status_code == 403
    assert c_rule().headcount_below == 10 and GradeRule.objects.count() == 5


@pytest.mark.parametrize(
    "persona, may_read",
    [("leader", True), ("clerk", False), ("street_officer", False), ("liaison", False)],
)
def test_only_the_coordinator_edits_rules_through_the_api(people, login, persona, may_read):
    client = login(getattr(people, persona))
    rule = c_rule()
    listed = client.get(reverse("api_grade_rules"))
    assert listed.status_code == (200 if may_read else 403)
    if may_read:
        assert [r["grade"] for r in listed.json()] == ["A", "A", "A", "C", "B"]
    created = client.post(
        reverse("api_grade_rules"), {"order": 1, "grade": "A"}, content_type="application/json"
    )
    assert created.status_code == 403
    url = reverse("api_grade_rule", args=[rule.pk])
    assert client.patch(url, {"grade": "A"}, content_type="application/json").status_code == 403
    assert client.delete(url).status_code == 403
    assert c_rule().grade == "C" and GradeRule.objects.count() == 5


@pytest.mark.parametrize("persona", ["leader", "clerk", "street_officer"])
def test_the_rule_services_refuse_anyone_but_the_coordinator(people, persona):
    actor = getattr(people, persona)
    with pytest.raises(PermissionDenied):
        services.grade_rule_create(actor=actor, order=1, grade="A")
    with pytest.raises(PermissionDenied):
        services.grade_rule_update(actor=actor, rule=c_rule(), headcount_below=50)
    with pytest.raises(PermissionDenied):
        services.grade_rule_delete(actor=actor, rule=c_rule())
    with pytest.raises(PermissionDenied):
        services.grades_recompute(actor=actor, dry_run=True)


@pytest.mark.parametrize(
    "persona, status",
    [
        ("coordinator", 200),
        ("street_officer", 200),  # an area officer manages the grades of their own area
        ("leader", 403),
        ("clerk", 403),
        ("liaison", 403),  # sees company A, does not manage it
        ("enterprise_a", 403),
        ("enterprise_b", 404),
        ("park_officer", 404),
    ],
)
def test_who_may_override_company_a_on_the_page_and_the_api(people, login, persona, status):
    company_a = people.enterprise_a.enterprise
    client = login(getattr(people, persona))
    page = reverse("enterprises:grade_override", args=[company_a.pk])
    assert client.get(page).status_code == status
    posted = client.post(page, {"grade": "A", "reason": "测试"})
    assert posted.status_code == (302 if status == 200 else status)
    api = reverse("api_enterprise_grade", args=[company_a.pk])
    assert client.delete(api).status_code == status
    if status != 200:
        api_post = client.post(
            api, {"grade": "A", "reason": "测试"}, content_type="application/json"
        )
        assert api_post.status_code == status
        clear = client.post(reverse("enterprises:grade_override_clear", args=[company_a.pk]))
        assert clear.status_code == status
        assert fresh(company_a).grade == "" and not fresh(company_a).grade_overridden


def test_a_street_officer_cannot_override_outside_their_street(people, login):
    company_b = people.enterprise_b.enterprise
    assert company_b.region.code == JIEFANG
    with pytest.raises(PermissionDenied):
        services.grade_override(
            actor=people.street_officer, enterprise=company_b, grade="A", reason="越权"
        )
    response = login(people.street_officer).post(
        reverse("api_enterprise_grade", args=[company_b.pk]),
        {"grade": "A", "reason": "越权"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert fresh(company_b).grade == ""

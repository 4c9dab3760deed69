"""The pages: the rule editor without JSON, the library, the enterprise's portal, the public list
with pinyin search, the payout list's notice, and scoping."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from fugong.core.models import Department
from fugong.enterprises.models import Enterprise
from fugong.policies import services
from fugong.policies.models import Objection, Policy

pytestmark = pytest.mark.django_db

FIELDS = {
    "title": "小微企业复工稳岗补贴（示例）",
    "issuer": "二七区人力资源和社会保障局",
    "level": "district",
    "kind": "job_retention",
    "mode": "apply",
    "effective_on": "2020-02-10",
    "summary": "在册职工50人以上的规下企业，按人数补贴。",
    "benefit_kind": "per_worker",
    "benefit_amount": "500",
    "benefit_cap": "30000",
    "review_days": "10",
    "objection_days": "5",
}


def editor_post(client, url, extra, action=None):
    data = {**FIELDS, "department": Department.objects.get(code="rs").pk, **extra}
    if action:
        data["rule_action"] = action
    return client.post(url, data)


def test_the_rule_is_built_in_form_fields_with_add_and_remove(login, people, policy_desk):
    client = login(policy_desk.rs_clerk)
    url = reverse("policies:new")
    assert "添加条件" in client.get(url).content.decode()
    page = editor_post(client, url, {"rule-0-type": "all"}, action="add-cond:0")
    html = page.content.decode()
    assert page.status_code == 200 and 'name="rule-0.1-attr"' in html
    assert not Policy.objects.exists()  # redrawing saves nothing
    # the attribute changes to a number: its operators and a number input follow
    page = editor_post(
        client,
        url,
        {"rule-0-type": "all", "rule-0.1-type": "cond", "rule-0.1-attr": "payroll_headcount"},
        action="refresh",
    )
    html = page.content.decode()
    assert 'type="number"' in html and '<option value="gte" selected>≥</option>' in html
    page = editor_post(
        client,
        url,
        {
            "rule-0-type": "all",
            "rule-0.1-type": "cond",
            "rule-0.1-attr": "payroll_headcount",
            "rule-0.1-op": "gte",
            "rule-0.1-value": "50",
        },
        action="add-group:0",
    )
    assert 'name="rule-0.2-type"' in page.content.decode()
    assert 'name="rule-0.2.1-attr"' in page.content.decode()
    page = editor_post(
        client,
        url,
        {
            "rule-0-type": "all",
            "rule-0.1-type": "cond",
            "rule-0.1-attr": "payroll_headcount",
            "rule-0.1-op": "gte",
            "rule-0.1-value": "50",
            "rule-0.2-type": "any",
            "rule-0.2.1-type": "cond",
            "rule-0.2.1-attr": "category",
            "rule-0.2.1-op": "in",
        },
        action="remove:0.2",
    )
    assert 'name="rule-0.2-type"' not in page.content.decode()


def test_a_bad_condition_is_shown_with_its_place_and_nothing_is_saved(login, policy_desk):
    client = login(policy_desk.rs_clerk)
    page = editor_post(
        client,
        reverse("policies:new"),
        {
            "rule-0-type": "all",
            "rule-0.1-type": "cond",
            "rule-0.1-attr": "payroll_headcount",
            "rule-0.1-op": "gte",
            "rule-0.1-value": "-5",
            "rule-0.2-type": "cond",
            "rule-0.2-attr": "category",
            "rule-0.2-op": "in",
        },
    )
    assert page.status_code == 200
    assert "条件1：「用工人数」的值应为0到1000000之间的整数" in page.content.decode()
    assert not Policy.objects.exists()


def test_saving_stores_the_tree_and_the_htmx_redraw_returns_only_the_editor(login, policy_desk):
    client = login(policy_desk.rs_clerk)
    url = reverse("policies:new")
    fragment = client.post(
        url, {"rule-0-type": "all", "rule_action": "add-cond:0"}, HTTP_HX_REQUEST="true"
    )
    assert fragment.content.decode().startswith('<div id="rule-editor"')
    response = editor_post(
        client,
        url,
        {
            "rule-0-type": "all",
            "rule-0.1-type": "cond",
            "rule-0.1-attr": "category",
            "rule-0.1-op": "in",
            "rule-0.1-value": ["industry_below", "services_below"],
            "rule-0.2-type": "cond",
            "rule-0.2-not": "1",
            "rule-0.2-attr": "is_key",
            "rule-0.2-op": "eq",
            "rule-0.2-value": "true",
        },
    )
    policy = Policy.objects.get()
    assert response.status_code == 302
    assert policy.rule == {
        "all": [
            {"attr": "category", "op": "in", "value": ["industry_below", "services_below"]},
            {"not": {"attr": "is_key", "op": "eq", "value": True}},
        ]
    }
    detail = client.get(reverse("policies:detail", args=[policy.pk])).content.decode()
    assert "企业类别属于规下工业、规下服务业，且重点企业≠是" in detail
    edit = client.get(reverse("policies:edit", args=[policy.pk])).content.decode()
    assert 'name="rule-0.2-not" id="rule-0.2-not" value="1" checked' in edit


def test_the_explanation_for_one_enterprise_on_the_detail_page(login, make_policy, people):
    policy = make_policy(rule={"all": [{"attr": "payroll_headcount", "op": "gte", "value": 50}]})
    client = login(people.coordinator)
    page = client.get(
        reverse("policies:explain", args=[policy.pk]),
        {"enterprise": people.enterprise_b.enterprise_id},
    )
    assert "不符合：用工人数≥50人（实际20人）" in page.content.decode()


def test_the_portal_lists_what_the_enterprise_may_have_and_applies(login, make_policy, people):
    policy = make_policy(publish=True)
    client = login(people.enterprise_a)
    listing = client.get(reverse("policies:portal_list")).content.decode()
    assert policy.title in listing
    detail = client.get(reverse("policies:portal_detail", args=[policy.pk])).content.decode()
    assert "贵企业符合" in detail
    response = client.post(
        reverse("policies:portal_apply", args=[policy.pk]), {"statement": "未裁员"}
    )
    application = policy.applications.get()
    assert response.url == reverse("policies:application_detail", args=[application.pk])
    page = client.get(response.url).content.decode()
    assert "待审核" in page and application.number in page


def test_the_department_reviews_in_the_page(login, make_policy, people, policy_desk):
    policy = make_policy(publish=True)
    application = services.application_submit(
        actor=people.enterprise_a, policy=policy, statement="申请"
    )
    client = login(policy_desk.rs_clerk)
    page = client.get(reverse("policies:application_detail", args=[application.pk]))
    assert "10,000" in page.content.decode()
    url = reverse("policies:application_action", args=[application.pk, "reject"])
    client.post(url, {"reason": ""})
    application.refresh_from_db()
    assert application.status == "submitted"
    client.post(reverse("policies:application_action", args=[application.pk, "approve"]), {})
    application.refresh_from_db()
    assert application.status == "approved"
    b = login(people.enterprise_b)
    assert b.get(reverse("policies:application_detail", args=[application.pk])).status_code == 404


def test_the_public_list_needs_no_login_and_searches_by_pinyin(client, make_policy):
    make_policy(title="稳岗返还政策（示例）", publish=True)
    make_policy(title="房租减免政策（示例）", kind="rent", publish=True)
    make_policy(title="尚未发布的草稿")
    page = client.get(reverse("policies:public_list"), {"q": "wgfh"}).content.decode()
    assert "稳岗返还政策" in page and "房租减免" not in page
    page = client.get(reverse("policies:public_list")).content.decode()
    assert "尚未发布的草稿" not in page and "演示示例" in page
    draft = Policy.objects.get(title="尚未发布的草稿")
    assert client.get(reverse("policies:public_detail", args=[draft.pk])).status_code == 404


def test_anyone_may_object_to_a_noticed_list(client, make_policy, people, policy_desk):
    grant = make_policy(
        publish=True, mode="auto_grant", benefit_kind="fixed", benefit_amount=Decimal(2000)
    )
    batch = services.payout_batch_create(actor=policy_desk.rs_clerk, policy=grant)
    url = reverse("policies:public_notice", args=[batch.pk])
    assert client.get(url).status_code == 404  # not noticed yet
    services.payout_notice_start(actor=policy_desk.rs_clerk, batch=batch)
    page = client.get(url).content.decode()
    assert people.enterprise_a.enterprise.name in page and "4,000.00" in page
    bad = client.post(url, {"name": "王五", "phone": "12", "content": "不符合"})
    assert bad.status_code == 200 and not Objection.objects.exists()
    client.post(url, {"name": "王五", "phone": "13912345678", "content": "该企业已迁出"})
    assert Objection.objects.get().name == "王五"
    clerk = policy_desk.rs_clerk
    client.force_login(clerk)
    page = client.get(reverse("policies:batch_detail", args=[batch.pk])).content.decode()
    assert "该企业已迁出" in page and "13912345678" not in page  # masked for a department


def test_the_library_list_query_count_does_not_grow(
    login, make_policy, people, django_assert_max_num_queries
):
    for n in range(12):
        make_policy(title=f"政策{n}（示例）", publish=n % 2 == 0)
    client = login(people.leader)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("policies:list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("policies:figures")).status_code == 200
    with django_assert_max_num_queries(8):
        client.logout()
        assert client.get(reverse("policies:public_list")).status_code == 200


def test_the_chase_list_holds_matched_enterprises_that_have_not_applied(login, make_policy, people):
    policy = make_policy(publish=True)
    services.application_submit(actor=people.enterprise_a, policy=policy, statement="申请")
    client = login(people.coordinator)
    page = client.get(reverse("policies:matches", args=[policy.pk]), {"state": "not_applied"})
    html = page.content.decode()
    assert people.enterprise_b.enterprise.name in html
    assert people.enterprise_a.enterprise.name not in html
    street = login(people.street_officer)  # 淮河路街道: enterprise A only, who applied
    page = street.get(reverse("policies:matches", args=[policy.pk]), {"state": "not_applied"})
    assert people.enterprise_b.enterprise.name not in page.content.decode()


def test_a_department_edits_only_its_own_policies(login, make_policy, people):
    policy = make_policy()
    assert login(people.clerk).get(reverse("policies:edit", args=[policy.pk])).status_code == 404
    published = make_policy(publish=True, title="已发布")
    assert login(people.clerk).get(reverse("policies:edit", args=[published.pk])).status_code == 403


def test_the_staff_matches_export_masks_phones_for_the_leader(login, make_policy, people):
    import io

    from openpyxl import load_workbook

    Enterprise.objects.update(contact_phone="13812345678")
    policy = make_policy(publish=True, effective_on=date(2020, 2, 3))
    response = login(people.leader).get(reverse("policies:matches_export", args=[policy.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(2, 7).value == "138****5678"


def test_the_application_and_match_lists_keep_their_query_count(
    login, make_policy, people, policy_desk, django_assert_max_num_queries
):
    from fugong.enterprises.tests.factories import EnterpriseFactory

    for n in range(15):
        EnterpriseFactory(name=f"郑州计数{n}号商贸有限公司")
    policy = make_policy(publish=True)
    services.application_submit(actor=people.enterprise_a, policy=policy, statement="申请")
    client = login(policy_desk.rs_clerk)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("policies:applications")).status_code == 200
    with django_assert_max_num_queries(12):
        page = client.get(reverse("policies:matches", args=[policy.pk]))
        assert page.status_code == 200 and "郑州计数14号商贸有限公司" in page.content.decode()


def test_the_editor_refuses_an_empty_group_and_a_negated_empty_rule(login, policy_desk):
    client = login(policy_desk.rs_clerk)
    url = reverse("policies:new")
    group = editor_post(
        client,
        url,
        {
            "rule-0-type": "all",
            "rule-0.1-type": "cond",
            "rule-0.1-attr": "payroll_headcount",
            "rule-0.1-op": "gte",
            "rule-0.1-value": "50",
            "rule-0.2-type": "any",
        },
    )
    assert group.status_code == 200 and "条件2：这一组还没有条件" in group.content.decode()
    negated = editor_post(client, url, {"rule-0-type": "all", "rule-0-not": "1"})
    assert negated.status_code == 200 and "条件：这一组还没有条件" in negated.content.decode()
    assert not Policy.objects.exists()


def test_the_editor_refuses_a_posted_tree_too_deep_or_odd_without_a_server_error(
    login, policy_desk
):
    client = login(policy_desk.rs_clerk)
    url = reverse("policies:new")
    fields, path = {"rule-0-type": "all"}, "0"
    for _level in range(400):  # deeper than Python's recursion would go in the page
        path += ".1"
        fields[f"rule-{path}-type"] = "all"
    fields[f"rule-{path}.1-type"] = "cond"
    deep = editor_post(client, url, fields)
    assert deep.status_code == 200 and "嵌套过深（最多6层）" in deep.content.decode()
    many = {"rule-0-type": "all"}
    for i in range(1, 53):
        many |= {
            f"rule-0.{i}-type": "cond",
            f"rule-0.{i}-attr": "payroll_headcount",
            f"rule-0.{i}-op": "gte",
            f"rule-0.{i}-value": str(i),
        }
    large = editor_post(client, url, many)
    assert large.status_code == 200 and "条件过多（最多50项）" in large.content.decode()
    assert not Policy.objects.exists()
    odd = editor_post(client, url, {"rule-0-type": "all", "rule-0.1.-type": "cond"})
    assert odd.status_code == 302  # a field that names no place is ignored

import pytest
from playwright.sync_api import expect

from fugong.conftest import log_in
from fugong.policies.models import Application, Policy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def settled(page) -> None:
    """htmx attaches its triggers to swapped-in content once it has settled."""
    busy = page.locator(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")
    expect(busy).to_have_count(0)


def test_a_policy_from_the_rule_editor_to_an_approved_application(page, people, policy_desk):
    log_in(page, "rs_clerk")
    page.goto("/policies/new/")
    page.fill("#id_title", "中小企业稳岗补贴（示例）")
    page.fill("#id_issuer", "二七区人社局")
    page.select_option("#id_level", "district")
    page.select_option("#id_kind", "job_retention")
    page.select_option("#id_mode", "apply")
    page.fill("#id_effective_on", "2020-02-10")
    page.fill("#id_summary", "规下工业企业按在册职工人数补贴。")
    page.select_option("#id_benefit_kind", "per_worker")
    page.fill("#id_benefit_amount", "500")
    page.get_by_test_id("add-cond-0").click()
    expect(page.get_by_test_id("attr-0.1")).to_be_visible()
    settled(page)
    page.select_option("[data-testid='attr-0.1']", "payroll_headcount")  # redrawn by HTMX
    number = page.locator("input[type=number][data-testid='value-0.1']")
    expect(number).to_be_visible()  # the attribute's operators and widget came with it
    expect(page.get_by_test_id("op-0.1")).to_have_value("gte")
    settled(page)
    number.fill("10")
    page.get_by_test_id("save-policy").click()
    expect(page.get_by_test_id("conditions")).to_have_text("用工人数≥10人")
    page.get_by_test_id("publish").click()
    expect(page.get_by_role("alert")).to_contain_text("政策已发布")
    expect(page.get_by_test_id("matched")).to_have_text("2")
    policy = Policy.objects.get()

    page.context.clear_cookies()
    log_in(page, "company_a")
    page.goto("/portal/policies/")
    page.get_by_test_id("eligible-policy").click()
    expect(page.get_by_test_id("verdict")).to_have_text("贵企业符合")
    page.get_by_test_id("apply").click()
    page.fill("#id_statement", "未裁员，申请稳岗补贴。")
    page.get_by_test_id("submit-application").click()
    expect(page.get_by_test_id("application-status")).to_have_text("待审核")

    page.context.clear_cookies()
    log_in(page, "rs_clerk")
    page.goto("/policies/applications/")
    page.get_by_role("link", name=Application.objects.get().number).click()
    page.get_by_test_id("do-approve").click()
    expect(page.get_by_role("alert")).to_contain_text("审核通过")
    expect(page.get_by_test_id("application-status")).to_have_text("已通过")
    assert Application.objects.get().approved_amount == 10000
    assert policy.matches.filter(read_at__isnull=False).count() == 1


def test_the_rule_editor_works_on_a_phone(phone_page, people, policy_desk):
    log_in(phone_page, "rs_clerk")
    phone_page.goto("/policies/new/")
    phone_page.get_by_test_id("add-group-0").click()
    expect(phone_page.get_by_test_id("attr-0.1.1")).to_be_visible()
    settled(phone_page)
    phone_page.get_by_test_id("remove-0.1").click()
    expect(phone_page.get_by_test_id("attr-0.1.1")).to_have_count(0)

import pytest
from playwright.sync_api import expect

from fugong.conftest import log_in
from fugong.services.models import ServiceRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_one_request_from_the_portal_through_claim_and_reply_to_the_enterprise_s_rating(
    page, people, desk
):
    log_in(page, "company_a")
    page.goto("/portal/requests/new/")
    page.select_option("#id_category", label="审批证照")
    page.fill("#id_title", "营业执照经营范围变更")
    page.fill("#id_description", "需要增加口罩生产，请尽快办理。")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("request-status")).to_have_text("待签收")
    number = ServiceRequest.objects.get().number

    page.context.clear_cookies()
    log_in(page, "clerk")  # 区市场监管局, where the routing table sends 审批证照
    page.goto("/services/queue/")
    page.get_by_role("link", name="营业执照经营范围变更").click()
    expect(page.get_by_text(number)).to_be_visible()
    page.get_by_test_id("claim").click()
    # The flash message first: should an action be refused, the failure shows the reason.
    expect(page.get_by_role("alert")).to_have_text("已签收")
    expect(page.get_by_test_id("request-status")).to_have_text("办理中")
    page.wait_for_load_state()  # Bootstrap's script runs the section toggles
    page.get_by_test_id("open-reply").click()
    page.fill("#act-reply textarea", "已走绿色通道办理，新执照明天送达。")
    page.get_by_test_id("submit-reply").click()
    expect(page.get_by_role("alert")).to_have_text("已答复，等待企业评价")
    expect(page.get_by_test_id("request-status")).to_have_text("已答复")

    page.context.clear_cookies()
    log_in(page, "company_a")
    page.goto("/portal/requests/")
    page.get_by_role("link", name="营业执照经营范围变更").click()
    page.wait_for_load_state()
    page.get_by_test_id("open-rate").click()
    page.get_by_label("满意", exact=True).check()
    page.get_by_test_id("submit-rate").click()
    expect(page.get_by_role("alert")).to_have_text("感谢您的评价")
    expect(page.get_by_test_id("request-status")).to_have_text("已办结")
    request = ServiceRequest.objects.get()
    assert (request.status, request.rating) == ("closed", "satisfied")
    assert [s.action for s in request.steps.all()] == [
        "submit",
        "route",
        "claim",
        "reply",
        "rate",
        "close",
    ]

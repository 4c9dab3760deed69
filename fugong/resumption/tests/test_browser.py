import pytest
from playwright.sync_api import expect

from fugong.conftest import log_in
from fugong.enterprises.tests.factories import EnterpriseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reported(people, submit):
    late = EnterpriseFactory(name="郑州迟到复工有限公司")
    submit(people.enterprise_a.enterprise, "2020-03-01 10:00", "resumed", duty=20)
    submit(late, "2020-03-10 10:00", "partly", duty=5)


def test_a_leader_moves_the_moment_sees_the_numbers_change_and_drills_down(page, reported):
    log_in(page, "leader")
    page.goto("/dashboard/?at=2020-03-02T12:00")
    expect(page.get_by_test_id("total-resumed")).to_have_text("1")
    expect(page.locator("#chart-trend canvas")).to_have_count(1)  # ECharts drew the trend

    page.fill("#id_at", "2020-03-11T12:00")
    page.get_by_test_id("as-of-submit").click()
    expect(page.get_by_test_id("total-resumed")).to_have_text("2")
    expect(page.get_by_test_id("total-resumption-rate")).to_have_text("66.7%")
    expect(page.get_by_test_id("bulletin")).to_contain_text("截至3月11日12时")
    assert "at=2020-03-11T12%3A00" in page.url or "at=2020-03-11T12:00" in page.url
    expect(page.locator("#chart-categories canvas")).to_have_count(1)  # redrawn after the swap

    page.get_by_test_id("not-resumed-410103002").click()  # 解放路街道: enterprise B
    expect(page.get_by_test_id("drilldown-total")).to_contain_text("共 1 个单位")
    expect(page.get_by_role("link", name="郑州乙方商贸有限公司")).to_be_visible()


def test_an_enterprise_reports_on_a_phone(phone_page, people):
    log_in(phone_page, "company_a")
    phone_page.goto("/portal/report/")
    phone_page.get_by_label("部分复工").check()
    phone_page.fill("#id_workers_on_duty", "11")
    phone_page.get_by_role("button", name="提交").click()
    expect(phone_page.get_by_test_id("report-history")).to_contain_text("11 / 20")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390

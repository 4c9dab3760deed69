import pytest
from playwright.sync_api import expect

from fugong.conftest import log_in
from fugong.factors.models import ShuttleTrip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_worker_registered_by_the_enterprise_rides_the_planned_shuttle(page, people, fleet):
    log_in(page, "company_a")
    page.goto("/portal/")
    page.get_by_test_id("factors-links").get_by_role("link", name="返岗直通车").click()
    expect(page).to_have_url("/factors/workers/")
    page.get_by_test_id("register-worker").click()
    page.fill("#id_name", "陈小春")
    page.fill("#id_id_number", "411624199001011239")
    page.fill("#id_phone", "13912345678")
    page.fill("#id_home_county", "沈丘县")
    page.fill("#id_earliest_date", "2020-02-20")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("alert")).to_contain_text("已登记返岗：陈小春")
    expect(page.get_by_test_id("id-number")).to_have_text("411624********1239")

    page.context.clear_cookies()
    log_in(page, "coordinator")
    page.goto("/factors/plans/")
    page.fill("#id_first_day", "2020-02-20")
    page.fill("#id_last_day", "2020-02-21")
    page.get_by_test_id("plan").click()
    expect(page.get_by_test_id("planned")).to_have_text("1 / 1")
    expect(page.get_by_test_id("baseline")).to_contain_text("first-fit")
    page.goto("/factors/trips/")
    page.get_by_role("link", name=ShuttleTrip.objects.get().number).click()
    expect(page.get_by_test_id("stops")).to_contain_text("沈丘县")
    page.get_by_test_id("confirm").click()
    expect(page.get_by_role("alert")).to_have_text("车次已确认，企业已收到通知")
    page.get_by_test_id("depart").click()
    expect(page.get_by_role("alert")).to_have_text("已登记发车")
    page.get_by_test_id("arrive").click()
    expect(page.get_by_role("alert")).to_have_text("已登记到达")
    expect(page.get_by_test_id("status").first).to_have_text("已到达")
    trip = ShuttleTrip.objects.get()
    assert trip.status == "arrived" and trip.passengers.get().boarded


def test_the_job_board_works_on_a_phone_without_logging_in(phone_page, people):
    from datetime import timedelta

    from django.utils import timezone

    from fugong.factors import services

    for title in ("数控车床操作工", "收银员"):
        services.opening_submit(
            actor=people.coordinator,
            enterprise=people.enterprise_a.enterprise,
            title=title,
            positions=5,
            salary_min=4000,
            salary_max=6000,
            work_place="马寨",
            contact_person="王经理",
            contact_phone="13812345678",
            valid_until=timezone.localdate() + timedelta(days=30),
        )
    phone_page.goto("/jobs/")
    expect(phone_page.get_by_test_id("job-card")).to_have_count(2)
    phone_page.fill("#id_q", "数控")
    expect(phone_page.get_by_test_id("job-card")).to_have_count(1)
    phone_page.get_by_test_id("job-card").click()
    expect(phone_page.get_by_test_id("job-phone")).to_have_attribute("href", "tel:13812345678")

import re

import pytest
from playwright.sync_api import expect

from fugong.conftest import log_in
from fugong.enterprises.tests.factories import EnterpriseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def register(people):
    EnterpriseFactory(
        name="郑州康师傅食品有限公司", category="industry_above", contact_phone="13912345678"
    )
    EnterpriseFactory.create_batch(5)


def test_a_coordinator_finds_an_enterprise_by_pinyin_initials_and_opens_it(page, register):
    log_in(page, "coordinator")
    page.get_by_role("button", name="企业", exact=True).click()  # the menu opens (Bootstrap's JS)
    page.get_by_role("link", name="企业名录").click()
    expect(page.get_by_test_id("result-count")).to_contain_text("共 8 家企业")

    page.fill("#id_q", "ksf")
    expect(page.get_by_test_id("result-count")).to_contain_text("共 1 家企业")
    expect(page).to_have_url(re.compile(r"q=ksf"))
    page.get_by_role("link", name="郑州康师傅食品有限公司").click()

    expect(page.get_by_test_id("enterprise-name")).to_have_text("郑州康师傅食品有限公司")
    expect(page.get_by_test_id("contact-phone")).to_have_text("13912345678")


def test_the_register_works_on_a_phone(phone_page, register):
    log_in(phone_page, "huaihe")
    phone_page.goto("/enterprises/")
    expect(phone_page.get_by_test_id("result-count")).to_contain_text("共 7 家企业")  # 淮河路 only
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390

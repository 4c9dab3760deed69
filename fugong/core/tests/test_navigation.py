import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _entries(response):
    return {e["label"]: e for e in response.context["nav_items"]}


def test_staff_menus_gather_their_links_and_mark_the_current_page(login, people):
    response = login(people.coordinator).get(reverse("services:routing"))
    entries = _entries(response)
    requests = entries["诉求"]
    labels = [link["label"] for link in requests["links"]]
    assert labels[:2] == ["企业诉求", "诉求统计"] and "分派规则" in labels
    assert requests["active"] and [link["active"] for link in requests["links"]].count(True) == 1
    assert not entries["企业"]["active"]
    assert 'aria-current="page"' in response.content.decode()


def test_a_menu_with_one_link_for_the_user_is_a_plain_link(login, people):
    entries = _entries(login(people.enterprise_a).get(reverse("portal")))
    assert set(entries) == {"企业服务", "复工填报", "我的诉求", "我的政策", "建设工程"}
    assert all("links" not in e for e in entries.values())


def test_a_department_sees_its_queue_and_nothing_of_the_coordinator_s_tables(login, people):
    entries = _entries(login(people.clerk).get(reverse("services:queue")))
    labels = [link["label"] for link in entries["诉求"]["links"]]
    assert labels[0] == "待办诉求" and entries["诉求"]["links"][0]["active"]
    assert "分派规则" not in labels and "延期审批" not in labels

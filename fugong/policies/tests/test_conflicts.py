"""Two editors change the same policy: the second is told, and nothing is overwritten."""

import pytest
from django.test import Client
from django.urls import reverse

from fugong.core.exceptions import StaleRecord
from fugong.policies import services
from fugong.policies.models import Policy
from fugong.policies.tests.test_pages import editor_post

pytestmark = pytest.mark.django_db


def test_the_second_of_two_editors_is_told_and_nothing_is_overwritten(
    login, make_policy, people, policy_desk
):
    policy = make_policy()
    url = reverse("policies:edit", args=[policy.pk])
    clerk = login(policy_desk.rs_clerk)
    coordinator = Client()
    coordinator.force_login(people.coordinator)
    # Both open the form on version 1 …
    assert 'name="version" value="1"' in clerk.get(url).content.decode()
    opened = {"rule-0-type": "all", "version": "1"}
    first = editor_post(coordinator, url, {**opened, "summary": "按在册职工人数每人500元。"})
    assert first.status_code == 302
    second = editor_post(clerk, url, {**opened, "summary": "每人600元。"})
    assert second.status_code == 200
    [message] = second.context["form"].non_field_errors()
    assert "已于" in message and "本次未保存" in message
    policy.refresh_from_db()
    assert (policy.summary, policy.version) == ("按在册职工人数每人500元。", 2)
    # … and starting again from the new version saves.
    again = editor_post(clerk, url, {**opened, "version": "2", "summary": "每人600元。"})
    assert again.status_code == 302
    policy.refresh_from_db()
    assert (policy.summary, policy.version) == ("每人600元。", 3)


def test_the_service_refuses_an_edit_from_an_older_version(make_policy, policy_desk):
    policy = make_policy()
    edited = Policy.objects.get(pk=policy.pk)
    edited.summary = "第一次修改"
    services.policy_update(actor=policy_desk.rs_clerk, policy=edited, expected_version=1)
    stale = Policy.objects.get(pk=policy.pk)
    stale.summary = "基于旧版本的修改"
    with pytest.raises(StaleRecord):
        services.policy_update(actor=policy_desk.rs_clerk, policy=stale, expected_version=1)
    assert Policy.objects.get(pk=policy.pk).summary == "第一次修改"


def test_the_api_answers_409_to_a_stale_if_match(login, make_policy, people):
    policy = make_policy()
    client = login(people.coordinator)
    url = reverse("api_policy", args=[policy.pk])
    first = client.patch(
        url, {"summary": "甲"}, content_type="application/json", HTTP_IF_MATCH='"1"'
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = client.patch(url, {"summary": "乙", "version": 1}, content_type="application/json")
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    without = client.patch(url, {"summary": "丙"}, content_type="application/json")
    assert without.status_code == 200  # no version given: the client asked for last write wins
    assert Policy.objects.get(pk=policy.pk).summary == "丙"

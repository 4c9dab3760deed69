"""Odd values in the policy pages and API are bad requests or ignored, never a server error."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from fugong.core.filters import MAX_ID
from fugong.policies import services

pytestmark = pytest.mark.django_db

ODD_IDS = ["²", "١٢", str(MAX_ID + 1), "-3", "0", "1e3", " "]


@pytest.mark.parametrize("value", ODD_IDS)
def test_pages_ignore_an_id_that_is_not_one(login, make_policy, people, value):
    policy = make_policy(publish=True)
    client = login(people.coordinator)
    assert client.get(reverse("policies:applications"), {"policy": value}).status_code == 200
    explain = client.get(reverse("policies:explain", args=[policy.pk]), {"enterprise": value})
    assert explain.status_code == 200


@pytest.mark.parametrize("value", ["²", str(MAX_ID + 1)])
def test_an_objection_naming_an_odd_line_is_shown_again(client, make_policy, policy_desk, value):
    grant = make_policy(publish=True, mode="auto_grant", benefit_kind="fixed", benefit_amount=100)
    batch = services.payout_batch_create(actor=policy_desk.rs_clerk, policy=grant)
    services.payout_notice_start(actor=policy_desk.rs_clerk, batch=batch)
    url = reverse("policies:public_notice", args=[batch.pk])
    response = client.post(
        url, {"line": value, "name": "张三", "phone": "13812345678", "content": "x"}
    )
    assert response.status_code == 200 and response.context["form"].errors


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+08:00", "1899-12-31T00:00:00+08:00"])
def test_a_situation_moment_before_2000_is_refused(policy_desk, moment):
    client = APIClient()
    client.force_authenticate(policy_desk.rs_clerk)
    response = client.post(
        "/api/v1/policies/",
        {
            "title": "t",
            "issuer": "i",
            "level": "district",
            "kind": "subsidy",
            "summary": "s",
            "department": policy_desk.rs.pk,
            "effective_on": "2020-02-01",
            "mode": "apply",
            "situation_as_of": moment,
        },
        format="json",
    )
    assert response.status_code == 400 and response.json()["field"] == "situation_as_of"

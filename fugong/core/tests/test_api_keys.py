import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from fugong.core.api_keys import api_key_create
from fugong.core.models import ApiKey
from fugong.resumption.models import Report

pytestmark = pytest.mark.django_db


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_an_hr_manager_creates_a_key_in_the_browser_and_sees_it_once(people, login):
    client = login(people.enterprise_a)
    response = client.post(reverse("api_keys"), {"name": "人事系统", "scope": "reports"})
    token = response.context["created"]
    assert token.startswith("fg_") and token in response.content.decode()
    key = ApiKey.objects.get(user=people.enterprise_a)
    assert key.secret_hash == hashlib.sha256(token.split("_", 2)[2].encode()).hexdigest()
    assert token not in client.get(reverse("api_keys")).content.decode()  # never shown again


def test_a_reports_key_posts_a_daily_report_and_nothing_else(people):
    _key, token = api_key_create(user=people.enterprise_a, name="人事系统", scope="reports")
    machine = Client()
    report = machine.post(
        reverse("api_reports"),
        {
            "enterprise": people.enterprise_a.enterprise_id,
            "status": "partly",
            "workers_on_payroll": 20,
            "workers_on_duty": 7,
        },
        content_type="application/json",
        **bearer(token),
    )
    assert report.status_code == 201 and Report.objects.get().submitted_by == people.enterprise_a
    edit = machine.patch(
        reverse("api_enterprise", args=[people.enterprise_a.enterprise_id]),
        {"contact_person": "X"},
        content_type="application/json",
        **bearer(token),
    )
    assert edit.status_code == 403
    assert machine.get(reverse("api_me"), **bearer(token)).json()["username"] == "company_a"


def test_a_read_only_key_cannot_write(people):
    _key, token = api_key_create(user=people.coordinator, name="大屏", scope="read")
    client = Client()
    assert client.get(reverse("api_figures"), **bearer(token)).status_code == 200
    response = client.post(
        reverse("api_enterprises"), {}, content_type="application/json", **bearer(token)
    )
    assert response.status_code == 403


def test_a_key_never_exceeds_its_owners_role(people):
    _key, token = api_key_create(user=people.enterprise_b, name="k", scope="full")
    response = Client().get(
        reverse("api_enterprise", args=[people.enterprise_a.enterprise_id]), **bearer(token)
    )
    assert response.status_code == 404


def test_revoked_expired_and_forged_keys_are_refused(people, login):
    key, token = api_key_create(user=people.coordinator, name="k", scope="full")
    client = Client()
    assert client.get(reverse("api_me"), **bearer(token)).status_code == 200
    assert ApiKey.objects.get(pk=key.pk).last_used_at is not None
    forged = token[:-4] + "AAAA"
    assert client.get(reverse("api_me"), **bearer(forged)).status_code == 401
    login(people.coordinator).post(reverse("api_keys"), {"revoke": key.pk})
    refused = client.get(reverse("api_me"), **bearer(token))
    assert refused.status_code == 401 and refused.json()["message"] == "接口密钥已吊销或已过期"


def test_one_cannot_revoke_another_persons_key(people, login):
    key, _token = api_key_create(user=people.coordinator, name="k", scope="full")
    response = login(people.leader).post(reverse("api_keys"), {"revoke": key.pk})
    assert response.status_code == 404 and ApiKey.objects.get(pk=key.pk).revoked_at is None


def test_a_deactivated_persons_key_is_refused_at_once(people):
    _key, token = api_key_create(user=people.enterprise_a, name="人事系统", scope="reports")
    client = Client()
    assert client.get(reverse("api_me"), **bearer(token)).status_code == 200
    people.enterprise_a.is_active = False
    people.enterprise_a.save(update_fields=["is_active"])
    assert client.get(reverse("api_me"), **bearer(token)).status_code == 401


def test_a_key_whose_owner_is_gone_meanwhile_is_refused_not_a_crash(people, monkeypatch):
    from fugong.core import api_keys

    _key, token = api_key_create(user=people.enterprise_a, name="人事系统", scope="reports")
    # The owner's row removed between the two lookups (deleting a user deletes its keys too).
    monkeypatch.setattr(api_keys._USER_BY_ID, "first", lambda pk: None)
    response = Client().get(reverse("api_me"), **bearer(token))
    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"

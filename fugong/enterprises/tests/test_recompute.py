"""Recomputing grades runs in the background (the test settings run tasks at once)."""

import pytest
from django.urls import reverse

from fugong.core.models import Notification
from fugong.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db


def test_the_coordinator_starts_a_recompute_and_is_told_the_counts(people, login):
    company_a = people.enterprise_a.enterprise
    company_a.category = "industry_above"  # 规上: grade A by the default rules
    company_a.save()
    assert company_a.grade == ""
    response = login(people.coordinator).post(reverse("enterprises:grades_recompute"))
    assert response.status_code == 302
    company_a.refresh_from_db()
    assert company_a.grade == "A"
    note = Notification.objects.get(recipient=people.coordinator, title="重新评级完成")
    assert note.body.startswith("1 家企业等级改变") and "A 级 1 家" in note.body


def test_through_the_api_a_dry_run_counts_and_a_real_run_is_queued(people, login):
    Enterprise.objects.filter(pk=people.enterprise_a.enterprise.pk).update(
        category="industry_above"
    )
    client = login(people.coordinator)
    url = reverse("api_grades_recompute")
    dry = client.post(url, {"dry_run": True}, content_type="application/json")
    assert dry.status_code == 200 and dry.json()["changed"] == 1  # B: "" → B is no change
    assert not Enterprise.objects.exclude(grade="").exists()
    queued = client.post(url, {}, content_type="application/json")
    assert queued.status_code == 202 and queued.json()["status"] == "queued"
    assert not Enterprise.objects.filter(grade="").exists()


def test_only_the_coordinator_recomputes(people, login):
    assert login(people.leader).post(reverse("api_grades_recompute")).status_code == 403
    assert login(people.leader).post(reverse("enterprises:grades_recompute")).status_code == 403
    assert not Notification.objects.exists()

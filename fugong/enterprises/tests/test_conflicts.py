"""Two officers edit the same record: the second gets a clear conflict, nothing is overwritten."""

import pytest
from django.urls import reverse

from fugong.core.exceptions import StaleRecord
from fugong.enterprises.models import Enterprise
from fugong.enterprises.services import enterprise_update, project_update
from fugong.enterprises.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def form_data(enterprise, **changes):
    return {
        "name": enterprise.name,
        "uscc": enterprise.uscc,
        "category": enterprise.category,
        "region": enterprise.region_id,
        "payroll_headcount": enterprise.payroll_headcount,
        "status": enterprise.status,
        "industry_section": enterprise.industry_section,
        "contact_phone": enterprise.contact_phone,
        "version": enterprise.version,
        **changes,
    }


def test_the_second_of_two_editors_is_told_and_nothing_is_overwritten(people, login):
    a = people.enterprise_a.enterprise
    coordinator, street = login(people.coordinator), None
    url = reverse("enterprises:edit", args=[a.pk])
    # Both open the form on version 1 …
    opened = form_data(a)
    coordinator.post(url, {**opened, "payroll_headcount": 30})
    from django.test import Client

    street = Client()
    street.force_login(people.street_officer)
    response = street.post(url, {**opened, "payroll_headcount": 45})
    assert response.status_code == 200
    [message] = response.context["form"].non_field_errors()
    assert "coordinator已于" in message and "本次未保存" in message
    a.refresh_from_db()
    assert (a.payroll_headcount, a.version) == (30, 2)


def test_starting_from_the_current_version_saves(people):
    a = people.enterprise_a.enterprise
    updated = enterprise_update(
        actor=people.coordinator, enterprise=a, expected_version=1, payroll_headcount=31
    )
    assert updated.version == 2
    with pytest.raises(StaleRecord):
        enterprise_update(
            actor=people.coordinator, enterprise=a, expected_version=1, payroll_headcount=32
        )


def test_a_save_without_a_change_keeps_the_version(people):
    a = people.enterprise_a.enterprise
    assert (
        enterprise_update(
            actor=people.coordinator, enterprise=a, payroll_headcount=a.payroll_headcount
        ).version
        == 1
    )


def test_the_api_answers_409_to_a_stale_if_match(people, login):
    a = people.enterprise_a.enterprise
    client = login(people.coordinator)
    url = reverse("api_enterprise", args=[a.pk])
    first = client.patch(
        url, {"payroll_headcount": 33}, content_type="application/json", HTTP_IF_MATCH='"1"'
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = client.patch(
        url, {"payroll_headcount": 34}, content_type="application/json", HTTP_IF_MATCH='"1"'
    )
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    assert Enterprise.objects.get(pk=a.pk).payroll_headcount == 33


def test_projects_are_protected_the_same_way(people, district):
    project = ProjectFactory()
    project_update(
        actor=people.coordinator, project=project, expected_version=1, payroll_headcount=200
    )
    with pytest.raises(StaleRecord):
        project_update(
            actor=people.coordinator, project=project, expected_version=1, payroll_headcount=300
        )

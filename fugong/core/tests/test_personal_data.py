"""Unmasked personal data leaves a record; masked views and an enterprise's own data do not."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fugong.core.models import ImportJob, PersonalDataAccess

pytestmark = pytest.mark.django_db


def test_viewing_a_contact_phone_in_full_is_recorded(people, login):
    a = people.enterprise_a.enterprise
    login(people.coordinator).get(reverse("enterprises:detail", args=[a.pk]))
    record = PersonalDataAccess.objects.get()
    assert (record.user, record.what, record.object_id) == (
        people.coordinator,
        "企业联系电话",
        a.pk,
    )


def test_a_masked_view_is_not_recorded(people, login):
    a = people.enterprise_a.enterprise
    login(people.leader).get(reverse("enterprises:detail", args=[a.pk]))
    login(people.leader).get(reverse("api_enterprise", args=[a.pk]))
    assert not PersonalDataAccess.objects.exists()


def test_exports_and_api_lists_record_how_many_rows(people, login):
    client = login(people.coordinator)
    client.get(reverse("enterprises:export"))
    client.get(reverse("api_enterprises"))
    counts = dict(PersonalDataAccess.objects.values_list("what", "count"))
    assert counts == {"企业联系电话（导出）": 2, "企业联系电话（接口）": 2}


def test_an_enterprise_reading_its_own_record_is_not_recorded(people, login):
    login(people.enterprise_a).get(
        reverse("enterprises:detail", args=[people.enterprise_a.enterprise_id])
    )
    assert not PersonalDataAccess.objects.exists()


def test_the_original_import_file_is_served_only_to_who_may_see_it(people, login):
    job = ImportJob.objects.create(
        kind="reports",
        original_name="淮河路.csv",
        file=SimpleUploadedFile("r.csv", b"a,b\n"),
        uploaded_by=people.street_officer,
        status="refused",
    )
    url = reverse("import_file", args=[job.pk])
    response = login(people.street_officer).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"a,b\n"
    assert login(people.park_officer).get(url).status_code == 404
    assert login(people.coordinator).get(url).status_code == 404  # not a register import

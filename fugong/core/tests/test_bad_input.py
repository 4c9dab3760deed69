"""Odd values in addresses and forms are bad requests or ignored, never a server error: digits
that are not ASCII ('²' passes str.isdigit), ids beyond a database integer, moments before 2000."""

import pytest
from django.urls import reverse

from fugong.core.filters import MAX_ID, record_id

pytestmark = pytest.mark.django_db

ODD_IDS = ["²", "١٢", str(MAX_ID + 1), "-3", "0", "1e3", " "]


@pytest.mark.parametrize(
    "value, expected",
    [("42", 42), (" 7 ", 7), (12, 12), (str(MAX_ID), MAX_ID), *((v, None) for v in ODD_IDS)],
)
def test_a_record_id_is_ascii_digits_within_a_database_integer(value, expected):
    assert record_id(value) == expected


PAGES = [
    ("coordinator", "services:new", "enterprise"),
    ("liaison", "services:visit_new", "enterprise"),
    ("coordinator", "services:deadlines", "edit"),
    ("coordinator", "services:calendar", "year"),
    ("leader", "resumption:entities", "area"),
]


@pytest.mark.parametrize("persona, name, parameter", PAGES)
@pytest.mark.parametrize("value", ODD_IDS)
def test_pages_ignore_an_id_that_is_not_one(people, login, persona, name, parameter, value):
    response = login(getattr(people, persona)).get(reverse(name), {parameter: value})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ODD_IDS)
def test_revoking_a_key_that_is_not_a_number_changes_nothing(people, login, value):
    response = login(people.coordinator).post(reverse("api_keys"), {"revoke": value})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["²", str(MAX_ID + 1)])
def test_a_form_posted_with_an_odd_enterprise_is_shown_again_with_its_errors(people, login, value):
    response = login(people.coordinator).post(
        reverse("services:new"), {"enterprise": value, "title": "", "category": "permits"}
    )
    assert response.status_code == 200 and response.context["form"].errors


@pytest.mark.parametrize("name", ["services:figures", "resumption:dashboard"])
def test_figure_pages_refuse_a_moment_before_2000_and_show_now(people, login, name):
    response = login(people.leader).get(reverse(name), {"at": "0001-01-01T00:00"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reports/?enterprise=²",
        f"/api/v1/reports/?project={MAX_ID + 1}",
        "/api/v1/figures/entities/?area=²",
        "/api/v1/figures/?at=1899-12-31T00:00:00%2B08:00",
    ],
)
def test_the_api_answers_odd_ids_and_moments_with_4xx_or_ignores_them(people, login, path):
    response = login(people.leader).get(path)
    assert response.status_code in (200, 400), response.content[:300]

"""Each role sees exactly its scope, through the selectors, the pages and the API alike."""

from io import BytesIO

import pytest
from django.urls import reverse

from fugong.conftest import HUAIHE, JIEFANG, MAZHAI_PARK, MAZHAI_TOWN
from fugong.core.excel import read_table
from fugong.enterprises.models import Enterprise
from fugong.enterprises.selectors import (
    enterprise_visible_to,
    enterprises_editable_by,
    enterprises_visible_to,
    projects_visible_to,
)
from fugong.enterprises.tests.factories import EnterpriseFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(people, district):
    """Besides A (淮河路) and B (解放路): one enterprise in the 马寨 park, one in 马寨镇 outside
    the park, and a project in each street."""
    regions = district.regions
    park_company = EnterpriseFactory(
        name="郑州园区食品有限公司",
        region=regions[MAZHAI_TOWN],
        park=regions[MAZHAI_PARK],
        category="industry_above",
    )
    town_company = EnterpriseFactory(name="郑州镇上物流有限公司", region=regions[MAZHAI_TOWN])
    a, b = people.enterprise_a.enterprise, people.enterprise_b.enterprise
    projects = {
        "huaihe": ProjectFactory(region=regions[HUAIHE], builder=a, builder_name=""),
        "jiefang": ProjectFactory(region=regions[JIEFANG]),
        "park": ProjectFactory(region=regions[MAZHAI_TOWN], park=regions[MAZHAI_PARK]),
    }
    return {"a": a, "b": b, "park": park_company, "town": town_company, "projects": projects}


def names(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


ALL = {"a", "b", "park", "town"}
EXPECTED_ENTERPRISES = {
    "leader": ALL,
    "coordinator": ALL,
    "clerk": ALL,
    "street_officer": {"a"},
    "park_officer": {"park"},
    "liaison": {"a"},
    "enterprise_a": {"a"},
    "enterprise_b": {"b"},
    "enforcement": set(),
    "nobody": set(),
}
EXPECTED_PROJECTS = {
    "leader": {"huaihe", "jiefang", "park"},
    "coordinator": {"huaihe", "jiefang", "park"},
    "clerk": {"huaihe", "jiefang", "park"},
    "enforcement": {"huaihe", "jiefang", "park"},
    "street_officer": {"huaihe"},
    "park_officer": {"park"},
    "liaison": {"huaihe"},
    "enterprise_a": {"huaihe"},
    "enterprise_b": set(),
    "nobody": set(),
}


@pytest.mark.parametrize("persona, expected", EXPECTED_ENTERPRISES.items())
def test_each_role_sees_exactly_its_enterprises(people, register, persona, expected):
    user = getattr(people, persona)
    assert names(enterprises_visible_to(user)) == {register[k].name for k in expected}


@pytest.mark.parametrize("persona", [*EXPECTED_ENTERPRISES, "superuser_enterprise"])
def test_one_enterprise_is_visible_exactly_when_it_is_in_the_list(people, register, persona):
    if persona == "superuser_enterprise":  # sees the whole district, whatever the role says
        user = people.enterprise_b
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    else:
        user = getattr(people, persona)
    visible = set(enterprises_visible_to(user).values_list("pk", flat=True))
    for enterprise in Enterprise.objects.all():
        found = enterprise_visible_to(user, enterprise.pk)
        assert (found == enterprise) == (enterprise.pk in visible), (persona, enterprise.name)


@pytest.mark.parametrize("persona, expected", EXPECTED_PROJECTS.items())
def test_each_role_sees_exactly_its_projects(people, register, persona, expected):
    user = getattr(people, persona)
    assert names(projects_visible_to(user)) == {register["projects"][k].name for k in expected}


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("coordinator", ALL),
        ("street_officer", {"a"}),
        ("park_officer", {"park"}),
        ("enterprise_a", {"a"}),
        ("leader", set()),
        ("clerk", set()),
        ("liaison", set()),
        ("enforcement", set()),
    ],
)
def test_who_may_edit_which_enterprise(people, register, persona, expected):
    user = getattr(people, persona)
    assert names(enterprises_editable_by(user)) == {register[k].name for k in expected}


def test_an_ended_liaison_assignment_ends_the_view(people, register):
    people.liaison.liaison_assignments.update(ended_on="2020-03-01")
    assert not enterprises_visible_to(people.liaison).exists()


def test_an_inactive_account_sees_nothing(people, register):
    people.coordinator.is_active = False
    assert not enterprises_visible_to(people.coordinator).exists()


@pytest.mark.parametrize("persona", ["enterprise_b", "street_officer", "park_officer", "liaison"])
def test_an_enterprise_outside_the_scope_is_not_found_on_page_or_api(
    people, register, login, persona
):
    client = login(getattr(people, persona))
    target = register["b"] if persona != "enterprise_b" else register["a"]
    if persona == "street_officer":
        target = register["park"]
    assert client.get(reverse("enterprises:detail", args=[target.pk])).status_code == 404
    assert client.get(reverse("enterprises:edit", args=[target.pk])).status_code == 404
    assert client.get(reverse("api_enterprise", args=[target.pk])).status_code == 404
    assert client.get(reverse("api_enterprise_history", args=[target.pk])).status_code == 404


def test_enterprise_b_cannot_patch_enterprise_a(people, register, login):
    client = login(people.enterprise_b)
    url = reverse("api_enterprise", args=[register["a"].pk])
    response = client.patch(url, {"contact_person": "李四"}, content_type="application/json")
    assert response.status_code == 404
    assert Enterprise.objects.get(pk=register["a"].pk).contact_person == "张三"


@pytest.mark.parametrize("persona", ["leader", "clerk", "liaison"])
def test_read_only_roles_may_not_edit(people, register, login, persona):
    client = login(getattr(people, persona))
    a = register["a"]
    assert client.get(reverse("enterprises:edit", args=[a.pk])).status_code == 403
    response = client.patch(
        reverse("api_enterprise", args=[a.pk]),
        {"contact_person": "X"},
        content_type="application/json",
    )
    assert response.status_code == 403


REGISTER_READERS = {"leader", "coordinator", "clerk", "street_officer", "park_officer", "liaison"}


@pytest.mark.parametrize("persona, expected", EXPECTED_ENTERPRISES.items())
def test_the_api_list_holds_the_same_scope(people, register, login, persona, expected):
    response = login(getattr(people, persona)).get(reverse("api_enterprises"), {"page_size": 100})
    if persona not in REGISTER_READERS:
        assert response.status_code == 403  # an enterprise uses its own record, not the register
        return
    assert {row["name"] for row in response.json()["results"]} == {
        register[k].name for k in expected
    }


@pytest.mark.parametrize("persona, expected", EXPECTED_ENTERPRISES.items())
def test_the_export_holds_the_same_scope(people, register, login, persona, expected):
    response = login(getattr(people, persona)).get(reverse("enterprises:export"))
    if persona not in REGISTER_READERS:
        assert response.status_code == 403
        return
    file = BytesIO(response.content)
    file.name = "export.xlsx"
    exported = {row["企业名称"] for _n, row in read_table(file).rows}
    assert exported == {register[k].name for k in expected}


def test_leaders_see_phone_numbers_masked_and_coordinators_in_full(people, register, login):
    a = register["a"]
    leader_view = login(people.leader).get(reverse("api_enterprise", args=[a.pk])).json()
    assert leader_view["contact_phone"] == "138****5678"
    coordinator_view = login(people.coordinator).get(reverse("api_enterprise", args=[a.pk]))
    assert coordinator_view.json()["contact_phone"] == "13812345678"

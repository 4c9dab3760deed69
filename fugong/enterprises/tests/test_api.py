import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fugong.conftest import HUAIHE, JIEFANG
from fugong.core.tests.factories import uscc_for
from fugong.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db


def payload(district, **overrides):
    return {
        "name": "郑州接口测试有限公司",
        "uscc": uscc_for(31337).lower(),
        "category": "industry_below",
        "region": district.region(HUAIHE).pk,
        "payroll_headcount": 15,
        **overrides,
    }


def post(client, data, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(reverse("api_enterprises"), data, content_type="application/json", **headers)


def test_a_coordinator_creates_an_enterprise(people, login, district):
    response = post(login(people.coordinator), payload(district))
    assert response.status_code == 201
    body = response.json()
    assert body["uscc"] == uscc_for(31337) and body["region_name"] == "淮河路街道"
    assert body["created_at"].endswith("+08:00")


def test_a_retried_create_with_the_same_key_is_stored_once(people, login, district):
    client = login(people.coordinator)
    first = post(client, payload(district), key="retry-1")
    second = post(client, payload(district), key="retry-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json() and second["Idempotent-Replay"] == "true"
    assert Enterprise.objects.filter(uscc=uscc_for(31337)).count() == 1


def test_reusing_a_key_for_a_different_request_is_a_conflict(people, login, district):
    client = login(people.coordinator)
    post(client, payload(district), key="k")
    response = post(client, payload(district, name="别的企业"), key="k")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_conflict"


def test_errors_have_one_shape_with_a_chinese_message(people, login, district):
    response = post(
        login(people.coordinator),
        payload(district, uscc="91410103MA44XXXX1X", payroll_headcount=-2),
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "field", "errors"}
    fields = {e["field"] for e in body["errors"]}
    assert "payroll_headcount" in fields


def test_a_bad_code_reaches_the_client_as_a_field_error(people, login, district):
    response = post(login(people.coordinator), payload(district, uscc="91410103MA44XXXX1X"))
    assert response.status_code == 400
    assert response.json()["field"] == "uscc"
    assert "校验位错误" in response.json()["message"]


def test_a_street_officer_cannot_create_in_another_street(people, login, district):
    response = post(
        login(people.street_officer), payload(district, region=district.region(JIEFANG).pk)
    )
    assert response.status_code == 400
    assert response.json()["field"] == "region"


def test_an_enterprise_patches_its_own_contacts(people, login):
    a = people.enterprise_a.enterprise
    client = login(people.enterprise_a)
    response = client.patch(
        reverse("api_enterprise", args=[a.pk]),
        {"contact_person": "王经理"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["contact_person"] == "王经理"
    refused = client.patch(
        reverse("api_enterprise", args=[a.pk]),
        {"category": "industry_above"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and refused.json()["field"] == "category"


def test_history_is_available_through_the_api(people, login):
    a = people.enterprise_a.enterprise
    client = login(people.coordinator)
    client.patch(
        reverse("api_enterprise", args=[a.pk]),
        {"payroll_headcount": 99},
        content_type="application/json",
    )
    [latest, *_older] = client.get(reverse("api_enterprise_history", args=[a.pk])).json()
    assert latest["who"] == "coordinator"
    assert latest["changes"] == [
        {"label": "企业等级", "old": "—", "new": "B"},  # the rules read the headcount
        {"label": "在册职工人数", "old": "20", "new": "99"},
    ]


def test_the_list_filters_like_the_page(people, login):
    response = login(people.coordinator).get(reverse("api_enterprises"), {"q": "jfjx"})
    assert [e["name"] for e in response.json()["results"]] == ["郑州甲方机械有限公司"]


def test_import_through_the_api_dry_run_then_for_real(people, login):
    client = login(people.coordinator)
    csv = "企业名称,统一社会信用代码,企业类别,所属街道\n郑州接口导入有限公司,{},规下服务业,淮河路街道\n"
    content = csv.format(uscc_for(999)).encode()
    dry = client.post(
        reverse("api_enterprise_import"),
        {"file": SimpleUploadedFile("r.csv", content), "dry_run": "true"},
    )
    assert dry.status_code == 200 and dry.json()["created"] == 1
    assert not Enterprise.objects.filter(uscc=uscc_for(999)).exists()
    real = client.post(
        reverse("api_enterprise_import"), {"file": SimpleUploadedFile("r.csv", content)}
    )
    assert real.status_code == 201
    assert Enterprise.objects.filter(uscc=uscc_for(999)).exists()


def test_a_refused_import_lists_row_errors_in_the_error_shape(people, login):
    client = login(people.coordinator)
    content = "企业名称,统一社会信用代码,企业类别,所属街道\n甲,123,规下服务业,淮河路街道\n".encode()
    response = client.post(
        reverse("api_enterprise_import"), {"file": SimpleUploadedFile("r.csv", content)}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_refused"
    assert body["errors"][0]["row"] == 2 and body["errors"][0]["field"] == "统一社会信用代码"


def test_the_openapi_schema_is_served(people, login):
    response = login(people.coordinator).get(reverse("schema"))
    assert response.status_code == 200
    assert b"/api/v1/enterprises/" in response.content


def test_the_api_requires_login(client, district):
    response = client.get(reverse("api_enterprises"))
    assert response.status_code == 401  # WWW-Authenticate: Bearer
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("officer", ["-1.18e+91", "99999999999999999999999", "0", "abc"])
def test_an_id_filter_out_of_range_is_a_bad_request(people, login, officer):
    response = login(people.coordinator).get(
        reverse("api_liaison_assignments"), {"officer": officer}
    )
    assert response.status_code == 400 and response.json()["field"] == "officer"

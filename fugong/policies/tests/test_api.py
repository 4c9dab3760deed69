"""The API: the same services and scoping as the pages, one error shape, Idempotency-Key."""

import json
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from fugong.policies import services
from fugong.policies.models import Application, Objection, Policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def as_user(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return as_user


def body(policy_desk, **values):
    return {
        "title": "规上工业企业复工奖励（示例）",
        "issuer": "二七区人民政府",
        "level": "district",
        "kind": "subsidy",
        "summary": "规上工业企业复工复产奖励。",
        "department": policy_desk.rs.pk,
        "effective_on": "2020-02-10",
        "mode": "auto_grant",
        "benefit_kind": "fixed",
        "benefit_amount": "50000",
        "rule": {"all": [{"attr": "category", "op": "eq", "value": "industry_above"}]},
        **values,
    }


def test_a_policy_is_registered_with_its_rule_and_a_bad_node_is_named(api, people, policy_desk):
    client = api(policy_desk.rs_clerk)
    bad = body(policy_desk, rule={"all": [{"attr": "category", "op": "gte", "value": 3}]})
    response = client.post("/api/v1/policies/", bad, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "rule"
    assert response.json()["message"] == "条件1：「企业类别」不能用「≥」比较"
    created = client.post(
        "/api/v1/policies/", body(policy_desk), format="json", HTTP_IDEMPOTENCY_KEY="p-1"
    )
    again = client.post(
        "/api/v1/policies/", body(policy_desk), format="json", HTTP_IDEMPOTENCY_KEY="p-1"
    )
    assert created.status_code == again.status_code == 201
    assert Policy.objects.count() == 1
    assert created.json()["conditions"] == "企业类别=规上工业"
    assert (
        api(people.clerk).post("/api/v1/policies/", body(policy_desk), format="json").status_code
        == 400
    )


def test_publish_explain_and_matches(api, make_policy, people, policy_desk):
    policy = make_policy(rule={"all": [{"attr": "payroll_headcount", "op": "gte", "value": 50}]})
    client = api(policy_desk.rs_clerk)
    published = client.post(f"/api/v1/policies/{policy.pk}/publish/")
    assert published.status_code == 200 and published.json()["policy"]["status"] == "published"
    explained = api(people.coordinator).get(
        f"/api/v1/policies/{policy.pk}/explain/", {"enterprise": people.enterprise_a.enterprise_id}
    )
    assert explained.json()["verdict"] == "不符合：用工人数≥50人（实际20人）"
    own = api(people.enterprise_a).get(f"/api/v1/policies/{policy.pk}/explain/")
    assert own.json()["met"] is False
    other = api(people.enterprise_b).get(
        f"/api/v1/policies/{policy.pk}/explain/", {"enterprise": people.enterprise_a.enterprise_id}
    )
    assert other.status_code == 404
    assert (
        api(people.coordinator).get(f"/api/v1/policies/{policy.pk}/matches/").json()["count"] == 0
    )
    attributes = api(people.leader).get("/api/v1/policy-rule-attributes/").json()
    assert {"key": "workforce_rate", "kind": "percent"}.items() <= attributes[-1].items()


def test_an_enterprise_applies_and_the_department_approves_over_the_api(
    api, make_policy, people, policy_desk
):
    policy = make_policy(publish=True)
    a = api(people.enterprise_a)
    payload = {"policy": policy.pk, "statement": "未裁员"}
    first = a.post("/api/v1/policy-applications/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k")
    second = a.post(
        "/api/v1/policy-applications/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert first.status_code == second.status_code == 201
    assert Application.objects.count() == 1
    pk = first.json()["id"]
    assert first.json()["actions"] == ["withdraw"]
    assert api(people.enterprise_b).get(f"/api/v1/policy-applications/{pk}/").status_code == 404
    assert api(people.enterprise_b).get("/api/v1/policy-applications/").json()["count"] == 0
    clerk = api(policy_desk.rs_clerk)
    refused = clerk.post(f"/api/v1/policy-applications/{pk}/reject/", {"reason": ""}, format="json")
    assert refused.status_code == 400 and refused.json()["field"] == "reason"
    wrong = clerk.post(f"/api/v1/policy-applications/{pk}/pay/", {}, format="json")
    assert wrong.status_code == 400 and "不能兑现" in wrong.json()["message"]
    approved = clerk.post(f"/api/v1/policy-applications/{pk}/approve/", {}, format="json")
    assert approved.json()["approved_amount"] == "10000.00"
    leader_view = api(people.leader).get(f"/api/v1/policy-applications/{pk}/").json()
    assert leader_view["prefilled"]["contact_phone"].count("*") == 4  # masked for a leader
    figures = api(people.leader).get("/api/v1/policy-figures/").json()
    assert figures["total"]["matched"] == 2 and figures["total"]["approved"] == 1


def test_the_payout_list_over_the_api_and_a_public_objection(api, make_policy, people, policy_desk):
    grant = make_policy(
        publish=True, mode="auto_grant", benefit_kind="fixed", benefit_amount=Decimal(3000)
    )
    clerk = api(policy_desk.rs_clerk)
    created = clerk.post("/api/v1/payout-batches/", {"policy": grant.pk}, format="json")
    assert created.status_code == 201 and created.json()["total"] == "6000.00"
    pk = created.json()["id"]
    assert created.json()["line_count"] == 2 and "lines" not in created.json()
    lines = clerk.get(f"/api/v1/payout-batches/{pk}/lines/", {"page_size": 1}).json()
    assert lines["count"] == 2 and len(lines["results"]) == 1 and lines["next"]
    assert lines["results"][0]["amount"] == "3000.00"
    anonymous = api()
    objection = {"name": "赵六", "phone": "13912345678", "content": "名单有误"}
    assert anonymous.post(f"/api/v1/public/notices/{pk}/objections/", objection).status_code == 404
    clerk.post(f"/api/v1/payout-batches/{pk}/notice/", {}, format="json")
    filed = anonymous.post(f"/api/v1/public/notices/{pk}/objections/", objection, format="json")
    assert filed.status_code == 201
    handled = clerk.post(
        f"/api/v1/objections/{Objection.objects.get().pk}/handle/",
        {"uphold": False, "reply": "名单无误"},
        format="json",
    )
    assert handled.json()["status"] == "dismissed"
    withdrawn = clerk.post(
        f"/api/v1/objections/{Objection.objects.get().pk}/withdraw/",
        {"note": "异议人来电撤回"},
        format="json",
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    confirm = clerk.post(f"/api/v1/payout-batches/{pk}/confirm/", {}, format="json")
    assert confirm.status_code == 400 and "期满后才能确认" in confirm.json()["message"]
    assert api(people.clerk).get(f"/api/v1/payout-batches/{pk}/").status_code == 404
    public = anonymous.get("/api/v1/public/policies/", {"q": "wgbt"})
    assert public.status_code == 200 and public.json()["count"] == 1


def test_the_library_list_is_scoped(api, make_policy, people):
    make_policy(title="草稿")
    make_policy(title="已发布", publish=True)
    titles = lambda user: {p["title"] for p in api(user).get("/api/v1/policies/").json()["results"]}  # noqa: E731
    assert titles(people.coordinator) == {"草稿", "已发布"}
    assert titles(people.enterprise_a) == titles(people.clerk) == {"已发布"}
    services.policy_expire(actor=people.coordinator, policy=Policy.objects.get(title="已发布"))
    assert titles(people.enterprise_b) == {"已发布"}  # expired policies stay readable


def test_a_rule_too_deep_or_too_large_is_a_400_naming_the_limit(api, policy_desk):
    client = api(policy_desk.rs_clerk)
    leaf = {"attr": "payroll_headcount", "op": "gte", "value": 50}
    large = body(policy_desk, rule={"all": [leaf] * 51})
    response = client.post("/api/v1/policies/", large, format="json")
    assert response.status_code == 400 and response.json()["field"] == "rule"
    assert response.json()["message"] == "条件51：条件过多（最多50项）"
    for depth in (300, 600, 900, 5000):  # within and beyond what Python's JSON parser recurses
        deep = '{"not": ' * depth + '{"all": []}' + "}" * depth
        raw = json.dumps(body(policy_desk, rule=None)).replace('"rule": null', f'"rule": {deep}')
        response = client.post(
            "/api/v1/policies/",
            raw,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"deep-{depth}",
        )
        assert response.status_code == 400, depth
        assert "过多" in response.json()["message"] or "过深" in response.json()["message"]
    assert not Policy.objects.exists()

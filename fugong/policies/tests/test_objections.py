"""Objections to a noticed payout list: upheld takes the enterprise off, dismissed (or an upheld
one reconsidered, or withdrawn) puts it back; every step says who and when; the finance sheet is
the current list. Filing needs no login, so it is idempotent and limited."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from fugong.policies import exports, services
from fugong.policies.models import Objection

pytestmark = pytest.mark.django_db


@pytest.fixture
def noticed(make_policy, policy_desk, people):
    grant = make_policy(
        publish=True, mode="auto_grant", benefit_kind="fixed", benefit_amount=Decimal(2000)
    )
    batch = services.payout_batch_create(actor=policy_desk.rs_clerk, policy=grant)
    services.payout_notice_start(actor=policy_desk.rs_clerk, batch=batch)
    return batch, batch.lines.get(enterprise=people.enterprise_b.enterprise)


def listed(batch) -> set[str]:
    sheet = load_workbook(io.BytesIO(exports.payout_workbook(batch))).active
    return {row[1] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}


def file(batch, line, phone="13912345678", **values):
    return services.objection_file(
        batch=batch, line=line, name="王五", phone=phone, content="该企业已迁出", **values
    )


def test_upheld_takes_off_dismissed_on_review_puts_back_each_step_recorded(
    noticed, people, policy_desk
):
    batch, line = noticed
    clerk, name = policy_desk.rs_clerk, people.enterprise_b.enterprise.name
    objection = file(batch, line)
    services.objection_handle(actor=clerk, objection=objection, uphold=True, reply="核实已迁出")
    line.refresh_from_db()
    assert line.excluded and name not in listed(batch)
    services.objection_handle(
        actor=people.coordinator, objection=objection, uphold=False, reply="复核：仍在辖区经营"
    )
    line.refresh_from_db()
    objection.refresh_from_db()
    assert not line.excluded and line.excluded_reason == "" and name in listed(batch)
    assert objection.status == "dismissed" and objection.handled_by == people.coordinator
    steps = [(s.action, s.actor) for s in objection.steps.all()]
    assert steps == [("file", None), ("uphold", clerk), ("dismiss", people.coordinator)]
    assert all(s.at for s in objection.steps.all())
    with pytest.raises(ValidationError, match="已是「异议不成立」"):
        services.objection_handle(actor=clerk, objection=objection, uphold=False, reply="再次")


def test_an_upheld_objection_withdrawn_puts_the_enterprise_back(noticed, people, policy_desk):
    batch, line = noticed
    clerk = policy_desk.rs_clerk
    objection = file(batch, line)
    services.objection_handle(actor=clerk, objection=objection, uphold=True, reply="核实已迁出")
    services.objection_withdraw(actor=clerk, objection=objection, note="异议人来电撤回")
    line.refresh_from_db()
    assert not line.excluded and people.enterprise_b.enterprise.name in listed(batch)
    assert [s.action for s in objection.steps.all()] == ["file", "uphold", "withdraw"]
    with pytest.raises(ValidationError, match="已撤回"):
        services.objection_handle(actor=clerk, objection=objection, uphold=True, reply="x")


def test_the_line_stays_off_while_another_upheld_objection_stands(noticed, policy_desk):
    batch, line = noticed
    clerk = policy_desk.rs_clerk
    first, second = file(batch, line), file(batch, line, phone="13712345678")
    services.objection_handle(actor=clerk, objection=first, uphold=True, reply="已迁出")
    services.objection_handle(actor=clerk, objection=second, uphold=True, reply="已停业")
    services.objection_withdraw(actor=clerk, objection=first, note="撤回")
    line.refresh_from_db()
    assert line.excluded and line.excluded_reason == "已停业"


def test_nothing_changes_once_the_list_is_confirmed(noticed, policy_desk):
    from datetime import timedelta

    from django.utils import timezone

    from fugong.policies.models import PayoutBatch

    batch, line = noticed
    clerk = policy_desk.rs_clerk
    objection = file(batch, line)
    services.objection_handle(actor=clerk, objection=objection, uphold=True, reply="已迁出")
    PayoutBatch.objects.filter(pk=batch.pk).update(
        notice_ends_at=timezone.now() - timedelta(minutes=1)
    )
    services.payout_confirm(actor=clerk, batch=batch)
    with pytest.raises(ValidationError, match="清单已确认"):
        services.objection_withdraw(actor=clerk, objection=objection, note="撤回")
    with pytest.raises(ValidationError, match="清单已确认"):
        services.objection_handle(actor=clerk, objection=objection, uphold=False, reply="复核")


def test_the_same_submitter_on_the_same_enterprise_files_one_objection(noticed):
    batch, line = noticed
    first = file(batch, line, phone="139 1234 5678")
    again = file(batch, line, phone="13912345678")
    assert again.pk == first.pk and Objection.objects.count() == 1
    assert [s.action for s in first.steps.all()] == ["file"]
    keyed = file(batch, None, idempotency_key="k-1")
    assert file(batch, None, phone="13712345678", idempotency_key="k-1").pk == keyed.pk
    assert Objection.objects.count() == 2


def test_one_phone_or_one_client_cannot_flood_a_list(noticed, make_policy, policy_desk):
    from fugong.policies.services.payouts import MAX_OBJECTIONS_PER_CLIENT_HOUR

    batch, _line = noticed
    for i in range(MAX_OBJECTIONS_PER_CLIENT_HOUR):
        services.objection_file(
            batch=batch, name="甲", phone=f"1391234{i:04d}", content=f"第{i}条", client="c-1"
        )
    with pytest.raises(ValidationError) as caught:
        services.objection_file(
            batch=batch, name="甲", phone="13800000000", content="又一条", client="c-1"
        )
    assert caught.value.code == "throttled" and "过于频繁" in caught.value.messages[0]
    assert Objection.objects.count() == MAX_OBJECTIONS_PER_CLIENT_HOUR


def test_the_public_api_replays_an_idempotency_key_and_says_429_when_flooded(noticed):
    from fugong.policies.services.payouts import MAX_OBJECTIONS_PER_CLIENT_HOUR

    batch, line = noticed
    url = f"/api/v1/public/notices/{batch.pk}/objections/"
    anonymous = APIClient()
    body = {"name": "赵六", "phone": "13912345678", "content": "名单有误", "line": line.pk}
    first = anonymous.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="obj-1")
    again = anonymous.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="obj-1")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"] and Objection.objects.count() == 1
    for i in range(MAX_OBJECTIONS_PER_CLIENT_HOUR):
        anonymous.post(url, {**body, "phone": f"1371234{i:04d}", "line": None}, format="json")
    flooded = anonymous.post(url, {**body, "phone": "13800000000", "line": None}, format="json")
    assert flooded.status_code == 429 and flooded.json()["code"] == "throttled"


def test_the_page_reconsiders_and_withdraws(client, noticed, people, policy_desk):
    batch, line = noticed
    objection = file(batch, line)
    client.force_login(policy_desk.rs_clerk)
    handle = reverse("policies:objection_handle", args=[objection.pk])
    client.post(handle, {"uphold": "1", "reply": "核实已迁出"})
    page = client.get(reverse("policies:batch_detail", args=[batch.pk])).content.decode()
    assert "改判" in page and "登记撤回" in page
    client.post(reverse("policies:objection_withdraw", args=[objection.pk]), {"note": "来电撤回"})
    objection.refresh_from_db()
    line.refresh_from_db()
    assert objection.status == "withdrawn" and not line.excluded
    page = client.get(reverse("policies:batch_detail", args=[batch.pk])).content.decode()
    assert "来电撤回" in page

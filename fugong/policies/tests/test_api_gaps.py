"""What the pages do, the API does too: reading a policy records it as read, an enterprise's
eligible and received list (scoped), the public notice (公示) list and lines without login, and
personal data masked, its unmasked display recorded."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from fugong.core.models import PersonalDataAccess
from fugong.policies import services
from fugong.policies.models import PayoutBatch, PolicyMatch

pytestmark = pytest.mark.django_db


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_an_enterprise_reading_a_policy_through_the_api_is_recorded(make_policy, people):
    policy = make_policy(publish=True)
    api(people.coordinator).get(f"/api/v1/policies/{policy.pk}/")
    assert not PolicyMatch.objects.filter(read_at__isnull=False).exists()
    assert api(people.enterprise_a).get(f"/api/v1/policies/{policy.pk}/").status_code == 200
    read = PolicyMatch.objects.filter(policy=policy, read_at__isnull=False)
    assert list(read.values_list("enterprise_id", flat=True)) == [people.enterprise_a.enterprise_id]


def test_an_enterprise_s_eligible_and_received_list_is_scoped(make_policy, people, policy_desk):
    clerk = policy_desk.rs_clerk
    policy = make_policy(publish=True)
    application = services.application_submit(
        actor=people.enterprise_a, policy=policy, statement="申请"
    )
    services.application_approve(actor=clerk, application=application)
    services.application_pay(actor=clerk, application=application)
    a, b = people.enterprise_a.enterprise_id, people.enterprise_b.enterprise_id
    own = api(people.enterprise_a).get(f"/api/v1/enterprises/{a}/policies/")
    assert own.status_code == 200
    data = own.json()
    assert [e["policy"] for e in data["eligible"]] == [policy.pk]
    assert (
        data["received"][0]["amount"] == "10000.00" and data["received"][0]["policy"] == policy.pk
    )
    assert api(people.enterprise_a).get(f"/api/v1/enterprises/{b}/policies/").status_code == 404
    assert api(people.liaison).get(f"/api/v1/enterprises/{a}/policies/").status_code == 200
    assert api(people.park_officer).get(f"/api/v1/enterprises/{a}/policies/").status_code == 404
    assert api().get(f"/api/v1/enterprises/{a}/policies/").status_code in (401, 403)


def test_the_public_notices_and_their_lines_need_no_login(make_policy, people, policy_desk):
    clerk = policy_desk.rs_clerk
    grant = make_policy(
        publish=True, mode="auto_grant", benefit_kind="fixed", benefit_amount=Decimal(2000)
    )
    batch = services.payout_batch_create(actor=clerk, policy=grant)
    anonymous = api()
    assert anonymous.get("/api/v1/public/notices/").json()["count"] == 0
    assert anonymous.get(f"/api/v1/public/notices/{batch.pk}/").status_code == 404
    services.payout_notice_start(actor=clerk, batch=batch)
    listing = anonymous.get("/api/v1/public/notices/").json()
    assert listing["count"] == 1 and listing["results"][0]["policy_title"] == grant.title
    detail = anonymous.get(f"/api/v1/public/notices/{batch.pk}/").json()
    assert detail["total"] == "4000.00" and detail["open"] is True and detail["enterprises"] == 2
    lines = anonymous.get(f"/api/v1/public/notices/{batch.pk}/lines/").json()
    assert lines["count"] == 2
    assert set(lines["results"][0]) == {"id", "enterprise_name", "amount"}  # no USCC, no basis
    line_b = batch.lines.get(enterprise=people.enterprise_b.enterprise)
    objection = services.objection_file(
        batch=batch, line=line_b, name="王五", phone="13912345678", content="已迁出"
    )
    services.objection_handle(actor=clerk, objection=objection, uphold=True, reply="核实")
    lines = anonymous.get(f"/api/v1/public/notices/{batch.pk}/lines/").json()
    assert [r["enterprise_name"] for r in lines["results"]] == [people.enterprise_a.enterprise.name]
    PayoutBatch.objects.filter(pk=batch.pk).update(
        notice_ends_at=timezone.now() - timedelta(minutes=1)
    )
    assert anonymous.get(f"/api/v1/public/notices/{batch.pk}/").json()["open"] is False


def test_personal_data_is_masked_in_the_api_and_its_unmasked_display_recorded(
    make_policy, people, policy_desk
):
    clerk = policy_desk.rs_clerk
    policy = make_policy(publish=True)
    application = services.application_submit(
        actor=people.enterprise_a, policy=policy, statement="申请"
    )
    phone = application.prefilled["contact_phone"]
    assert phone
    shown = api(people.leader).get(f"/api/v1/policy-applications/{application.pk}/").json()
    assert shown["prefilled"]["contact_phone"] != phone  # the leader reads it masked
    assert not PersonalDataAccess.objects.exists()
    shown = api(clerk).get(f"/api/v1/policy-applications/{application.pk}/").json()
    assert shown["prefilled"]["contact_phone"] == phone
    assert PersonalDataAccess.objects.filter(user=clerk, object_id=application.pk).exists()
    api(people.coordinator).get("/api/v1/policy-applications/")
    assert PersonalDataAccess.objects.filter(user=people.coordinator).exists()

    grant = make_policy(
        publish=True, mode="auto_grant", benefit_kind="fixed", benefit_amount=Decimal(100)
    )
    batch = services.payout_batch_create(actor=clerk, policy=grant)
    services.payout_notice_start(actor=clerk, batch=batch)
    services.objection_file(batch=batch, name="王五", phone="13912345678", content="有误")
    masked = api(clerk).get(f"/api/v1/payout-batches/{batch.pk}/").json()
    assert masked["objections"][0]["phone"] != "13912345678"
    api(people.coordinator).get(f"/api/v1/payout-batches/{batch.pk}/")
    assert PersonalDataAccess.objects.filter(user=people.coordinator, object_id=batch.pk).exists()

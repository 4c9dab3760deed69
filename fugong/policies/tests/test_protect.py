"""Nothing the figures are made of goes with a deleted row: a policy that was matched, applied
for or paid cannot be deleted (it expires instead), nor can an enterprise that was matched, and
the back office offers no delete either."""

from decimal import Decimal

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from fugong.core.models import User
from fugong.enterprises.models import Enterprise
from fugong.enterprises.tests.factories import EnterpriseFactory
from fugong.policies import services
from fugong.policies.models import Objection, PayoutBatch, PayoutLine, Policy, PolicyMatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def noticed(make_policy, policy_desk):
    shop = EnterpriseFactory()
    grant = make_policy(
        publish=True, mode="auto_grant", benefit_kind="fixed", benefit_amount=Decimal(1000)
    )
    batch = services.payout_batch_create(actor=policy_desk.rs_clerk, policy=grant)
    services.payout_notice_start(actor=policy_desk.rs_clerk, batch=batch)
    line = batch.lines.get(enterprise=shop)
    services.objection_file(
        batch=batch, line=line, name="张三", phone="13812345678", content="已停业"
    )
    return grant, batch, line


def test_a_matched_policy_or_enterprise_cannot_be_deleted(make_policy, people):
    shop = EnterpriseFactory()  # no account, no report: only its match holds it
    policy = make_policy(publish=True)
    assert PolicyMatch.objects.filter(policy=policy).count() == 3
    with pytest.raises(ProtectedError):
        Policy.objects.filter(pk=policy.pk).delete()
    with pytest.raises(ProtectedError):
        shop.delete()
    assert PolicyMatch.objects.filter(policy=policy).count() == 3


def test_a_payout_list_its_lines_and_objections_cannot_be_deleted(noticed):
    grant, batch, line = noticed
    for queryset in (
        Policy.objects.filter(pk=grant.pk),
        PayoutBatch.objects.filter(pk=batch.pk),
        PayoutLine.objects.filter(pk=line.pk),
        Enterprise.objects.filter(pk=line.enterprise_id),
    ):
        with pytest.raises(ProtectedError):
            queryset.delete()
    assert Objection.objects.get().line_id == line.pk


def test_an_applied_policy_cannot_be_deleted(make_policy, people):
    policy = make_policy(publish=True)
    services.application_submit(actor=people.enterprise_a, policy=policy, statement="申请")
    with pytest.raises(ProtectedError):
        Policy.objects.filter(pk=policy.pk).delete()


def test_the_back_office_deletes_no_matched_enterprise_and_no_policy(client, make_policy, people):
    enterprise = EnterpriseFactory()
    policy = make_policy(publish=True)
    admin = User.objects.create_superuser(username="root", password="x-very-long-pass-1")
    client.force_login(admin)
    url = reverse("admin:enterprises_enterprise_delete", args=[enterprise.pk])
    page = client.get(url)
    assert page.status_code == 200 and "政策匹配" in page.content.decode()  # protected, listed
    assert client.post(url, {"post": "yes"}).status_code in (200, 403)  # refused either way
    assert Enterprise.objects.filter(pk=enterprise.pk).exists()
    url = reverse("admin:policies_policy_delete", args=[policy.pk])
    assert client.post(url, {"post": "yes"}).status_code in (200, 403)  # refused either way
    assert Policy.objects.filter(pk=policy.pk).exists()

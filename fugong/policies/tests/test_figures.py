"""应享尽享 (paid ÷ matched) means the same on the figures page, in its sheet and in the API: an
apply policy's paid are its paid applications, an auto-grant policy's the enterprises on a
payout list marked paid; a relief that pays nothing stays out of the total's rate; an enterprise
paid whose match has since ended still counts as entitled. The chase list leaves out whoever
applied or is on a payout list."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from fugong.enterprises.models import Enterprise
from fugong.enterprises.tests.factories import EnterpriseFactory
from fugong.policies import services
from fugong.policies.models import PayoutBatch
from fugong.policies.selectors import not_applied, take_up_figures

pytestmark = pytest.mark.django_db

SMALL = {"all": [{"attr": "payroll_headcount", "op": "lt", "value": 50}]}


def pay_application(people, policy, clerk, user=None):
    application = services.application_submit(
        actor=user or people.enterprise_a, policy=policy, statement="申请"
    )
    services.application_approve(actor=clerk, application=application)
    return services.application_pay(actor=clerk, application=application)


def pay_list(policy, clerk):
    batch = services.payout_batch_create(actor=clerk, policy=policy)
    services.payout_notice_start(actor=clerk, batch=batch)
    PayoutBatch.objects.filter(pk=batch.pk).update(
        notice_ends_at=timezone.now() - timedelta(minutes=1)
    )
    services.payout_confirm(actor=clerk, batch=batch)
    return services.payout_mark_paid(actor=clerk, batch=batch)


def everywhere(client, people):
    """The total's rate as the page, the sheet and the API give it."""
    client.force_login(people.coordinator)
    page = client.get(reverse("policies:figures")).content.decode()
    total_row = page[page.index('data-testid="total"') :]
    sheet = load_workbook(io.BytesIO(client.get(reverse("policies:figures_export")).content)).active
    api = APIClient()
    api.force_authenticate(people.coordinator)
    figures = api.get("/api/v1/policy-figures/").json()
    return total_row, sheet.cell(sheet.max_row, 11).value, figures


def test_a_relief_that_pays_nothing_stays_out_of_the_total_rate(
    client, make_policy, people, policy_desk
):
    clerk = policy_desk.rs_clerk
    cash = make_policy(publish=True, title="稳岗补贴")
    relief = make_policy(
        publish=True, title="社保减免", benefit_kind="none", benefit_amount=None, benefit_cap=None
    )
    pay_application(people, cash, clerk)
    pay_application(people, relief, clerk)
    pay_application(people, relief, clerk, user=people.enterprise_b)
    _rows, total = take_up_figures(people.coordinator)
    assert total.take_up_text == "50.0%" and total.take_up_rate == 0.5
    page, sheet, api = everywhere(client, people)
    assert "50.0%" in page[:2000] and sheet == "50.0%"
    assert api["total"]["take_up_rate"] == 0.5 and api["total"]["take_up_text"] == "50.0%"


def test_an_enterprise_paid_whose_match_ended_still_counts_as_entitled(
    client, make_policy, people, policy_desk
):
    clerk = policy_desk.rs_clerk
    policy = make_policy(publish=True)
    pay_application(people, policy, clerk)
    pay_application(people, policy, clerk, user=people.enterprise_b)
    Enterprise.objects.filter(pk=people.enterprise_a.enterprise_id).update(payroll_headcount=90)
    policy.rule = SMALL
    services.policy_update(actor=people.coordinator, policy=policy)  # A no longer matches
    [row], _total = take_up_figures(people.coordinator)
    assert row.paid == 2 and row.matched == 2  # B matched, A paid before its match ended
    assert row.take_up_text == "100%" and row.take_up_rate == 1.0
    _page, sheet, api = everywhere(client, people)
    assert sheet == "100%" and api["total"]["take_up_rate"] == 1.0
    assert api["policies"][0]["matched"] == 2


def test_an_auto_grant_policy_is_paid_when_its_list_is_marked_paid(
    make_policy, people, policy_desk
):
    clerk = policy_desk.rs_clerk
    grant = make_policy(
        publish=True, mode="auto_grant", benefit_kind="fixed", benefit_amount=Decimal(1000)
    )
    batch = services.payout_batch_create(actor=clerk, policy=grant)
    [row], _total = take_up_figures(people.coordinator)
    assert row.paid == 0
    assert not not_applied(grant, people.coordinator).exists()  # both are on the list
    newcomer = EnterpriseFactory(payroll_headcount=5)
    services.policy_rematch(policy=grant, trigger="manual", actor=clerk)
    chase = not_applied(grant, people.coordinator)
    assert list(chase.values_list("enterprise_id", flat=True)) == [newcomer.pk]
    services.payout_notice_start(actor=clerk, batch=batch)
    PayoutBatch.objects.filter(pk=batch.pk).update(
        notice_ends_at=timezone.now() - timedelta(minutes=1)
    )
    services.payout_confirm(actor=clerk, batch=batch)
    services.payout_mark_paid(actor=clerk, batch=batch)
    [row], _total = take_up_figures(people.coordinator)
    assert (row.matched, row.paid, row.amount) == (3, 2, Decimal("2000.00"))


def test_the_chase_list_leaves_out_who_applied_or_was_paid(make_policy, people, policy_desk):
    policy = make_policy(publish=True)
    waiting = EnterpriseFactory(payroll_headcount=5)
    services.policy_rematch(policy=policy, trigger="manual", actor=people.coordinator)
    pay_application(people, policy, policy_desk.rs_clerk)
    services.application_submit(actor=people.enterprise_b, policy=policy, statement="申请")
    chase = not_applied(policy, people.coordinator)
    assert list(chase.values_list("enterprise_id", flat=True)) == [waiting.pk]

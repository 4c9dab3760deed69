"""免申即享: the payout list's amounts (with caps), its public notice and objection window,
objections upheld or dismissed, confirmation after the window, and payment."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from fugong.enterprises.models import Enterprise
from fugong.enterprises.tests.factories import EnterpriseFactory
from fugong.policies import exports, services
from fugong.policies.models import PayoutBatch
from fugong.policies.selectors import take_up_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def grant(make_policy, people):
    Enterprise.objects.filter(pk=people.enterprise_a.enterprise_id).update(payroll_headcount=80)
    return make_policy(
        publish=True,
        mode="auto_grant",
        title="复工稳岗补贴（示例）",
        benefit_kind="per_worker",
        benefit_amount=Decimal("300"),
        benefit_cap=Decimal("20000"),
    )


def test_the_list_has_each_match_with_its_amount_and_basis_capped(grant, people, policy_desk):
    batch = services.payout_batch_create(actor=policy_desk.rs_clerk, policy=grant)
    lines = {line.enterprise.name: line for line in batch.lines.select_related("enterprise")}
    a, b = people.enterprise_a.enterprise.name, people.enterprise_b.enterprise.name
    assert lines[a].amount == Decimal("20000.00")  # 80 × 300 = 24,000, capped
    assert lines[a].basis == "在册职工80人×300元=24,000元，按上限20,000元"
    assert lines[b].amount == Decimal("6000.00")  # 20 × 300
    assert services.batch_total(batch) == Decimal("26000.00")
    sheet = load_workbook(io.BytesIO(exports.payout_workbook(batch))).active
    header = [c.value for c in sheet[1]]
    assert header == ["序号", "企业名称", "统一社会信用代码", "所属街道", "金额（元）", "计算依据"]
    assert sheet.cell(sheet.max_row, 5).value == 26000


def test_notice_objection_upheld_confirm_and_pay(grant, people, policy_desk):
    clerk = policy_desk.rs_clerk
    batch = services.payout_batch_create(actor=clerk, policy=grant)
    with pytest.raises(ValidationError, match="不在公示期内"):
        services.objection_file(batch=batch, name="张三", phone="13812345678", content="x")
    services.payout_notice_start(actor=clerk, batch=batch)
    batch.refresh_from_db()
    assert batch.status == "notice" and batch.notice_ends_at > batch.notice_starts_at
    line_b = batch.lines.get(enterprise=people.enterprise_b.enterprise)
    with pytest.raises(ValidationError) as caught:
        services.objection_file(batch=batch, name="张三", phone="123", content="已停业")
    assert "phone" in caught.value.message_dict
    objection = services.objection_file(
        batch=batch, line=line_b, name="张三", phone="138 1234 5678", content="该店已停业两个月"
    )
    assert objection.phone == "13812345678"
    with pytest.raises(ValidationError, match="公示期至"):
        services.payout_confirm(actor=clerk, batch=batch)
    PayoutBatch.objects.filter(pk=batch.pk).update(
        notice_ends_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(ValidationError, match="未处理的异议"):
        services.payout_confirm(actor=clerk, batch=batch)
    with pytest.raises(PermissionDenied):
        services.objection_handle(actor=people.clerk, objection=objection, uphold=True, reply="x")
    services.objection_handle(actor=clerk, objection=objection, uphold=True, reply="核实已停业")
    line_b.refresh_from_db()
    assert line_b.excluded and line_b.excluded_reason == "核实已停业"
    services.payout_confirm(actor=clerk, batch=batch)
    services.payout_mark_paid(actor=clerk, batch=batch)
    batch.refresh_from_db()
    assert batch.status == "paid" and batch.paid_on == timezone.localdate()
    [row], total = take_up_figures(people.coordinator)
    assert (row.matched, row.paid, row.amount) == (2, 1, Decimal("20000.00"))
    assert row.take_up_text == "50.0%" and total.paid == 1


def test_an_objection_after_the_window_is_refused(grant, policy_desk):
    batch = services.payout_batch_create(actor=policy_desk.rs_clerk, policy=grant)
    services.payout_notice_start(actor=policy_desk.rs_clerk, batch=batch)
    PayoutBatch.objects.filter(pk=batch.pk).update(
        notice_ends_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(ValidationError, match="不在公示期内"):
        services.objection_file(batch=batch, name="李四", phone="13812345678", content="晚了")


def test_one_list_at_a_time_and_an_enterprise_is_listed_once(grant, people, policy_desk):
    clerk = policy_desk.rs_clerk
    batch = services.payout_batch_create(actor=clerk, policy=grant)
    with pytest.raises(ValidationError, match="请先处理完毕"):
        services.payout_batch_create(actor=clerk, policy=grant)
    services.payout_notice_start(actor=clerk, batch=batch)
    PayoutBatch.objects.filter(pk=batch.pk).update(
        notice_ends_at=timezone.now() - timedelta(minutes=1)
    )
    services.payout_confirm(actor=clerk, batch=batch)
    newcomer = EnterpriseFactory(name="郑州新来商贸有限公司")
    services.policy_rematch(policy=grant, trigger="manual", actor=clerk)
    second = services.payout_batch_create(actor=clerk, policy=grant)
    assert list(second.lines.values_list("enterprise__name", flat=True)) == [newcomer.name]


def test_an_apply_policy_or_a_draft_has_no_payout_list(make_policy, policy_desk):
    with pytest.raises(ValidationError, match="免申即享"):
        services.payout_batch_create(actor=policy_desk.rs_clerk, policy=make_policy(publish=True))


def test_auto_grant_needs_an_amount_it_can_compute(make_policy):
    with pytest.raises(ValidationError) as caught:
        make_policy(mode="auto_grant", benefit_kind="percent", benefit_percent=Decimal(10))
    assert "只能按定额或在册职工人数兑现" in caught.value.message_dict["benefit_kind"][0]


def _cell_values(workbook: bytes, sheet: str = "xl/worksheets/sheet1.xml") -> str:
    import zipfile

    return zipfile.ZipFile(io.BytesIO(workbook)).read(sheet).decode()


def test_the_sheets_write_money_as_decimals_with_two_places(grant, people, policy_desk):
    from fugong.policies.models import PayoutLine

    batch = services.payout_batch_create(actor=policy_desk.rs_clerk, policy=grant)
    # Amounts whose float sum is not the decimal one: 0.1 + 0.2 + 0.7 ≠ 1.0 in binary.
    for line, amount in zip(batch.lines.order_by("id"), ["0.10", "0.20"], strict=True):
        PayoutLine.objects.filter(pk=line.pk).update(amount=Decimal(amount))
    xml = _cell_values(exports.payout_workbook(batch))
    assert "<v>0.10</v>" in xml and "<v>0.20</v>" in xml and "<v>0.30</v>" in xml
    rows, total = take_up_figures(people.coordinator)
    total.amount = Decimal("1234.5")
    xml = _cell_values(exports.figures_workbook(rows, total))
    assert "<v>1234.50</v>" in xml

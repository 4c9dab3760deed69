"""Spreadsheets of the policy library: the payout list finance pays from, the matched
enterprises officers chase, the take-up figures. Always in Chinese, like every Fugong sheet."""

from decimal import Decimal

from fugong.core.excel import write_xlsx
from fugong.core.masking import mask_phone
from fugong.policies.models import PayoutBatch

FEN = Decimal("0.01")


def money(amount) -> Decimal:
    """Yuan as a Decimal with two places: the cell holds 1234.50 exactly, never a float's
    1234.4999999."""
    return Decimal(amount or 0).quantize(FEN)


PAYOUT_HEADERS = ["序号", "企业名称", "统一社会信用代码", "所属街道", "金额（元）", "计算依据"]


def payout_workbook(batch: PayoutBatch) -> bytes:
    lines = list(batch.lines.filter(excluded=False).select_related("enterprise__region"))
    rows = [
        [
            index,
            line.enterprise.name,
            line.enterprise.uscc,
            line.enterprise.region.name,
            money(line.amount),
            line.basis,
        ]
        for index, line in enumerate(lines, start=1)
    ]
    rows.append(["", "合计", "", "", money(sum(line.amount for line in lines)), ""])
    excluded = [
        [line.enterprise.name, line.enterprise.uscc, money(line.amount), line.excluded_reason]
        for line in batch.lines.filter(excluded=True).select_related("enterprise")
    ]
    sheets = [(f"{batch.policy.title[:20]}兑现清单", PAYOUT_HEADERS, rows)]
    if excluded:
        sheets.append(
            ("公示后剔除", ["企业名称", "统一社会信用代码", "金额（元）", "剔除原因"], excluded)
        )
    return write_xlsx(sheets=sheets)


MATCH_HEADERS = [
    "企业名称",
    "统一社会信用代码",
    "企业类别",
    "所属街道",
    "所属园区",
    "联系人",
    "联系电话",
    "匹配时间",
    "推送时间",
    "阅读时间",
]


def _local(moment) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def matches_workbook(policy, matches, *, masked: bool) -> bytes:
    rows = [
        [
            m.enterprise.name,
            m.enterprise.uscc,
            m.enterprise.get_category_display(),
            m.enterprise.region.name,
            m.enterprise.park.name if m.enterprise.park else "",
            m.enterprise.contact_person,
            mask_phone(m.enterprise.contact_phone) if masked else m.enterprise.contact_phone,
            _local(m.matched_at),
            _local(m.notified_at),
            _local(m.read_at),
        ]
        for m in matches
    ]
    return write_xlsx(sheets=[("符合条件企业", MATCH_HEADERS, rows)])


FIGURE_HEADERS = [
    "政策",
    "文号",
    "兑现方式",
    "符合条件",
    "已推送",
    "已阅读",
    "已申请",
    "已核准",
    "已兑现",
    "兑现金额（元）",
    "应享尽享率",
]


def figures_workbook(rows, total) -> bytes:
    def line(name, number, mode, f):
        return [
            name,
            number,
            mode,
            f.matched,
            f.notified,
            f.read,
            f.applied,
            f.approved,
            f.paid,
            money(f.amount),
            f.take_up_text,
        ]

    data = [
        line(r.policy.title, r.policy.document_number, r.policy.get_mode_display(), r) for r in rows
    ]
    data.append(line("合计", "", "", total))
    return write_xlsx(sheets=[("政策兑现情况", FIGURE_HEADERS, data)])

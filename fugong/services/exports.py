"""Spreadsheets of requests and of their figures; always in Chinese, like every Fugong sheet."""

from django.db.models import Prefetch
from django.utils import timezone

from fugong.core.excel import write_xlsx
from fugong.services.access import masked_caller
from fugong.services.models import Assignment

REQUEST_HEADERS = [
    "诉求编号",
    "受理时间",
    "企业",
    "统一社会信用代码",
    "诉求类别",
    "标题",
    "诉求内容",
    "紧急程度",
    "来源",
    "来电人",
    "来电号码",
    "企业等级",
    "状态",
    "承办单位",
    "答复时间",
    "办结时间",
    "评价",
    "评价意见",
]


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def request_rows(requests, *, masked: bool) -> list[list]:
    rows = []
    assignments = Prefetch(
        "assignments",
        queryset=Assignment.objects.select_related("department", "task_force").order_by("id"),
    )
    for r in requests.select_related("enterprise").prefetch_related(assignments).order_by("id"):
        current = [
            a for a in r.assignments.all() if a.round == r.round and a.status != "transferred"
        ]
        replied = [a.replied_at for a in current if a.replied_at]
        caller = masked_caller(r) if masked else (r.caller_name, r.caller_phone)
        rows.append(
            [
                r.number,
                _local(r.created_at),
                r.enterprise.name,
                r.enterprise.uscc,
                r.get_category_display(),
                r.title,
                r.description,
                r.get_urgency_display(),
                r.get_channel_display(),
                *caller,
                r.grade,
                r.get_status_display(),
                "、".join(a.handler_name for a in current),
                _local(max(replied)) if replied else "",
                _local(r.closed_at),
                r.get_rating_display(),
                r.rating_comment,
            ]
        )
    return rows


def requests_workbook(requests, *, masked: bool) -> bytes:
    return write_xlsx(sheets=[("企业诉求", REQUEST_HEADERS, request_rows(requests, masked=masked))])


FIGURE_HEADERS = [
    "单位",
    "受理",
    "按时签收率",
    "按时答复率",
    "按时办结率",
    "满意率",
    "平均答复用时（天）",
    "当前逾期",
    "感谢信",
    "综合得分",
]


def _figure_row(name: str, row) -> list:
    return [
        name,
        row.received,
        row.claim_rate_text,
        row.reply_rate_text,
        row.resolve_rate_text,
        row.satisfaction_text,
        round(row.average_reply_days, 1) if row.average_reply_days is not None else "",
        row.overdue,
        row.letters,
        round(row.score * 100, 1) if row.score is not None else "",
    ]


def figures_workbook(figures) -> bytes:
    handlers = [_figure_row(row.name, row) for row in figures.by_handler]
    handlers.append(_figure_row("合计", figures.clocks))
    categories = [
        [row.label, row.requests, row.closed, *_figure_row(row.label, row)[1:]]
        for row in figures.by_category
    ]
    notes = [
        ["截至", _local(figures.at)],
        ["受理诉求", figures.requests],
        ["已办结", figures.closed],
        ["综合得分", "按时签收率×20% + 按时答复率×40% + 满意率×40%，尚无可评的项不计"],
    ]
    return write_xlsx(
        sheets=[
            ("按承办单位", FIGURE_HEADERS, handlers),
            ("按类别", ["类别", "诉求件数", "已办结", *FIGURE_HEADERS[1:]], categories),
            ("说明", ["项目", "内容"], notes),
        ]
    )

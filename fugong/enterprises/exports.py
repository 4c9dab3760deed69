from django.db.models import Prefetch
from django.utils import translation

from fugong.core.excel import write_xlsx
from fugong.enterprises.importing import HEADERS, NO, TEMPLATE_NOTES, YES, export_rows
from fugong.enterprises.models import LiaisonAssignment


def enterprises_workbook(enterprises, *, mask_personal_data: bool) -> bytes:
    return write_xlsx(
        sheets=[
            ("企业名录", HEADERS, export_rows(enterprises, mask_personal_data=mask_personal_data)),
        ]
    )


def template_workbook() -> bytes:
    return write_xlsx(
        sheets=[
            ("企业名录", HEADERS, []),
            ("填写说明", ["列名", "是否必填", "说明"], TEMPLATE_NOTES),
        ]
    )


PROJECT_HEADERS = [
    "项目名称",
    "项目代码",
    "建设单位",
    "建设地点",
    "所属街道",
    "所属园区",
    "总投资（万元）",
    "计划开工日期",
    "在册施工人数",
    "项目状态",
]


def projects_workbook(projects) -> bytes:
    rows = [
        [
            p.name,
            p.code,
            p.builder_display,
            p.site_address,
            p.region.name,
            p.park.name if p.park_id else "",
            float(p.total_investment),
            p.planned_start.isoformat() if p.planned_start else "",
            p.payroll_headcount,
            p.get_status_display(),
        ]
        for p in projects.select_related("region", "park", "builder").order_by("id")
    ]
    return write_xlsx(sheets=[("建设工程", PROJECT_HEADERS, rows)])


UNCOVERED_HEADERS = [
    "企业名称",
    "统一社会信用代码",
    "企业类别",
    "所属街道",
    "所属园区",
    "重点企业",
    "人才企业",
    "企业等级",
    "在任专员",
]


@translation.override("zh-hans")
def uncovered_workbook(enterprises) -> bytes:
    """Target enterprises lacking an officer, with the officers they do have (of other kinds)."""
    records = enterprises.select_related("region", "park").prefetch_related(
        Prefetch(
            "liaison_assignments",
            queryset=LiaisonAssignment.objects.filter(ended_on__isnull=True).select_related(
                "officer"
            ),
            to_attr="active_assignments",
        )
    )
    rows = [
        [
            e.name,
            e.uscc,
            e.get_category_display(),
            e.region.name,
            e.park.name if e.park_id else "",
            YES if e.is_key else NO,
            YES if e.is_talent else NO,
            e.effective_grade,
            "、".join(f"{a.officer.name}（{a.get_kind_display()}）" for a in e.active_assignments),
        ]
        for e in records.order_by("region__sort_order", "name")
    ]
    return write_xlsx(sheets=[("未覆盖企业", UNCOVERED_HEADERS, rows)])

from fugong.core.excel import write_xlsx
from fugong.enterprises.importing import HEADERS, TEMPLATE_NOTES, export_rows


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

"""A day's reports as a spreadsheet, uploaded by an area officer: same row-level errors and the
same all-or-nothing rule as the register import."""

from collections import defaultdict
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fugong.core import importing as cells
from fugong.core.excel import RowError, SpreadsheetError, read_table, write_xlsx
from fugong.core.importing import Column, ImportResult, parse_rows
from fugong.core.models import User
from fugong.core.permissions import has_role
from fugong.core.validators import normalize_uscc
from fugong.enterprises.models import ConstructionProject, Enterprise
from fugong.enterprises.selectors import enterprises_visible_to, projects_visible_to
from fugong.resumption.models import Difficulty, Report, Source, Status
from fugong.resumption.services import (
    check_report,
    flags_against,
    previous_report,
    refresh_current_states,
)

USCC, PROJECT_CODE, WHEN = "统一社会信用代码", "项目代码", "填报时间"
TEMPLATE_NOTES = [
    [USCC, "二选一", "企业填统一社会信用代码"],
    [PROJECT_CODE, "二选一", "建设工程填项目代码"],
    ["单位名称", "选填", "便于核对，不参与匹配"],
    [WHEN, "选填", "如 2020-03-01 17:00（北京时间），须写明时刻；空白为上传时间"],
    ["复工状态", "必填", "未复工 / 部分复工 / 已复工 / 停业"],
    ["在册职工人数", "必填", "不小于0的整数"],
    ["在岗人数", "必填", "不超过在册职工人数"],
    ["外地返岗人数", "选填", "空白按0计"],
    ["隔离观察人数", "选填", "空白按0计"],
    ["产能利用率（%）", "选填", "0–100"],
    [
        "主要困难类别",
        "选填",
        "政策咨询 / 用工招工 / 资金融资 / 原材料供应 / 物流运输 / 防疫物资 / 审批证照 / 水电气暖 / 其他",
    ],
    ["主要困难", "选填", "不超过1000字"],
]
HEADERS = [header for header, _need, _note in TEMPLATE_NOTES]
FIELD_OF_HEADER = {
    "复工状态": "status",
    "在册职工人数": "workers_on_payroll",
    "在岗人数": "workers_on_duty",
    "外地返岗人数": "returned_from_outside",
    "隔离观察人数": "in_quarantine",
    "产能利用率（%）": "capacity_percent",
    "主要困难类别": "difficulty_category",
    "主要困难": "difficulty",
    WHEN: "reported_at",
}
HEADER_OF_FIELD = {field: header for header, field in FIELD_OF_HEADER.items()}
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")


def _moment(value: str) -> datetime:
    for pattern in TIME_FORMATS:
        try:
            return timezone.make_aware(datetime.strptime(value, pattern))
        except ValueError:
            continue
    raise ValidationError(
        _("「%(value)s」不是有效的时间，请写明日期和时刻，如 2020-03-01 17:00") % {"value": value}
    )


def columns() -> list[Column]:
    with translation.override("zh-hans"):  # choice labels as the spreadsheet spells them
        return [
            Column(USCC, "uscc", normalize_uscc, default=""),
            Column(PROJECT_CODE, "project_code", cells.text(24), default=""),
            Column("单位名称", "name", cells.text(200), default=""),
            Column(WHEN, "reported_at", _moment),
            Column("复工状态", "status", cells.choice(dict(Status.choices)), required=True),
            Column("在册职工人数", "workers_on_payroll", cells.whole_number(), required=True),
            Column("在岗人数", "workers_on_duty", cells.whole_number(), required=True),
            Column("外地返岗人数", "returned_from_outside", cells.whole_number(), default=0),
            Column("隔离观察人数", "in_quarantine", cells.whole_number(), default=0),
            Column("产能利用率（%）", "capacity_percent", cells.whole_number(maximum=100)),
            Column(
                "主要困难类别",
                "difficulty_category",
                cells.choice(dict(Difficulty.choices)),
                default="",
            ),
            Column("主要困难", "difficulty", cells.text(1000), default=""),
        ]


def reports_import(*, actor: User, file, dry_run: bool = False) -> ImportResult:
    """Reports for entities in the actor's scope; any error in any row writes nothing."""
    if not has_role(actor, User.Role.COORDINATOR, User.Role.AREA_OFFICER):
        raise PermissionDenied
    result = ImportResult(dry_run=dry_run)
    try:
        table = read_table(file)
        parsed = parse_rows(table, columns())
    except SpreadsheetError as exc:
        result.file_error = str(exc)
        return result
    result.ignored_headers = parsed.ignored_headers
    result.errors = list(parsed.errors)
    if not parsed.rows and not result.errors:
        result.file_error = _("文件中没有数据行（数据应从第2行开始）")
        return result
    with transaction.atomic():
        reports = _build(parsed.rows, actor=actor, errors=result.errors)
        if result.errors:
            result.sort_errors(table.headers)
            return result
        result.created = len(reports)
        if dry_run:
            return result
        _flag(reports)
        Report.objects.bulk_create(reports, batch_size=1000)
        refresh_current_states(
            enterprise_ids={r.enterprise_id for r in reports if r.enterprise_id},
            project_ids={r.project_id for r in reports if r.project_id},
        )
    return result


def _build(rows, *, actor: User, errors: list[RowError]) -> list[Report]:
    subjects = _Subjects(actor, rows)
    now, seen, reports = timezone.now(), {}, []
    for row_number, values in rows:
        subject = subjects.resolve(row_number, values, errors)
        if subject is None:
            continue
        report = Report(
            enterprise=subject if isinstance(subject, Enterprise) else None,
            project=subject if isinstance(subject, ConstructionProject) else None,
            reported_at=values.get("reported_at") or now,
            source=Source.BATCH,
            submitted_by=actor,
            **{
                k: values[k] for k in FIELD_OF_HEADER.values() if k in values and k != "reported_at"
            },
        )
        key = (type(subject).__name__, subject.pk, report.reported_at)
        if key in seen:
            errors.append(
                RowError(
                    row_number, WHEN, _("与第%(row)d行是同一单位的同一时点") % {"row": seen[key]}
                )
            )
            continue
        seen[key] = row_number
        try:
            check_report(report, registered_at=subject.created_at, now=now)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.append(
                    RowError(row_number, HEADER_OF_FIELD.get(name, ""), "；".join(messages))
                )
            continue
        reports.append(report)
    return reports


class _Subjects:
    """Finds each row's enterprise or project, and refuses those outside the actor's scope."""

    def __init__(self, actor: User, rows):
        codes = {v["uscc"] for _n, v in rows if v.get("uscc")}
        project_codes = {v["project_code"] for _n, v in rows if v.get("project_code")}
        self.enterprises = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=codes)}
        self.projects = {
            p.code: p for p in ConstructionProject.objects.filter(code__in=project_codes)
        }
        self.visible_enterprises = set(
            enterprises_visible_to(actor).filter(uscc__in=codes).values_list("pk", flat=True)
        )
        self.visible_projects = set(
            projects_visible_to(actor).filter(code__in=project_codes).values_list("pk", flat=True)
        )

    def resolve(self, row_number: int, values: dict, errors: list[RowError]):
        code, project_code = values.get("uscc"), values.get("project_code")
        if bool(code) == bool(project_code):
            errors.append(RowError(row_number, USCC, _("统一社会信用代码和项目代码须填且只填其一")))
            return None
        if code:
            subject, visible, column = self.enterprises.get(code), self.visible_enterprises, USCC
            missing = _("企业名录中没有这个统一社会信用代码：%(code)s") % {"code": code}
        else:
            subject, visible, column = (
                self.projects.get(project_code),
                self.visible_projects,
                PROJECT_CODE,
            )
            missing = _("没有这个项目代码：%(code)s") % {"code": project_code}
        if subject is None:
            errors.append(RowError(row_number, column, missing))
            return None
        if subject.pk not in visible:
            errors.append(
                RowError(
                    row_number, column, _("%(name)s不在您负责的区域内") % {"name": subject.name}
                )
            )
            return None
        return subject


def _flag(reports: list[Report]) -> None:
    """Compare each report with the one before it: in the file, or else in the database."""
    by_subject = defaultdict(list)
    for report in reports:
        by_subject[report.subject].append(report)
    for subject, own in by_subject.items():
        own.sort(key=lambda r: r.reported_at)
        previous = previous_report(subject, own[0].reported_at)
        for report in own:
            report.flags = flags_against(previous, report)
            previous = report


@translation.override("zh-hans")
def template_workbook() -> bytes:
    return write_xlsx(
        sheets=[
            ("复工填报", HEADERS, []),
            ("填写说明", ["列名", "是否必填", "说明"], TEMPLATE_NOTES),
        ]
    )

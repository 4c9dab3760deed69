"""An enterprise registers its returning workers in bulk from a spreadsheet, with the register
import's rules: every problem reported with its row and column, and nothing written unless every
row is right."""

import unicodedata
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from fugong.core import importing as cells
from fugong.core.excel import (
    RowError,
    SpreadsheetError,
    cell_text,
    clean_header,
    read_table,
    write_xlsx,
)
from fugong.core.importing import Column, ImportResult, parse_rows
from fugong.core.models import User
from fugong.core.permissions import has_role
from fugong.core.validators import normalize_id_number, normalize_phone, normalize_uscc
from fugong.enterprises.selectors import enterprises_visible_to
from fugong.factors.access import FOR_ENTERPRISE
from fugong.factors.counties import CountyLookup
from fugong.factors.models import HealthStatus, ReturningWorker
from fugong.factors.services.recruitment import _save_county
from fugong.factors.services.shuttles import worker_build

NAME, ID_NUMBER, PHONE, COUNTY, ENTERPRISE, EARLIEST, HEALTH = (
    "姓名",
    "身份证号",
    "手机号",
    "户籍县区",
    "返岗企业统一社会信用代码",
    "最早出发日期",
    "健康状况",
)
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S")
LATEST_DAYS_AHEAD = 365

TEMPLATE_NOTES = [
    [NAME, "必填", "不超过50字"],
    [ID_NUMBER, "必填", "18位居民身份证号，按国家标准校验"],
    [PHONE, "必填", "11位手机号"],
    [
        COUNTY,
        "必填",
        "县（区）名称或6位区划代码，如 沈丘县、411624；省外填代码和名称，如 341221 临泉县",
    ],
    [ENTERPRISE, "选填", "企业自己上传时可不填；工作人员上传时必填"],
    [EARLIEST, "必填", "如 2020-02-20"],
    [HEALTH, "选填", "健康（绿码）/ 需观察（黄码）/ 不宜出行（红码），空白按健康计"],
]
HEADERS = [header for header, _need, _note in TEMPLATE_NOTES]


def day(value: str) -> date:
    for pattern in DATE_FORMATS:
        try:
            parsed = datetime.strptime(value, pattern).date()
        except ValueError:
            continue
        if (parsed - timezone.localdate()).days > LATEST_DAYS_AHEAD:
            raise ValidationError(_("日期不能晚于一年以后（%(value)s）") % {"value": value})
        return parsed
    raise ValidationError(_("「%(value)s」不是有效的日期，应如 2020-02-20") % {"value": value})


def _health(value: str) -> str:
    """健康（绿码）, 绿码, 健康 or green; brackets full-width or not (cells are read folded)."""
    words = {"绿码": "green", "黄码": "yellow", "红码": "red", "健康": "green"}
    with translation.override("zh-hans"):
        for code, label in HealthStatus.choices:
            words[unicodedata.normalize("NFKC", str(label))] = code
            words[code] = code
    try:
        return words[unicodedata.normalize("NFKC", value).lower()]
    except KeyError:
        raise ValidationError(
            _("「%(value)s」不是可选值，应为：健康（绿码）、需观察（黄码）、不宜出行（红码）")
            % {"value": value}
        ) from None


def columns(counties: CountyLookup, enterprises) -> list[Column]:
    with translation.override("zh-hans"):  # labels as the spreadsheet spells them
        return [
            Column(NAME, "name", cells.text(50), required=True),
            Column(ID_NUMBER, "id_number", normalize_id_number, required=True),
            Column(PHONE, "phone", lambda v: normalize_phone(v, mobile_only=True), required=True),
            Column(COUNTY, "home_county", counties, required=True),
            Column(ENTERPRISE, "enterprise", enterprises),
            Column(EARLIEST, "earliest_date", day, required=True),
            Column(HEALTH, "health_status", _health, default=HealthStatus.GREEN),
        ]


class EnterpriseLookup:
    """The destination enterprise by USCC, among those the uploader may register for. The
    codes the file names are read in one query (`prefetch`), not one per row."""

    def __init__(self, actor: User):
        self.visible = enterprises_visible_to(actor)
        self.known: dict[str, object] | None = None

    def prefetch(self, table) -> None:
        header = clean_header(ENTERPRISE)
        codes = set()
        for _row, row_cells in table.rows:
            try:
                codes.add(normalize_uscc(cell_text(row_cells.get(header))))
            except ValidationError:
                continue  # reported when the row is parsed
        self.known = {e.uscc: e for e in self.visible.filter(uscc__in=codes)} if codes else {}

    def __call__(self, value: str):
        code = normalize_uscc(value)
        if self.known is None:
            enterprise = self.visible.filter(uscc=code).first()
        else:
            enterprise = self.known.get(code)
        if enterprise is None:
            raise ValidationError(
                _("统一社会信用代码 %(code)s 不在您可登记的企业中") % {"code": code}
            )
        return enterprise


def workers_import(*, actor: User, file, dry_run: bool = False) -> ImportResult:
    """Register returning workers from a spreadsheet: all rows or none."""
    if not has_role(actor, *FOR_ENTERPRISE):
        raise PermissionDenied(_("无权批量登记返岗人员"))
    result = ImportResult(dry_run=dry_run)
    try:
        table = read_table(file)
        enterprises = EnterpriseLookup(actor)
        enterprises.prefetch(table)
        parsed = parse_rows(table, columns(CountyLookup(), enterprises))
    except SpreadsheetError as exc:
        result.file_error = str(exc)
        return result
    result.ignored_headers = parsed.ignored_headers
    result.errors = list(parsed.errors)
    if not parsed.rows and not result.errors:
        result.file_error = _("文件中没有数据行（数据应从第2行开始）")
        return result
    at = timezone.now()
    workers = _build(actor, parsed.rows, result, at)
    result.sort_errors(table.headers)
    if result.errors:
        return result
    result.created = len(workers)
    if dry_run:
        return result
    try:
        with transaction.atomic():
            for worker in workers:
                worker.home_county = _save_county(worker.home_county)
            bulk_create_with_history(
                workers, ReturningWorker, default_user=actor, default_change_reason=_("批量登记")
            )
    except IntegrityError:
        # Someone registered one of these people while the file was being read.
        result.created = 0
        result.file_error = _("导入时有人同时登记了其中的人员，请重新上传")
    return result


def _build(actor, rows, result: ImportResult, at) -> list[ReturningWorker]:
    own = actor.enterprise if actor.role == User.Role.ENTERPRISE else None
    seen: dict[str, int] = {}
    registered = set(
        ReturningWorker.objects.filter(
            cancelled_at__isnull=True, id_number__in=[v["id_number"] for _r, v in rows]
        ).values_list("id_number", flat=True)
    )
    workers = []
    for row, values in rows:
        enterprise = values.pop("enterprise", None) or own
        problem = _row_problem(values["id_number"], row, seen, registered)
        if enterprise is None:
            result.errors.append(RowError(row, ENTERPRISE, _("必填，不能为空")))
            continue
        if problem:
            result.errors.append(problem)
            continue
        try:
            workers.append(worker_build(actor=actor, enterprise=enterprise, at=at, **values))
        except ValidationError as exc:
            for message in exc.messages:
                result.errors.append(RowError(row, "", message))
    return workers


def _row_problem(id_number: str, row: int, seen: dict, registered: set) -> RowError | None:
    if id_number in seen:
        return RowError(row, ID_NUMBER, _("与第%(row)d行的身份证号重复") % {"row": seen[id_number]})
    seen[id_number] = row
    if id_number in registered:
        return RowError(row, ID_NUMBER, _("该身份证号已有一份有效的返岗登记"))
    return None


def template_workbook() -> bytes:
    example = [
        ["张三", "411624199001011239", "13812345678", "沈丘县", "", "2020-02-20", "健康（绿码）"]
    ]
    return write_xlsx(
        sheets=[
            ("返岗人员", HEADERS, example),
            ("填写说明", ["列", "是否必填", "说明"], TEMPLATE_NOTES),
        ]
    )

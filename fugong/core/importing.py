"""Turning spreadsheet rows into validated field values, with errors that name row and column.

An importer declares its columns; `parse_rows` applies them to every row and collects every
problem (not just the first), so a clerk can fix a file in one pass.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fugong.core.excel import RowError, SpreadsheetError, Table, cell_text, clean_header

Parser = Callable[[str], object]


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    parse: Parser
    required: bool = False  # the column must be in the header and the cell must not be blank
    default: object = None  # the value of a blank cell in an optional column


@dataclass
class ParsedRows:
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (row number, {key: value})
    present_keys: set[str] = field(default_factory=set)
    errors: list[RowError] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)


def parse_rows(table: Table, columns: list[Column]) -> ParsedRows:
    # Headers are compared as read_table folds them (full-width brackets become ASCII).
    by_header = {clean_header(c.header): c for c in columns}
    missing = [
        c.header for c in columns if c.required and clean_header(c.header) not in table.headers
    ]
    if missing:
        raise SpreadsheetError(
            _("缺少必填列：%(columns)s") % {"columns": "、".join(f"「{m}」" for m in missing)}
        )
    result = ParsedRows(
        present_keys={by_header[h].key for h in table.headers if h in by_header},
        ignored_headers=[h for h in table.headers if h not in by_header],
    )
    present = [(h, by_header[h]) for h in table.headers if h in by_header]
    for row_number, cells in table.rows:
        values, ok = {}, True
        for header, column in present:
            text = cell_text(cells.get(header))
            if not text:
                if column.required:
                    result.errors.append(RowError(row_number, column.header, _("必填，不能为空")))
                    ok = False
                else:
                    values[column.key] = column.default
                continue
            try:
                values[column.key] = column.parse(text)
            except ValidationError as exc:
                result.errors.append(RowError(row_number, column.header, "；".join(exc.messages)))
                ok = False
        if ok:
            result.rows.append((row_number, values))
    return result


def text(max_length: int) -> Parser:
    def parse(value: str) -> str:
        if len(value) > max_length:
            raise ValidationError(
                _("不能超过%(max)d个字（实际%(length)d个）")
                % {"max": max_length, "length": len(value)}
            )
        return value

    return parse


def whole_number(*, minimum: int = 0, maximum: int = 10_000_000) -> Parser:
    def parse(value: str) -> int:
        try:
            number = float(value.replace(",", ""))
        except ValueError:
            raise ValidationError(_("应为整数，实际为「%(value)s」") % {"value": value}) from None
        if not number.is_integer():
            raise ValidationError(_("应为整数，实际为「%(value)s」") % {"value": value})
        if number < minimum:
            raise ValidationError(
                _("不能小于%(min)d（实际为%(value)s）") % {"min": minimum, "value": value}
            )
        if number > maximum:
            raise ValidationError(
                _("不能大于%(max)d（实际为%(value)s）") % {"max": maximum, "value": value}
            )
        return int(number)

    return parse


def decimal_number(validators=(), *, places: int) -> Parser:
    """A decimal such as 113.640211, rounded to `places`, checked by the model's validators."""

    def parse(value: str) -> Decimal:
        try:
            number = Decimal(value.replace(",", ""))
        except InvalidOperation:
            raise ValidationError(_("应为数字，实际为「%(value)s」") % {"value": value}) from None
        if not number.is_finite():
            raise ValidationError(_("应为数字，实际为「%(value)s」") % {"value": value})
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        for validator in validators:
            validator(number)
        return number

    return parse


def yes_no(value: str) -> bool:
    answers = {
        "是": True,
        "否": False,
        "y": True,
        "n": False,
        "yes": True,
        "no": False,
        "1": True,
        "0": False,
        "true": True,
        "false": False,
    }
    try:
        return answers[value.lower()]
    except KeyError:
        raise ValidationError(
            _("应填「是」或「否」，实际为「%(value)s」") % {"value": value}
        ) from None


def choice(labels: dict[str, str], *, hint: str = "") -> Parser:
    """Accept a label (规上工业) or a code (industry_above); return the code."""
    lookup = {
        **{str(label): code for code, label in labels.items()},
        **{code.lower(): code for code in labels},
    }
    allowed = "、".join(str(label) for label in labels.values())

    def parse(value: str):
        try:
            return lookup.get(value) or lookup[value.lower()]
        except KeyError:
            raise ValidationError(
                _("「%(value)s」不是可选值，应为：%(allowed)s")
                % {"value": value, "allowed": hint or allowed}
            ) from None

    return parse


@dataclass
class ImportResult:
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    file_error: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_error

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def sort_errors(self, headers: list[str]) -> None:
        """By row, then in the order of the file's columns."""
        position = {header: i for i, header in enumerate(headers)}
        self.errors.sort(key=lambda e: (e.row, position.get(clean_header(e.column), 0)))

    def refusal(self) -> dict:
        """The API's error body for a refused file: every row error in the one error shape."""
        errors = [
            {"code": "invalid_row", "message": str(e), "field": e.column, "row": e.row}
            for e in self.errors
        ]
        message = self.file_error or _("文件中有 %(n)d 处错误，未导入任何数据") % {"n": len(errors)}
        return {"code": "import_refused", "message": message, "field": "file", "errors": errors}

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "ok": self.ok,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [e.as_dict() for e in self.errors],
            "ignored_headers": self.ignored_headers,
            "file_error": self.file_error,
        }

"""Reading and writing the spreadsheets people exchange with Fugong.

Reading is strict about the container (a real .xlsx or a text .csv, not too large, with a header
row) and lenient about the cells (numbers typed as text, full-width characters, stray spaces);
cell-level problems are reported by each importer with the spreadsheet's own row numbers.
"""

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

HEADER_ROW = 1


class SpreadsheetError(Exception):
    """The file as a whole cannot be read; nothing in it is imported."""


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, dict[str, object]]]  # (spreadsheet row number, {header: value})


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}

    def __str__(self):
        values = {"row": self.row, "column": self.column, "message": self.message}
        if self.column:
            return _("第%(row)d行「%(column)s」列：%(message)s") % values
        return _("第%(row)d行：%(message)s") % values


def clean_header(value) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    return text.rstrip("*").strip()


def cell_text(value) -> str:
    """A cell as text: 13800138000.0 → '13800138000', None → '', full-width folded, trimmed."""
    if value is None:
        return ""
    if type(value) is str:  # most cells: skip the type checks below
        return (value if value.isascii() else unicodedata.normalize("NFKC", value)).strip()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return unicodedata.normalize("NFKC", str(value)).strip()


def _sniff(data: bytes, filename: str) -> str:
    if not data.strip():
        raise SpreadsheetError(_("文件是空的"))
    if data[:4] == b"PK\x03\x04":
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            raise SpreadsheetError(_("文件已损坏，无法作为 Excel 文件打开")) from None
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise SpreadsheetError(_("文件不是 Excel 工作簿（.xlsx），请检查文件类型"))
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise SpreadsheetError(_("不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后上传"))
    if b"\x00" in data[:4096]:
        raise SpreadsheetError(
            _("文件类型不支持（%(name)s）：请上传 .xlsx 或 .csv 文件") % {"name": filename}
        )
    return "csv"


def _decode_csv(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(_("CSV 文件编码无法识别，请使用 UTF-8 编码保存"))


def _raw_rows(data: bytes, kind: str) -> list[list]:
    if kind == "csv":
        return [list(row) for row in csv.reader(io.StringIO(_decode_csv(data)))]
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise SpreadsheetError(_("无法读取 Excel 文件：%(error)s") % {"error": exc}) from None
    if not workbook.sheet_names:
        raise SpreadsheetError(_("工作簿中没有工作表"))
    return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)


def read_table(upload, *, max_bytes: int | None = None) -> Table:
    """Read the first sheet of an uploaded .xlsx or .csv file; row 1 is the header."""
    limit = max_bytes or settings.FUGONG_UPLOAD_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise SpreadsheetError(_too_large(size, limit))
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise SpreadsheetError(_too_large(len(data), limit))
    filename = getattr(upload, "name", "") or ""
    raw = _raw_rows(data, _sniff(data, filename))
    if not raw or not any(cell_text(c) for c in raw[0]):
        raise SpreadsheetError(_("第1行应为表头，但它是空的"))
    headers = [clean_header(c) for c in raw[0]]
    seen = set()
    for header in headers:
        if header and header in seen:
            raise SpreadsheetError(_("表头「%(header)s」出现了两次") % {"header": header})
        seen.add(header)
    rows = []
    for offset, values in enumerate(raw[1:], start=HEADER_ROW + 1):
        if not any(cell_text(v) for v in values):
            continue
        rows.append(
            (
                offset,
                {h: values[i] if i < len(values) else None for i, h in enumerate(headers) if h},
            )
        )
    return Table(headers=[h for h in headers if h], rows=rows)


def _too_large(size: int, limit: int) -> str:
    return _("文件过大（%(size).1f MB），上限为 %(limit)d MB") % {
        "size": size / 1024 / 1024,
        "limit": limit // 1024 // 1024,
    }


def write_xlsx(*, sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """Build a workbook: one (sheet name, headers, rows) triple per sheet. Text is always written
    as text, so a cell that begins with '=' is never taken for a formula; a Decimal (an amount
    of money) is a number shown with its own decimal places and thousands separators."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    bold = workbook.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    decimal_formats = {}  # places → format
    for name, headers, rows in sheets:
        sheet = workbook.add_worksheet(name[:31])
        sheet.write_row(0, 0, headers, bold)
        sheet.freeze_panes(1, 0)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, Promise):  # a lazily translated label
                    value = str(value)
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif isinstance(value, Decimal):  # money: shown with its places, 1,234.50
                    places = max(0, -value.as_tuple().exponent)
                    if places not in decimal_formats:
                        pattern = "#,##0" + ("." + "0" * places if places else "")
                        decimal_formats[places] = workbook.add_format({"num_format": pattern})
                    sheet.write_number(r, c, value, decimal_formats[places])
                else:
                    sheet.write(r, c, value)
        for c, header in enumerate(headers):
            sheet.set_column(c, c, max(10, min(40, len(header) * 2 + 4)))
    workbook.close()
    return buffer.getvalue()


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str):
    """A workbook as a download (the file name may be Chinese: RFC 5987 encoding)."""
    from urllib.parse import quote

    from django.http import HttpResponse

    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response

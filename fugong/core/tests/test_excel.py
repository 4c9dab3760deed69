import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fugong.core.excel import SpreadsheetError, read_table, write_xlsx


def upload(content: bytes, name="data.xlsx"):
    return SimpleUploadedFile(name, content)


def xlsx(rows):
    return write_xlsx(sheets=[("Sheet1", rows[0], rows[1:])])


def test_it_reads_the_first_sheet_with_spreadsheet_row_numbers():
    data = xlsx([["名称", "人数"], ["甲", 3], ["", ""], ["乙", 4.0]])
    table = read_table(upload(data))
    assert table.headers == ["名称", "人数"]
    assert [(n, row["名称"]) for n, row in table.rows] == [(2, "甲"), (4, "乙")]


def test_it_reads_utf8_and_gbk_csv():
    for encoding in ("utf-8-sig", "gbk"):
        data = "名称,人数\n甲,3\n".encode(encoding)
        table = read_table(upload(data, "data.csv"))
        assert table.rows == [(2, {"名称": "甲", "人数": "3"})]


def test_it_strips_required_markers_and_full_width_from_headers():
    table = read_table(upload("企业名称*, 人数 \n甲,1\n".encode(), "a.csv"))
    assert table.headers == ["企业名称", "人数"]


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"", "文件是空的"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "文件类型不支持"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧版 .xls"),
        (b"PK\x03\x04garbage", "文件已损坏"),
        (",,\n甲,1\n".encode(), "第1行应为表头"),
        ("名称,名称\n甲,乙\n".encode(), "出现了两次"),
    ],
)
def test_it_refuses_what_is_not_a_readable_table(content, expected):
    with pytest.raises(SpreadsheetError, match=expected):
        read_table(upload(content))


def test_a_zip_that_is_not_a_workbook_is_refused():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<x/>")
    with pytest.raises(SpreadsheetError, match="不是 Excel 工作簿"):
        read_table(upload(buffer.getvalue()))


def test_it_refuses_a_file_over_the_limit():
    with pytest.raises(SpreadsheetError, match="文件过大"):
        read_table(upload(b"a,b\n" * 1000), max_bytes=100)


def test_written_text_that_looks_like_a_formula_stays_text():
    data = xlsx([["名称"], ["=1+1"]])
    assert read_table(upload(data)).rows == [(2, {"名称": "=1+1"})]


def test_amounts_of_money_are_numbers_shown_with_their_places():
    from decimal import Decimal

    import openpyxl

    data = xlsx(
        [["企业", "金额（元）", "户数"], ["甲", Decimal("1234567.50"), 3], ["乙", Decimal("80"), 1]]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["B2"].value == 1234567.5 and sheet["B2"].number_format == "#,##0.00"
    assert sheet["B3"].value == 80 and sheet["B3"].number_format == "#,##0"
    assert sheet["C2"].number_format == "General"  # counts stay plain

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fugong.core.excel import read_table, write_xlsx
from fugong.core.tests.factories import uscc_for
from fugong.enterprises.exports import enterprises_workbook, template_workbook
from fugong.enterprises.importing import HEADERS
from fugong.enterprises.models import Enterprise
from fugong.enterprises.services import enterprises_import

pytestmark = pytest.mark.django_db

ROW = {
    "企业名称": "郑州康师傅食品有限公司",
    "统一社会信用代码": uscc_for(900001),
    "企业类别": "规上工业",
    "行业门类": "C",
    "所属街道": "马寨镇",
    "所属园区": "马寨产业集聚区",
    "法定代表人": "魏宏",
    "联系人": "张丽",
    "联系电话": "13812345678",
    "地址": "马寨工业路1号",
    "经度": "113.541234",
    "纬度": "34.689876",
    "在册职工人数": 1860,
    "成立日期": "2002-05-18",
    "重点企业": "是",
    "人才企业": "否",
    "防疫物资企业": "否",
    "企业等级": "A",
    "经营状态": "在营",
}


def row(**changes):
    return {**ROW, **changes}


def workbook(rows, headers=HEADERS, name="register.xlsx"):
    data = write_xlsx(sheets=[("名录", headers, [[r.get(h, "") for h in headers] for r in rows])])
    return SimpleUploadedFile(name, data)


def run(people, rows=None, file=None, **kwargs):
    return enterprises_import(actor=people.coordinator, file=file or workbook(rows), **kwargs)


def test_it_creates_new_enterprises_with_history(people):
    result = run(
        people, [row(), row(企业名称="郑州花花牛乳业有限公司", 统一社会信用代码=uscc_for(900002))]
    )
    assert result.ok and (result.created, result.updated) == (2, 0)
    kangshifu = Enterprise.objects.get(uscc=uscc_for(900001))
    assert kangshifu.park.name == "马寨产业集聚区" and kangshifu.is_key
    assert kangshifu.name_initials == "zzksfspyxgs"
    assert kangshifu.history.get().history_user == people.coordinator


def test_an_existing_code_is_updated_not_duplicated(people):
    run(people, [row()])
    before = Enterprise.objects.get(uscc=uscc_for(900001))
    result = run(
        people,
        [
            row(在册职工人数=2000, 联系人="王五"),
            row(统一社会信用代码=uscc_for(900002), 企业名称="新企业"),
        ],
    )
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    updated = Enterprise.objects.get(uscc=uscc_for(900001))
    assert (updated.payroll_headcount, updated.contact_person) == (2000, "王五")
    assert updated.history.count() == 2
    # As an edit does: a new version (an editor holding the old one is refused) and the time.
    assert updated.version == before.version + 1 and updated.updated_at > before.updated_at


def test_an_unchanged_row_is_counted_and_left_alone(people):
    run(people, [row()])
    result = run(people, [row()])
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert Enterprise.objects.get(uscc=uscc_for(900001)).history.count() == 1


def test_a_dry_run_reports_and_writes_nothing(people):
    result = run(people, [row()], dry_run=True)
    assert result.ok and result.created == 1
    assert not Enterprise.objects.filter(uscc=uscc_for(900001)).exists()


def test_codes_are_normalised_before_matching(people):
    run(people, [row()])
    spaced = " ".join(uscc_for(900001).lower())
    result = run(people, [row(统一社会信用代码=spaced)])
    assert result.unchanged == 1 and Enterprise.objects.count() == 3  # A, B and this one


@pytest.mark.parametrize(
    "changes, column, message",
    [
        ({"统一社会信用代码": "91410103MA44XXXX1X"}, "统一社会信用代码", "校验位错误"),
        ({"统一社会信用代码": "914101"}, "统一社会信用代码", "应为18位"),
        ({"所属街道": "花园路街道"}, "所属街道", "未知的街道/乡镇"),
        ({"所属园区": "高新区"}, "所属园区", "未知的园区"),
        ({"在册职工人数": -5}, "在册职工人数", "不能小于0"),
        ({"在册职工人数": "12.5"}, "在册职工人数", "应为整数"),
        ({"在册职工人数": "很多"}, "在册职工人数", "应为整数"),
        ({"企业名称": ""}, "企业名称", "必填"),
        ({"企业类别": "规上建筑业"}, "企业类别", "不是可选值"),
        ({"重点企业": "大概"}, "重点企业", "应填「是」或「否」"),
        ({"联系电话": "12345"}, "联系电话", "电话号码"),
        ({"行业门类": "Z"}, "行业门类", "不是 GB/T 4754 行业门类"),
        ({"企业等级": "D"}, "企业等级", "不是可选值"),
        ({"经度": "东经113度"}, "经度", "应为数字"),
        ({"经度": "34.689876"}, "经度", "经度应在73到136之间"),
        ({"纬度": "NaN"}, "纬度", "应为数字"),
        ({"纬度": ""}, "纬度", "经度和纬度须同时填写"),
        ({"成立日期": "2099-01-01"}, "成立日期", "不能晚于今天"),
        ({"成立日期": "去年"}, "成立日期", "不是有效的日期"),
    ],
)
def test_a_bad_cell_is_reported_by_row_and_column_and_nothing_is_written(
    people, changes, column, message
):
    good = row(统一社会信用代码=uscc_for(900002), 企业名称="好企业")
    result = run(people, [good, row(**changes)])
    assert not result.ok and result.created == 0
    [error] = result.errors
    assert (error.row, error.column) == (3, column)
    assert message in error.message
    assert str(error).startswith(f"第3行「{column}」列：")
    assert not Enterprise.objects.filter(name="好企业").exists()


def test_a_point_and_a_founding_date_are_read_and_a_point_is_rounded_to_six_places(people):
    result = run(people, [row(经度="113.5412345", 纬度="34.68")])
    assert result.ok
    kangshifu = Enterprise.objects.get(uscc=uscc_for(900001))
    assert (str(kangshifu.longitude), str(kangshifu.latitude)) == ("113.541235", "34.680000")
    assert kangshifu.founded_on.isoformat() == "2002-05-18"
    assert kangshifu.coordinates == (113.541235, 34.68)


def test_a_code_repeated_inside_the_file_names_both_rows(people):
    result = run(people, [row(), row(企业名称="另一家"), row(统一社会信用代码=uscc_for(900003))])
    [error] = result.errors
    assert (error.row, error.column) == (3, "统一社会信用代码")
    assert "与第2行重复" in error.message
    assert Enterprise.objects.count() == 2


def test_every_error_of_the_file_is_listed_at_once(people):
    result = run(people, [row(在册职工人数=-1), row(所属街道="不存在", 统一社会信用代码="1")])
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "在册职工人数"),
        (3, "统一社会信用代码"),
        (3, "所属街道"),
    ]


def test_columns_may_come_in_any_order_and_optional_ones_may_be_missing(people):
    headers = ["所属街道", "企业类别", "统一社会信用代码", "企业名称"]
    result = run(people, file=workbook([row()], headers=headers))
    assert result.ok and result.created == 1
    created = Enterprise.objects.get(uscc=uscc_for(900001))
    assert (created.payroll_headcount, created.status, created.park) == (0, "operating", None)


def test_a_missing_required_column_refuses_the_file(people):
    headers = [h for h in HEADERS if h != "所属街道"]
    result = run(people, file=workbook([row()], headers=headers))
    assert result.file_error == "缺少必填列：「所属街道」"


def test_unknown_columns_are_ignored_and_reported(people):
    result = run(people, file=workbook([row()], headers=[*HEADERS, "备注"]))
    assert result.ok and result.ignored_headers == ["备注"]


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"", "empty.xlsx", "文件是空的"),
        (b"%PDF-1.4\n\x00\x01binary", "register.pdf", "文件类型不支持"),
        (",".join(HEADERS).encode(), "header-only.csv", "没有数据行"),
    ],
)
def test_an_unreadable_file_is_refused_with_a_clear_message(people, content, name, message):
    result = run(people, file=SimpleUploadedFile(name, content))
    assert message in result.file_error and not result.ok


def test_a_file_over_20_mb_is_refused_before_reading(people, settings):
    settings.FUGONG_UPLOAD_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.csv", b"x" * 2048)
    assert "文件过大" in run(people, file=big).file_error


def test_a_gbk_csv_from_excel_is_read(people):
    lines = [",".join(HEADERS), ",".join(str(ROW[h]) for h in HEADERS)]
    result = run(people, file=SimpleUploadedFile("register.csv", "\n".join(lines).encode("gbk")))
    assert result.ok and result.created == 1


def test_only_coordinators_import(people):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        enterprises_import(actor=people.street_officer, file=workbook([row()]))


def test_export_then_import_is_lossless(people):
    rows = [
        row(),
        row(
            企业名称="郑州宏靖彩印包装有限公司",
            统一社会信用代码=uscc_for(900002),
            企业类别="规下工业",
            所属园区="",
            联系电话="0371-68881234",
            人才企业="是",
            企业等级="",
            行业门类="制造业",
            经营状态="停业",
            地址="",
            经度="",
            纬度="",
            成立日期="",
        ),
    ]
    run(people, rows)
    fields = [
        "name",
        "uscc",
        "category",
        "industry_section",
        "region_id",
        "park_id",
        "legal_representative",
        "contact_person",
        "contact_phone",
        "address",
        "longitude",
        "latitude",
        "payroll_headcount",
        "founded_on",
        "is_key",
        "is_talent",
        "is_epidemic_supplies",
        "grade",
        "status",
    ]
    before = list(Enterprise.objects.order_by("uscc").values_list(*fields))
    first = enterprises_workbook(Enterprise.objects.all(), mask_personal_data=False)

    people.enterprise_a.delete()
    people.enterprise_b.delete()
    Enterprise.objects.all().delete()
    result = run(people, file=SimpleUploadedFile("export.xlsx", first))
    assert result.ok and result.created == len(before)

    assert list(Enterprise.objects.order_by("uscc").values_list(*fields)) == before
    second = enterprises_workbook(Enterprise.objects.all(), mask_personal_data=False)
    assert _cells(first) == _cells(second)


def _cells(content: bytes):
    file = BytesIO(content)
    file.name = "x.xlsx"
    table = read_table(file)
    return table.headers, sorted(tuple(str(v) for v in r.values()) for _n, r in table.rows)


def test_the_template_has_the_headers_and_notes():
    file = BytesIO(template_workbook())
    file.name = "template.xlsx"
    table = read_table(file)
    assert table.headers == HEADERS and table.rows == []

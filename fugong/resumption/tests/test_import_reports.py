import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fugong.conftest import JIEFANG
from fugong.core.excel import write_xlsx
from fugong.enterprises.tests.factories import ProjectFactory
from fugong.resumption.importing import HEADERS, reports_import
from fugong.resumption.models import CurrentState, Report

pytestmark = pytest.mark.django_db


def sheet(rows):
    data = write_xlsx(sheets=[("填报", HEADERS, [[r.get(h, "") for h in HEADERS] for r in rows])])
    return SimpleUploadedFile("reports.xlsx", data)


@pytest.fixture
def a(people):
    return people.enterprise_a.enterprise


def row(enterprise, **changes):
    return {
        "统一社会信用代码": enterprise.uscc,
        "单位名称": enterprise.name,
        "填报时间": "2020-03-01 17:00",
        "复工状态": "部分复工",
        "在册职工人数": 20,
        "在岗人数": 8,
        **changes,
    }


def test_a_street_officer_uploads_the_days_reports(people, a, district):
    project = ProjectFactory()
    rows = [
        row(a),
        row(a, 填报时间="2020-03-02 17:00", 在岗人数=3),
        {
            "项目代码": project.code,
            "填报时间": "2020-03-01 17:00",
            "复工状态": "已复工",
            "在册职工人数": 100,
            "在岗人数": 100,
            "主要困难类别": "用工招工",
        },
    ]
    result = reports_import(actor=people.street_officer, file=sheet(rows))
    assert result.ok and result.created == 3
    reports = Report.objects.filter(enterprise=a).order_by("reported_at")
    assert [r.source for r in reports] == ["batch", "batch"]
    assert reports[1].flags == ["duty_halved"]  # compared with the row before it in the file
    assert CurrentState.objects.get(enterprise=a).workers_on_duty == 3
    assert Report.objects.get(project=project).difficulty_category == "labour"


def test_a_dry_run_writes_nothing(people, a):
    result = reports_import(actor=people.street_officer, file=sheet([row(a)]), dry_run=True)
    assert result.ok and result.created == 1 and not Report.objects.exists()


@pytest.mark.parametrize(
    "changes, column, message",
    [
        ({"在岗人数": 25}, "在岗人数", "不能超过在册职工人数"),
        ({"在册职工人数": -1}, "在册职工人数", "不能小于0"),
        ({"填报时间": "2099-01-01 08:00"}, "填报时间", "不能晚于现在"),
        ({"填报时间": "2020-03-01"}, "填报时间", "请写明日期和时刻"),
        ({"复工状态": "复产"}, "复工状态", "不是可选值"),
        ({"统一社会信用代码": "91410103MA44XXXX1X"}, "统一社会信用代码", "校验位错误"),
        ({"统一社会信用代码": ""}, "统一社会信用代码", "须填且只填其一"),
    ],
)
def test_a_bad_row_names_its_row_and_column_and_nothing_is_written(
    people, a, changes, column, message
):
    result = reports_import(
        actor=people.street_officer,
        file=sheet([row(a, 填报时间="2020-02-28 17:00"), row(a, **changes)]),
    )
    assert not result.ok and not Report.objects.exists()
    [error] = result.errors
    assert (error.row, error.column) == (3, column) and message in error.message


def test_an_entity_outside_the_officers_area_is_refused(people):
    b = people.enterprise_b.enterprise  # 解放路街道
    result = reports_import(actor=people.street_officer, file=sheet([row(b)]))
    [error] = result.errors
    assert "不在您负责的区域内" in error.message and error.column == "统一社会信用代码"


def test_an_unknown_code_is_refused(people, a):
    result = reports_import(
        actor=people.coordinator,
        file=sheet([row(a, 统一社会信用代码="", 项目代码="2020-410103-47-01-999999")]),
    )
    assert "没有这个项目代码" in result.errors[0].message


def test_the_same_entity_twice_at_the_same_moment_is_refused(people, a):
    result = reports_import(actor=people.street_officer, file=sheet([row(a), row(a)]))
    assert "与第2行是同一单位的同一时点" in result.errors[0].message


def test_enterprises_and_other_roles_may_not_upload(people, a, district):
    from django.core.exceptions import PermissionDenied

    for persona in ("enterprise_a", "leader", "liaison"):
        with pytest.raises(PermissionDenied):
            reports_import(actor=getattr(people, persona), file=sheet([row(a)]))
    ProjectFactory(region=district.region(JIEFANG))

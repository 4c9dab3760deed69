"""Service officers (服务专员) stationed with enterprises, their coverage of the key, talent and
A-grade enterprises, the bulk assignment file, and visits (走访) as the enterprises app keeps
them (the visit form with requests is tested in fugong/services)."""

from datetime import date, datetime, timedelta
from io import BytesIO

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from fugong.conftest import HUAIHE, JIEFANG, MAZHAI_PARK, MAZHAI_TOWN, PASSWORD
from fugong.core.excel import read_table
from fugong.core.models import ImportJob, Region, User
from fugong.core.services import user_create
from fugong.core.tests.factories import uscc_for
from fugong.enterprises import services
from fugong.enterprises.importing import LIAISON_HEADERS
from fugong.enterprises.models import LiaisonAssignment, Visit
from fugong.enterprises.selectors import coverage, uncovered_enterprises, visits_visible_to
from fugong.enterprises.tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

STARTED = date(2020, 2, 10)


def tomorrow() -> date:
    return timezone.localdate() + timedelta(days=1)


def officer(username: str, display_name: str) -> User:
    return user_create(
        username=username,
        role=User.Role.LIAISON,
        password=PASSWORD,
        display_name=display_name,
    )


def assign(enterprise, who, kind, *, primary=False, ended_on=None):
    return LiaisonAssignment.objects.create(
        enterprise=enterprise,
        officer=who,
        kind=kind,
        is_primary=primary,
        started_on=STARTED,
        ended_on=ended_on,
    )


@pytest.fixture
def wang(people):
    return officer("wang", "王专员")


@pytest.fixture
def li(people):
    return officer("li", "李指导员")


@pytest.fixture
def targets(people, district, wang, li):
    """Four target enterprises (key, talent or A) besides companies A and B (which are none):
    key 淮河路 has no officer; talent 淮河路 has 王 as 服务专员; A-grade 解放路 had 李 as
    党建指导员 until 2020-03-01; key in the 马寨 park has 李 as 驻企指导员."""
    regions = district.regions
    made = {
        "key": EnterpriseFactory(name="郑州重点机械有限公司", region=regions[HUAIHE], is_key=True),
        "talent": EnterpriseFactory(
            name="郑州人才软件有限公司", region=regions[HUAIHE], is_talent=True
        ),
        "grade_a": EnterpriseFactory(
            name="郑州甲级制造有限公司",
            region=regions[JIEFANG],
            category="industry_above",
            grade="A",
        ),
        "park": EnterpriseFactory(
            name="郑州园区重点食品有限公司",
            region=regions[MAZHAI_TOWN],
            park=regions[MAZHAI_PARK],
            is_key=True,
        ),
        "plain": EnterpriseFactory(name="郑州普通商贸有限公司", region=regions[HUAIHE], grade="B"),
    }
    assign(made["talent"], wang, "service", primary=True)
    assign(made["grade_a"], li, "party", primary=True, ended_on=date(2020, 3, 1))
    assign(made["park"], li, "resident")
    assign(made["plain"], wang, "service")  # not a target: covers nothing that counts
    return made


def names(enterprises) -> set[str]:
    return {e.name for e in enterprises}


# Coverage


def test_coverage_counts_targets_without_an_active_officer_by_kind_and_area(
    people, district, targets
):
    result = coverage(people.coordinator)
    assert (result.total.targets, result.total.uncovered) == (4, 2)
    assert result.total.missing == {"service": 3, "talent": 4, "party": 4, "resident": 3}
    assert not result.complete
    by_area = {row.area.code: (row.targets, row.uncovered) for row in result.by_area}
    assert by_area == {HUAIHE: (2, 1), JIEFANG: (1, 1), MAZHAI_TOWN: (1, 0)}
    assert [(r.area.code, r.targets, r.uncovered) for r in result.by_park] == [(MAZHAI_PARK, 1, 0)]
    huaihe = next(r for r in result.by_area if r.area.code == HUAIHE)
    assert huaihe.missing == {"service": 1, "talent": 2, "party": 2, "resident": 2}


@pytest.mark.parametrize(
    "group, expected_targets, expected_uncovered",
    [
        ("all", {"key", "talent", "grade_a", "park"}, {"key", "grade_a"}),
        ("key", {"key", "park"}, {"key"}),
        ("talent", {"talent"}, set()),
        ("grade_a", {"grade_a"}, {"grade_a"}),
    ],
)
def test_each_coverage_group_counts_its_own_targets(
    people, targets, group, expected_targets, expected_uncovered
):
    result = coverage(people.coordinator, group)
    assert (result.total.targets, result.total.uncovered) == (
        len(expected_targets),
        len(expected_uncovered),
    )
    listed = uncovered_enterprises(people.coordinator, group=group)
    assert names(listed) == {targets[k].name for k in expected_uncovered}


def test_the_uncovered_list_narrows_by_kind_and_area(people, district, targets):
    coordinator = people.coordinator
    by_kind = uncovered_enterprises(coordinator, kind="service")
    assert names(by_kind) == {targets[k].name for k in ("key", "grade_a", "park")}
    in_huaihe = uncovered_enterprises(coordinator, kind="service", area=district.region(HUAIHE))
    assert names(in_huaihe) == {"郑州重点机械有限公司"}
    in_park = uncovered_enterprises(coordinator, kind="resident", area=district.region(MAZHAI_PARK))
    assert not in_park.exists()
    assert uncovered_enterprises(coordinator, kind="talent").count() == 4


def test_an_enterprise_in_a_community_counts_in_its_street(people, district, targets):
    community = Region.objects.create(
        code="410103001001",
        name="淮河东路社区",
        kind=Region.Kind.COMMUNITY,
        parent=district.region(HUAIHE),
    )
    EnterpriseFactory(name="郑州社区重点有限公司", region=community, is_key=True)
    result = coverage(people.coordinator)
    by_area = {row.area.code: (row.targets, row.uncovered) for row in result.by_area}
    assert by_area[HUAIHE] == (3, 2) and community.code not in by_area
    in_huaihe = uncovered_enterprises(people.coordinator, area=district.region(HUAIHE))
    assert names(in_huaihe) == {"郑州重点机械有限公司", "郑州社区重点有限公司"}
    assert names(uncovered_enterprises(people.street_officer)) == names(in_huaihe)


def test_an_ended_assignment_no_longer_covers(people, targets):
    current = LiaisonAssignment.objects.get(enterprise=targets["talent"])
    services.liaison_assignment_end(
        actor=people.coordinator, assignment=current, ended_on=date(2020, 4, 1)
    )
    result = coverage(people.coordinator)
    assert (result.total.targets, result.total.uncovered) == (4, 3)
    assert result.total.missing["service"] == 4
    assert targets["talent"] in uncovered_enterprises(people.coordinator)
    # Kept, with its dates, in the enterprise's list of officers.
    assert LiaisonAssignment.objects.get(pk=current.pk).ended_on == date(2020, 4, 1)


def test_covering_every_target_reaches_the_goal(people, targets, wang, login):
    for key in ("key", "grade_a"):
        services.liaison_assign(
            actor=people.coordinator, enterprise=targets[key], officer=wang, kind="service"
        )
    assert coverage(people.coordinator).complete
    page = login(people.coordinator).get(reverse("enterprises:coverage")).content.decode()
    assert "全覆盖：4 家重点、人才和A级企业均有在任服务专员。" in page


def test_the_coverage_page_shows_the_counts_and_the_uncovered_list(
    people, district, targets, login
):
    client = login(people.coordinator)
    response = client.get(reverse("enterprises:coverage"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 家重点、人才和A级企业没有任何在任服务专员（共 4 家，目标：0 家未覆盖）。" in html
    assert names(response.context["page"]) == {"郑州重点机械有限公司", "郑州甲级制造有限公司"}
    assert (
        'data-testid="missing-talent"><a class="text-reset text-decoration-none" href="?group=all&amp;kind=talent#uncovered">4</a>'
        in html
    )
    narrowed = client.get(
        reverse("enterprises:coverage"),
        {"group": "all", "kind": "service", "area": district.region(HUAIHE).pk},
    )
    assert names(narrowed.context["page"]) == {"郑州重点机械有限公司"}
    assert narrowed.context["kind_label"] == "服务专员"


def test_a_street_officer_sees_the_coverage_of_their_street_only(people, targets, login):
    result = coverage(people.street_officer)
    assert (result.total.targets, result.total.uncovered) == (2, 1)
    assert [row.area.code for row in result.by_area] == [HUAIHE]
    response = login(people.street_officer).get(reverse("enterprises:coverage"))
    assert names(response.context["page"]) == {"郑州重点机械有限公司"}


@pytest.mark.parametrize(
    "persona, status",
    [
        ("coordinator", 200),
        ("leader", 200),
        ("street_officer", 200),
        ("clerk", 403),
        ("liaison", 403),
        ("enterprise_a", 403),
        ("enforcement", 403),
    ],
)
def test_who_may_see_the_coverage(people, targets, login, persona, status):
    client = login(getattr(people, persona))
    assert client.get(reverse("enterprises:coverage")).status_code == status
    assert client.get(reverse("enterprises:coverage_export")).status_code == status
    assert client.get(reverse("api_coverage")).status_code == status
    assert client.get(reverse("api_coverage_uncovered")).status_code == status


def read_xlsx(response):
    file = BytesIO(response.content)
    file.name = "export.xlsx"
    return read_table(file)


def test_the_uncovered_export_lists_the_same_enterprises(people, targets, login):
    response = login(people.coordinator).get(
        reverse("enterprises:coverage_export"), {"kind": "service"}
    )
    assert response.status_code == 200
    table = read_xlsx(response)
    rows = {row["企业名称"]: row for _n, row in table.rows}
    assert set(rows) == {targets[k].name for k in ("key", "grade_a", "park")}
    park = rows["郑州园区重点食品有限公司"]
    assert (park["所属园区"], park["重点企业"], park["企业等级"]) == ("马寨产业集聚区", "是", "B")
    assert park["在任专员"] == "李指导员（驻企指导员）"
    assert rows["郑州甲级制造有限公司"]["在任专员"] in ("", None)  # 李's party role has ended
    assert rows["郑州甲级制造有限公司"]["企业等级"] == "A"


def test_the_coverage_api_gives_the_same_numbers(people, district, targets, login):
    client = login(people.coordinator)
    body = client.get(reverse("api_coverage")).json()
    assert body["complete"] is False
    assert body["total"] == {
        "area": None,
        "area_name": "",
        "targets": 4,
        "uncovered": 2,
        "missing": {"service": 3, "talent": 4, "party": 4, "resident": 3},
    }
    assert {r["area_name"]: r["uncovered"] for r in body["by_area"]} == {
        "淮河路街道": 1,
        "解放路街道": 1,
        "马寨镇": 0,
    }
    listed = client.get(
        reverse("api_coverage_uncovered"), {"kind": "service", "area": district.region(JIEFANG).pk}
    ).json()
    assert [row["name"] for row in listed["results"]] == ["郑州甲级制造有限公司"]
    assert client.get(reverse("api_coverage"), {"group": "nonsense"}).status_code == 400


# Assigning officers


def test_a_second_primary_of_the_same_kind_demotes_the_first(people, targets, wang, li):
    talent = targets["talent"]
    first = LiaisonAssignment.objects.get(enterprise=talent, officer=wang)
    second = services.liaison_assign(
        actor=people.coordinator,
        enterprise=talent,
        officer=li,
        kind="service",
        is_primary=True,
        started_on=date(2020, 3, 1),
    )
    first.refresh_from_db()
    assert second.is_primary and not first.is_primary
    assert first.ended_on is None  # the former primary stays assigned
    assert first.history.latest().history_change_reason == "主责专员变更"
    active = LiaisonAssignment.objects.filter(enterprise=talent, kind="service", ended_on=None)
    assert active.count() == 2 and active.filter(is_primary=True).get() == second


def test_a_primary_of_another_kind_leaves_the_first_primary(people, targets, li):
    talent = targets["talent"]
    services.liaison_assign(
        actor=people.coordinator, enterprise=talent, officer=li, kind="talent", is_primary=True
    )
    assert LiaisonAssignment.objects.filter(enterprise=talent, is_primary=True).count() == 2


def test_the_database_refuses_two_active_primaries_of_one_kind(targets, li):
    with pytest.raises(IntegrityError), transaction.atomic():
        assign(targets["talent"], li, "service", primary=True)


def test_making_an_assignment_primary_demotes_the_current_one(people, targets, wang, li, login):
    talent = targets["talent"]
    other = services.liaison_assign(
        actor=people.coordinator, enterprise=talent, officer=li, kind="service"
    )
    response = login(people.coordinator).post(
        reverse("enterprises:liaison_make_primary", args=[other.pk])
    )
    assert response.status_code == 302
    primaries = LiaisonAssignment.objects.filter(enterprise=talent, kind="service", is_primary=True)
    assert list(primaries.values_list("officer__username", flat=True)) == ["li"]


def test_the_api_makes_an_assignment_primary_within_the_caller_s_area(
    people, targets, wang, li, login
):
    talent = targets["talent"]
    other = services.liaison_assign(
        actor=people.coordinator, enterprise=talent, officer=li, kind="service"
    )
    url = reverse("api_liaison_primary", args=[other.pk])
    assert login(people.leader).post(url).status_code == 403
    response = login(people.coordinator).post(url)
    assert response.status_code == 200 and response.json()["is_primary"] is True
    primaries = LiaisonAssignment.objects.filter(enterprise=talent, kind="service", is_primary=True)
    assert list(primaries.values_list("officer__username", flat=True)) == ["li"]


def test_the_same_officer_cannot_hold_the_same_kind_twice(people, targets, wang):
    with pytest.raises(ValidationError) as refused:
        services.liaison_assign(
            actor=people.coordinator, enterprise=targets["talent"], officer=wang, kind="service"
        )
    assert refused.value.message_dict == {"officer": ["王专员已是这家企业的服务专员"]}


def test_only_a_liaison_account_may_be_assigned(people, targets):
    with pytest.raises(ValidationError) as refused:
        services.liaison_assign(
            actor=people.coordinator, enterprise=targets["key"], officer=people.clerk, kind="party"
        )
    assert refused.value.message_dict == {"officer": ["「clerk」不是服务专员账号"]}


def test_an_assignment_cannot_start_in_the_future(people, targets, wang):
    with pytest.raises(ValidationError) as refused:
        services.liaison_assign(
            actor=people.coordinator,
            enterprise=targets["key"],
            officer=wang,
            kind="service",
            started_on=tomorrow(),
        )
    assert refused.value.message_dict == {"started_on": ["日期不能晚于今天"]}
    assert not LiaisonAssignment.objects.filter(enterprise=targets["key"]).exists()


def test_an_assignment_cannot_end_before_it_started(people, targets):
    current = LiaisonAssignment.objects.get(enterprise=targets["talent"])
    with pytest.raises(ValidationError) as refused:
        services.liaison_assignment_end(
            actor=people.coordinator, assignment=current, ended_on=date(2020, 1, 1)
        )
    assert refused.value.message_dict == {"ended_on": ["结束日期不能早于开始日期"]}


def test_a_street_officer_assigns_in_their_street_only(people, targets, wang, login):
    client = login(people.street_officer)
    response = client.post(
        reverse("enterprises:liaison_assign", args=[targets["key"].pk]),
        {"officer": wang.pk, "kind": "service", "started_on": "2020-03-02", "is_primary": "on"},
    )
    assert response.status_code == 302
    made = LiaisonAssignment.objects.get(enterprise=targets["key"])
    assert (made.officer, made.kind, made.is_primary, made.started_on) == (
        wang,
        "service",
        True,
        date(2020, 3, 2),
    )
    assert made.history.get().history_user == people.street_officer
    outside = client.get(reverse("enterprises:liaison_assign", args=[targets["grade_a"].pk]))
    assert outside.status_code == 404
    with pytest.raises(PermissionDenied):
        services.liaison_assign(
            actor=people.street_officer, enterprise=targets["grade_a"], officer=wang, kind="party"
        )


@pytest.mark.parametrize("persona, status", [("leader", 403), ("clerk", 403), ("liaison", 403)])
def test_read_only_roles_cannot_assign(people, targets, wang, login, persona, status):
    client = login(getattr(people, persona))
    page = reverse("enterprises:liaison_assign", args=[people.enterprise_a.enterprise.pk])
    assert client.get(page).status_code == status
    api = client.post(
        reverse("api_liaison_assignments"),
        {"enterprise": targets["key"].pk, "officer": wang.pk, "kind": "service"},
        content_type="application/json",
    )
    assert api.status_code == 403
    assert not LiaisonAssignment.objects.filter(enterprise=targets["key"]).exists()


def test_the_api_assigns_a_primary_and_demotes_the_current_one(people, targets, wang, li, login):
    response = login(people.coordinator).post(
        reverse("api_liaison_assignments"),
        {
            "enterprise": targets["talent"].pk,
            "officer": li.pk,
            "kind": "service",
            "is_primary": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["officer_username"], body["kind_display"], body["is_primary"]) == (
        "li",
        "服务专员",
        True,
    )
    assert not LiaisonAssignment.objects.get(enterprise=targets["talent"], officer=wang).is_primary


# Bulk assignment from a spreadsheet


def xlsx(*rows, headers=LIAISON_HEADERS, name="liaisons.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "服务专员分配"
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    out = BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def run_import(actor, *rows, dry_run=False):
    return services.liaison_assignments_import(actor=actor, file=xlsx(*rows), dry_run=dry_run)


def good_rows(targets):
    """Rows 2–3: 王 as primary 服务专员 of the key company, 李 as 党建指导员 of the A-grade one
    (its date as Excel stores a date cell)."""
    return [
        (targets["key"].uscc, "郑州重点机械有限公司", "wang", "服务专员", "是", "2020-02-10"),
        (targets["grade_a"].uscc, "", "li", "党建指导员", "", datetime(2020, 3, 2)),
    ]


def test_good_rows_are_applied_with_history(people, targets, wang, li):
    before = LiaisonAssignment.objects.count()
    result = run_import(people.coordinator, *good_rows(targets))
    assert result.ok, result.as_dict()
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert LiaisonAssignment.objects.count() == before + 2
    key = LiaisonAssignment.objects.get(enterprise=targets["key"])
    assert (key.officer, key.kind, key.is_primary, key.started_on) == (
        wang,
        "service",
        True,
        STARTED,
    )
    party = LiaisonAssignment.objects.get(enterprise=targets["grade_a"], ended_on=None)
    assert (party.officer, party.is_primary, party.started_on) == (li, False, date(2020, 3, 2))
    assert key.history.get().history_change_reason == "批量分配服务专员"
    assert coverage(people.coordinator).complete


def test_importing_the_same_file_again_changes_nothing(people, targets):
    run_import(people.coordinator, *good_rows(targets))
    again = run_import(people.coordinator, *good_rows(targets))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_a_new_primary_in_the_file_demotes_the_current_one(people, targets, wang, li):
    result = run_import(
        people.coordinator, (targets["talent"].uscc, "", "li", "服务专员", "是", "2020-03-01")
    )
    assert (result.created, result.updated) == (1, 1)
    primaries = LiaisonAssignment.objects.filter(
        enterprise=targets["talent"], kind="service", is_primary=True
    )
    assert list(primaries.values_list("officer__username", flat=True)) == ["li"]


def test_a_dry_run_writes_nothing(people, targets):
    before = LiaisonAssignment.objects.count()
    result = run_import(people.coordinator, *good_rows(targets), dry_run=True)
    assert result.ok and result.created == 2
    assert LiaisonAssignment.objects.count() == before


BAD_ROWS = {
    "unknown username": (
        lambda t: (t["park"].uscc, "", "ghost", "服务专员", "", ""),
        "第4行「专员账号」列：没有账号「ghost」",
    ),
    "invalid credit code": (
        lambda t: ("91410103MA44XXXX1X", "", "wang", "服务专员", "", ""),
        "第4行「统一社会信用代码」列：统一社会信用代码校验位错误：第18位应为",
    ),
    "code not in the register": (
        lambda t: (uscc_for(424242), "", "wang", "服务专员", "", ""),
        f"第4行「统一社会信用代码」列：企业名录中没有这个统一社会信用代码：{uscc_for(424242)}",
    ),
    "unknown kind": (
        lambda t: (t["park"].uscc, "", "wang", "联络员", "", ""),
        "第4行「类型」列：「联络员」不是可选值，应为：服务专员、人才服务专员、党建指导员、驻企指导员",
    ),
    "duplicate": (
        lambda t: (t["key"].uscc, "", "wang", "服务专员", "否", ""),
        "第4行「专员账号」列：与第2行重复：同一企业、同一专员、同一类型",
    ),
    "second primary in the file": (
        lambda t: (t["key"].uscc, "", "li", "服务专员", "是", ""),
        "第4行「是否主责」列：与第2行同为这家企业的主责服务专员，每类只能有一名主责专员",
    ),
    "not a liaison account": (
        lambda t: (t["park"].uscc, "", "clerk", "服务专员", "", ""),
        "第4行「专员账号」列：账号「clerk」不是服务专员账号（角色：区直部门）",
    ),
    "date in the future": (
        lambda t: (t["park"].uscc, "", "wang", "服务专员", "", "2999-01-01"),
        "第4行「开始日期」列：日期不能晚于今天（2999-01-01）",
    ),
    "missing kind": (
        lambda t: (t["park"].uscc, "", "wang", "", "", ""),
        "第4行「类型」列：必填，不能为空",
    ),
}


@pytest.mark.parametrize("bad_row, message", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_a_bad_row_names_row_and_column_in_chinese_and_nothing_is_written(
    people, targets, bad_row, message
):
    before = list(LiaisonAssignment.objects.values_list("pk", "is_primary", "ended_on"))
    result = run_import(people.coordinator, *good_rows(targets), bad_row(targets))
    assert not result.ok
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert len(result.errors) == 1, [str(e) for e in result.errors]
    assert str(result.errors[0]).startswith(message)
    assert list(LiaisonAssignment.objects.values_list("pk", "is_primary", "ended_on")) == before


def test_a_file_without_a_required_column_is_refused_whole(people, targets):
    headers = [h for h in LIAISON_HEADERS if h != "类型"]
    file = xlsx((targets["key"].uscc, "", "wang", "是", ""), headers=headers)
    result = services.liaison_assignments_import(actor=people.coordinator, file=file)
    assert result.file_error == "缺少必填列：「类型」"
    assert not LiaisonAssignment.objects.filter(enterprise=targets["key"]).exists()


def test_a_street_officer_may_not_assign_outside_their_street(people, targets):
    result = run_import(people.street_officer, *good_rows(targets))
    assert [str(e) for e in result.errors] == [
        "第3行「统一社会信用代码」列：郑州甲级制造有限公司不在您负责的区域内"
    ]
    assert not LiaisonAssignment.objects.filter(enterprise=targets["key"]).exists()
    with pytest.raises(PermissionDenied):
        run_import(people.liaison, *good_rows(targets))


def test_the_upload_page_previews_and_then_applies(people, targets, login):
    client = login(people.coordinator)
    response = client.post(
        reverse("enterprises:liaison_import"), {"file": xlsx(*good_rows(targets))}
    )
    job = ImportJob.objects.get(kind="liaisons")
    assert response.status_code == 302
    assert response.url == reverse("enterprises:liaison_import_job", args=[job.pk])
    assert job.summary["ok"] and job.summary["created"] == 2
    assert not LiaisonAssignment.objects.filter(enterprise=targets["key"]).exists()  # preview
    applied = client.post(reverse("enterprises:liaison_import_job", args=[job.pk]), follow=True)
    assert "导入完成：新增分配 2 项，更新 0 项，未变化 0 项" in applied.content.decode()
    assert LiaisonAssignment.objects.filter(enterprise=targets["key"]).count() == 1


def test_a_refused_upload_shows_the_errors_and_cannot_be_applied(people, targets, login):
    client = login(people.coordinator)
    file = xlsx(*good_rows(targets), (targets["park"].uscc, "", "ghost", "服务专员", "", ""))
    client.post(reverse("enterprises:liaison_import"), {"file": file})
    job = ImportJob.objects.get(kind="liaisons")
    page = client.get(reverse("enterprises:liaison_import_job", args=[job.pk])).content.decode()
    assert "没有账号「ghost」" in page
    refused = client.post(reverse("enterprises:liaison_import_job", args=[job.pk]), follow=True)
    assert "这份文件不能导入：请先修正错误后重新上传" in refused.content.decode()
    assert not LiaisonAssignment.objects.filter(enterprise=targets["key"]).exists()


def test_the_api_import_refuses_a_bad_file_with_every_row_error(people, targets, login):
    client = login(people.coordinator)
    file = xlsx(*good_rows(targets), (targets["park"].uscc, "", "wang", "联络员", "", ""))
    response = client.post(reverse("api_liaison_import"), {"file": file})
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["message"]) == (
        "import_refused",
        "文件中有 1 处错误，未导入任何数据",
    )
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(4, "类型")]
    ok = client.post(reverse("api_liaison_import"), {"file": xlsx(*good_rows(targets))})
    assert ok.status_code == 201 and ok.json()["created"] == 2


def test_the_template_has_the_columns_and_the_notes(people, login):
    response = login(people.street_officer).get(reverse("enterprises:liaison_import_template"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["服务专员分配", "填写说明"]
    assert [c.value for c in book["服务专员分配"][1]] == [
        "统一社会信用代码",
        "企业名称",
        "专员账号",
        "类型",
        "是否主责",
        "开始日期",
    ]
    assert book["填写说明"].max_row == 7
    for persona in ("liaison", "leader", "clerk"):
        client = login(getattr(people, persona))
        assert client.get(reverse("enterprises:liaison_import_template")).status_code == 403
        assert client.get(reverse("enterprises:liaison_import")).status_code == 403


# A liaison officer's own enterprises


def test_my_enterprises_shows_a_liaison_only_their_current_enterprises(
    people, targets, wang, login
):
    company_a = people.enterprise_a.enterprise
    services.visit_record(
        actor=people.liaison,
        enterprise=company_a,
        visited_on=date(2020, 3, 5),
        kind="on_site",
        findings="复工正常",
    )
    client = login(people.liaison)
    response = client.get(reverse("enterprises:my_enterprises"))
    assignments = list(response.context["assignments"])
    assert [(a.enterprise.name, a.kind) for a in assignments] == [
        ("郑州甲方机械有限公司", "talent")
    ]
    assert assignments[0].last_visited_on == date(2020, 3, 5)
    html = response.content.decode()
    assert "最近走访 2020-03-05" in html and "郑州人才软件有限公司" not in html

    mine = login(wang).get(reverse("enterprises:my_enterprises"))
    assert names(a.enterprise for a in mine.context["assignments"]) == {
        "郑州人才软件有限公司",
        "郑州普通商贸有限公司",
    }
    assert "尚未走访" in mine.content.decode()


def test_an_ended_assignment_leaves_my_enterprises(people, login):
    people.liaison.liaison_assignments.update(ended_on=date(2020, 3, 1))
    response = login(people.liaison).get(reverse("enterprises:my_enterprises"))
    assert list(response.context["assignments"]) == []
    assert "您目前没有分配的企业" in response.content.decode()


@pytest.mark.parametrize("persona", ["coordinator", "street_officer", "enterprise_a"])
def test_my_enterprises_is_for_liaison_officers(people, login, persona):
    client = login(getattr(people, persona))
    assert client.get(reverse("enterprises:my_enterprises")).status_code == 403


# Visits


@pytest.fixture
def visits(people, district, targets, wang):
    """To company A (淮河路) by the liaison, to company B (解放路) recorded by the coordinator for
    王, and to the park company by the park officer."""
    company_a, company_b = people.enterprise_a.enterprise, people.enterprise_b.enterprise
    return {
        "a": services.visit_record(
            actor=people.liaison,
            enterprise=company_a,
            visited_on=date(2020, 3, 2),
            kind="on_site",
            findings="已复工，缺口罩",
        ),
        "b": services.visit_record(
            actor=people.coordinator,
            officer=wang,
            enterprise=company_b,
            visited_on=date(2020, 3, 5),
            kind="phone",
            findings="店面未开",
        ),
        "park": services.visit_record(
            actor=people.park_officer,
            enterprise=targets["park"],
            visited_on=date(2020, 3, 3),
            kind="video",
            findings="园区企业复工",
        ),
    }


ALL_VISITS = ["b", "park", "a"]  # newest first
EXPECTED_VISITS = {
    "leader": ALL_VISITS,
    "coordinator": ALL_VISITS,
    "clerk": ALL_VISITS,
    "street_officer": ["a"],
    "park_officer": ["park"],
    "liaison": ["a"],
}


@pytest.mark.parametrize("persona, expected", EXPECTED_VISITS.items())
def test_each_role_sees_exactly_its_visits_on_page_and_api(
    people, visits, login, persona, expected
):
    client = login(getattr(people, persona))
    ids = [visits[k].pk for k in expected]
    assert [v.pk for v in visits_visible_to(getattr(people, persona))] == ids
    page = client.get(reverse("enterprises:visits"))
    assert [v.pk for v in page.context["page"]] == ids
    api = client.get(reverse("api_visits"))
    assert [row["id"] for row in api.json()["results"]] == ids
    for key, visit in visits.items():
        status = 200 if key in expected else 404
        assert (
            client.get(reverse("enterprises:visit_detail", args=[visit.pk])).status_code == status
        )
        assert client.get(reverse("api_visit", args=[visit.pk])).status_code == status


@pytest.mark.parametrize("persona", ["enterprise_a", "enterprise_b", "enforcement", "nobody"])
def test_enterprises_and_other_roles_see_no_visits(people, visits, login, persona):
    client = login(getattr(people, persona))
    assert not visits_visible_to(getattr(people, persona)).exists()
    assert client.get(reverse("enterprises:visits")).status_code == 403
    assert client.get(reverse("api_visits")).status_code == 403
    for visit in visits.values():
        assert client.get(reverse("enterprises:visit_detail", args=[visit.pk])).status_code == 404
        assert client.get(reverse("api_visit", args=[visit.pk])).status_code == 404


def test_an_enterprise_sees_no_visit_notes_on_its_own_page(people, visits, login):
    company_a = people.enterprise_a.enterprise
    response = login(people.enterprise_a).get(reverse("enterprises:detail", args=[company_a.pk]))
    assert response.status_code == 200
    assert list(response.context["visits"]) == [] and response.context["sees_visits"] is False
    assert "已复工，缺口罩" not in response.content.decode()
    staff = login(people.street_officer).get(reverse("enterprises:detail", args=[company_a.pk]))
    assert "已复工，缺口罩" in staff.content.decode()


def test_an_officer_still_sees_their_own_visit_after_the_assignment_ends(people, visits):
    people.liaison.liaison_assignments.update(ended_on=date(2020, 3, 10))
    assert list(visits_visible_to(people.liaison)) == [visits["a"]]


def test_the_visit_detail_shows_who_visited_and_who_recorded(people, visits, login):
    response = login(people.coordinator).get(
        reverse("enterprises:visit_detail", args=[visits["b"].pk])
    )
    visit = response.context["visit"]
    assert (visit.officer.username, visit.recorded_by, visit.findings) == (
        "wang",
        people.coordinator,
        "店面未开",
    )
    assert "王专员" in response.content.decode()


def test_the_visit_api_filters_by_enterprise_and_dates(people, visits, login):
    client = login(people.coordinator)
    url = reverse("api_visits")
    by_enterprise = client.get(url, {"enterprise": people.enterprise_b.enterprise.pk}).json()
    assert [row["id"] for row in by_enterprise["results"]] == [visits["b"].pk]
    by_dates = client.get(url, {"since": "2020-03-03", "until": "2020-03-04"}).json()
    assert [row["findings"] for row in by_dates["results"]] == ["园区企业复工"]


def test_a_visit_cannot_be_dated_in_the_future(people, login):
    company_a = people.enterprise_a.enterprise
    with pytest.raises(ValidationError) as refused:
        services.visit_record(
            actor=people.liaison,
            enterprise=company_a,
            visited_on=tomorrow(),
            kind="on_site",
            findings="明天去",
        )
    assert refused.value.message_dict == {"visited_on": ["走访日期不能晚于今天"]}
    response = login(people.liaison).post(
        reverse("api_visits"),
        {
            "enterprise": company_a.pk,
            "visited_on": tomorrow().isoformat(),
            "kind": "on_site",
            "findings": "明天去",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert (response.json()["field"], response.json()["message"]) == (
        "visited_on",
        "走访日期不能晚于今天",
    )
    assert not Visit.objects.exists()


def test_a_visit_needs_findings(people):
    with pytest.raises(ValidationError) as refused:
        services.visit_record(
            actor=people.liaison,
            enterprise=people.enterprise_a.enterprise,
            visited_on=date(2020, 3, 2),
            kind="on_site",
            findings="   ",
        )
    assert refused.value.message_dict == {"findings": ["请填写走访情况"]}


def test_a_liaison_visits_only_their_own_enterprises(people):
    with pytest.raises(PermissionDenied):
        services.visit_record(
            actor=people.liaison,
            enterprise=people.enterprise_b.enterprise,
            visited_on=date(2020, 3, 2),
            kind="phone",
            findings="不是我的企业",
        )


def test_only_staff_may_be_recorded_as_the_visitor(people):
    with pytest.raises(ValidationError) as refused:
        services.visit_record(
            actor=people.coordinator,
            officer=people.enterprise_b,
            enterprise=people.enterprise_a.enterprise,
            visited_on=date(2020, 3, 2),
            kind="phone",
            findings="企业自己来的",
        )
    assert refused.value.message_dict == {"officer": ["走访人应为服务专员或工作人员账号"]}
    with pytest.raises(
        PermissionDenied
    ):  # only the coordinator or an area officer records for others
        services.visit_record(
            actor=people.liaison,
            officer=people.coordinator,
            enterprise=people.enterprise_a.enterprise,
            visited_on=date(2020, 3, 2),
            kind="phone",
            findings="替别人登记",
        )

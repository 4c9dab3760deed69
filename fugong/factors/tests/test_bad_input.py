"""Bad input is refused with a Chinese 4xx (or, on the command line, a Chinese error and a
non-zero exit), never a 500 or a traceback, and a refused input changes nothing."""

import json
import re

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from fugong.core.models import Region
from fugong.factors import services
from fugong.factors.counties import CountyLookup
from fugong.factors.models import PlanningRun, ReturningWorker
from fugong.factors.tests.conftest import FIRST_DAY
from fugong.factors.tests.test_api import post, refusal
from fugong.factors.tests.test_pages import workbook

pytestmark = pytest.mark.django_db
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def outside(people):
    county = CountyLookup()("341221 临泉县")
    county.save()
    return county


@pytest.mark.parametrize("county", ["", "abc", "99999999999999999999", "-1", "²"])
def test_the_county_form_with_a_bad_county_is_a_4xx(login, people, outside, county):
    client = login(people.coordinator)
    response = client.post(
        reverse("factors:counties"), {"county": county, "name": "临泉县", "longitude": "115"}
    )
    assert 400 <= response.status_code < 500


def test_the_county_form_with_bad_coordinates_names_the_field(login, people, outside):
    client = login(people.coordinator)
    response = client.post(
        reverse("factors:counties"),
        {"county": outside.pk, "name": "临泉县", "longitude": "东经115", "latitude": "999"},
    )
    assert response.status_code in (200, 400) and CHINESE.search(response.content.decode())
    outside.refresh_from_db()
    assert outside.longitude is None and outside.latitude is None


@pytest.mark.parametrize(
    "data",
    [{"longitude": "abc", "latitude": 33}, {"longitude": 200, "latitude": 33}, {}, {"x": 1}],
)
def test_the_county_api_with_bad_coordinates_is_a_chinese_400(login, people, outside, data):
    response = login(people.coordinator).patch(
        reverse("api_county", args=[outside.pk]), data, content_type="application/json"
    )
    refusal(response, 400)


def test_the_county_api_with_a_body_that_is_not_an_object_is_a_400(login, people, outside):
    response = login(people.coordinator).patch(
        reverse("api_county", args=[outside.pk]), [1, 2], content_type="application/json"
    )
    refusal(response, 400)


@pytest.mark.parametrize(
    "arguments, words",
    [
        (["--from", "2020-13-01", "--to", "2020-02-21"], "日期"),
        (["--from", "二月", "--to", "2020-02-21"], "日期"),
        (["--from", "2020-02-21", "--to", "2020-02-20"], "截止日期不能早于起始日期"),
        (["--from", "2020-01-01", "--to", "2020-12-31"], "一次最多规划"),
        (["--from", "2020-02-20", "--to", "2020-02-21", "--cap", "abc"], "上座率"),
        (["--from", "2020-02-20", "--to", "2020-02-21", "--cap", "1.5"], "上座率"),
        (["--from", "2020-02-20", "--to", "2020-02-21", "--cap", "0"], "上座率"),
        (["--from", "2020-02-20", "--to", "2020-02-21", "--max-wait", "-1"], "等待"),
        (["--from", "2020-02-20", "--to", "2020-02-21", "--max-wait", "x"], "等待"),
        (
            ["--from", "2020-02-20", "--to", "2020-02-21", "--distances", "/nonexistent.csv"],
            "距离表",
        ),
    ],
)
def test_the_plan_command_refuses_bad_arguments_in_chinese(people, arguments, words):
    with pytest.raises(CommandError) as error:
        call_command("plan_shuttles", *arguments)
    assert words in str(error.value), str(error.value)
    assert not PlanningRun.objects.exists()


def test_the_plan_command_refuses_while_a_run_is_queued(people):
    services.planning_request(actor=people.coordinator, first_day=FIRST_DAY, last_day=FIRST_DAY)
    with pytest.raises(CommandError, match="正在进行"):
        call_command("plan_shuttles", "--from", "2020-02-20", "--to", "2020-02-21")


def test_the_plan_command_on_the_command_line_exits_non_zero_without_a_traceback():
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "django", "plan_shuttles", "--from", "2020-13-01", "--to", "x"],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "fugong.test_settings"},
        timeout=60,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and CHINESE.search(done.stderr), done.stderr


@pytest.fixture
def nowhere(settings, district):
    """A district with no point recorded and a code outside the bundled table: no depot."""
    Region.objects.filter(kind=Region.Kind.DISTRICT).update(longitude=None, latitude=None)
    settings.FUGONG_DISTRICT_CODE = "110101"


def test_planning_without_a_depot_is_refused_in_chinese(nowhere, register, bus, people, login):
    register()
    with pytest.raises(Exception) as error:
        services.planning_request(actor=people.coordinator, first_day=FIRST_DAY, last_day=FIRST_DAY)
    assert "出发点" in str(error.value)
    client = login(people.coordinator)
    body = {"first_day": FIRST_DAY.isoformat(), "last_day": FIRST_DAY.isoformat()}
    assert "出发点" in refusal(post(client, "api_shuttle_plans", body), 400)
    page = client.post(reverse("factors:runs"), {**body, "seat_cap": "0.5", "max_wait_days": 0})
    assert page.status_code in (200, 400) and "出发点" in page.content.decode()
    with pytest.raises(CommandError, match="出发点"):
        call_command("plan_shuttles", "--from", "2020-02-20", "--to", "2020-02-21")
    assert not PlanningRun.objects.exists()


def test_a_queued_run_that_finds_no_depot_fails_with_a_chinese_reason(
    register, bus, people, settings
):
    register()
    run = services.planning_request(
        actor=people.coordinator, first_day=FIRST_DAY, last_day=FIRST_DAY
    )
    Region.objects.filter(kind=Region.Kind.DISTRICT).update(longitude=None, latitude=None)
    settings.FUGONG_DISTRICT_CODE = "110101"
    run = services.execute_run(run.pk)
    assert run.status == "failed" and "出发点" in run.error and "None" not in run.error


WORKER_HEADERS = ["姓名", "身份证号", "手机号", "户籍县区", "最早出发日期", "健康状况"]


def good_row(n: int) -> list:
    from fugong.factors.tests.conftest import id_number, mobile

    return [f"工人{n}", id_number(500 + n), mobile(500 + n), "沈丘县", "2020-02-20", "健康"]


def upload(client, book):
    return client.post(reverse("api_returning_worker_import"), {"file": book})


def test_an_import_with_a_missing_column_names_it_and_registers_nobody(login, people):
    client = login(people.enterprise_a)
    headers = [h for h in WORKER_HEADERS if h != "身份证号"]
    rows = [
        [c for h, c in zip(WORKER_HEADERS, good_row(n), strict=True) if h != "身份证号"]
        for n in range(3)
    ]
    message = refusal(upload(client, workbook(rows, headers)), 400)
    assert "身份证号" in message
    assert not ReturningWorker.objects.exists()


def test_an_import_with_a_renamed_column_names_it_and_registers_nobody(login, people):
    client = login(people.enterprise_a)
    headers = ["姓名", "身份证", "手机号", "户籍县区", "最早出发日期", "健康状况"]
    message = refusal(upload(client, workbook([good_row(1)], headers)), 400)
    assert "身份证号" in message and not ReturningWorker.objects.exists()


@pytest.mark.parametrize(
    "column, value, words",
    [
        (4, "2020-02-30", "日期"),
        (4, 12345, "日期"),
        (3, "火星县", "户籍县区"),
        (1, "123", "身份证号"),
        (2, 13800000000.5, "手机号"),
        (0, "", "姓名"),
        (5, "紫码", "健康状况"),
    ],
)
def test_an_import_with_a_malformed_row_names_the_row_and_field(
    login, people, column, value, words
):
    client = login(people.enterprise_a)
    rows = [good_row(n) for n in range(3)]
    rows[1][column] = value
    response = upload(client, workbook(rows))
    assert response.status_code == 400, response.content.decode()
    text = json.dumps(response.json(), ensure_ascii=False)
    assert "第3行" in text and words in text, text
    assert not ReturningWorker.objects.exists()


def test_an_import_does_not_query_once_per_row(people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fugong.factors.importing import workers_import

    def queries(n: int, dry_run: bool) -> int:
        book = workbook([good_row(k) for k in range(n)])
        with CaptureQueriesContext(connection) as captured:
            result = workers_import(actor=people.enterprise_a, file=book.open(), dry_run=dry_run)
        assert not result.errors, result.errors
        return len(captured)

    for dry_run in (True, False):
        few = queries(3, dry_run)
        ReturningWorker.objects.all().delete()
        assert queries(30, dry_run) == few
        ReturningWorker.objects.all().delete()


def test_an_import_by_staff_finds_enterprises_in_bulk(people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fugong.factors.importing import workers_import

    headers = [*WORKER_HEADERS, "返岗企业统一社会信用代码"]
    companies = [people.enterprise_a.enterprise.uscc, people.enterprise_b.enterprise.uscc]

    def queries(n: int) -> int:
        book = workbook([[*good_row(k), companies[k % 2]] for k in range(n)], headers)
        with CaptureQueriesContext(connection) as captured:
            result = workers_import(actor=people.coordinator, file=book.open(), dry_run=True)
        assert not result.errors, result.errors
        return len(captured)

    assert queries(30) == queries(4)


def test_the_coordinator_is_told_when_a_queued_run_fails_not_that_it_is_done(
    register, bus, people, settings, django_capture_on_commit_callbacks
):
    from fugong.core.models import Notification
    from fugong.factors.tasks import plan_shuttles

    register()
    run = services.planning_request(
        actor=people.coordinator, first_day=FIRST_DAY, last_day=FIRST_DAY
    )
    Region.objects.filter(kind=Region.Kind.DISTRICT).update(longitude=None, latitude=None)
    settings.FUGONG_DISTRICT_CODE = "110101"
    plan_shuttles.call(run.pk)
    told = Notification.objects.get(recipient=people.coordinator)
    assert told.title == "直通车规划失败" and "出发点" in told.body


def test_departing_with_an_absent_passenger_that_is_not_a_number_is_refused_not_a_500(
    register, bus, plan, people, login
):
    from fugong.factors.models import ShuttleTrip

    register()
    register()
    plan()
    trip = ShuttleTrip.objects.get()
    services.trip_confirm(actor=people.coordinator, trip=trip)
    client = login(people.coordinator)
    response = client.post(
        reverse("factors:trip_action", args=[trip.pk, "depart"]), {"absent": ["²", "-1", "x"]}
    )
    assert response.status_code == 302
    assert "未到乘客的选择有误" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    trip.refresh_from_db()
    assert trip.status != "departed"  # not departed with everyone counted as boarded


def test_a_cancellation_goes_through_when_the_re_plan_it_asks_for_cannot_be_queued(
    register, bus, plan, people, settings
):
    workers = [register() for _n in range(3)]
    plan()
    Region.objects.filter(kind=Region.Kind.DISTRICT).update(longitude=None, latitude=None)
    settings.FUGONG_DISTRICT_CODE = "110101"
    services.worker_cancel(actor=people.coordinator, worker=workers[0], reason="已自行返岗")
    workers[0].refresh_from_db()
    assert workers[0].cancelled_at is not None
    assert not PlanningRun.objects.filter(status="queued").exists()

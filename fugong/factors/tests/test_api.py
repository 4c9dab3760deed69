"""The API of 送要素: same scoping, services and masking as the pages, one error shape with
Chinese messages, Idempotency-Key on every create."""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from fugong.factors.models import (
    County,
    JobOpening,
    LoanApplication,
    PlanningRun,
    ReturningWorker,
    ShuttleTrip,
    Vehicle,
)
from fugong.factors.tests.conftest import FIRST_DAY, id_number

pytestmark = pytest.mark.django_db
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def post(client, name, data=None, *, args=(), key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        reverse(name, args=args), data or {}, content_type="application/json", **headers
    )


def refusal(response, status: int, field=None) -> str:
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert {"code", "message", "field"} <= set(body) and CHINESE.search(body["message"]), body
    if field is not None:
        assert body["field"] == field, body
    return body["message"]


def opening(**changes):
    return {
        "title": "焊工",
        "positions": 8,
        "salary_min": 5000,
        "salary_max": 7000,
        "work_place": "厂区",
        "contact_person": "王",
        "contact_phone": "13812345678",
        "valid_until": (timezone.localdate() + timedelta(days=20)).isoformat(),
        **changes,
    }


def test_an_enterprise_submits_an_opening_once_and_the_board_shows_it_after_review(login, people):
    client = login(people.enterprise_a)
    first = post(client, "api_job_openings", opening(), key="job-1")
    again = post(client, "api_job_openings", opening(), key="job-1")
    assert first.status_code == again.status_code == 201 and again["Idempotent-Replay"] == "true"
    assert JobOpening.objects.count() == 1 and first.json()["status"] == "pending"
    conflict = post(client, "api_job_openings", opening(title="别的"), key="job-1")
    assert conflict.status_code == 409
    public = Client()
    assert public.get(reverse("api_jobs")).json()["count"] == 0
    pk = first.json()["id"]
    refusal(post(client, "api_job_opening_review", {"approve": True}, args=[pk]), 403)
    reviewed = post(
        login(people.coordinator), "api_job_opening_review", {"approve": True}, args=[pk]
    )
    assert reviewed.json()["status"] == "published"
    listed = public.get(reverse("api_jobs"), {"q": "焊"}).json()
    assert (
        listed["count"] == 1 and listed["results"][0]["enterprise_name"] == "郑州甲方机械有限公司"
    )
    assert public.get(reverse("api_job", args=[pk])).status_code == 200
    refusal(public.get(reverse("api_jobs"), {"salary": "-1"}), 400, "salary")


def test_bad_openings_are_refused_with_the_field(login, people):
    client = login(people.enterprise_a)
    refusal(post(client, "api_job_openings", opening(salary_min=9000)), 400, "salary_max")
    refusal(post(client, "api_job_openings", opening(positions=0)), 400, "positions")
    refusal(post(client, "api_job_openings", opening(contact_phone="12")), 400, "contact_phone")
    other = opening(enterprise=people.enterprise_b.enterprise_id)
    refusal(post(client, "api_job_openings", other), 400, "enterprise")
    refusal(client.post(reverse("api_job_openings"), "[1]", content_type="application/json"), 400)
    assert not JobOpening.objects.exists()


def test_hotlines_are_public_and_added_by_the_coordinator(login, people, district):
    data = {
        "number": "0371-68186001",
        "department": district.departments["rs"].pk,
        "topic": "求职",
        "hours": "8:30–17:30",
        "opened_on": "2020-02-10",
    }
    refusal(post(login(people.leader), "api_hotlines", data), 403)
    assert post(login(people.coordinator), "api_hotlines", data, key="h1").status_code == 201
    assert [h["number"] for h in Client().get(reverse("api_hotlines")).json()] == ["0371-68186001"]


def test_workers_are_registered_masked_and_scoped(login, people):
    client = login(people.enterprise_a)
    data = {
        "name": "孙十",
        "id_number": id_number(5),
        "phone": "13900000005",
        "home_county": "沈丘县",
        "earliest_date": "2020-02-20",
    }
    created = post(client, "api_returning_workers", data, key="w1")
    assert created.status_code == 201, created.content
    assert created.json()["id_number"].count("*") == 8 and created.json()["home_county"] == "411624"
    assert post(client, "api_returning_workers", data, key="w1").json() == created.json()
    assert "已有一份有效" in refusal(post(client, "api_returning_workers", data), 400, "id_number")
    bad = {**data, "id_number": id_number(6), "home_county": "火星县"}
    assert "未知的县" in refusal(post(client, "api_returning_workers", bad), 400, "home_county")
    assert ReturningWorker.objects.count() == 1
    pk = created.json()["id"]
    assert login(people.coordinator).get(reverse("api_returning_worker", args=[pk])).json()[
        "id_number"
    ] == id_number(5)
    assert (
        login(people.enterprise_b).get(reverse("api_returning_worker", args=[pk])).status_code
        == 404
    )
    assert login(people.enterprise_b).get(reverse("api_returning_workers")).json()["count"] == 0


def test_a_spreadsheet_is_imported_all_or_nothing(login, people):
    book = Workbook()
    book.active.append(["姓名", "身份证号", "手机号", "户籍县区", "最早出发日期"])
    book.active.append(["甲", id_number(8), "13900000008", "卢氏县", "2020-02-21"])
    book.active.append(["乙", id_number(9), "1390000", "卢氏县", "2020-02-21"])
    buffer = io.BytesIO()
    book.save(buffer)
    client = login(people.enterprise_a)
    response = client.post(
        reverse("api_returning_worker_import"),
        {"file": SimpleUploadedFile("名单.xlsx", buffer.getvalue())},
    )
    body = response.json()
    assert response.status_code == 400 and body["code"] == "import_refused"
    assert body["errors"][0]["row"] == 3 and body["errors"][0]["field"] == "手机号"
    assert not ReturningWorker.objects.exists()


def test_a_bus_with_a_bad_plate_is_refused(login, people):
    data = {
        "plate": "京B1234",
        "seats": 45,
        "operator": "公交",
        "driver_name": "司机",
        "driver_phone": "13700000001",
        "available_from": "2020-02-20",
    }
    client = login(people.coordinator)
    assert "7位" in refusal(post(client, "api_vehicles", data), 400, "plate")
    assert post(client, "api_vehicles", {**data, "plate": "豫A12345D"}).status_code == 201
    refusal(post(client, "api_vehicles", {**data, "plate": "豫A12345D"}), 400, "plate")
    refusal(post(client, "api_vehicles", {**data, "plate": "豫A22222", "seats": 3}), 400, "seats")
    assert Vehicle.objects.count() == 1


def test_a_plan_is_queued_made_and_its_trips_are_read_and_moved(
    login, people, register, bus, django_capture_on_commit_callbacks
):
    workers = [register() for _n in range(3)]
    client = login(people.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        queued = post(
            client,
            "api_shuttle_plans",
            {"first_day": FIRST_DAY.isoformat(), "last_day": FIRST_DAY.isoformat()},
            key="plan-1",
        )
    assert queued.status_code == 202 and queued.json()["status"] == "queued"
    run = client.get(reverse("api_shuttle_plan", args=[queued.json()["id"]])).json()
    assert run["status"] == "done" and run["planned"] == 3 and run["unplanned"] == []
    assert run["baseline_vehicles"] == 1
    refusal(
        post(client, "api_shuttle_plans", {"first_day": "2020-02-22", "last_day": "2020-02-20"}),
        400,
        "last_day",
    )
    [trip] = client.get(reverse("api_shuttle_trips")).json()["results"]
    assert trip["passenger_count"] == 3 and trip["capacity"] == 22
    refusal(
        post(login(people.leader), "api_shuttle_trip_action", args=[trip["id"], "confirm"]), 403
    )
    client = login(people.coordinator)
    confirmed = post(client, "api_shuttle_trip_action", args=[trip["id"], "confirm"]).json()
    assert confirmed["confirmed"] and [s["kind"] for s in confirmed["stops"]] == [
        "pickup",
        "dropoff",
    ]
    absent = confirmed["passengers"][0]["id"]
    departed = post(
        client, "api_shuttle_trip_action", {"absent": [absent]}, args=[trip["id"], "depart"]
    ).json()
    assert departed["status"] == "departed" and departed["passenger_count"] == 2
    refusal(post(client, "api_shuttle_trip_action", args=[trip["id"], "depart"]), 400)
    post(client, "api_shuttle_trip_action", args=[trip["id"], "arrive"])
    figures = client.get(reverse("api_factor_figures")).json()
    assert figures["shuttles"]["brought_back"] == 2 and figures["shuttles"]["vehicles"] == 1
    seen = login(people.enterprise_a).get(reverse("api_shuttle_trip", args=[trip["id"]])).json()
    assert all("*" in p["id_number"] for p in seen["passengers"])
    manifest = login(people.enterprise_a).get(
        reverse("api_shuttle_trip_manifest", args=[trip["id"]])
    )
    sheet = load_workbook(io.BytesIO(manifest.content))["乘客名单"]
    assert sheet.max_row == 3  # the header and the two who boarded
    assert {w.pk for w in workers} >= {p["worker"] for p in seen["passengers"]}
    assert ShuttleTrip.objects.get().status == "arrived"
    assert PlanningRun.objects.count() == 1


def test_loans_are_filed_and_moved_through_the_bank_s_steps(login, people):
    data = {"amount": "300", "purpose": "流动资金", "bank": "中原银行", "term_months": 12}
    client = login(people.enterprise_a)
    created = post(client, "api_loans", data, key="loan-1")
    assert (
        created.status_code == 201
        and created.json()["enterprise"] == people.enterprise_a.enterprise_id
    )
    assert post(client, "api_loans", data, key="loan-1").json()["id"] == created.json()["id"]
    refusal(post(client, "api_loans", {**data, "amount": "-5"}), 400, "amount")
    pk = created.json()["id"]
    refusal(post(client, "api_loan_move", {"move": "review"}, args=[pk]), 403)
    coordinator = login(people.coordinator)
    assert (
        post(coordinator, "api_loan_move", {"move": "review"}, args=[pk]).json()["status"]
        == "bank_review"
    )
    refusal(post(coordinator, "api_loan_move", {"move": "return"}, args=[pk]), 400, "note")
    refusal(post(coordinator, "api_loan_move", {"move": "fly"}, args=[pk]), 400, "move")
    assert LoanApplication.objects.get().status == "bank_review"
    assert login(people.enterprise_b).get(reverse("api_loan", args=[pk])).status_code == 404


def test_a_county_outside_the_table_gets_its_coordinates(login, people):
    county = County.objects.create(code="341221", name="临泉县")
    client = login(people.coordinator)
    reference = County.objects.get(code="411624")
    refusal(
        client.patch(
            reverse("api_county", args=[reference.pk]),
            {"longitude": 115, "latitude": 33},
            content_type="application/json",
        ),
        403,
    )
    missing = client.get(reverse("api_counties"), {"missing": "true"}).json()
    assert [c["code"] for c in missing["results"]] == ["341221"]
    updated = client.patch(
        reverse("api_county", args=[county.pk]),
        {"longitude": "115.261688", "latitude": "33.063228"},
        content_type="application/json",
    )
    assert updated.status_code == 200 and County.objects.get(pk=county.pk).located
    refusal(
        client.patch(
            reverse("api_county", args=[county.pk]),
            {"longitude": 200, "latitude": 33},
            content_type="application/json",
        ),
        400,
        "longitude",
    )


def test_a_bus_that_would_carry_nobody_is_refused_and_the_run_warns(
    login, people, register, django_capture_on_commit_callbacks
):
    client = login(people.coordinator)
    bus = {
        "plate": "豫A66666",
        "seats": 5,
        "operator": "公交",
        "driver_name": "王师傅",
        "driver_phone": "13700000001",
        "available_from": FIRST_DAY.isoformat(),
    }
    assert post(client, "api_vehicles", bus).status_code == 201  # 5 × 50% = 2
    register()
    with django_capture_on_commit_callbacks(execute=True):
        queued = post(
            client,
            "api_shuttle_plans",
            {
                "first_day": FIRST_DAY.isoformat(),
                "last_day": FIRST_DAY.isoformat(),
                "seat_cap": "0.15",
            },
        )
    assert queued.status_code == 202 and queued.json()["unusable_vehicles"] == 1
    message = refusal(post(client, "api_vehicles", {**bus, "plate": "豫A66667"}), 400, "seats")
    assert "一名乘客也不能载" in message
    page = client.get(reverse("factors:run_detail", args=[queued.json()["id"]]))
    assert "1辆车按上座率上限一名乘客也不能载" in page.content.decode()


def test_a_loan_s_subsidy_policy_is_a_published_interest_policy_of_the_library(
    login, people, district
):
    from fugong.policies import services as policy_services
    from fugong.policies.models import Policy

    def policy(publish: bool) -> Policy:
        made = policy_services.policy_create(
            actor=people.coordinator,
            policy=Policy(
                title=f"贷款贴息（示例{publish}）",
                issuer="郑州市（示例）",
                level="city",
                kind="loan_interest",
                is_example=True,
                summary="贴息",
                department=district.departments["cz"],
                effective_on=timezone.localdate() - timedelta(days=30),
                mode="apply",
                rule={"all": []},
            ),
        )
        if publish:
            policy_services.policy_publish(actor=people.coordinator, policy=made, push=False)
        return made

    published, draft = policy(True), policy(False)
    data = {"amount": "300", "purpose": "流动资金", "bank": "中原银行", "term_months": 12}
    client = login(people.enterprise_a)
    created = post(client, "api_loans", {**data, "subsidy_policy": published.pk})
    assert created.status_code == 201, created.content.decode()
    assert created.json()["subsidy_policy"] == published.pk
    assert created.json()["subsidy_policy_title"] == published.title
    for bad in (draft.pk, 999999, "abc"):
        refusal(post(client, "api_loans", {**data, "subsidy_policy": bad}), 400, "subsidy_policy")
    page = client.get(reverse("factors:loan_detail", args=[created.json()["id"]])).content.decode()
    assert published.title in page and reverse("policies:detail", args=[published.pk]) in page
    form = client.get(reverse("factors:loan_new")).content.decode()
    assert published.title in form and draft.title not in form

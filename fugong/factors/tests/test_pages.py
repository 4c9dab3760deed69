"""The pages of 送要素: the public board without login, forms, masking, the spreadsheet import's
all-or-nothing rule, the manifest, and list pages whose query count does not grow with rows."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from fugong.core.models import ImportJob, PersonalDataAccess
from fugong.factors import services
from fugong.factors.models import JobOpening, PlanningRun, ReturningWorker, ShuttleTrip
from fugong.factors.tests.conftest import FIRST_DAY, id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(people):
    def make(enterprise=None, **changes):
        return services.opening_submit(
            actor=people.coordinator,
            enterprise=enterprise or people.enterprise_a.enterprise,
            **{
                "title": "数控车床操作工",
                "positions": 12,
                "salary_min": 4500,
                "salary_max": 6500,
                "work_place": "马寨工业园",
                "contact_person": "王经理",
                "contact_phone": "13812345678",
                "valid_until": timezone.localdate() + timedelta(days=30),
                **changes,
            },
        )

    return make


def test_the_job_board_needs_no_login_and_searches(client, published, people):
    published()
    published(people.enterprise_b.enterprise, title="收银员", salary_min=3000, salary_max=4000)
    page = client.get(reverse("factors:job_board"))
    assert page.status_code == 200 and "数控车床操作工" in page.content.decode()
    results = client.get(
        reverse("factors:job_board"), {"q": "收银"}, headers={"HX-Request": "true"}
    )
    body = results.content.decode()
    assert "收银员" in body and "数控" not in body and "<html" not in body
    assert client.get(reverse("factors:job_board"), {"salary": "-5"}).status_code == 200
    hidden = published(title="内部岗位")
    services.opening_close(actor=people.coordinator, opening=hidden)
    assert client.get(reverse("factors:job_public", args=[hidden.pk])).status_code == 404


def test_the_job_board_s_query_count_does_not_grow_with_openings(client, published, people):
    published()

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("factors:job_board")).status_code == 200
        return len(queries)

    few = count()
    for n in range(8):
        published(title=f"岗位{n}")
    assert count() == few


def test_an_enterprise_submits_an_opening_and_the_coordinator_publishes_it(login, people):
    client = login(people.enterprise_a)
    response = client.post(
        reverse("factors:opening_new"),
        {
            "title": "质检员",
            "positions": 3,
            "salary_min": 4000,
            "salary_max": 5000,
            "work_place": "厂区",
            "contact_person": "李",
            "contact_phone": "13812345678",
            "valid_until": (timezone.localdate() + timedelta(days=10)).isoformat(),
            "is_shortage": "on",
        },
    )
    opening = JobOpening.objects.get()
    assert response.status_code == 302 and opening.status == "pending"
    assert opening.enterprise == people.enterprise_a.enterprise
    client = login(people.coordinator)
    client.post(reverse("factors:opening_action", args=[opening.pk, "approve"]))
    opening.refresh_from_db()
    assert opening.status == "published"
    refused = client.post(
        reverse("factors:opening_action", args=[opening.pk, "approve"]), follow=True
    )
    assert "不能审核" in refused.content.decode()


def test_a_bad_opening_form_names_the_field(login, people):
    response = login(people.enterprise_a).post(
        reverse("factors:opening_new"),
        {
            "title": "质检员",
            "positions": -3,
            "salary_min": 6000,
            "salary_max": 5000,
            "work_place": "厂区",
            "contact_person": "李",
            "contact_phone": "123",
            "valid_until": "2099-01-01",
        },
    )
    assert response.status_code == 200 and not JobOpening.objects.exists()
    form = response.context["form"]
    assert {"positions", "salary_max"} <= set(form.errors)


def test_id_numbers_are_masked_for_all_but_the_coordinator(login, people, register):
    worker = register(name="周八")
    url = reverse("factors:worker_detail", args=[worker.pk])
    masked = worker.id_number[:6] + "********" + worker.id_number[-4:]
    for persona in (people.enterprise_a, people.leader, people.street_officer):
        body = login(persona).get(url).content.decode()
        assert masked in body and worker.id_number not in body, persona
    assert worker.id_number in login(people.coordinator).get(url).content.decode()
    assert PersonalDataAccess.objects.filter(user=people.coordinator).exists()
    # The leader sees phone numbers masked too; the street officer serving A in full.
    assert worker.phone not in login(people.leader).get(url).content.decode()
    assert worker.phone in login(people.street_officer).get(url).content.decode()


def test_enterprise_b_sees_nothing_of_a_s_workers(login, people, register):
    worker = register(name="吴九")
    client = login(people.enterprise_b)
    assert "吴九" not in client.get(reverse("factors:workers")).content.decode()
    assert client.get(reverse("factors:worker_detail", args=[worker.pk])).status_code == 404


def test_the_worker_list_s_query_count_does_not_grow(login, people, register):
    register()
    client = login(people.coordinator)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("factors:workers")).status_code == 200
        return len(queries)

    few = count()
    for _n in range(10):
        register()
    assert count() == few


def workbook(rows, headers=None) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(headers or ["姓名", "身份证号", "手机号", "户籍县区", "最早出发日期", "健康状况"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("名单.xlsx", buffer.getvalue())


def test_a_spreadsheet_with_one_bad_row_registers_nobody_and_names_the_row(login, people):
    client = login(people.enterprise_a)
    rows = [
        ["张一", id_number(1), "13900000001", "沈丘县", "2020-02-20", "绿码"],
        ["张二", "411624199001011230", "13900000002", "卢氏", "2020-02-21", ""],
        ["张三", id_number(1), "13900000003", "沈丘县", "2020/2/22", ""],
        ["张四", id_number(4), "13900000004", "未知县", "2020-02-22", "紫码"],
    ]
    response = client.post(reverse("factors:worker_import"), {"file": workbook(rows)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and not ReturningWorker.objects.exists()
    errors = {(e["row"], e["column"]) for e in job.errors}
    assert errors == {(3, "身份证号"), (4, "身份证号"), (5, "户籍县区"), (5, "健康状况")}
    page = client.get(reverse("factors:worker_import_job", args=[job.pk])).content.decode()
    assert "校验位错误" in page and "与第2行的身份证号重复" in page
    client.post(reverse("factors:worker_import_job", args=[job.pk]))
    assert not ReturningWorker.objects.exists()


def test_a_clean_spreadsheet_registers_everyone_after_the_pre_check(login, people):
    client = login(people.enterprise_a)
    rows = [
        ["张一", id_number(1), "13900000001", "411624", "2020-02-20", "健康（绿码）"],
        ["张二", id_number(2), "13900000002", "341221 临泉县", "2020-02-21", ""],
    ]
    client.post(reverse("factors:worker_import"), {"file": workbook(rows)})
    job = ImportJob.objects.get()
    assert job.summary["ok"] and job.summary["created"] == 2, job.errors
    assert not ReturningWorker.objects.exists()  # the pre-check writes nothing
    client.post(reverse("factors:worker_import_job", args=[job.pk]))
    assert ReturningWorker.objects.filter(enterprise=people.enterprise_a.enterprise).count() == 2
    assert ReturningWorker.objects.get(name="张二").home_county.name == "临泉县"


def test_the_wrong_file_type_is_refused(login, people):
    client = login(people.enterprise_a)
    client.post(
        reverse("factors:worker_import"),
        {"file": SimpleUploadedFile("名单.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 50)},
    )
    assert "另存为 .xlsx" in ImportJob.objects.get().summary["file_error"]


def test_the_coordinator_plans_confirms_and_downloads_a_masked_manifest(
    login, people, register, bus, django_capture_on_commit_callbacks
):
    workers = [register() for _n in range(3)]
    client = login(people.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("factors:runs"),
            {
                "first_day": FIRST_DAY.isoformat(),
                "last_day": FIRST_DAY.isoformat(),
                "seat_cap": "0.5",
            },
        )
    run = PlanningRun.objects.get()
    assert response.url == reverse("factors:run_detail", args=[run.pk])
    run.refresh_from_db()
    assert "first-fit" in client.get(response.url).content.decode()
    assert run.status == "done" and run.planned == 3
    polled = client.get(
        reverse("factors:run_detail", args=[run.pk]), headers={"HX-Request": "true"}
    )
    assert polled["HX-Refresh"] == "true"
    trip = ShuttleTrip.objects.get()
    client.post(reverse("factors:trip_action", args=[trip.pk, "confirm"]))
    trip.refresh_from_db()
    assert trip.confirmed_at is not None
    sheet = load_workbook(
        io.BytesIO(
            login(people.enterprise_a).get(reverse("factors:trip_manifest", args=[trip.pk])).content
        )
    )["乘客名单"]
    ids = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(ids) == 3 and all("********" in i for i in ids)
    client = login(people.coordinator)
    full = load_workbook(
        io.BytesIO(client.get(reverse("factors:trip_manifest", args=[trip.pk])).content)
    )["乘客名单"]
    assert {row[2] for row in full.iter_rows(min_row=2, values_only=True)} == {
        w.id_number for w in workers
    }


def test_only_the_coordinator_moves_a_trip(login, people, register, bus, plan):
    register()
    plan()
    trip = ShuttleTrip.objects.get()
    response = login(people.leader).post(reverse("factors:trip_action", args=[trip.pk, "confirm"]))
    assert response.status_code == 403


def test_the_overview_reads_the_figures_as_sentences(login, people, published):
    published()
    body = login(people.leader).get(reverse("factors:overview")).content.decode()
    assert "推送发布0家重点人才企业、12个紧缺岗位信息" not in body  # A is not a talent enterprise
    assert "推送发布0家重点人才企业、0个紧缺岗位信息" in body


def test_every_page_of_the_module_opens_for_the_coordinator(
    login, people, register, bus, plan, published
):
    opening = published()
    worker = register()
    run = plan()
    trip = ShuttleTrip.objects.get()
    client = login(people.coordinator)
    for name, args in [
        ("factors:overview", []),
        ("factors:openings", []),
        ("factors:opening_new", []),
        ("factors:opening_detail", [opening.pk]),
        ("factors:opening_edit", [opening.pk]),
        ("factors:seekers", []),
        ("factors:seeker_new", []),
        ("factors:hotlines", []),
        ("factors:workers", []),
        ("factors:worker_new", []),
        ("factors:worker_detail", [worker.pk]),
        ("factors:worker_import", []),
        ("factors:vehicles", []),
        ("factors:runs", []),
        ("factors:run_detail", [run.pk]),
        ("factors:trips", []),
        ("factors:trip_detail", [trip.pk]),
        ("factors:counties", []),
        ("factors:loans", []),
        ("factors:loan_new", []),
        ("factors:hotlines_public", []),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 200, name
    assert client.get(reverse("factors:worker_import_template")).status_code == 200


def test_an_enterprise_registers_a_walk_in_applicant_and_records_the_application(
    login, people, published
):
    opening = published()
    client = login(people.enterprise_a)
    response = client.post(
        reverse("factors:seeker_new"),
        {
            "name": "郑十一",
            "id_number": id_number(11),
            "phone": "13900000011",
            "home_county": "411624",
            "wanted_job": "焊工",
        },
    )
    assert response.status_code == 302
    detail = client.get(response.url)
    assert detail.status_code == 200
    client.post(response.url, {"opening": opening.pk, "note": "现场报名"})
    assert opening.applications.get().seeker.name == "郑十一"
    other = login(people.enterprise_b).get(response.url)
    assert other.status_code == 404

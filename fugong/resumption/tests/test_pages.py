import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fugong.core.excel import clean_header, read_table, write_xlsx
from fugong.core.models import ImportJob
from fugong.resumption.importing import HEADERS
from fugong.resumption.models import Report

pytestmark = pytest.mark.django_db

DASHBOARD_READERS = ["leader", "coordinator", "clerk", "street_officer", "park_officer", "liaison"]


@pytest.fixture
def reported(people, submit):
    submit(people.enterprise_a.enterprise, "2020-03-01 10:00", "partly", duty=8)
    submit(people.enterprise_b.enterprise, "2020-03-05 10:00", "resumed", duty=20)


@pytest.mark.parametrize("persona", DASHBOARD_READERS)
def test_the_dashboard_renders_for_every_reader(people, login, reported, persona):
    response = login(getattr(people, persona)).get(
        reverse("resumption:dashboard"), {"at": "2020-03-02T12:00"}
    )
    assert response.status_code == 200
    assert "dashboard-data" in response.content.decode()


@pytest.mark.parametrize("persona", ["enterprise_a", "enforcement", "nobody"])
def test_the_dashboard_is_closed_to_others(people, login, persona):
    client = login(getattr(people, persona))
    for name in ("dashboard", "dashboard_export", "bulletin", "entities"):
        assert client.get(reverse(f"resumption:{name}")).status_code == 403


def test_the_leader_sees_the_district_and_a_street_officer_their_street(people, login, reported):
    leader = login(people.leader).get(reverse("resumption:dashboard"), {"at": "2020-03-06T00:00"})
    assert leader.context["figures"].total.entities == 2
    assert "全区" in leader.context["bulletin"]
    street = login(people.street_officer).get(
        reverse("resumption:dashboard"), {"at": "2020-03-06T00:00"}
    )
    assert street.context["figures"].total.entities == 1
    assert street.context["bulletin"].startswith("截至3月6日0时，淮河路街道")


def test_an_htmx_request_gets_the_dashboard_body_only(people, login, reported):
    response = login(people.leader).get(
        reverse("resumption:dashboard"), {"at": "2020-03-02T12:00"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<html" not in html and 'data-testid="bulletin"' in html


def test_the_drill_down_count_equals_the_number_clicked(people, login, reported):
    client = login(people.leader)
    figures = client.get(reverse("resumption:dashboard"), {"at": "2020-03-02T12:00"}).context[
        "figures"
    ]
    response = client.get(
        reverse("resumption:entities"), {"at": "2020-03-02T12:00", "state": "not_resumed"}
    )
    assert response.context["total"] == figures.total.not_resumed == 1


def test_the_export_holds_what_is_on_screen(people, login, reported):
    response = login(people.leader).get(
        reverse("resumption:dashboard_export"), {"at": "2020-03-02T12:00"}
    )
    file = io.BytesIO(response.content)
    file.name = "x.xlsx"
    rows = {row["类别"]: row for _n, row in read_table(file).rows if "类别" in row}
    assert rows["合计"]["单位数"] == 2 and rows["合计"]["复工率"] == "50.0%"


def test_the_bulletin_downloads(people, login, reported):
    client = login(people.leader)
    text = client.get(reverse("resumption:bulletin"), {"at": "2020-03-02T12:00"})
    assert text.content.decode().startswith("截至3月2日12时，全区")
    word = client.get(reverse("resumption:bulletin"), {"at": "2020-03-02T12:00", "format": "docx"})
    assert word["Content-Type"].endswith("wordprocessingml.document")


def test_an_enterprise_reports_from_its_phone(people, login):
    client = login(people.enterprise_a)
    page = client.get(reverse("portal_report"))
    assert page.context["form"].initial["workers_on_payroll"] == 20
    response = client.post(
        reverse("portal_report"),
        {
            "status": "partly",
            "workers_on_payroll": 20,
            "workers_on_duty": 12,
            "difficulty_category": "labour",
            "difficulty": "缺熟练工",
        },
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.workers_on_duty, report.source, report.returned_from_outside) == (
        12,
        "enterprise",
        0,
    )


def test_the_portal_form_explains_a_refusal(people, login):
    response = login(people.enterprise_a).post(
        reverse("portal_report"),
        {"status": "partly", "workers_on_payroll": 20, "workers_on_duty": 30},
    )
    assert response.status_code == 200
    assert "不能超过在册职工人数" in response.context["form"].errors["workers_on_duty"][0]
    assert not Report.objects.exists()


def test_a_street_officer_reports_on_behalf_and_corrects(people, login):
    a = people.enterprise_a.enterprise
    client = login(people.street_officer)
    url = reverse("resumption:subject_reports", args=["enterprise", a.pk])
    response = client.post(
        url,
        {
            "reported_at": "2020-03-01T17:00",
            "status": "partly",
            "workers_on_payroll": 20,
            "workers_on_duty": 6,
        },
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.source == "area_officer"
    client.post(
        reverse("resumption:correct", args=[report.pk]),
        {"status": "partly", "workers_on_payroll": 20, "workers_on_duty": 7},
    )
    assert Report.objects.filter(enterprise=a).count() == 2
    page = client.get(url).content.decode()
    assert "text-decoration-line-through" in page and "更正" in page


@pytest.mark.parametrize("persona", ["enterprise_b", "park_officer"])
def test_outsiders_cannot_see_or_report_for_an_enterprise(people, login, persona):
    a = people.enterprise_a.enterprise
    client = login(getattr(people, persona))
    url = reverse("resumption:subject_reports", args=["enterprise", a.pk])
    assert client.get(url).status_code == 404
    assert (
        client.post(
            url, {"status": "partly", "workers_on_payroll": 20, "workers_on_duty": 6}
        ).status_code
        == 404
    )


def test_a_leader_reads_the_history_but_cannot_report(people, login):
    a = people.enterprise_a.enterprise
    client = login(people.leader)
    url = reverse("resumption:subject_reports", args=["enterprise", a.pk])
    assert client.get(url).context["form"] is None
    assert client.post(url, {"status": "partly"}).status_code == 403


def test_the_area_officer_reviews_flags(people, login, submit):
    a = people.enterprise_a.enterprise
    submit(a, "2020-03-01 10:00", "partly", duty=12)
    dip = submit(a, "2020-03-02 10:00", "partly", duty=2)
    client = login(people.street_officer)
    assert list(client.get(reverse("resumption:flags")).context["page"]) == [dip]
    client.post(reverse("resumption:flag_review", args=[dip.pk]))
    assert not list(client.get(reverse("resumption:flags")).context["page"])
    assert not list(login(people.park_officer).get(reverse("resumption:flags")).context["page"])


def test_the_missing_page_lists_and_reminds(people, login):
    client = login(people.street_officer)
    response = client.get(reverse("resumption:missing"), {"day": "2020-03-01"})
    assert [e.name for e in response.context["enterprise_page"]] == ["郑州甲方机械有限公司"]
    response = client.post(reverse("resumption:remind"), {"day": "2020-03-01"})
    assert response.status_code == 302


class TestUpload:
    def upload(self, client, rows):
        data = write_xlsx(
            sheets=[("填报", HEADERS, [[r.get(h, "") for h in HEADERS] for r in rows])]
        )
        return client.post(
            reverse("resumption:upload"), {"file": SimpleUploadedFile("r.xlsx", data)}
        )

    def test_upload_preview_then_confirm(self, people, login):
        a = people.enterprise_a.enterprise
        client = login(people.street_officer)
        response = self.upload(
            client,
            [
                {
                    "统一社会信用代码": a.uscc,
                    "填报时间": "2020-03-01 17:00",
                    "复工状态": "已复工",
                    "在册职工人数": 20,
                    "在岗人数": 20,
                }
            ],
        )
        job = ImportJob.objects.get(kind="reports")
        assert "确认导入" in client.get(response.url).content.decode()
        assert not Report.objects.exists()
        client.post(reverse("resumption:upload_job", args=[job.pk]))
        assert Report.objects.get().source == "batch"

    def test_another_officers_upload_is_not_visible(self, people, login):
        a = people.enterprise_a.enterprise
        self.upload(
            login(people.street_officer),
            [{"统一社会信用代码": a.uscc, "复工状态": "未复工", "在册职工人数": 20, "在岗人数": 0}],
        )
        job = ImportJob.objects.get(kind="reports")
        other = login(people.coordinator)
        assert other.get(reverse("resumption:upload_job", args=[job.pk])).status_code == 404

    def test_the_template_downloads(self, people, login):
        response = login(people.street_officer).get(reverse("resumption:upload_template"))
        file = io.BytesIO(response.content)
        file.name = "t.xlsx"
        assert read_table(file).headers == [clean_header(h) for h in HEADERS]


def test_a_grade_enterprises_behind_come_first_and_leave_the_list_once_back(people, login, submit):
    company_a, company_b = people.enterprise_a.enterprise, people.enterprise_b.enterprise
    company_a.grade = "A"
    company_a.save()
    submit(company_b, "2020-03-01 10:00", "not_resumed", duty=0)  # B-grade: not a priority
    submit(company_a, "2020-03-01 10:00", "partly", duty=5)
    submit(company_a, "2020-03-10 10:00", "resumed", duty=company_a.payroll_headcount)
    client = login(people.leader)

    early = client.get(reverse("resumption:dashboard"), {"at": "2020-03-02T12:00"})
    count, rows = early.context["priority"]
    assert (count, rows) == (1, [company_a]) and rows[0].asof_duty == 5
    drill = client.get(
        reverse("resumption:entities"), {"at": "2020-03-02T12:00", "grade": "A", "state": "behind"}
    )
    assert drill.context["total"] == 1 and "A级企业" in drill.content.decode()

    later = client.get(reverse("resumption:dashboard"), {"at": "2020-03-11T12:00"})
    assert later.context["priority"] == (0, [])
    assert "A级企业已全部全面复工" in later.content.decode()
    street = login(people.street_officer)  # 淮河路街道 holds company A
    assert (
        street.get(reverse("resumption:dashboard"), {"at": "2020-03-02T12:00"}).context["priority"][
            0
        ]
        == 1
    )
    park = login(people.park_officer)  # 马寨: not company A's area
    assert (
        park.get(reverse("resumption:dashboard"), {"at": "2020-03-02T12:00"}).context["priority"][0]
        == 0
    )

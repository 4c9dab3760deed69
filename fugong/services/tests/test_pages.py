import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from fugong.core.models import PersonalDataAccess
from fugong.services.models import CalendarDay, RoutingRule, ServiceRequest, ThankYouLetter
from fugong.services.tests.conftest import lead
from fugong.services.tests.test_attachments import PNG

pytestmark = pytest.mark.django_db


def test_an_enterprise_files_a_request_with_a_photo_in_the_portal(login, people, desk):
    client = login(people.enterprise_a)
    response = client.post(
        reverse("services:portal_new"),
        {
            "category": "permits",
            "title": "营业执照迁入",
            "description": "公司从外区迁入，需要调档。",
            "urgency": "urgent",
            "attachments": [SimpleUploadedFile("现场.png", PNG)],
        },
    )
    request = ServiceRequest.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "services:detail", args=[request.pk]
    )
    assert request.channel == "portal" and request.attachments.count() == 1
    page = client.get(reverse("services:portal_requests"))
    assert "营业执照迁入" in page.content.decode()
    detail = client.get(response.url).content.decode()
    assert "区市场监管局" in detail and "现场.png" in detail


def test_a_wrong_file_is_refused_with_its_name_and_nothing_is_filed(login, people, desk):
    response = login(people.enterprise_a).post(
        reverse("services:portal_new"),
        {
            "category": "permits",
            "title": "t",
            "description": "d",
            "urgency": "normal",
            "attachments": [SimpleUploadedFile("合同.pdf", b"just text, not a pdf")],
        },
    )
    assert response.status_code == 200
    assert "附件「合同.pdf」不是图片" in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_enterprise_b_and_other_departments_cannot_open_a_s_request(
    login, people, desk, file_request, client
):
    request = file_request()
    url = reverse("services:detail", args=[request.pk])
    assert login(people.enterprise_b).get(url).status_code == 404
    client.force_login(desk.rs_clerk)
    assert client.get(url).status_code == 404
    client.force_login(people.park_officer)
    assert client.get(url).status_code == 404
    for insider in (people.clerk, people.street_officer, people.liaison, people.leader):
        client.force_login(insider)
        assert client.get(url).status_code == 200, insider


def test_the_department_works_a_request_from_its_queue_to_the_rating(
    login, people, file_request, client
):
    request = file_request()
    client.force_login(people.clerk)
    queue = client.get(reverse("services:queue")).content.decode()
    assert request.title in queue
    act = lambda action, **data: client.post(  # noqa: E731
        reverse("services:action", args=[request.pk, action]), data
    )
    assert act("claim").status_code == 302
    assert act("reply", reply="已为企业办理调档，执照明日送达。").status_code == 302
    request.refresh_from_db()
    assert request.status == "replied"
    client.force_login(people.enterprise_a)
    act("rate", rating="satisfied", comment="")
    request.refresh_from_db()
    assert request.status == "closed" and request.rating == "satisfied"
    detail = client.get(reverse("services:detail", args=[request.pk])).content.decode()
    assert "已为企业办理调档" in detail and "满意" in detail


def test_an_action_with_a_missing_field_explains_itself(login, people, file_request):
    request = file_request()
    client = login(people.clerk)
    client.post(reverse("services:action", args=[request.pk, "claim"]))
    response = client.post(
        reverse("services:action", args=[request.pk, "transfer"]),
        {"handler": "", "reason": ""},
        follow=True,
    )
    assert "未完成" in response.content.decode()
    assert lead(request).status == "in_progress"


def test_someone_who_only_sees_a_request_cannot_act_on_it(login, people, file_request):
    request = file_request()
    response = login(people.street_officer).post(
        reverse("services:action", args=[request.pk, "claim"])
    )
    assert response.status_code == 403
    assert lead(request).status == "pending"


def test_a_hotline_caller_s_number_is_shown_to_who_calls_back(login, people, desk, client):
    client.force_login(people.coordinator)
    response = client.post(
        reverse("services:new"),
        {
            "enterprise": people.enterprise_a.enterprise.pk,
            "channel": "hotline",
            "caller_name": "李经理",
            "caller_phone": "13812345678",
            "category": "permits",
            "title": "来电咨询执照办理",
            "description": "询问迁入手续",
            "urgency": "normal",
        },
    )
    request = ServiceRequest.objects.get()
    assert response.status_code == 302 and request.channel == "hotline"
    url = reverse("services:detail", args=[request.pk])
    client.force_login(people.leader)
    assert "138****5678" in client.get(url).content.decode()
    client.force_login(people.clerk)
    assert "13812345678" in client.get(url).content.decode()
    assert PersonalDataAccess.objects.filter(user=people.clerk, object_id=request.pk).exists()


def test_the_request_list_filters_and_exports_what_it_shows(login, people, file_request):
    file_request(title="执照地址变更")
    file_request("labour", title="招不到工人")
    client = login(people.coordinator)
    page = client.get(reverse("services:list"), {"category": "labour"}, HTTP_HX_REQUEST="true")
    html = page.content.decode()
    assert "招不到工人" in html and "执照地址变更" not in html
    export = client.get(reverse("services:export"), {"category": "labour"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert [row[5] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["招不到工人"]


def test_the_request_list_reads_a_bounded_number_of_queries(
    login, people, file_request, django_assert_max_num_queries
):
    for n in range(12):
        file_request(title=f"诉求{n}")
    client = login(people.coordinator)
    with django_assert_max_num_queries(12):
        client.get(reverse("services:list"))


def test_the_figures_page_and_its_export(login, people, file_request):
    file_request()
    client = login(people.leader)
    html = client.get(reverse("services:figures")).content.decode()
    assert "区市场监管局" in html
    export = client.get(reverse("services:figures_export"))
    assert load_workbook(io.BytesIO(export.content)).sheetnames[1] == "按类别"


def test_the_coordinator_keeps_the_routing_table(login, people, desk, district):
    client = login(people.coordinator)
    response = client.post(
        reverse("services:routing"), {"category": "finance", "handler": f"d{desk.sw.pk}"}
    )
    assert response.status_code == 302
    rule = RoutingRule.objects.get(category="finance")
    assert rule.department == desk.sw and rule.history.first().history_user == people.coordinator
    duplicate = client.post(
        reverse("services:routing"), {"category": "finance", "handler": f"d{desk.rs.pk}"}
    )
    assert (
        duplicate.status_code == 200 and RoutingRule.objects.filter(category="finance").count() == 1
    )
    assert (
        login(people.leader)
        .post(reverse("services:routing"), {"category": "other", "handler": f"d{desk.rs.pk}"})
        .status_code
        == 403
    )


def test_a_department_records_its_thank_you_letter(login, people, file_request):
    request = file_request()
    client = login(people.clerk)
    response = client.post(
        reverse("services:letters"),
        {
            "department": people.clerk.department_id,
            "sender": "郑州深国际综合物流港发展有限公司",
            "received_on": "2020-03-16",
            "summary": "16日已领到了新的营业执照，真正体验到了热情高效的二七速度。",
            "request_number": request.number,
        },
    )
    assert response.status_code == 302
    letter = ThankYouLetter.objects.get()
    assert letter.request == request and letter.enterprise == request.enterprise
    assert "二七速度" in client.get(reverse("services:detail", args=[request.pk])).content.decode()


def test_a_letter_names_only_a_request_its_department_sees(login, people, file_request, desk):
    other = file_request("labour")  # 人社局's: 市场监管局 does not see it
    response = login(people.clerk).post(
        reverse("services:letters"),
        {
            "department": people.clerk.department_id,
            "sender": "某企业",
            "received_on": "2020-03-16",
            "summary": "感谢",
            "request_number": other.number,
        },
    )
    assert response.status_code == 200 and not ThankYouLetter.objects.exists()
    assert response.context["form"].errors["request_number"] == [
        f"没有编号为 {other.number} 的诉求"
    ]


def test_the_back_office_shows_requests_and_letters_read_only_and_records_the_caller_s_phone(
    client, people, file_request
):
    from django.contrib.admin.sites import site

    from fugong.core.models import PersonalDataAccess

    request = file_request()
    admin_user = people.coordinator
    client.force_login(admin_user)
    assert client.get(f"/admin/services/servicerequest/{request.pk}/change/").status_code == 200
    assert PersonalDataAccess.objects.filter(user=admin_user, object_id=request.pk).exists()
    letters = site._registry[ThankYouLetter]
    fake = type("R", (), {"user": admin_user})()
    assert not letters.has_add_permission(fake) and not letters.has_change_permission(fake)


def test_the_calendar_shows_the_national_exceptions_and_takes_local_ones(login, people):
    client = login(people.coordinator)
    html = client.get(reverse("services:calendar"), {"year": 2020}).content.decode()
    assert "劳动节调休上班" in html and "春节" in html
    client.post(
        reverse("services:calendar"),
        {"date": "2020-03-23", "is_working_day": "", "name": "区内调整"},
    )
    assert CalendarDay.objects.get().is_working_day is False


def test_a_difficulty_from_a_daily_report_becomes_a_request(login, people, desk, submit):
    report = submit(
        people.enterprise_a.enterprise,
        "2020-03-03 10:00",
        "partly",
        duty=10,
        difficulty_category="permits",
        difficulty="排污许可证到期，需要延续",
    )
    client = login(people.street_officer)
    listing = client.get(reverse("services:difficulties")).content.decode()
    assert "排污许可证到期" in listing
    response = client.post(
        reverse("services:from_report", args=[report.pk]),
        {
            "category": "permits",
            "title": "排污许可证延续",
            "description": report.difficulty,
            "urgency": "normal",
        },
    )
    request = ServiceRequest.objects.get()
    assert response.status_code == 302 and request.report == report and request.channel == "report"
    assert "排污许可证到期" not in client.get(reverse("services:difficulties")).content.decode()


def test_the_back_office_shows_requests_but_cannot_write_around_their_lifecycle(
    login, people, file_request
):
    request = file_request()
    client = login(people.coordinator)
    listing = client.get(reverse("admin:services_servicerequest_changelist"))
    assert listing.status_code == 200 and request.number in listing.content.decode()
    change = reverse("admin:services_servicerequest_change", args=[request.pk])
    assert client.get(change).status_code == 200  # viewing only
    client.post(change, {"status": "closed"})
    assert ServiceRequest.objects.get().status == request.status
    assert client.get(reverse("admin:services_servicerequest_add")).status_code == 403
    assert client.get(reverse("admin:services_taskforce_add")).status_code == 200


def _visit_post(enterprise, *rows):
    data = {
        "enterprise": enterprise.pk,
        "visited_on": "2020-03-20",
        "kind": "on_site",
        "findings": "外地员工返岗慢，企业需要营业执照变更。",
        "requests-TOTAL_FORMS": "2",
        "requests-INITIAL_FORMS": "0",
        "requests-MIN_NUM_FORMS": "0",
        "requests-MAX_NUM_FORMS": "5",
    }
    for i, row in enumerate(rows):
        data.update({f"requests-{i}-{k}": v for k, v in row.items()})
    data.setdefault("requests-0-urgency", "normal")
    data.setdefault("requests-1-urgency", "normal")
    return data


def test_a_liaison_records_a_visit_and_the_request_it_raised_in_one_step(login, people, desk):
    from fugong.enterprises.models import Visit

    company = people.enterprise_a.enterprise
    client = login(people.liaison)
    assert client.get(reverse("services:visit_new")).status_code == 200
    row = {"category": "permits", "title": "执照变更", "description": "经营范围要增加口罩生产。"}
    response = client.post(reverse("services:visit_new"), _visit_post(company, row))
    visit = Visit.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "enterprises:visit_detail", args=[visit.pk]
    )
    request = ServiceRequest.objects.get()
    assert (request.visit, request.channel, request.enterprise) == (visit, "visit", company)
    assert lead(request).department.name == "区市场监管局"
    detail = client.get(response.url).content.decode()
    assert request.number in detail


def test_a_half_filled_request_row_saves_neither_the_visit_nor_the_request(login, people, desk):
    from fugong.enterprises.models import Visit

    company = people.enterprise_a.enterprise
    row = {"category": "permits", "title": "执照变更"}  # no description
    response = login(people.liaison).post(reverse("services:visit_new"), _visit_post(company, row))
    assert response.status_code == 200
    assert "请把类别、标题和内容填完整" in response.content.decode()
    assert not Visit.objects.exists() and not ServiceRequest.objects.exists()


def test_a_request_the_service_refuses_undoes_the_visit(people, desk):
    from django.core.exceptions import ValidationError

    from fugong.enterprises.models import Visit
    from fugong.services import services

    with pytest.raises(ValidationError):
        services.visit_record_with_requests(
            actor=people.liaison,
            enterprise=people.enterprise_a.enterprise,
            visited_on=date(2020, 3, 20),
            kind="on_site",
            findings="走访",
            requests=[{"category": "no-such", "title": "x", "description": "y"}],
        )
    assert not Visit.objects.exists() and not ServiceRequest.objects.exists()

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fugong.conftest import at
from fugong.core.models import PersonalDataAccess
from fugong.services import services
from fugong.services.models import (
    Attachment,
    CalendarDay,
    DeadlinePolicy,
    Extension,
    RoutingRule,
    ServiceRequest,
    ThankYouLetter,
)
from fugong.services.tests.conftest import lead
from fugong.services.tests.test_attachments import PDF, PNG

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def act(client, name, request=None, data=None, key=None):
    """POST JSON to an API endpoint (of one request, when given)."""
    url = reverse(name, args=[request.pk] if request is not None else [])
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(url, data or {}, content_type="application/json", **headers)


def a_request(**changes):
    return {
        "category": "permits",
        "title": "营业执照地址变更",
        "description": "公司迁入二七区，需办理调档和营业执照变更。",
        **changes,
    }


def refusal(response, status: int, field=None) -> str:
    """The error shape with a Chinese message; returns the message."""
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert {"code", "message", "field"} <= set(body)
    assert CHINESE.search(body["message"]), body
    if field is not None:
        assert body["field"] == field, body
    return body["message"]


# Filing


def test_an_enterprise_files_a_request_and_a_retry_is_stored_once(login, people, desk):
    client = login(people.enterprise_a)
    first = act(client, "api_requests", data=a_request(), key="req-1")
    retry = act(client, "api_requests", data=a_request(), key="req-1")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry["Idempotent-Replay"] == "true"
    assert ServiceRequest.objects.count() == 1
    body = first.json()
    assert body["channel"] == "api" and body["status"] == "pending"
    assert body["enterprise"] == people.enterprise_a.enterprise_id
    assert body["number"].startswith("SQ") and body["created_at"].endswith("+08:00")
    [assignment] = body["assignments"]
    assert assignment["handler_name"] == "区市场监管局" and assignment["status"] == "pending"
    assert [s["action"] for s in body["steps"]] == ["submit", "route"]


def test_the_same_key_with_another_body_is_a_conflict(login, people, desk):
    client = login(people.enterprise_a)
    act(client, "api_requests", data=a_request(), key="req-1")
    response = act(client, "api_requests", data=a_request(title="别的诉求"), key="req-1")
    assert response.status_code == 409 and response.json()["code"] == "idempotency_conflict"
    assert ServiceRequest.objects.count() == 1


def test_an_enterprise_files_only_for_itself_and_not_as_a_hotline_call(login, people, desk):
    client = login(people.enterprise_a)
    other = act(
        client, "api_requests", data=a_request(enterprise=people.enterprise_b.enterprise_id)
    )
    refusal(other, 400, "enterprise")
    hotline = act(client, "api_requests", data=a_request(channel="hotline"))
    refusal(hotline, 400, "channel")
    assert not ServiceRequest.objects.exists()


def test_staff_record_a_hotline_call_with_the_caller_s_number(login, people, desk):
    client = login(people.coordinator)
    data = a_request(
        enterprise=people.enterprise_a.enterprise_id, channel="hotline", caller_name="李经理"
    )
    message = refusal(act(client, "api_requests", data=data), 400, "caller_phone")
    assert "来电号码" in message
    created = act(client, "api_requests", data={**data, "caller_phone": "13812345678"})
    assert created.status_code == 201
    assert created.json()["caller_phone"] == "13812345678"
    assert created.json()["channel"] == "hotline"


def test_staff_file_only_for_enterprises_they_serve(login, people, desk):
    data = a_request(enterprise=people.enterprise_b.enterprise_id, channel="visit")
    refusal(act(login(people.liaison), "api_requests", data=data), 400, "enterprise")
    refusal(act(login(people.leader), "api_requests", data=data), 403)
    assert not ServiceRequest.objects.exists()


def test_attachments_go_as_multipart_and_are_checked_by_content(login, people, desk, settings):
    client = login(people.enterprise_a)
    url = reverse("api_requests")
    wrong = client.post(
        url, {**a_request(), "attachments": [SimpleUploadedFile("照片.jpg", b"MZ\x90\x00 exe")]}
    )
    assert "不是图片" in refusal(wrong, 400, "attachments")
    settings.FUGONG_ATTACHMENT_MAX_BYTES = 1024
    big = client.post(
        url, {**a_request(), "attachments": [SimpleUploadedFile("大图.png", PNG + b"\0" * 2048)]}
    )
    assert "超过上限" in refusal(big, 400, "attachments")
    assert not ServiceRequest.objects.exists() and not Attachment.objects.exists()
    files = [SimpleUploadedFile("现场.png", PNG), SimpleUploadedFile("申请表.pdf", PDF)]
    created = client.post(url, {**a_request(), "attachments": files})
    assert created.status_code == 201
    kinds = {(a["original_name"], a["content_type"]) for a in created.json()["attachments"]}
    assert kinds == {("现场.png", "image/png"), ("申请表.pdf", "application/pdf")}


def test_an_attachment_is_downloaded_only_by_who_sees_the_request(login, people, file_request):
    request = file_request(attachments=[SimpleUploadedFile("现场.png", PNG)])
    client = login(people.clerk)
    [attachment] = client.get(reverse("api_request", args=[request.pk])).json()["attachments"]
    download = client.get(attachment["url"], HTTP_ACCEPT="image/png")
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content) == PNG
    assert login(people.enterprise_b).get(attachment["url"]).status_code == 404
    assert login(people.park_officer).get(attachment["url"]).status_code == 404


# The lifecycle, action by action


def test_a_request_goes_the_whole_way_through_the_api(login, people, file_request, outbox):
    request = file_request()
    client = login(people.clerk)
    detail = client.get(reverse("api_request", args=[request.pk])).json()
    assert set(detail["actions"]) == {"claim", "transfer", "return", "extension", "cohandle"}
    assert act(client, "api_request_claim", request).json()["status"] == "in_progress"
    photo = SimpleUploadedFile("回执.png", PNG)
    replied = client.post(
        reverse("api_request_reply", args=[request.pk]),
        {"reply": "已为企业办理调档，执照明日送达。", "attachments": [photo]},
    )
    assert replied.status_code == 200 and replied.json()["status"] == "replied"
    assert replied.json()["attachments"][0]["original_name"] == "回执.png"
    client = login(people.enterprise_a)
    assert client.get(reverse("api_request", args=[request.pk])).json()["actions"] == ["rate"]
    rated = act(client, "api_request_rate", request, {"rating": "satisfied"})
    body = rated.json()
    assert body["status"] == "closed" and body["rating"] == "satisfied"
    assert [s["action"] for s in body["steps"]] == [
        "submit",
        "route",
        "claim",
        "reply",
        "rate",
        "close",
    ]


def test_a_retried_action_acts_once(login, people, file_request):
    request = file_request()
    client = login(people.clerk)
    first = act(client, "api_request_claim", request, key="claim-1")
    retry = act(client, "api_request_claim", request, key="claim-1")
    assert first.status_code == retry.status_code == 200 and retry["Idempotent-Replay"] == "true"
    assert request.steps.filter(action="claim").count() == 1


def test_transfer_return_route_and_co_handling(login, people, desk, file_request):
    request = file_request()
    client = login(people.clerk)
    transferred = act(
        client, "api_request_transfer", request, {"department": desk.rs.pk, "reason": "属用工"}
    )
    assert [a["handler_name"] for a in transferred.json()["assignments"]] == [
        "区市场监管局",
        "区人社局",
    ]
    client = login(desk.rs_clerk)
    returned = act(client, "api_request_return", request, {"reason": "非本局职责"})
    assert returned.json()["status"] == "unassigned"
    client = login(people.coordinator)
    routed = act(
        client,
        "api_request_route",
        request,
        {"department": desk.scjg.pk, "co_departments": [desk.sw.pk], "note": "请市场监管局主办"},
    )
    active = [a for a in routed.json()["assignments"] if a["status"] == "pending"]
    assert {(a["handler_name"], a["role"]) for a in active} == {
        ("区市场监管局", "lead"),
        ("区商务局", "co"),
    }
    client = login(people.clerk)
    act(client, "api_request_claim", request)
    joined = act(client, "api_request_cohandle", request, {"department": desk.rs.pk})
    assert joined.status_code == 200
    assert any(
        a["handler_name"] == "区人社局" and a["role"] == "co" for a in joined.json()["assignments"]
    )


def test_an_extension_is_asked_for_and_decided(login, people, file_request):
    request = file_request()
    client = login(people.clerk)
    asked = act(
        client,
        "api_request_extension",
        request,
        {"stage": "reply", "extra_days": 2, "reason": "需外省调档"},
        key="ext-1",
    )
    assert asked.status_code == 201 and asked.json()["status"] == "pending"
    again = act(
        client,
        "api_request_extension",
        request,
        {"stage": "reply", "extra_days": 2, "reason": "再"},
    )
    assert "待审批" in refusal(again, 400)
    client = login(people.coordinator)
    [pending] = client.get(reverse("api_request_extensions")).json()["results"]
    assert pending["number"] == request.number and pending["handler_name"] == "区市场监管局"
    refused = act(
        client, "api_request_extension_decide", Extension.objects.get(), {"approve": False}
    )
    refusal(refused, 400, "note")
    decided = act(
        client, "api_request_extension_decide", Extension.objects.get(), {"approve": True}
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    assert decided.json()["new_due"] > asked.json()["current_due"]
    twice = act(client, "api_request_extension_decide", Extension.objects.get(), {"approve": True})
    assert "已审批" in refusal(twice, 400)


def test_leaders_escalate_and_the_coordinator_closes_and_reopens(login, people, file_request):
    request = file_request()
    client = login(people.leader)
    refusal(act(client, "api_request_escalate", request), 400, "note")
    escalated = act(client, "api_request_escalate", request, {"note": "请加快办理"})
    assert escalated.json()["steps"][-1]["action"] == "escalate"
    assert escalated.json()["assignments"][0]["escalations"][0]["level"] == "manual"
    client = login(people.coordinator)
    closed = act(client, "api_request_close", request, {"note": "企业已撤回"})
    assert closed.json()["status"] == "closed" and closed.json()["actions"] == ["reopen"]
    reopened = act(client, "api_request_reopen", request, {"reason": "企业再次来电"})
    assert reopened.json()["status"] == "unassigned" and reopened.json()["round"] == 2


# Forbidden moves: a 4xx in the error shape with a Chinese message, never a 500


@pytest.mark.parametrize(
    ("persona", "name", "data", "status"),
    [
        ("clerk", "api_request_reply", {"reply": "已办"}, 400),  # not claimed yet
        ("enterprise_a", "api_request_rate", {"rating": "satisfied"}, 400),  # no reply yet
        ("coordinator", "api_request_reopen", {"reason": "再办"}, 400),  # not closed
        ("coordinator", "api_request_route", {}, 400),  # no unit named
        ("clerk", "api_request_transfer", {"department": None, "reason": "x"}, 400),
        ("clerk", "api_request_extension", {"stage": "claim", "extra_days": 1}, 400),
        ("clerk", "api_request_claim", {"assignment": 999999}, 400),
        ("street_officer", "api_request_rate", {"rating": "satisfied"}, 403),
        ("liaison", "api_request_close", {"note": "x"}, 403),
        ("leader", "api_request_route", {}, 403),
        ("enterprise_a", "api_request_escalate", {"note": "x"}, 403),
    ],
)
def test_forbidden_moves_are_refused_in_chinese(
    login, people, file_request, persona, name, data, status
):
    request = file_request()
    refusal(act(login(getattr(people, persona)), name, request, data), status)
    assert list(request.steps.values_list("action", flat=True)) == ["submit", "route"]


def test_a_unit_that_passed_the_request_on_can_no_longer_act_on_it(
    login, people, desk, file_request
):
    request = file_request()
    client = login(people.clerk)
    act(client, "api_request_transfer", request, {"department": desk.rs.pk, "reason": "属用工"})
    assert client.get(reverse("api_request", args=[request.pk])).status_code == 200
    message = refusal(act(client, "api_request_reply", request, {"reply": "已办"}), 403)
    assert "只有正在承办该诉求的单位可以办理" in message


def test_a_claimed_request_cannot_be_claimed_again(login, people, file_request):
    request = file_request()
    client = login(people.clerk)
    act(client, "api_request_claim", request)
    assert "不能签收" in refusal(act(client, "api_request_claim", request), 400)


# Who sees what


def test_enterprise_b_can_neither_see_nor_rate_a_s_request(login, people, file_request):
    request = file_request()
    assignment = lead(request)
    services.assignment_claim(actor=people.clerk, assignment=assignment)
    services.assignment_reply(actor=people.clerk, assignment=assignment, reply="已办。")
    client = login(people.enterprise_b)
    assert client.get(reverse("api_requests")).json()["count"] == 0
    refusal(client.get(reverse("api_request", args=[request.pk])), 404)
    refusal(act(client, "api_request_rate", request, {"rating": "unsatisfied"}), 404)
    request.refresh_from_db()
    assert request.status == "replied" and request.rating == ""


def test_a_department_sees_only_its_own_requests(login, people, desk, file_request):
    permits = file_request()
    labour = file_request("labour", title="招不到工人")
    client = login(desk.rs_clerk)
    listed = client.get(reverse("api_requests")).json()["results"]
    assert [r["id"] for r in listed] == [labour.pk]
    assert client.get(reverse("api_request", args=[permits.pk])).status_code == 404
    queue = client.get(reverse("api_request_queue")).json()["results"]
    assert [q["request"] for q in queue] == [labour.pk]
    assert queue[0]["handler_name"] == "区人社局" and queue[0]["overdue"] is False


def test_the_caller_s_number_is_masked_for_who_need_not_see_it(login, people, desk, file_request):
    request = file_request(
        actor=people.coordinator,
        enterprise=people.enterprise_a.enterprise,
        channel="hotline",
        caller_name="李经理",
        caller_phone="13812345678",
    )
    url = reverse("api_request", args=[request.pk])
    seen_by_leader = login(people.leader).get(url).json()
    assert (seen_by_leader["caller_name"], seen_by_leader["caller_phone"]) == (
        "李**",
        "138****5678",
    )
    listed = login(people.leader).get(reverse("api_requests")).json()["results"]
    assert listed[0]["caller_phone"] == "138****5678"
    assert not PersonalDataAccess.objects.filter(user=people.leader).exists()
    # The department calling back sees it in full, and that is recorded.
    assert login(people.clerk).get(url).json()["caller_phone"] == "13812345678"
    assert PersonalDataAccess.objects.filter(user=people.clerk, object_id=request.pk).exists()
    # The list masks by role, as the export does.
    listed = login(people.clerk).get(reverse("api_requests")).json()["results"]
    assert listed[0]["caller_phone"] == "138****5678"
    listed = login(people.coordinator).get(reverse("api_requests")).json()["results"]
    assert listed[0]["caller_phone"] == "13812345678"
    assert PersonalDataAccess.objects.filter(user=people.coordinator, count=1).exists()


def test_the_list_filters_like_the_page(login, people, desk, file_request):
    permits = file_request(title="执照地址变更")
    labour = file_request("labour", title="招不到工人")
    services.assignment_claim(actor=people.clerk, assignment=lead(permits))
    client = login(people.coordinator)

    def ids(**params):
        response = client.get(reverse("api_requests"), params)
        assert response.status_code == 200, response.content
        return [r["id"] for r in response.json()["results"]]

    assert ids(category="labour") == [labour.pk]
    assert ids(status="in_progress") == [permits.pk]
    assert ids(department=desk.rs.pk) == [labour.pk]
    assert ids(q="执照") == [permits.pk]
    assert ids(enterprise=people.enterprise_b.enterprise_id) == []
    assert ids(overdue="true") == []
    refusal(client.get(reverse("api_requests"), {"status": "lost"}), 400, "status")
    refusal(client.get(reverse("api_requests"), {"department": 99999}), 400, "department")
    refusal(client.get(reverse("api_requests"), {"enterprise": 10**30}), 400, "enterprise")


def test_the_list_reads_a_bounded_number_of_queries(
    login, people, file_request, django_assert_max_num_queries
):
    for n in range(12):
        file_request(title=f"诉求{n}")
    client = login(people.coordinator)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("api_requests"))
    assert response.json()["count"] == 12


# Difficulties, figures, letters


def test_a_difficulty_from_a_daily_report_becomes_a_request(login, people, desk, submit):
    report = submit(
        people.enterprise_a.enterprise,
        "2020-03-03 10:00",
        "partly",
        duty=10,
        difficulty_category="permits",
        difficulty="排污许可证到期，需要延续",
    )
    client = login(people.liaison)
    [listed] = client.get(reverse("api_request_difficulties")).json()["results"]
    assert listed["id"] == report.pk and listed["enterprise_name"] == "郑州甲方机械有限公司"
    data = a_request(title="排污许可证延续", description=report.difficulty, report=report.pk)
    created = act(client, "api_requests", data=data)
    assert created.status_code == 201 and created.json()["channel"] == "report"
    assert created.json()["report"] == report.pk
    assert client.get(reverse("api_request_difficulties")).json()["count"] == 0
    assert "已登记为诉求" in refusal(act(client, "api_requests", data=data), 400, "report")


def test_figures_as_of_a_moment_show_only_what_was_known(login, people, file_request):
    request = file_request(when="2020-03-16 10:00")
    services.assignment_claim(
        actor=people.clerk, assignment=lead(request), at=at("2020-03-16 11:00")
    )
    client = login(people.leader)
    url = reverse("api_request_figures")
    before = client.get(url, {"at": "2020-03-16T09:00:00+08:00"}).json()
    assert before["requests"] == 0 and before["by_handler"] == []
    after = client.get(url, {"at": "2020-03-17T12:00:00+08:00"}).json()
    assert after["requests"] == 1 and after["open"] == 1
    assert after["at"] == "2020-03-17T12:00:00+08:00"
    clocks = after["clocks"]
    assert clocks["claimed_on_time"] == 1 and clocks["claim_on_time_rate"] == 100.0
    assert clocks["claim_rate_text"] == "100%"
    [row] = after["by_handler"]
    assert row["name"] == "区市场监管局" and row["received"] == 1
    refusal(client.get(url, {"at": "2999-01-01T00:00:00+08:00"}), 400, "at")
    refusal(client.get(url, {"at": "yesterday"}), 400, "at")
    refusal(login(people.enterprise_a).get(url), 403)


def test_a_department_records_its_thank_you_letters_and_sees_only_them(
    login, people, desk, file_request
):
    request = file_request()
    letter = {
        "department": desk.scjg.pk,
        "sender": "郑州甲方机械有限公司",
        "received_on": "2020-03-16",
        "summary": "感谢市场监管局高效办理",
        "request_number": request.number,
    }
    client = login(people.clerk)
    created = act(client, "api_request_letters", data=letter, key="letter-1")
    assert created.status_code == 201
    assert created.json()["enterprise"] == people.enterprise_a.enterprise_id
    assert act(client, "api_request_letters", data=letter, key="letter-1").status_code == 201
    assert ThankYouLetter.objects.count() == 1
    unknown = act(client, "api_request_letters", data={**letter, "request_number": "SQ0"})
    refusal(unknown, 400, "request_number")
    client = login(desk.rs_clerk)
    assert client.get(reverse("api_request_letters")).json()["count"] == 0
    refusal(act(client, "api_request_letters", data=letter), 400, "department")
    assert login(people.leader).get(reverse("api_request_letters")).json()["count"] == 1


# Settings


def test_the_coordinator_keeps_the_routing_table(login, people, desk, district):
    client = login(people.coordinator)
    created = act(
        client, "api_routing_rules", data={"category": "finance", "department": desk.sw.pk}
    )
    assert created.status_code == 201 and created.json()["handler_name"] == "区商务局"
    rule = RoutingRule.objects.get(category="finance")
    assert rule.history.first().history_user == people.coordinator
    duplicate = act(
        client, "api_routing_rules", data={"category": "finance", "department": desk.rs.pk}
    )
    assert "全区" in refusal(duplicate, 400, "area")
    neither = act(client, "api_routing_rules", data={"category": "other"})
    refusal(neither, 400, "department")
    url = reverse("api_routing_rule", args=[rule.pk])
    changed = client.patch(url, {"task_force": desk.task_force.pk}, content_type="application/json")
    assert changed.json()["task_force"] == desk.task_force.pk
    assert changed.json()["department"] is None
    reader = login(people.leader)
    assert reader.get(url).status_code == 200
    refusal(reader.delete(url), 403)
    assert login(people.coordinator).delete(url).status_code == 204
    assert not RoutingRule.objects.filter(category="finance").exists()


def test_the_deadline_table(login, people):
    client = login(people.coordinator)
    listed = client.get(reverse("api_deadline_policies")).json()
    assert {"category": "permits", "grade": "A"} in [
        {"category": p["category"], "grade": p["grade"]} for p in listed
    ]
    disordered = {
        "category": "permits",
        "grade": "C",
        "claim_days": 5,
        "reply_days": 2,
        "resolve_days": 10,
    }
    assert "签收 ≤ 答复 ≤ 办结" in refusal(
        act(client, "api_deadline_policies", data=disordered), 400
    )
    created = act(client, "api_deadline_policies", data={**disordered, "claim_days": 1})
    assert created.status_code == 201
    twice = act(client, "api_deadline_policies", data={**disordered, "claim_days": 1})
    refusal(twice, 400)
    policy = DeadlinePolicy.objects.get(category="permits", grade="C")
    url = reverse("api_deadline_policy", args=[policy.pk])
    changed = client.patch(url, {"resolve_days": 15}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["resolve_days"] == 15
    refusal(login(people.leader).patch(url, {}, content_type="application/json"), 403)


def test_the_working_day_calendar(login, people):
    client = login(people.coordinator)
    year = client.get(reverse("api_calendar_days"), {"year": 2020}).json()
    names = {d["name"] for d in year["national"]}
    assert "春节" in names and "劳动节调休上班" in names
    local = {"date": "2020-03-23", "is_working_day": False, "name": "区内调整"}
    created = act(client, "api_calendar_days", data=local)
    assert created.status_code == 201
    refusal(act(client, "api_calendar_days", data=local), 400, "date")
    refusal(act(client, "api_calendar_days", data={**local, "date": "1900-01-01"}), 400, "date")
    again = client.get(reverse("api_calendar_days"), {"year": 2020}).json()
    assert [d["date"] for d in again["local"]] == ["2020-03-23"]
    refusal(client.get(reverse("api_calendar_days"), {"year": 1066}), 400, "year")
    day = CalendarDay.objects.get()
    assert client.delete(reverse("api_calendar_day", args=[day.pk])).status_code == 204


# Bad input is a 4xx, never a 500


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("api_requests", [1, 2]),
        ("api_requests", {"category": "permits", "title": 3, "description": {"x": 1}}),
        ("api_request_route", {"department": "abc", "co_departments": "x"}),
        ("api_request_route", {"department": 10**30}),
        ("api_request_rate", {"rating": ["satisfied"]}),
        ("api_request_close", {"note": "x" * 301}),
        ("api_routing_rules", {"category": "finance", "area": -1, "department": True}),
        ("api_calendar_days", {"date": "2020-02-30", "is_working_day": "maybe"}),
        ("api_request_letters", {"received_on": "9999-99-99", "department": None}),
    ],
)
def test_bad_input_is_a_4xx_never_a_500(login, people, file_request, name, body):
    request = file_request()
    url = reverse(name, args=[request.pk] if "request_" in name and "letters" not in name else [])
    response = login(people.coordinator).post(url, body, content_type="application/json")
    assert 400 <= response.status_code < 500, response.content
    assert {"code", "message", "field"} <= set(response.json())


def test_a_visit_and_the_requests_it_raised_are_recorded_in_one_call(people, login, desk):
    from fugong.enterprises.models import Visit

    client = login(people.liaison)
    visit = {
        "enterprise": people.enterprise_a.enterprise.pk,
        "visited_on": "2020-03-20",
        "kind": "on_site",
        "findings": "企业需要变更执照。",
        "requests": [
            {"category": "permits", "title": "执照变更", "description": "增加口罩生产范围。"}
        ],
    }
    created = client.post(
        reverse("api_visits"), visit, content_type="application/json", HTTP_IDEMPOTENCY_KEY="v-1"
    )
    assert created.status_code == 201, created.json()
    [raised] = created.json()["requests"]
    request = ServiceRequest.objects.get(pk=raised["id"])
    assert request.visit_id == created.json()["id"] and request.channel == "visit"
    assert lead(request).department == desk.scjg

    visit["requests"][0]["description"] = ""
    refused = client.post(reverse("api_visits"), visit, content_type="application/json")
    assert refused.status_code == 400 and "requests" in refused.json()["field"]
    assert Visit.objects.count() == 1 and ServiceRequest.objects.count() == 1

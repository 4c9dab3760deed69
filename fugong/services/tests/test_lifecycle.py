import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fugong.conftest import at
from fugong.core.models import Notification
from fugong.services import services
from fugong.services.models import Assignment, Channel, RequestStep, ServiceRequest
from fugong.services.tests.conftest import lead

pytestmark = pytest.mark.django_db
S = ServiceRequest.Status
A = Assignment.Status


def actions(request) -> list[str]:
    return list(request.steps.values_list("action", flat=True))


def test_a_request_is_routed_by_the_rule_for_its_category(file_request, desk, people):
    request = file_request()
    assert request.status == S.PENDING
    assert request.number.startswith("SQ")
    assert lead(request).department == desk.scjg
    assert actions(request) == ["submit", "route"]
    assert Notification.objects.filter(recipient=people.clerk, title="新诉求待签收").exists()


def test_the_rule_for_the_enterprise_s_park_wins_over_the_district_rule(
    file_request, desk, district, people
):
    people.enterprise_a.enterprise.park = district.region("P410103001")
    people.enterprise_a.enterprise.save()
    request = file_request("labour", title="招工困难")
    assert lead(request).task_force == desk.task_force


def test_a_request_no_rule_covers_waits_for_the_coordinator(file_request, people):
    request = file_request("utilities", title="停水")
    assert request.status == S.UNASSIGNED
    assert not request.assignments.exists()
    assert Notification.objects.filter(recipient=people.coordinator, title="新诉求待分派").exists()


def test_the_whole_way_from_filing_to_closing(file_request, people):
    request = file_request()
    assignment = lead(request)
    services.assignment_claim(actor=people.clerk, assignment=assignment)
    request.refresh_from_db()
    assert request.status == S.IN_PROGRESS
    services.assignment_reply(actor=people.clerk, assignment=assignment, reply="已办理调档。")
    request.refresh_from_db()
    assert request.status == S.REPLIED
    assert Notification.objects.filter(
        recipient=people.enterprise_a, title="您的诉求已答复，请评价"
    ).exists()
    services.request_rate(actor=people.enterprise_a, request=request, rating="satisfied")
    request.refresh_from_db()
    assignment.refresh_from_db()
    assert request.status == S.CLOSED and request.closed_at
    assert assignment.status == A.DONE and assignment.rating == "satisfied"
    assert actions(request) == ["submit", "route", "claim", "reply", "rate", "close"]
    actors = list(request.steps.values_list("actor__username", flat=True))
    assert actors == ["company_a", None, "clerk", "clerk", "company_a", "company_a"]


@pytest.mark.parametrize(
    "move",
    [
        lambda s, p, a, r: s.assignment_reply(actor=p.clerk, assignment=a, reply="x"),
        lambda s, p, a, r: s.request_rate(actor=p.enterprise_a, request=r, rating="satisfied"),
        lambda s, p, a, r: s.request_reopen(actor=p.coordinator, request=r, reason="x"),
    ],
    ids=["reply before claiming", "rate before a reply", "reopen an open request"],
)
def test_moves_out_of_order_are_refused(move, file_request, people):
    request = file_request()
    with pytest.raises(ValidationError):
        move(services, people, lead(request), request)
    assert actions(request) == ["submit", "route"]


def test_a_request_cannot_be_claimed_twice(file_request, people):
    assignment = lead(file_request())
    services.assignment_claim(actor=people.clerk, assignment=assignment)
    with pytest.raises(ValidationError, match="不能签收"):
        services.assignment_claim(actor=people.clerk, assignment=assignment)


def test_only_the_receiving_unit_claims(file_request, people, desk):
    assignment = lead(file_request())
    for outsider in (desk.rs_clerk, people.coordinator, people.enterprise_a, people.leader):
        with pytest.raises(PermissionDenied):
            services.assignment_claim(actor=outsider, assignment=assignment)


def test_a_task_force_member_handles_the_task_force_s_requests(
    file_request, desk, district, people
):
    people.enterprise_a.enterprise.park = district.region("P410103001")
    people.enterprise_a.enterprise.save()
    assignment = lead(file_request("labour"))
    with pytest.raises(PermissionDenied):
        services.assignment_claim(actor=desk.rs_clerk, assignment=assignment)
    services.assignment_claim(actor=desk.tf_member, assignment=assignment)


def test_enterprise_b_cannot_rate_enterprise_a_s_request(file_request, people):
    request = file_request()
    assignment = lead(request)
    services.assignment_claim(actor=people.clerk, assignment=assignment)
    services.assignment_reply(actor=people.clerk, assignment=assignment, reply="已办。")
    with pytest.raises(PermissionDenied):
        services.request_rate(actor=people.enterprise_b, request=request, rating="unsatisfied")


def _answered(file_request, people):
    request = file_request()
    assignment = lead(request)
    services.assignment_claim(actor=people.clerk, assignment=assignment)
    services.assignment_reply(actor=people.clerk, assignment=assignment, reply="已办。")
    return request


def test_unsatisfied_needs_a_comment(file_request, people):
    request = _answered(file_request, people)
    with pytest.raises(ValidationError):
        services.request_rate(actor=people.enterprise_a, request=request, rating="unsatisfied")


def test_unsatisfied_sends_the_request_back_once_to_the_same_department(file_request, people):
    request = _answered(file_request, people)
    first = lead(request)
    services.request_rate(
        actor=people.enterprise_a, request=request, rating="unsatisfied", comment="执照地址仍有误"
    )
    request.refresh_from_db()
    first.refresh_from_db()
    assert request.status == S.PENDING and request.round == 2 and request.reopen_count == 1
    assert first.status == A.REOPENED and first.rating == "unsatisfied"
    second = lead(request)
    assert second.department == first.department and second.round == 2
    assert second.assigned_at > first.assigned_at  # a fresh clock
    reopen = request.steps.get(action="reopen")
    assert reopen.note == "执照地址仍有误"
    told = Notification.objects.get(recipient=people.clerk, title="诉求退回重新办理")
    assert told.body == "企业不满意：执照地址仍有误"  # the unit learns what to put right

    services.assignment_claim(actor=people.clerk, assignment=second)
    services.assignment_reply(actor=people.clerk, assignment=second, reply="已重新核对。")
    services.request_rate(
        actor=people.enterprise_a, request=request, rating="unsatisfied", comment="还是不行"
    )
    request.refresh_from_db()
    assert request.status == S.CLOSED and request.rating == "unsatisfied"


def test_the_coordinator_reopens_a_closed_request_to_the_department_that_answered(
    file_request, people, desk
):
    request = _answered(file_request, people)
    services.request_rate(actor=people.enterprise_a, request=request, rating="basic")
    with pytest.raises(PermissionDenied):
        services.request_reopen(actor=people.clerk, request=request, reason="x")
    services.request_reopen(actor=people.coordinator, request=request, reason="企业再次来电")
    request.refresh_from_db()
    assert request.status == S.PENDING and request.round == 2 and not request.rating
    assert lead(request).department == desk.scjg


def test_a_transfer_stops_one_clock_and_starts_another(file_request, people, desk):
    request = file_request(when="2020-03-20 15:00")
    first = lead(request)
    services.assignment_claim(actor=people.clerk, assignment=first, at=at("2020-03-23 09:00"))
    with pytest.raises(ValidationError):
        services.assignment_transfer(
            actor=people.clerk, assignment=first, department=desk.rs, reason=""
        )
    second = services.assignment_transfer(
        actor=people.clerk, assignment=first, department=desk.rs, reason="属用工问题"
    )
    first.refresh_from_db()
    assert first.status == A.TRANSFERRED and first.ended_at
    assert second.department == desk.rs and second.status == A.PENDING
    assert second.claim_due > first.claim_due  # its own clock, from the transfer
    assert request.steps.get(action="transfer").data["to"] == desk.rs.name
    with pytest.raises(PermissionDenied):  # the first department is done with it
        services.assignment_claim(actor=people.clerk, assignment=second)
    services.assignment_claim(actor=desk.rs_clerk, assignment=second)


def test_a_returned_request_goes_back_to_the_coordinator(file_request, people, desk):
    request = file_request()
    services.assignment_return(actor=people.clerk, assignment=lead(request), reason="非本部门职责")
    request.refresh_from_db()
    assert request.status == S.UNASSIGNED
    assert Notification.objects.filter(
        recipient=people.coordinator, title__contains="退回"
    ).exists()
    services.request_route(actor=people.coordinator, request=request, department=desk.sw)
    request.refresh_from_db()
    assert request.status == S.PENDING and lead(request).department == desk.sw


def test_co_handlers_each_answer_before_the_enterprise_is_asked(file_request, people, desk):
    request = file_request()
    main = lead(request)
    helper = services.request_add_cohandler(
        actor=people.clerk, request=request, department=desk.rs, note="涉及用工"
    )
    assert helper.role == "co" and helper.claim_due == main.claim_due
    services.assignment_claim(actor=people.clerk, assignment=main)
    services.assignment_reply(actor=people.clerk, assignment=main, reply="执照已办。")
    request.refresh_from_db()
    assert request.status == S.IN_PROGRESS
    services.assignment_claim(actor=desk.rs_clerk, assignment=helper)
    services.assignment_reply(actor=desk.rs_clerk, assignment=helper, reply="用工已对接。")
    request.refresh_from_db()
    assert request.status == S.REPLIED
    services.request_rate(actor=people.enterprise_a, request=request, rating="satisfied")
    assert set(request.assignments.values_list("status", "rating")) == {("done", "satisfied")}


def test_another_department_cannot_add_co_handlers(file_request, desk):
    with pytest.raises(PermissionDenied):
        services.request_add_cohandler(
            actor=desk.rs_clerk, request=file_request(), department=desk.sw
        )


def test_rerouting_withdraws_the_units_on_it(file_request, people, desk):
    request = file_request()
    first = lead(request)
    services.request_route(
        actor=people.coordinator, request=request, department=desk.sw, co_departments=[desk.rs]
    )
    first.refresh_from_db()
    assert first.status == A.CANCELLED
    active = request.assignments.filter(status="pending")
    assert {(a.department, a.role) for a in active} == {(desk.sw, "lead"), (desk.rs, "co")}
    with pytest.raises(PermissionDenied):
        services.request_route(actor=people.clerk, request=request, department=desk.scjg)


def test_the_coordinator_records_a_rating_taken_by_phone(file_request, people):
    request = _answered(file_request, people)
    services.request_rate(actor=people.coordinator, request=request, rating="satisfied")
    assert request.steps.get(action="rate").data == {"rating": "satisfied", "by_phone": True}


def test_a_hotline_call_needs_the_caller_s_number(file_request, people):
    enterprise = people.enterprise_a.enterprise
    with pytest.raises(ValidationError) as error:
        file_request(actor=people.coordinator, enterprise=enterprise, channel=Channel.HOTLINE)
    assert "caller_phone" in error.value.message_dict
    request = file_request(
        actor=people.coordinator,
        enterprise=enterprise,
        channel=Channel.HOTLINE,
        caller_name="李经理",
        caller_phone="138 1234 5678",
    )
    assert request.caller_phone == "13812345678"


def test_people_file_only_for_enterprises_they_serve(file_request, people):
    b = people.enterprise_b.enterprise
    for outsider in (people.enterprise_a, people.street_officer, people.liaison, people.clerk):
        with pytest.raises(PermissionDenied):
            file_request(actor=outsider, enterprise=b)
    assert not ServiceRequest.objects.exists()
    assert not RequestStep.objects.exists()


def test_a_closed_request_records_who_closed_it_and_why(file_request, people):
    request = file_request()
    with pytest.raises(ValidationError):
        services.request_close(actor=people.coordinator, request=request, note="")
    services.request_close(actor=people.coordinator, request=request, note="企业撤回")
    request.refresh_from_db()
    assert request.status == S.CLOSED
    assert lead_or_none(request) is None
    assert request.assignments.get().status == A.CANCELLED


def lead_or_none(request):
    return request.assignments.filter(status__in=Assignment.ACTIVE_STATUSES).first()


def _clock_in(state: str, file_request, people, desk) -> Assignment:
    """Enterprise A's permit request, with 市场监管局's clock brought to `state`."""
    clock = lead(file_request())
    steps = {
        "pending": [],
        "in_progress": ["claim"],
        "replied": ["claim", "reply"],
        "done": ["claim", "reply", "rate"],
        "transferred": ["claim", "transfer"],
        "returned": ["return"],
    }[state]
    for step in steps:
        if step == "claim":
            services.assignment_claim(actor=people.clerk, assignment=clock)
        elif step == "reply":
            services.assignment_reply(actor=people.clerk, assignment=clock, reply="已办")
        elif step == "rate":
            services.request_rate(actor=people.enterprise_a, request=clock.request, rating="basic")
        elif step == "transfer":
            services.assignment_transfer(
                actor=people.clerk, assignment=clock, department=desk.rs, reason="属用工"
            )
        else:
            services.assignment_return(actor=people.clerk, assignment=clock, reason="非本单位")
    clock.refresh_from_db()
    assert clock.status == state
    return clock


CLOCK_MOVES = {
    "claim": lambda p, a: services.assignment_claim(actor=p.clerk, assignment=a),
    "reply": lambda p, a: services.assignment_reply(actor=p.clerk, assignment=a, reply="再答"),
    "transfer": lambda p, a: services.assignment_transfer(
        actor=p.clerk, assignment=a, department=a.department, reason="转"
    ),
    "return": lambda p, a: services.assignment_return(actor=p.clerk, assignment=a, reason="退"),
    "extend": lambda p, a: services.extension_request(
        actor=p.clerk, assignment=a, stage="reply", extra_days=1, reason="需时间"
    ),
}
FORBIDDEN = [
    (state, move)
    for state in ("pending", "in_progress", "replied", "done", "transferred", "returned")
    for move in CLOCK_MOVES
    if state not in services.base.ASSIGNMENT_MOVES[move][0]
]


@pytest.mark.parametrize("state, move", FORBIDDEN, ids=[f"{m} when {s}" for s, m in FORBIDDEN])
def test_every_move_a_clock_may_not_make_from_its_state_is_refused_and_leaves_no_trace(
    state, move, file_request, people, desk
):
    clock = _clock_in(state, file_request, people, desk)
    before = actions(clock.request)
    with pytest.raises(ValidationError, match="不能"):
        CLOCK_MOVES[move](people, clock)
    clock.refresh_from_db()
    assert clock.status == state and actions(clock.request) == before


REQUEST_MOVES = {
    "rate": lambda p, d, r: services.request_rate(
        actor=p.enterprise_a, request=r, rating="satisfied"
    ),
    "route": lambda p, d, r: services.request_route(
        actor=p.coordinator, request=r, department=d.sw
    ),
    "cohandle": lambda p, d, r: services.request_add_cohandler(
        actor=p.coordinator, request=r, department=d.sw, note="协办"
    ),
    "close": lambda p, d, r: services.request_close(actor=p.coordinator, request=r, note="结"),
}


@pytest.mark.parametrize(
    "state, move",
    [
        ("replied", "route"),
        ("replied", "cohandle"),
        ("done", "rate"),
        ("done", "route"),
        ("done", "cohandle"),
        ("done", "close"),
    ],
)
def test_a_request_answered_or_closed_refuses_what_no_longer_fits(
    state, move, file_request, people, desk
):
    request = _clock_in(state, file_request, people, desk).request
    before = actions(request)
    with pytest.raises(ValidationError):
        REQUEST_MOVES[move](people, desk, request)
    request.refresh_from_db()
    assert actions(request) == before

from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from fugong.conftest import at
from fugong.core.models import Notification
from fugong.services import services
from fugong.services.models import DeadlinePolicy, Escalation, Extension, ServiceRequest
from fugong.services.tests.conftest import lead

pytestmark = pytest.mark.django_db


def test_deadlines_count_working_days_from_the_moment_of_filing(file_request):
    # Friday 20 March 2020, 15:00; the defaults for permits: 1 / 3 / 10 working days.
    assignment = lead(file_request(when="2020-03-20 15:00"))
    assert assignment.claim_due == at("2020-03-23 23:59:59")
    assert assignment.reply_due == at("2020-03-25 23:59:59")
    assert assignment.resolve_due == at("2020-04-03 23:59:59")


def test_an_a_grade_enterprise_gets_shorter_deadlines(file_request, people):
    people.enterprise_a.enterprise.grade = "A"
    people.enterprise_a.enterprise.save()
    request = file_request(when="2020-03-20 15:00")
    assert request.grade == "A"
    assignment = lead(request)
    assert assignment.reply_due == at("2020-03-24 23:59:59")
    # 10 … 7 working days, across the 清明 holiday (4–6 April).
    assert assignment.resolve_due == at("2020-03-31 23:59:59")


def test_the_coordinator_s_deadline_table_is_used(file_request):
    DeadlinePolicy.objects.filter(category="permits", grade="").update(
        claim_days=2, reply_days=5, resolve_days=15
    )
    assignment = lead(file_request(when="2020-03-20 15:00"))
    assert assignment.claim_due == at("2020-03-24 23:59:59")


def test_a_deadline_table_row_keeps_its_order():
    policy = DeadlinePolicy(category="other", grade="C", claim_days=3, reply_days=2, resolve_days=9)
    with pytest.raises(ValidationError, match="签收 ≤ 答复 ≤ 办结"):
        policy.full_clean()


def _claimed(file_request, people, when="2020-03-20 15:00"):
    assignment = lead(file_request(when=when))
    services.assignment_claim(actor=people.clerk, assignment=assignment, at=at("2020-03-23 09:00"))
    return assignment


def test_an_approved_extension_moves_the_deadline(file_request, people):
    assignment = _claimed(file_request, people)
    extension = services.extension_request(
        actor=people.clerk, assignment=assignment, stage="reply", extra_days=2, reason="需外区调档"
    )
    assert Notification.objects.filter(
        recipient=people.coordinator, title="延期申请待审批"
    ).exists()
    with pytest.raises(PermissionDenied):
        services.extension_decide(actor=people.clerk, extension=extension, approve=True)
    services.extension_decide(actor=people.coordinator, extension=extension, approve=True)
    assignment.refresh_from_db()
    extension.refresh_from_db()
    assert extension.status == Extension.Status.APPROVED
    assert assignment.reply_due == at("2020-03-27 23:59:59")  # 25 March + 2 working days
    assert assignment.resolve_due == at("2020-04-03 23:59:59")  # still later: unchanged
    with pytest.raises(ValidationError):
        services.extension_decide(actor=people.coordinator, extension=extension, approve=False)


def test_an_extension_cannot_be_approved_once_the_clock_has_answered(file_request, people):
    assignment = _claimed(file_request, people)
    extension = services.extension_request(
        actor=people.clerk, assignment=assignment, stage="reply", extra_days=2, reason="需外区调档"
    )
    services.assignment_reply(actor=people.clerk, assignment=assignment, reply="已办结。")
    with pytest.raises(ValidationError, match="已答复"):
        services.extension_decide(actor=people.coordinator, extension=extension, approve=True)
    services.extension_decide(
        actor=people.coordinator, extension=extension, approve=False, note="已答复，无需延期"
    )
    assignment.refresh_from_db()
    assert assignment.reply_due == extension.current_due and assignment.last_extended_at is None


def test_a_refused_extension_needs_a_reason_and_leaves_the_deadline(file_request, people):
    assignment = _claimed(file_request, people)
    extension = services.extension_request(
        actor=people.clerk, assignment=assignment, stage="resolve", extra_days=5, reason="材料多"
    )
    with pytest.raises(ValidationError):
        services.extension_decide(actor=people.coordinator, extension=extension, approve=False)
    services.extension_decide(
        actor=people.coordinator, extension=extension, approve=False, note="请按期办理"
    )
    assignment.refresh_from_db()
    assert assignment.resolve_due == at("2020-04-03 23:59:59")


def test_one_extension_request_waits_at_a_time(file_request, people):
    assignment = _claimed(file_request, people)
    services.extension_request(
        actor=people.clerk, assignment=assignment, stage="reply", extra_days=1, reason="a"
    )
    with pytest.raises(ValidationError, match="待审批"):
        services.extension_request(
            actor=people.clerk, assignment=assignment, stage="reply", extra_days=2, reason="b"
        )


def test_escalation_rises_with_the_clock_and_fires_once_per_level(file_request, people, desk):
    desk.scjg.head = people.clerk
    desk.scjg.save()
    assignment = lead(file_request(when="2020-03-20 15:00"))  # to be claimed by 23 March 23:59
    assert services.escalate_due(at=at("2020-03-22 10:00")) == []
    [warning] = services.escalate_due(at=at("2020-03-23 09:00"))
    assert (warning.level, warning.stage) == (Escalation.Level.WARNING, "claim")
    assert services.escalate_due(at=at("2020-03-23 15:00")) == []
    [head] = services.escalate_due(at=at("2020-03-24 08:00"))
    assert head.level == Escalation.Level.HEAD and head.recipients == ["clerk"]
    assert services.escalate_due(at=at("2020-03-24 18:00")) == []
    [top] = services.escalate_due(at=at("2020-03-25 00:30"))
    assert top.level == Escalation.Level.LEADER
    assert set(top.recipients) == {"leader", "coordinator"}
    assert services.escalate_due(at=at("2020-03-26 09:00")) == []
    assert assignment.escalations.count() == 3
    assert assignment.request.steps.filter(action="escalate").count() == 3
    assert (
        Notification.objects.filter(
            recipient=people.leader, title="诉求逾期超过一个工作日（区领导督办）"
        ).count()
        == 1
    )


def test_a_claimed_request_is_escalated_on_its_reply_deadline(file_request, people):
    _claimed(file_request, people)
    [escalation] = services.escalate_due(at=at("2020-03-26 09:00"))
    assert (escalation.stage, escalation.level) == ("reply", Escalation.Level.HEAD)


def test_after_a_pause_only_the_level_reached_is_sent(file_request):
    lead(file_request(when="2020-03-20 15:00"))
    [escalation] = services.escalate_due(at=at("2020-03-30 09:00"))
    assert escalation.level == Escalation.Level.LEADER


def test_leaders_escalate_by_hand(file_request, people):
    request = file_request()
    with pytest.raises(PermissionDenied):
        services.request_escalate(actor=people.clerk, request=request, note="快办")
    [manual] = services.request_escalate(actor=people.leader, request=request, note="今天办结")
    assert manual.level == Escalation.Level.MANUAL and manual.raised_by == people.leader
    assert Notification.objects.filter(recipient=people.clerk, title="领导督办").exists()


def test_a_request_left_unrated_closes_after_five_working_days(file_request, people):
    assignment = _claimed(file_request, people)
    services.assignment_reply(
        actor=people.clerk, assignment=assignment, reply="已办。", at=at("2020-03-24 10:00")
    )
    assert services.close_unrated(at=at("2020-03-31 10:00")) == 0
    assert services.close_unrated(at=at("2020-04-01 00:01")) == 1
    request = ServiceRequest.objects.get()
    assert request.status == "closed" and request.rating == ""
    close = request.steps.get(action="close")
    assert close.actor is None and "逾期未评价" in close.note


def test_the_scheduler_enqueues_the_deadline_check_which_sends_nothing_twice(file_request, people):
    waiting = lead(file_request(when="2020-03-20 15:00"))
    answered = _claimed(file_request, people)
    services.assignment_reply(
        actor=people.clerk, assignment=answered, reply="已办。", at=at("2020-03-24 10:00")
    )
    out = StringIO()
    call_command("scheduler", once=True, stdout=out)  # the test settings run tasks at once
    assert "check_deadlines" in out.getvalue()
    [escalation] = Escalation.objects.all()
    assert escalation.assignment == waiting and escalation.level == Escalation.Level.LEADER
    assert ServiceRequest.objects.get(pk=answered.request_id).status == "closed"
    call_command("scheduler", once=True, stdout=StringIO())
    assert Escalation.objects.count() == 1

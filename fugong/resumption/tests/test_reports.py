import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fugong.enterprises.tests.factories import ProjectFactory
from fugong.resumption.models import CurrentState, Report
from fugong.resumption.services import report_correct, report_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(people):
    return people.enterprise_a.enterprise  # 20 workers on payroll, in 淮河路街道


def test_a_report_is_stored_with_who_and_how(people, company):
    report = report_submit(
        actor=people.enterprise_a,
        subject=company,
        status="partly",
        workers_on_payroll=20,
        workers_on_duty=8,
        returned_from_outside=3,
    )
    assert (report.source, report.submitted_by) == ("enterprise", people.enterprise_a)
    assert report.reported_at <= timezone.now()
    state = CurrentState.objects.get(enterprise=company)
    assert (state.report, state.status, state.workers_on_duty) == (report, "partly", 8)


@pytest.mark.parametrize(
    "values, field, message",
    [
        ({"workers_on_duty": 21}, "workers_on_duty", "在岗人数（21）不能超过在册职工人数（20）"),
        ({"returned_from_outside": 25}, "returned_from_outside", "不能超过在册职工人数"),
        ({"status": "resumed", "workers_on_duty": 0}, "workers_on_duty", "在岗人数应大于0"),
        ({"status": "closed", "workers_on_duty": 3}, "workers_on_duty", "停业时在岗人数应为0"),
        ({"capacity_percent": 120}, "capacity_percent", ""),
    ],
)
def test_an_impossible_report_is_refused_and_nothing_is_written(
    people, company, values, field, message
):
    report = {"status": "partly", "workers_on_payroll": 20, "workers_on_duty": 5} | values
    with pytest.raises(ValidationError) as exc:
        report_submit(actor=people.coordinator, subject=company, **report)
    assert field in exc.value.message_dict
    assert message in exc.value.message_dict[field][0]
    assert not Report.objects.exists() and not CurrentState.objects.exists()


def test_a_report_dated_in_the_future_is_refused(people, company):
    with pytest.raises(ValidationError) as exc:
        report_submit(
            actor=people.coordinator,
            subject=company,
            status="partly",
            workers_on_payroll=20,
            workers_on_duty=5,
            reported_at=timezone.now() + timezone.timedelta(minutes=5),
        )
    assert "不能晚于现在" in exc.value.message_dict["reported_at"][0]


def test_a_report_before_the_entity_was_registered_is_refused(submit, company):
    with pytest.raises(ValidationError) as exc:
        submit(company, "2019-12-31 12:00", "partly", duty=5)
    assert "早于该单位的登记时间" in exc.value.message_dict["reported_at"][0]


def test_a_steep_fall_is_accepted_but_flagged(submit, company):
    submit(company, "2020-02-20 10:00", "partly", duty=12)
    fall = submit(company, "2020-02-21 10:00", "partly", duty=5)
    assert fall.flags == ["duty_halved"]
    assert CurrentState.objects.get(enterprise=company).report == fall


def test_going_back_to_not_resumed_is_flagged(submit, company):
    submit(company, "2020-02-20 10:00", "resumed", duty=20)
    back = submit(company, "2020-02-21 10:00", "not_resumed", duty=2)
    assert set(back.flags) == {"duty_halved", "back_to_not_resumed"}


def test_a_gentle_change_is_not_flagged(submit, company):
    submit(company, "2020-02-20 10:00", "partly", duty=12)
    assert submit(company, "2020-02-21 10:00", "partly", duty=7).flags == []


def test_a_correction_supersedes_the_report_and_both_stay(submit, people, company):
    original = submit(company, "2020-02-20 10:00", "partly", duty=12)
    correction = report_correct(actor=people.street_officer, report=original, workers_on_duty=15)
    original.refresh_from_db()
    assert original.superseded_at is not None and original.workers_on_duty == 12
    assert (correction.supersedes, correction.reported_at, correction.workers_on_duty) == (
        original,
        original.reported_at,
        15,
    )
    assert Report.objects.filter(enterprise=company).count() == 2
    assert CurrentState.objects.get(enterprise=company).report == correction
    with pytest.raises(ValidationError, match="已被更正过"):
        report_correct(actor=people.coordinator, report=original, workers_on_duty=1)


def test_a_late_report_of_an_earlier_moment_does_not_replace_the_current_state(submit, company):
    latest = submit(company, "2020-03-01 10:00", "resumed", duty=20)
    submit(company, "2020-02-25 10:00", "partly", duty=10)  # entered late
    assert CurrentState.objects.get(enterprise=company).report == latest


@pytest.mark.parametrize(
    "persona, allowed",
    [
        ("enterprise_a", True),
        ("street_officer", True),
        ("liaison", True),
        ("coordinator", True),
        ("enterprise_b", False),
        ("park_officer", False),
        ("leader", False),
        ("clerk", False),
        ("enforcement", False),
    ],
)
def test_who_may_report_for_enterprise_a(people, company, persona, allowed):
    def report():
        return report_submit(
            actor=getattr(people, persona),
            subject=company,
            status="partly",
            workers_on_payroll=20,
            workers_on_duty=5,
        )

    if allowed:
        assert report().pk
    else:
        with pytest.raises(PermissionDenied):
            report()


def test_a_project_reports_like_an_enterprise(people, district, submit):
    project = ProjectFactory(payroll_headcount=120)
    report = submit(project, "2020-03-01 09:00", "partly", duty=60)
    assert report.project == project and CurrentState.objects.get(project=project).report == report

import random
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fugong.conftest import at
from fugong.services import services
from fugong.services.models import ServiceRequest
from fugong.services.selectors import figures_as_of
from fugong.services.tests.conftest import lead
from fugong.services.tests.reference import FIELDS, figures_by_loop

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(file_request, people, desk):
    """Three requests in the week of 16 March 2020 (see each line)."""
    # R1, permits → 市场监管局: claimed within the hour, answered, the enterprise is satisfied.
    r1 = file_request(when="2020-03-16 10:00", title="R1")
    a1 = lead(r1)
    services.assignment_claim(actor=people.clerk, assignment=a1, at=at("2020-03-16 11:00"))
    services.assignment_reply(
        actor=people.clerk, assignment=a1, reply="已办。", at=at("2020-03-18 10:00")
    )
    services.request_rate(
        actor=people.enterprise_a, request=r1, rating="satisfied", at=at("2020-03-18 12:00")
    )
    # R2, permits → 市场监管局: claimed a day late, then passed on to 人社局 before its reply
    # deadline; 人社局 does not claim it.
    r2 = file_request(when="2020-03-16 10:00", title="R2")
    a2 = lead(r2)
    services.assignment_claim(actor=people.clerk, assignment=a2, at=at("2020-03-18 09:00"))
    services.assignment_transfer(
        actor=people.clerk,
        assignment=a2,
        department=desk.rs,
        reason="属用工",
        at=at("2020-03-18 10:00"),
    )
    # R3, labour → 人社局, never claimed.
    file_request("labour", when="2020-03-17 10:00", title="R3")
    services.letter_record(
        actor=people.coordinator,
        department=desk.scjg,
        sender="郑州甲方机械有限公司",
        received_on=at("2020-03-17 00:00").date(),
        summary="感谢市场监管局高效办理",
        request=r1,
    )


def row(figures, name):
    return next(r for r in figures.by_handler if r.name == name)


def test_figures_as_of_friday_noon(week, people):
    figures = figures_as_of(at("2020-03-20 12:00"), user=people.leader)
    assert (figures.requests, figures.closed, figures.open) == (3, 1, 2)
    assert figures.average_close_days == pytest.approx(50 / 24)  # R1: filed Mon 10:00, Wed 12:00
    scjg = row(figures, "区市场监管局")
    assert (scjg.received, scjg.claim_decided, scjg.claimed_on_time) == (2, 2, 1)
    assert scjg.claim_rate_text == "50.0%"
    # R2 was passed on before its reply deadline: 市场监管局 is judged on R1's reply only.
    assert (scjg.reply_decided, scjg.replied_on_time, scjg.reply_rate_text) == (1, 1, "100%")
    assert (scjg.resolved, scjg.resolve_decided, scjg.satisfaction_text) == (1, 1, "100%")
    assert scjg.letters == 1 and scjg.overdue == 0
    # R1 answered 48 hours after it was assigned (the only answer so far).
    assert scjg.reply_seconds == pytest.approx(48 * 3600, abs=0.01)
    rs = row(figures, "区人社局")
    assert (rs.received, rs.claim_decided, rs.claimed_on_time, rs.overdue) == (2, 2, 0, 2)
    assert rs.reply_decided == 0 and rs.satisfaction_text == "—"
    assert [r.name for r in figures.red_list] == ["区市场监管局"]
    assert [r.name for r in figures.black_list] == ["区人社局"]
    permits = next(c for c in figures.by_category if c.category == "permits")
    assert (permits.requests, permits.closed, permits.received) == (2, 1, 3)


def test_requests_waiting_for_a_unit_are_counted_as_of_the_moment(week, people, desk):
    r3 = ServiceRequest.objects.get(title="R3")
    services.assignment_return(
        actor=desk.rs_clerk, assignment=lead(r3), reason="非本单位", at=at("2020-03-18 09:00")
    )
    services.request_route(
        actor=people.coordinator,
        request=r3,
        department=desk.sw,
        note="改派商务局",
        at=at("2020-03-19 09:00"),
    )
    waiting = [
        figures_as_of(at(moment), user=people.leader).unassigned
        for moment in (
            "2020-03-18 08:59",
            "2020-03-18 09:00",
            "2020-03-19 08:59",
            "2020-03-19 09:00",
        )
    ]
    assert waiting == [0, 1, 1, 0]
    assert figures_as_of(at("2020-03-18 12:00"), user=people.park_officer).unassigned == 0


def test_a_request_reopened_later_still_counts_as_closed_before(week, people):
    r1 = ServiceRequest.objects.get(title="R1")  # closed on Wednesday by the enterprise's rating
    services.request_reopen(
        actor=people.coordinator, request=r1, reason="企业再次来电", at=at("2020-03-21 10:00")
    )
    friday = figures_as_of(at("2020-03-20 12:00"), user=people.leader)
    assert (friday.closed, friday.open) == (1, 2)
    assert friday.average_close_days == pytest.approx(50 / 24)
    saturday = figures_as_of(at("2020-03-21 12:00"), user=people.leader)
    assert (saturday.closed, saturday.open, saturday.average_close_days) == (0, 3, None)


def test_an_extension_approved_later_leaves_the_earlier_figures_as_they_were(file_request, people):
    request = file_request(when="2020-03-16 10:00")  # permits: reply due Thu 19 March 23:59
    clock = lead(request)
    services.assignment_claim(actor=people.clerk, assignment=clock, at=at("2020-03-16 11:00"))
    friday = at("2020-03-20 12:00")
    before = figures_as_of(friday, user=people.leader)
    extension = services.extension_request(
        actor=people.clerk,
        assignment=clock,
        stage="reply",
        extra_days=3,
        reason="需外区调档",
        at=at("2020-03-20 15:00"),
    )
    services.extension_decide(
        actor=people.coordinator, extension=extension, approve=True, at=at("2020-03-23 09:00")
    )
    after = figures_as_of(friday, user=people.leader)
    scjg_before, scjg_after = row(before, "区市场监管局"), row(after, "区市场监管局")
    assert (scjg_after.overdue, scjg_after.reply_decided) == (1, 1)
    assert {n: getattr(scjg_after, n) for n in FIELDS} == {
        n: getattr(scjg_before, n) for n in FIELDS
    }
    # Once approved, the new deadline (Wed 25 March) is the one that counts.
    monday = row(figures_as_of(at("2020-03-23 12:00"), user=people.leader), "区市场监管局")
    assert (monday.overdue, monday.reply_decided) == (0, 0)


def test_figures_as_of_an_earlier_moment_show_only_what_was_known(week, people):
    figures = figures_as_of(at("2020-03-16 12:00"), user=people.leader)
    assert (figures.requests, figures.closed) == (2, 0)
    scjg = row(figures, "区市场监管局")
    assert (scjg.received, scjg.claimed_on_time, scjg.claim_decided) == (2, 1, 1)
    assert scjg.letters == 0 and scjg.replied == 0
    assert [r.name for r in figures.by_handler] == ["区市场监管局"]


def test_a_department_sees_only_its_own_figures(week, people, desk):
    figures = figures_as_of(at("2020-03-20 12:00"), user=desk.rs_clerk)
    assert [r.name for r in figures.by_handler] == ["区人社局"]
    assert figures.clocks.letters == 0
    assert figures_as_of(at("2020-03-20 12:00"), user=people.clerk).clocks.letters == 1


def test_an_enterprise_s_street_officer_sees_the_figures_of_its_requests(week, people):
    figures = figures_as_of(at("2020-03-20 12:00"), user=people.street_officer)
    assert figures.requests == 3  # enterprise A lies in 淮河路街道
    assert figures_as_of(at("2020-03-20 12:00"), user=people.park_officer).requests == 0


def _simulate(seed: int, file_request, people, desk) -> None:
    """A random fortnight of requests worked (or not) by 市场监管局 and 人社局."""
    rng = random.Random(seed)
    clerks = {desk.scjg.pk: people.clerk, desk.rs.pk: desk.rs_clerk}
    start = at("2020-03-02 08:00")
    for n in range(12):
        moment = start + timedelta(hours=rng.randrange(0, 24 * 14))
        request = file_request(rng.choice(["permits", "labour"]), when=None, title=f"S{n}")
        ServiceRequest.objects.filter(pk=request.pk).update(created_at=moment)
        assignment = lead(request)
        type(assignment).objects.filter(pk=assignment.pk).update(
            assigned_at=moment,
            **services.clocks(category=request.category, grade="B", start=moment),
        )
        assignment.refresh_from_db()
        request.refresh_from_db()
        moment += timedelta(hours=rng.randrange(1, 72))
        if rng.random() < 0.2:
            continue
        clerk = clerks[assignment.department_id]
        if rng.random() < 0.2:  # not ours: back to the coordinator, who may route it again
            services.assignment_return(
                actor=clerk, assignment=assignment, reason="非本单位", at=moment
            )
            if rng.random() < 0.5:
                services.request_route(
                    actor=people.coordinator,
                    request=request,
                    department=rng.choice([desk.scjg, desk.rs]),
                    note="改派",
                    at=moment + timedelta(hours=rng.randrange(1, 48)),
                )
            continue
        services.assignment_claim(actor=clerk, assignment=assignment, at=moment)
        if rng.random() < 0.35:  # more time asked for, granted or not some hours later
            moment += timedelta(hours=rng.randrange(1, 60))
            extension = services.extension_request(
                actor=clerk,
                assignment=assignment,
                stage=rng.choice(["reply", "resolve"]),
                extra_days=rng.randrange(1, 4),
                reason="需协调",
                at=moment,
            )
            moment += timedelta(hours=rng.randrange(1, 30))
            approve = rng.random() < 0.7
            services.extension_decide(
                actor=people.coordinator,
                extension=extension,
                approve=approve,
                note="" if approve else "请按期办理",
                at=moment,
            )
        moment += timedelta(hours=rng.randrange(1, 120))
        if rng.random() < 0.25:
            target = desk.rs if assignment.department == desk.scjg else desk.scjg
            services.assignment_transfer(
                actor=clerk, assignment=assignment, department=target, reason="转", at=moment
            )
            continue
        if rng.random() < 0.2:
            continue
        services.assignment_reply(actor=clerk, assignment=assignment, reply="答", at=moment)
        moment += timedelta(hours=rng.randrange(1, 96))
        if rng.random() < 0.7:
            rating = rng.choice(["satisfied", "basic", "unsatisfied"])
            services.request_rate(
                actor=people.enterprise_a, request=request, rating=rating, comment="意见", at=moment
            )
            request.refresh_from_db()
            if request.status == "closed" and rng.random() < 0.4:
                services.request_reopen(
                    actor=people.coordinator,
                    request=request,
                    reason="企业再次来电",
                    at=moment + timedelta(hours=rng.randrange(1, 96)),
                )


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(0, 10_000), hours=st.lists(st.integers(0, 24 * 24), min_size=3, max_size=3))
def test_figures_agree_with_a_request_by_request_reading(
    seed, hours, file_request, people, desk, django_db_blocker
):
    ServiceRequest.objects.all().delete()
    _simulate(seed, file_request, people, desk)
    for offset in hours:
        moment = at("2020-03-02 00:00") + timedelta(hours=offset)
        figures = figures_as_of(moment, user=people.leader)
        reference = figures_by_loop(moment)
        assert figures.requests == reference["totals"]["requests"]
        assert figures.closed == reference["totals"]["closed"]
        assert figures.unassigned == reference["totals"]["unassigned"]
        for handler in figures.by_handler:
            expected = {
                name: sum(v[name] for k, v in reference["cells"].items() if k[0] == handler.key)
                for name in FIELDS
            }
            assert {name: getattr(handler, name) for name in FIELDS} == expected, handler.name
        assert sum(h.received for h in figures.by_handler) == sum(
            v["received"] for v in reference["cells"].values()
        )

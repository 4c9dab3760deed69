from datetime import timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fugong.conftest import JIEFANG, MAZHAI_PARK, MAZHAI_TOWN, at
from fugong.core.rates import format_rate
from fugong.enterprises.tests.factories import EnterpriseFactory, ProjectFactory
from fugong.resumption.models import DailySnapshot, Report
from fugong.resumption.selectors import (
    DISTRICT,
    _cube_from_current_state,
    _cube_from_reports,
    daily_series,
    entities_as_of,
    figures_as_of,
)
from fugong.resumption.services import refresh_current_states, report_correct

pytestmark = pytest.mark.django_db


def test_a_report_at_1700_counts_for_1700_but_not_a_second_before(submit, people):
    a = people.enterprise_a.enterprise
    submit(a, "2020-03-23 17:00:00", "resumed", duty=20)
    assert (
        figures_as_of(at("2020-03-23 17:00:00"), user=DISTRICT)
        .by_category["industry_below"]
        .resumed
        == 1
    )
    assert (
        figures_as_of(at("2020-03-23 16:59:59"), user=DISTRICT)
        .by_category["industry_below"]
        .resumed
        == 0
    )


def test_without_a_report_an_entity_has_not_resumed_with_its_whole_payroll_off_duty(people):
    figures = figures_as_of(at("2020-03-01 12:00"), user=DISTRICT)
    assert (figures.total.entities, figures.total.resumed) == (2, 0)
    assert (figures.total.payroll, figures.total.on_duty) == (40, 0)
    assert figures.total.workforce_return_rate_text == "0.0%"


def test_entities_registered_after_the_moment_are_not_counted(people, district):
    EnterpriseFactory(registered=at("2020-03-10 09:00"))
    assert figures_as_of(at("2020-03-01 12:00"), user=DISTRICT).total.entities == 2
    assert figures_as_of(at("2020-03-11 12:00"), user=DISTRICT).total.entities == 3


def test_closed_entities_leave_the_rates_and_are_counted_apart(submit, people):
    a, b = people.enterprise_a.enterprise, people.enterprise_b.enterprise
    submit(a, "2020-03-01 10:00", "closed", duty=0)
    submit(b, "2020-03-01 10:00", "resumed", duty=20)
    total = figures_as_of(at("2020-03-02 00:00"), user=DISTRICT).total
    assert (total.entities, total.resumed, total.closed) == (1, 1, 1)
    assert total.resumption_rate_text == total.workforce_return_rate_text == "100%"


def test_a_category_with_no_payroll_has_no_workforce_rate(submit, people, district):
    EnterpriseFactory(category="services_above", payroll_headcount=0)
    figures = figures_as_of(at("2020-03-01 12:00"), user=DISTRICT)
    services_above = figures.by_category["services_above"]
    assert services_above.workforce_return_rate is None
    assert services_above.workforce_return_rate_text == "—"


def test_partial_resumption_counts_as_resumed_but_not_fully(submit, people):
    submit(people.enterprise_a.enterprise, "2020-03-01 10:00", "partly", duty=5)
    total = figures_as_of(at("2020-03-01 12:00"), user=DISTRICT).total
    assert (total.resumed, total.fully_resumed, total.on_duty) == (1, 0, 5)


def test_a_correction_changes_the_figures_for_its_moment(submit, people):
    a = people.enterprise_a.enterprise
    original = submit(a, "2020-03-01 10:00", "partly", duty=5)
    report_correct(actor=people.coordinator, report=original, workers_on_duty=9)
    assert figures_as_of(at("2020-03-01 12:00"), user=DISTRICT).total.on_duty == 9


def test_an_area_officer_sees_only_their_area(submit, people, district):
    EnterpriseFactory(region=district.region(MAZHAI_TOWN), park=district.region(MAZHAI_PARK))
    street = figures_as_of(at("2020-03-01 12:00"), user=people.street_officer)
    park = figures_as_of(at("2020-03-01 12:00"), user=people.park_officer)
    assert street.total.entities == 1 and [a.area.name for a in street.by_area] == ["淮河路街道"]
    assert park.total.entities == 1 and [a.area.name for a in park.by_park] == ["马寨产业集聚区"]


def test_rates_never_round_a_shortfall_up_to_100_or_a_start_down_to_0():
    assert format_rate(27372, 27383) == "99.9%"
    assert format_rate(9999, 10000) == "99.9%"
    assert format_rate(1, 10000) == "0.1%"
    assert format_rate(897, 1000) == "89.7%"
    assert format_rate(5, 5) == "100%"
    assert format_rate(0, 0) == "—"


def test_the_drill_down_holds_exactly_the_entities_counted(submit, people, district):
    a, b = people.enterprise_a.enterprise, people.enterprise_b.enterprise
    submit(a, "2020-03-01 10:00", "partly", duty=5)
    project = ProjectFactory(region=district.region(JIEFANG))
    submit(project, "2020-03-01 10:00", "not_resumed", duty=0)
    moment = at("2020-03-02 00:00")
    figures = figures_as_of(moment, user=DISTRICT)
    for area_figures in figures.by_area:
        for state, number in (
            ("all", area_figures.figures.entities),
            ("resumed", area_figures.figures.resumed),
            ("not_resumed", area_figures.figures.not_resumed),
        ):
            enterprises, projects = entities_as_of(
                moment, user=DISTRICT, area=area_figures.area, state=state
            )
            assert enterprises.count() + projects.count() == number
    enterprises, projects = entities_as_of(
        moment, user=DISTRICT, category="construction", state="not_resumed"
    )
    assert list(projects) == [project] and not enterprises.exists()
    assert b in entities_as_of(moment, user=DISTRICT, state="not_resumed")[0]


def test_the_daily_series_ends_with_the_moment_and_follows_late_reports(submit, people):
    a = people.enterprise_a.enterprise
    submit(a, "2020-03-01 10:00", "partly", duty=5)
    first_day, until = at("2020-03-01 00:00").date(), at("2020-03-04 12:00")
    series = daily_series(first_day, until, user=DISTRICT)
    # The end of each day with reports, then the moment itself.
    assert [p.at for p in series] == [at("2020-03-01 23:59:59.999999"), until]
    assert [p.total.on_duty for p in series] == [5, 5]
    # A report about 1 March entered later must change that day's stored end-of-day figures.
    submit(a, "2020-03-01 20:00", "partly", duty=7)
    assert [p.total.on_duty for p in daily_series(first_day, until, user=DISTRICT)] == [7, 7]
    submit(a, "2020-03-02 18:00", "partly", duty=9)
    assert [p.total.on_duty for p in daily_series(first_day, until, user=DISTRICT)] == [7, 9, 9]


def test_reports_dated_after_the_stored_days_leave_their_snapshots_alone(submit, people):
    """The morning everyone reports: today's reports cannot change a past day's end, so the
    stored days are neither recomputed nor found stale."""
    a, b = people.enterprise_a.enterprise, people.enterprise_b.enterprise
    submit(a, "2020-03-01 10:00", "partly", duty=5)
    first_day, until = at("2020-03-01 00:00").date(), at("2020-03-04 12:00")
    daily_series(first_day, until, user=DISTRICT)
    stored = {s.day: s.computed_at for s in DailySnapshot.objects.all()}
    submit(b, "2020-03-04 09:00", "resumed", duty=20)
    submit(a, "2020-03-04 09:30", "resumed", duty=20)
    series = daily_series(first_day, until, user=DISTRICT)
    after = {s.day: s.computed_at for s in DailySnapshot.objects.filter(day__in=stored)}
    assert stored and after == stored
    assert [p.total.on_duty for p in series] == [5, 5, 5, 40]


def test_a_late_report_about_a_middle_day_makes_it_and_the_days_after_it_stale(submit, people):
    """Days stored together are checked against the latest of them: a report dated 3 March
    recorded later must be seen though 1 March is the earliest stored day."""
    a, b = people.enterprise_a.enterprise, people.enterprise_b.enterprise
    submit(a, "2020-03-01 10:00", "partly", duty=5)
    submit(b, "2020-03-04 10:00", "partly", duty=1)
    first_day, until = at("2020-03-01 00:00").date(), at("2020-03-06 12:00")
    assert [p.total.on_duty for p in daily_series(first_day, until, user=DISTRICT)] == [
        5,
        5,
        5,
        6,
        6,
    ]
    submit(a, "2020-03-03 20:00", "partly", duty=7)
    submit(b, "2020-03-05 10:00", "partly", duty=2)
    assert [p.total.on_duty for p in daily_series(first_day, until, user=DISTRICT)] == [
        5,
        5,
        7,
        8,
        9,
        9,
    ]


ENTITY_COUNT = 4
report_strategy = st.lists(
    st.tuples(
        st.integers(0, ENTITY_COUNT - 1),
        st.integers(0, 30 * 24),
        st.sampled_from(["not_resumed", "partly", "resumed", "closed"]),
        st.integers(0, 20),
        st.booleans(),
    ),
    max_size=25,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(reports=report_strategy, probes=st.lists(st.integers(-24, 32 * 24), min_size=1, max_size=5))
def test_figures_agree_with_a_plain_reading_of_the_reports(people, district, reports, probes):
    """Random reports (some corrected); for random moments, the figures equal what reading each
    entity's latest report by hand gives, by both the report path and the current-state path."""
    start = at("2020-03-01 00:00")
    with transaction.atomic():
        entities = [
            people.enterprise_a.enterprise,
            people.enterprise_b.enterprise,
            *EnterpriseFactory.create_batch(ENTITY_COUNT - 2),
        ]
        rows = []
        for index, hours, status, duty, corrected in reports:
            entity = entities[index]
            duty = 0 if status in ("closed",) else duty
            report = Report.objects.create(
                enterprise=entity,
                reported_at=start + timedelta(hours=hours),
                status=status,
                workers_on_payroll=20,
                workers_on_duty=duty,
                source="api",
            )
            if corrected:
                report.superseded_at = start
                report.save(update_fields=["superseded_at"])
            rows.append(report)
        refresh_current_states()
        for offset in [*probes, 10_000]:
            moment = start + timedelta(hours=offset)
            expected = _by_hand(entities, rows, moment)
            total = figures_as_of(moment, user=DISTRICT).total
            assert (
                total.entities,
                total.resumed,
                total.closed,
                total.payroll,
                total.on_duty,
            ) == expected
        last = start + timedelta(hours=10_000)
        key = _row_key
        assert sorted(_cube_from_reports(last, DISTRICT), key=key) == sorted(
            _cube_from_current_state(last, DISTRICT), key=key
        )
        transaction.set_rollback(True)


def _row_key(row):
    return (row.category, row.region_id, row.park_id or 0, row.status or "")


def _by_hand(entities, rows, moment):
    counted = resumed = closed = payroll = duty = 0
    for entity in entities:
        own = [
            r
            for r in rows
            if r.enterprise_id == entity.pk and r.superseded_at is None and r.reported_at <= moment
        ]
        latest = max(own, key=lambda r: (r.reported_at, r.pk), default=None)
        if latest is not None and latest.status == "closed":
            closed += 1
            continue
        counted += 1
        payroll += latest.workers_on_payroll if latest else entity.payroll_headcount
        duty += latest.workers_on_duty if latest else 0
        resumed += bool(latest and latest.status in ("partly", "resumed"))
    return counted, resumed, closed, payroll, duty


def test_quiet_days_carry_the_day_before_and_registrations_still_count(submit, people, district):
    a = people.enterprise_a.enterprise
    submit(a, "2020-03-01 10:00", "partly", duty=5)
    EnterpriseFactory(registered=at("2020-03-03 09:00"))  # nothing reported that day
    submit(a, "2020-03-04 10:00", "partly", duty=8)
    series = daily_series(at("2020-03-01 00:00").date(), at("2020-03-05 12:00"), user=DISTRICT)
    assert [(p.total.entities, p.total.on_duty) for p in series] == [
        (2, 5),
        (2, 5),
        (3, 5),
        (3, 8),
        (3, 8),
    ]

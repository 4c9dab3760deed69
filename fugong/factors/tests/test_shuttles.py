"""The 返岗直通车 through its services: registering, planning, re-planning after a cancellation
or a bus dropping out (confirmed trips kept), and a trip's life."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count

from fugong.conftest import at
from fugong.factors import services
from fugong.factors.models import (
    County,
    PlanningRun,
    ReturningWorker,
    ShuttleTrip,
    TripPassenger,
    UnplannedWorker,
)
from fugong.factors.selectors import shuttle_figures
from fugong.factors.tests.conftest import FIRST_DAY, LUSHI, id_number, seats_of

pytestmark = pytest.mark.django_db


def active_trips():
    return ShuttleTrip.objects.filter(status__in=ShuttleTrip.ACTIVE_STATUSES)


def placed_or_explained(run: PlanningRun) -> None:
    """Every active registration is on an active trip or in the run's unplanned list."""
    seated = set(
        TripPassenger.objects.filter(
            removed_at__isnull=True, trip__status__in=ShuttleTrip.ACTIVE_STATUSES
        ).values_list("worker_id", flat=True)
    )
    unplanned = set(run.unplanned.values_list("worker_id", flat=True))
    active = set(
        ReturningWorker.objects.filter(cancelled_at__isnull=True).values_list("pk", flat=True)
    )
    assert active == seated | unplanned and not seated & unplanned


def test_a_registration_is_checked_and_a_person_registers_once(register, people):
    worker = register(name="李四")
    assert worker.home_county.name == "沈丘县" and worker.history.count() == 1
    with pytest.raises(ValidationError) as error:
        register(id_number=worker.id_number)
    assert "已有一份有效的返岗登记" in str(error.value)
    with pytest.raises(ValidationError) as error:
        register(id_number="411624199001011230")
    assert error.value.message_dict["id_number"] == ["身份证号校验位错误：第18位应为9"]
    with pytest.raises(ValidationError) as error:
        register(phone="0371-68888888")
    assert "phone" in error.value.message_dict


def test_an_enterprise_registers_only_its_own_workers(register, people):
    register(actor=people.enterprise_a)
    with pytest.raises(PermissionDenied):
        register(people.enterprise_b.enterprise, actor=people.enterprise_a)
    with pytest.raises(PermissionDenied):
        register(people.enterprise_b.enterprise, actor=people.liaison)  # not one of hers


def test_a_plan_fills_buses_to_the_cap_and_explains_the_rest(register, fleet, plan, people):
    for _n in range(30):
        register()
    for _n in range(5):
        register(people.enterprise_b.enterprise, county=LUSHI)
    register(health_status="yellow")
    run = plan(last_day=FIRST_DAY)
    # Two buses of 22 (45 seats at 50%) carry the most by both going to 沈丘's 30; the 5 from
    # 卢氏 find no bus left on the only day of the range.
    assert run.status == "done" and run.planned == 30 and run.workers == 36
    trips = list(active_trips())
    assert {t.county.code for t in trips} == {"411624"} and len(trips) == 2
    assert max(t.passengers.count() for t in trips) <= 22 == trips[0].capacity
    reasons = dict(run.unplanned.values_list("reason").annotate(n=Count("id")))
    assert reasons == {"no_vehicle": 5, "not_ready": 1}
    placed_or_explained(run)
    assert run.baseline_vehicles == 2 and run.baseline_distance_km >= run.distance_km


def test_each_trip_has_its_plan_pickup_first_then_drop_offs(register, fleet, plan, people):
    for _n in range(3):
        register()
    register(people.enterprise_b.enterprise)
    plan()
    [trip] = active_trips()
    stops = list(trip.stops.values_list("sequence", "kind", "county__code", "enterprise__name"))
    assert stops[0] == (1, "pickup", "411624", None)
    assert {s[3] for s in stops[1:]} == {"郑州甲方机械有限公司", "郑州乙方商贸有限公司"}
    assert trip.distance_km > trip.empty_km > 150  # 沈丘 is some 200 km away


def test_a_worker_from_outside_henan_waits_for_coordinates_then_rides(
    register, fleet, plan, people
):
    from fugong.factors.counties import CountyLookup

    outside = CountyLookup()("341221 临泉县")
    outside.save()
    worker = register(county="341221", id_number=id_number(7, county="341221"))
    run = plan()
    assert run.unplanned.get().reason == UnplannedWorker.Reason.NO_ORIGIN
    County.objects.filter(pk=outside.pk).update(longitude="115.261688", latitude="33.063228")
    plan()
    assert seats_of(worker).get().trip.county.code == "341221"


def test_re_planning_keeps_confirmed_trips_and_replaces_the_others(register, fleet, plan, people):
    workers = [register() for _n in range(30)]
    plan()
    first, second = active_trips().order_by("date")
    services.trip_confirm(actor=people.coordinator, trip=first)
    run = plan()
    assert run.kept_trips == 1
    first.refresh_from_db(), second.refresh_from_db()
    assert first.status == "planned" and first.is_kept
    assert second.status == "superseded"
    assert active_trips().count() == 2
    assert set(TripPassenger.objects.filter(trip=first).values_list("worker", flat=True)) <= {
        w.pk for w in workers
    }
    placed_or_explained(run)


def test_a_cancellation_on_an_unconfirmed_trip_re_plans(
    register, bus, plan, people, django_capture_on_commit_callbacks
):
    workers = [register() for _n in range(23)]  # one bus: 22 today, 1 tomorrow
    plan()
    tomorrow = seats_of(workers[-1]).get().trip
    assert tomorrow.date == FIRST_DAY + timedelta(days=1)
    rider = next(w for w in workers if seats_of(w).get().trip.date == FIRST_DAY)
    with django_capture_on_commit_callbacks(execute=True):
        services.worker_cancel(actor=people.enterprise_a, worker=rider, reason="已自行返岗")
    latest = PlanningRun.objects.first()
    assert latest.trigger == "cancellation" and latest.status == "done"
    # With a seat free today, the worker who was to wait until tomorrow rides today.
    assert seats_of(workers[-1]).get().trip.date == FIRST_DAY
    assert active_trips().count() == 1 and latest.vehicles == 1
    placed_or_explained(latest)


def test_a_cancellation_on_a_confirmed_trip_only_frees_the_seat(register, fleet, plan, people):
    workers = [register() for _n in range(3)]
    plan()
    trip = active_trips().get()
    services.trip_confirm(actor=people.coordinator, trip=trip)
    services.worker_cancel(actor=people.coordinator, worker=workers[0], reason="改期")
    assert PlanningRun.objects.count() == 1
    assert trip.passengers.filter(removed_at__isnull=True).count() == 2
    for worker in workers[1:]:
        services.worker_cancel(actor=people.coordinator, worker=worker, reason="改期")
    trip.refresh_from_db()
    assert trip.status == "cancelled"


def test_a_bus_dropping_out_re_plans_its_trips_and_keeps_the_confirmed_ones(
    register, fleet, plan, people, django_capture_on_commit_callbacks
):
    for _n in range(30):
        register()
    for _n in range(10):
        register(people.enterprise_b.enterprise, county=LUSHI)
    plan(last_day=FIRST_DAY + timedelta(days=3))
    kept = active_trips().filter(vehicle=fleet[0]).order_by("date").first()
    services.trip_confirm(actor=people.coordinator, trip=kept)
    dropped = fleet[1]
    with django_capture_on_commit_callbacks(execute=True):
        services.vehicle_withdraw(
            actor=people.coordinator, vehicle=dropped, on=FIRST_DAY, reason="车辆故障"
        )
    latest = PlanningRun.objects.first()
    assert latest.trigger == "withdrawal" and latest.kept_trips == 1
    assert not active_trips().filter(vehicle=dropped).exists()
    kept.refresh_from_db()
    assert kept.status == "planned" and kept.is_kept
    placed_or_explained(latest)
    assert latest.unplanned.count() == 0  # the remaining bus brings everyone in four days


def test_a_trip_departs_with_who_boarded_and_arrives(register, fleet, plan, people):
    workers = [register() for _n in range(4)]
    plan()
    trip = active_trips().get()
    with pytest.raises(ValidationError, match="请先确认"):
        services.trip_depart(actor=people.coordinator, trip=trip)
    with pytest.raises(PermissionDenied):
        services.trip_confirm(actor=people.enterprise_a, trip=trip)
    services.trip_confirm(actor=people.coordinator, trip=trip)
    absent = trip.passengers.get(worker=workers[0])
    services.trip_depart(actor=people.coordinator, trip=trip, absent=[absent.pk])
    with pytest.raises(ValidationError, match="不能发车"):
        services.trip_depart(actor=people.coordinator, trip=trip)
    services.trip_arrive(actor=people.coordinator, trip=trip)
    trip.refresh_from_db()
    assert trip.status == "arrived" and trip.history.count() >= 3
    figures = shuttle_figures(people.leader)
    assert (figures.brought_back, figures.trips, figures.vehicles, figures.counties) == (3, 1, 1, 1)
    # The worker who did not turn up waits for the next plan.
    run = plan(first_day=FIRST_DAY + timedelta(days=1))
    assert seats_of(workers[0]).get().trip.date == FIRST_DAY + timedelta(days=1)
    placed_or_explained(run)


def test_a_second_run_cannot_start_while_one_is_queued(people, fleet):
    services.planning_request(actor=people.coordinator, first_day=FIRST_DAY, last_day=FIRST_DAY)
    with pytest.raises(ValidationError, match="正在进行"):
        services.planning_request(actor=people.coordinator, first_day=FIRST_DAY, last_day=FIRST_DAY)
    with pytest.raises(ValidationError):
        services.planning_request(
            actor=people.coordinator, first_day=FIRST_DAY, last_day=date(2020, 2, 1)
        )


def test_only_the_coordinator_plans_and_registers_buses(people):
    with pytest.raises(PermissionDenied):
        services.planning_request(actor=people.leader, first_day=FIRST_DAY, last_day=FIRST_DAY)
    with pytest.raises(PermissionDenied):
        services.vehicle_register(
            actor=people.street_officer,
            plate="豫A11111",
            seats=45,
            operator="x",
            driver_name="y",
            driver_phone="13700000000",
            available_from=FIRST_DAY,
        )


def test_a_bad_plate_is_refused_with_the_reason(people):
    with pytest.raises(ValidationError) as error:
        services.vehicle_register(
            actor=people.coordinator,
            plate="豫AO1234",
            seats=45,
            operator="x",
            driver_name="y",
            driver_phone="13700000000",
            available_from=FIRST_DAY,
        )
    assert "不使用字母 I、O" in error.value.message_dict["plate"][0]


def test_planning_the_same_registrations_twice_gives_the_same_trips(register, fleet, plan, people):
    for n in range(40):
        register(
            [people.enterprise_a, people.enterprise_b][n % 2].enterprise,
            county=[LUSHI, "411624"][n % 3 == 0],
            earliest=FIRST_DAY + timedelta(days=n % 2),
        )

    def trips_of(run):
        return [
            (
                t.vehicle_id,
                t.date,
                t.county_id,
                t.distance_km,
                list(t.stops.values_list("sequence", "enterprise_id", "km_from_previous")),
                sorted(t.passengers.values_list("worker_id", flat=True)),
            )
            for t in run.trip_set.order_by("date", "vehicle_id")
        ]

    first, second = plan(), plan()
    assert first.trips >= 2 and trips_of(first) == trips_of(second)
    assert (first.vehicles, first.distance_km) == (second.vehicles, second.distance_km)
    assert list(first.unplanned.values_list("worker", "reason")) == list(
        second.unplanned.values_list("worker", "reason")
    )


def vehicle(people, plate, seats, **values):
    return services.vehicle_register(
        actor=people.coordinator,
        plate=plate,
        seats=seats,
        operator="郑州公交集团",
        driver_name="司机丁",
        driver_phone="13700000009",
        available_from=FIRST_DAY,
        **values,
    )


def test_a_bus_that_carries_nobody_at_the_cap_is_left_out_and_the_run_says_so(
    register, plan, people
):
    small = vehicle(people, "豫A66666", 5)  # 5 seats × 15% = 0.75: nobody
    big = vehicle(people, "豫A77777", 45)  # 45 × 15% = 6.75: six
    for _n in range(8):
        register()
    run = plan(last_day=FIRST_DAY, seat_cap="0.15")
    assert run.unusable_vehicles == 1
    assert set(active_trips().values_list("vehicle", flat=True)) == {big.pk}
    assert max(t.passengers.count() for t in active_trips()) == 6 == active_trips()[0].capacity
    assert not active_trips().filter(vehicle=small).exists()
    placed_or_explained(run)
    # At the cap now in use a 5-seat bus would carry nobody: it is refused, naming the field.
    with pytest.raises(ValidationError) as error:
        vehicle(people, "豫A55555", 5)
    assert "一名乘客也不能载" in error.value.message_dict["seats"][0]
    assert vehicle(people, "豫A55556", 7).seats == 7  # 7 × 15% = 1.05: one


def explained_everywhere(client, people) -> dict[int, str]:
    """Every active registration is on a trip still on, or shows why not on its page and in the
    API; returns the reasons shown by worker id."""
    from django.urls import reverse

    listed = {
        row["id"]: row
        for row in client.get(reverse("api_returning_workers"), {"page_size": 500}).json()[
            "results"
        ]
    }
    reasons = {}
    for worker in ReturningWorker.objects.filter(cancelled_at__isnull=True):
        row = listed[worker.pk]
        page = client.get(reverse("factors:worker_detail", args=[worker.pk])).content.decode()
        if seats_of(worker).exists():
            assert row["trip"] == seats_of(worker).get().trip_id and not row["unplanned_reason"]
            continue
        assert row["trip"] is None and row["unplanned_reason"], row
        assert row["unplanned_reason_display"] in page, row
        detail = client.get(reverse("api_returning_worker", args=[worker.pk])).json()
        assert detail["unplanned_reason"] == row["unplanned_reason"]
        reasons[worker.pk] = row["unplanned_reason"]
    return reasons


def test_passengers_of_a_cancelled_trip_are_told_why_and_their_enterprise_is_told(
    register, fleet, plan, people, login
):
    from fugong.core.models import Notification

    workers = [register() for _n in range(3)]
    register(people.enterprise_b.enterprise)
    plan()
    trip = active_trips().get()
    services.trip_confirm(actor=people.coordinator, trip=trip)
    services.trip_cancel(actor=people.coordinator, trip=trip, reason="道路封闭")
    reasons = explained_everywhere(login(people.coordinator), people)
    assert set(reasons.values()) == {"trip_cancelled"} and len(reasons) == 4
    told = Notification.objects.filter(title="返岗直通车已取消")
    assert {n.recipient for n in told} == {people.enterprise_a, people.enterprise_b}
    assert all("道路封闭" in n.body for n in told)
    run = plan()  # the next plan seats them again
    assert not explained_everywhere(login(people.coordinator), people)
    placed_or_explained(run)
    assert all(seats_of(w).exists() for w in workers)


def test_a_passenger_absent_at_departure_is_told_why_until_the_next_plan(
    register, fleet, plan, people, login
):
    workers = [register() for _n in range(3)]
    plan()
    trip = active_trips().get()
    services.trip_confirm(actor=people.coordinator, trip=trip)
    absent = trip.passengers.get(worker=workers[0])
    services.trip_depart(actor=people.coordinator, trip=trip, absent=[absent.pk])
    late = register()  # registered after the plan
    reasons = explained_everywhere(login(people.coordinator), people)
    assert reasons == {workers[0].pk: "absent", late.pk: "not_planned"}


def test_a_bus_dropping_out_tells_the_enterprises_and_re_plans_even_under_a_later_run(
    register, fleet, plan, people, login, django_capture_on_commit_callbacks
):
    from fugong.core.models import Notification

    for _n in range(30):
        register()
    register(people.enterprise_b.enterprise, county=LUSHI)
    plan(last_day=FIRST_DAY + timedelta(days=1))
    plan(first_day=FIRST_DAY + timedelta(days=10), last_day=FIRST_DAY + timedelta(days=12))
    assert active_trips().filter(vehicle=fleet[0]).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.vehicle_withdraw(
            actor=people.coordinator, vehicle=fleet[0], on=FIRST_DAY, reason="车辆故障"
        )
    latest = PlanningRun.objects.first()
    assert latest.trigger == "withdrawal" and latest.status == "done"
    assert (latest.first_day, latest.last_day) == (FIRST_DAY, FIRST_DAY + timedelta(days=1))
    assert not active_trips().filter(vehicle=fleet[0]).exists()
    placed_or_explained(latest)
    explained_everywhere(login(people.coordinator), people)
    told = Notification.objects.filter(title="返岗直通车已调整")
    assert {n.recipient for n in told} >= {people.enterprise_a}
    assert all("车辆故障" in n.body for n in told)


def test_while_a_re_plan_is_queued_the_waiting_workers_say_so(register, fleet, plan, people, login):
    workers = [register() for _n in range(3)]
    plan()
    services.trip_cancel(actor=people.coordinator, trip=active_trips().get(), reason="改期")
    services.planning_request(actor=people.coordinator, first_day=FIRST_DAY, last_day=FIRST_DAY)
    reasons = explained_everywhere(login(people.coordinator), people)
    assert reasons == dict.fromkeys((w.pk for w in workers), "pending_run")


def test_two_runs_are_never_queued_at_once_even_when_both_checks_pass(
    register, fleet, plan, people, monkeypatch
):
    """Two requests at the same moment both see no queued run (the other's row is not committed
    yet): the database keeps the second out, as a Chinese refusal, and a re-plan that loses the
    race does not undo the cancellation that asked for it."""
    from django.db import IntegrityError, transaction

    from fugong.factors.services import shuttles

    workers = [register() for _n in range(23)]
    plan()
    queued = services.planning_request(
        actor=people.coordinator, first_day=FIRST_DAY, last_day=FIRST_DAY
    )
    monkeypatch.setattr(shuttles, "_run_in_progress", lambda: False)
    with pytest.raises(ValidationError, match="正在进行"):
        services.planning_request(actor=people.coordinator, first_day=FIRST_DAY, last_day=FIRST_DAY)
    rider = next(w for w in workers if seats_of(w).get().trip.date == FIRST_DAY)
    services.worker_cancel(actor=people.coordinator, worker=rider, reason="已自行返岗")
    rider.refresh_from_db()
    assert rider.cancelled_at is not None
    assert list(PlanningRun.objects.filter(status="queued")) == [queued]
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanningRun.objects.create(
            first_day=FIRST_DAY,
            last_day=FIRST_DAY,
            seat_cap="0.5",
            status="queued",
            requested_by=people.coordinator,
            requested_at=queued.requested_at,
        )


def test_the_reason_shown_is_of_the_seat_given_last_even_when_its_trip_is_earlier(
    register, bus, plan, people
):
    from fugong.factors.selectors import plan_states

    worker = register()
    plan(first_day=date(2020, 2, 25), last_day=date(2020, 2, 26))
    later = seats_of(worker).get().trip
    plan(first_day=FIRST_DAY, last_day=date(2020, 2, 26))  # supersedes it with an earlier trip
    earlier = seats_of(worker).get().trip
    assert earlier.date < later.date
    services.trip_cancel(actor=people.coordinator, trip=earlier, reason="道路封闭")
    state = plan_states([worker])[worker.pk]
    assert state.reason == "trip_cancelled" and "道路封闭" in state.label


def test_a_run_abandoned_in_the_queue_does_not_block_planning_for_good(bus, register, people):
    from fugong.factors.models import PlanningRun

    register()
    stuck = services.planning_request(
        actor=people.coordinator,
        first_day=FIRST_DAY,
        last_day=date(2020, 2, 22),
        at=at("2020-02-19 08:00"),
    )  # its task never ran: the worker stopped
    with pytest.raises(ValidationError, match="已有一次规划正在进行"):
        services.planning_request(
            actor=people.coordinator,
            first_day=FIRST_DAY,
            last_day=date(2020, 2, 22),
            at=at("2020-02-19 08:20"),
        )
    fresh = services.planning_request(
        actor=people.coordinator,
        first_day=FIRST_DAY,
        last_day=date(2020, 2, 22),
        at=at("2020-02-19 08:31"),
    )
    stuck.refresh_from_db()
    assert stuck.status == PlanningRun.Status.FAILED and "已作废" in stuck.error
    assert fresh.status == PlanningRun.Status.QUEUED

"""The planner on plain values: its promises hold for any input (hypothesis), and it does better
than first-fit where there is something to gain."""

import math
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from fugong.factors import planning
from fugong.factors.planning import Bus, Place, Reason, Rider, first_fit, plan_trips

DEPOT = Place("district", "二七区", 34.724114, 113.640211)
SHENQIU = Place("county:411624", "沈丘县", 33.409369, 115.098583)
LUSHI = Place("county:411224", "卢氏县", 34.054324, 111.047858)
NOWHERE = Place("county:341221", "临泉县")  # outside the table: no coordinates
DAY = date(2020, 2, 20)


def enterprise(n: int, lat: float, lng: float) -> Place:
    return Place(f"enterprise:{n}", f"企业{n}", lat, lng)


ENTERPRISES = [enterprise(n, 34.70 + 0.01 * (n % 7), 113.58 + 0.013 * (n % 11)) for n in range(30)]


def rider(n, origin=SHENQIU, destination=None, earliest=DAY, ready=True):
    return Rider(n, origin, destination or ENTERPRISES[n % len(ENTERPRISES)], earliest, ready, n)


def check_promises(plan, riders, buses, *, seat_cap, first_day, last_day, busy=()):
    """What every plan promises, whatever the input."""
    by_id = {b.id: b for b in buses}
    placed = [r for t in plan.trips for r in t.riders]
    assert len(placed) == len(set(placed)), "a worker on two trips"
    assert set(placed) | set(plan.unplanned) == {r.id for r in riders}
    assert not set(placed) & set(plan.unplanned)
    origins = {r.id: r.origin.key for r in riders}
    used = set()
    for trip in plan.trips:
        bus = by_id[trip.bus.id]
        assert 0 < trip.load <= bus.capacity(seat_cap) <= bus.seats * seat_cap
        assert bus.available_on(trip.day) and first_day <= trip.day <= last_day
        assert (bus.id, trip.day) not in used and (bus.id, trip.day) not in set(busy)
        used.add((bus.id, trip.day))
        assert {origins[r] for r in trip.riders} == {trip.origin.key}  # point to point
        assert len({d.place.key for d in trip.drops}) == len(trip.drops)  # each stop once


places = st.sampled_from([SHENQIU, LUSHI, NOWHERE])
riders_strategy = st.lists(
    st.tuples(places, st.integers(0, 29), st.integers(-2, 6), st.booleans()),
    min_size=0,
    max_size=60,
)
buses_strategy = st.lists(
    st.tuples(st.integers(5, 70), st.integers(0, 4), st.integers(0, 6)), min_size=0, max_size=5
)


@settings(max_examples=40, deadline=None)
@given(
    riders_strategy,
    buses_strategy,
    st.sampled_from([0.3, 0.5, 0.75, 1.0]),
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), max_size=4),
    st.integers(0, 3),
)
def test_the_seat_cap_is_never_exceeded_and_everyone_is_placed_or_explained(
    rider_specs, bus_specs, seat_cap, busy_specs, max_wait_days
):
    riders = [
        rider(n, origin, ENTERPRISES[e], DAY + timedelta(days=offset), ready)
        for n, (origin, e, offset, ready) in enumerate(rider_specs)
    ]
    buses = [
        Bus(n, seats, DAY + timedelta(days=start), DAY + timedelta(days=start + span), n)
        for n, (seats, start, span) in enumerate(bus_specs)
    ]
    busy = [(n, DAY + timedelta(days=d)) for n, d in busy_specs if n < len(buses)]
    last_day = DAY + timedelta(days=4)
    for planner in (plan_trips, first_fit):
        plan = planner(
            riders,
            buses,
            first_day=DAY,
            last_day=last_day,
            depot=DEPOT,
            seat_cap=seat_cap,
            busy=busy,
            max_wait_days=max_wait_days,
        )
        check_promises(
            plan, riders, buses, seat_cap=seat_cap, first_day=DAY, last_day=last_day, busy=busy
        )


def test_each_worker_who_cannot_ride_is_listed_with_the_reason():
    riders = [
        rider(1, ready=False),
        rider(2, origin=NOWHERE),
        rider(3, destination=Place("enterprise:99", "无坐标企业")),
        rider(4, earliest=DAY + timedelta(days=30)),
        *(rider(n) for n in range(10, 40)),
    ]
    plan = plan_trips(riders, [Bus(1, 45)], first_day=DAY, last_day=DAY, depot=DEPOT, seat_cap=0.5)
    assert plan.unplanned[1] == Reason.NOT_READY
    assert plan.unplanned[2] == Reason.NO_ORIGIN
    assert plan.unplanned[3] == Reason.NO_DESTINATION
    assert plan.unplanned[4] == Reason.AFTER_RANGE
    assert plan.planned == 22  # one 45-seat bus at 50%
    assert sum(1 for r in plan.unplanned.values() if r == Reason.NO_VEHICLE) == 30 - 22


def test_workers_no_bus_is_left_for_wait_for_the_next_day():
    riders = [rider(n) for n in range(30)]
    plan = plan_trips(
        riders, [Bus(1, 45)], first_day=DAY, last_day=DAY + timedelta(days=1), depot=DEPOT
    )
    assert [(t.day, t.load) for t in plan.trips] == [(DAY, 22), (DAY + timedelta(days=1), 8)]
    assert not plan.unplanned and plan.vehicles_used == 1


def test_a_heterogeneous_fleet_needs_fewer_buses_than_first_fit_gives():
    """First-fit takes buses in list order (the small ones first); the planner picks the bus
    that fits."""
    riders = [rider(n) for n in range(40)] + [rider(100 + n, origin=LUSHI) for n in range(20)]
    buses = [Bus(1, 19, order=1), Bus(2, 19, order=2), Bus(3, 19, order=3), Bus(4, 53, order=4)]
    buses += [Bus(5, 53, order=5), Bus(6, 19, order=6)]
    kwargs = {"first_day": DAY, "last_day": DAY, "depot": DEPOT, "seat_cap": 0.5}
    optimised, baseline = plan_trips(riders, buses, **kwargs), first_fit(riders, buses, **kwargs)
    assert not optimised.unplanned and not baseline.unplanned
    assert optimised.vehicles_used < baseline.vehicles_used
    assert optimised.distance_km < baseline.distance_km


def test_routes_visit_nearby_enterprises_in_order_and_beat_arrival_order():
    east, west = enterprise(1, 34.72, 113.70), enterprise(2, 34.72, 113.55)
    middle = enterprise(3, 34.72, 113.62)
    riders = [rider(n, destination=[west, east, middle][n % 3]) for n in range(12)]
    kwargs = {"first_day": DAY, "last_day": DAY, "depot": DEPOT}
    optimised = plan_trips(riders, [Bus(1, 45)], **kwargs)
    [trip] = optimised.trips
    # From 沈丘 (east of Zhengzhou): the eastern enterprise first, the western one last.
    assert [d.place.key for d in trip.drops] == [east.key, middle.key, west.key]
    assert optimised.distance_km < first_fit(riders, [Bus(1, 45)], **kwargs).distance_km


def test_kept_trips_hold_their_bus_for_the_day():
    riders = [rider(n) for n in range(5)]
    plan = plan_trips(
        riders,
        [Bus(1, 45), Bus(2, 45)],
        first_day=DAY,
        last_day=DAY,
        depot=DEPOT,
        busy=[(1, DAY)],
    )
    assert [t.bus.id for t in plan.trips] == [2]


def test_a_bus_used_before_is_taken_again_rather_than_a_new_one():
    riders = [rider(n, earliest=DAY + timedelta(days=n % 3)) for n in range(30)]
    buses = [Bus(n, 45, order=n) for n in range(1, 6)]
    plan = plan_trips(riders, buses, first_day=DAY, last_day=DAY + timedelta(days=2), depot=DEPOT)
    assert plan.vehicles_used == 1 and len(plan.trips) == 3


def test_the_same_input_gives_the_same_plan():
    riders = [rider(n, origin=[SHENQIU, LUSHI][n % 2]) for n in range(120)]
    buses = [Bus(n, 45, order=n) for n in range(1, 5)]
    kwargs = {"first_day": DAY, "last_day": DAY + timedelta(days=1), "depot": DEPOT}

    def shape(plan):
        return [(t.bus.id, t.day, [d.riders for d in t.drops]) for t in plan.trips]

    assert shape(plan_trips(riders, buses, **kwargs)) == shape(plan_trips(riders, buses, **kwargs))


def test_a_distance_table_replaces_the_straight_line_where_it_has_an_entry():
    table = planning.table_distance({(SHENQIU.key, ENTERPRISES[0].key): 250.0})
    assert table(SHENQIU, ENTERPRISES[0]) == table(ENTERPRISES[0], SHENQIU) == 250.0
    assert table(LUSHI, ENTERPRISES[0]) == planning.haversine_km(LUSHI, ENTERPRISES[0])
    assert round(planning.haversine_km(DEPOT, SHENQIU)) in range(190, 210)


def test_a_few_workers_wait_for_others_to_fill_a_bus_but_no_longer_than_allowed():
    early = [rider(n) for n in range(3)]  # three can leave on day 0
    later = [rider(10 + n, earliest=DAY + timedelta(days=1)) for n in range(19)]
    kwargs = {"first_day": DAY, "last_day": DAY + timedelta(days=5), "depot": DEPOT}
    at_once = plan_trips(early + later, [Bus(1, 45)], **kwargs)
    assert [(t.day, t.load) for t in at_once.trips] == [(DAY, 3), (DAY + timedelta(days=1), 19)]
    waiting = plan_trips(early + later, [Bus(1, 45)], max_wait_days=2, **kwargs)
    assert [(t.day, t.load) for t in waiting.trips] == [(DAY + timedelta(days=1), 22)]
    assert waiting.distance_km < at_once.distance_km
    alone = plan_trips(early, [Bus(1, 45)], max_wait_days=2, **kwargs)
    assert [t.day for t in alone.trips] == [DAY + timedelta(days=2)]  # waited two days, then rode
    baseline = first_fit(early + later, [Bus(1, 45)], max_wait_days=2, **kwargs)
    assert [(t.day, t.load) for t in baseline.trips] == [(DAY + timedelta(days=1), 22)]


def test_the_solvers_stop_on_work_done_not_on_the_clock():
    """A plan must not depend on how busy the machine is: CP-SAT runs on one worker with a fixed
    seed and a deterministic budget, the routing search stops after a number of solutions; the
    wall-clock limits are only a generous safety net."""
    sat = planning.sat_solver().parameters
    assert sat.num_workers == 1 and sat.random_seed == planning.SAT_SEED
    assert sat.max_deterministic_time == planning.SAT_DETERMINISTIC_TIME
    assert sat.max_time_in_seconds >= planning.SAFETY_SECONDS >= 60
    routing = planning.routing_parameters()
    assert routing.solution_limit == planning.SOLUTION_LIMIT
    assert routing.time_limit.seconds >= planning.SAFETY_SECONDS


def test_planning_the_same_input_twice_gives_the_identical_plan():
    """Several counties and days, buses of three sizes (CP-SAT chooses among kinds) and groups
    large enough for the routing solver: trips, stops, passengers, distances and the unplanned
    list are the same, to the metre."""
    origins = [SHENQIU, LUSHI, NOWHERE]
    riders = [
        rider(n, origin=origins[n % 3], earliest=DAY + timedelta(days=n % 4)) for n in range(240)
    ]
    buses = [Bus(n, [19, 45, 53][n % 3], order=n) for n in range(1, 8)]
    kwargs = {"first_day": DAY, "last_day": DAY + timedelta(days=3), "depot": DEPOT}

    def everything(plan):
        trips = [
            (t.bus.id, t.day, t.origin.key, [(d.place.key, d.riders) for d in t.drops])
            for t in plan.trips
        ]
        distances = [(round(t.empty_km, 6), round(t.loaded_km, 6)) for t in plan.trips]
        return trips, distances, sorted(plan.unplanned.items())

    first, second = plan_trips(riders, buses, **kwargs), plan_trips(riders, buses, **kwargs)
    assert any(len(t.drops) > 1 for t in first.trips) and first.unplanned
    assert everything(first) == everything(second)
    # The order the riders come in does not matter either: ties are broken by id.
    assert everything(plan_trips(list(reversed(riders)), buses[::-1], **kwargs)) == everything(
        first
    )


def test_a_bus_that_can_carry_nobody_at_the_cap_is_not_planned():
    """Seats filled to at most the cap: one seat at 50% is nobody, not one passenger (100%)."""
    assert Bus(1, 1).capacity(0.5) == 0 and Bus(2, 5).capacity(0.1) == 0
    assert Bus(3, 45).capacity(0.5) == 22 and Bus(4, 5).capacity(0.2) == 1
    riders = [rider(n) for n in range(3)]
    for planner in (plan_trips, first_fit):
        plan = planner(riders, [Bus(1, 5)], first_day=DAY, last_day=DAY, depot=DEPOT, seat_cap=0.1)
        assert not plan.trips
        assert plan.unplanned == dict.fromkeys(range(3), Reason.NO_VEHICLE)
    plan = plan_trips(riders, [Bus(1, 5), Bus(2, 45)], first_day=DAY, last_day=DAY, depot=DEPOT)
    assert [t.bus.id for t in plan.trips] == [2]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1, 70), min_size=1, max_size=4),
    st.integers(1, 100),
    st.integers(0, 40),
    st.integers(0, 3),
)
def test_no_trip_ever_carries_more_than_the_seats_times_the_cap_rounded_down(
    seats, percent, workers, max_wait_days
):
    from fractions import Fraction

    seat_cap = percent / 100
    buses = [Bus(n, s, order=n) for n, s in enumerate(seats)]
    riders = [
        rider(n, origin=[SHENQIU, LUSHI][n % 2], earliest=DAY + timedelta(days=n % 2))
        for n in range(workers)
    ]
    for planner in (plan_trips, first_fit):
        plan = planner(
            riders,
            buses,
            first_day=DAY,
            last_day=DAY + timedelta(days=2),
            depot=DEPOT,
            seat_cap=seat_cap,
            max_wait_days=max_wait_days,
        )
        for trip in plan.trips:
            allowed = math.floor(Fraction(trip.bus.seats) * Fraction(percent, 100))
            assert 0 < trip.load <= trip.capacity == allowed
        assert plan.planned + len(plan.unplanned) == workers

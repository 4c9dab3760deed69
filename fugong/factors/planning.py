"""Planning the 返岗直通车: which bus fetches which returning workers from their home county on
which day, and in which order it drops them at their enterprises.

The rule the buses ran under in 2020 (交通运输部, 点对点): one plan per vehicle and trip, one
county per trip, seats filled to at most a cap (50%). This module is plain Python over plain
values, without the database, so the web, the CLI, the benchmark and the property tests all run
the same code.

How a plan is made, day by day over the date range:

1. A worker travels on the first day of the range that is not before their earliest date; one
   who cannot travel at all is listed with the reason (not fit to travel, no coordinates for the
   home county or the enterprise, earliest date after the range).
2. Each day the buses available and not held by a kept trip are given to the counties with
   waiting workers by a small integer programme (CP-SAT): carry as many as possible, then add as
   few buses not used on an earlier day as possible (the number of vehicles comes first, but
   greedily, day by day: earlier days are not revisited, so this is not the fewest vehicles over
   the whole range), then make as few trips and leave as few seats empty as possible. Workers no
   bus is left for wait for the next day; after the last day they are listed as unplanned
   ("no vehicle"). Optionally (`max_wait_days`) a county's few workers who would not fill a bus
   wait up to that many days for others, instead of a long drive for two or three.
3. The buses of one county and day are routed together by OR-Tools' vehicle routing solver: they
   start at the county seat, drop each worker at their enterprise and end at their last stop; a
   fixed cost per bus larger than any route keeps the number of buses down, then the distance
   (straight line, or a distance table when one is given) is minimised. An enterprise's workers
   may ride different buses.

`first_fit` is the baseline a dispatcher with a spreadsheet would produce on the same input:
workers in registration order onto the first bus of their county and day with a free seat, a new
bus (the first free one in the list) when none has, stops in the order the workers came.
"""

import logging
import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

logger = logging.getLogger(__name__)
EARTH_RADIUS_KM = 6371.0088
DEFAULT_SEAT_CAP = 0.5
# Above this many workers in one county and day, workers bound for the same enterprise are routed
# in small groups instead of one by one, so the routing model stays small.
MAX_ROUTING_NODES = 150
# The same input gives the same plan, however busy the machine: the solvers stop on work done,
# not on the clock. CP-SAT runs on one worker with a fixed seed and a budget in deterministic
# time (its own unit, about a second of work; the demo's models need a thousandth); each
# routing group's search stops after this many solutions. The wall-clock limits are only a
# safety net far above what any input needs (a plan that hits one says so in the log).
SOLUTION_LIMIT = 10
SAT_SEED = 1  # CP-SAT's default: the plans made before these settings stay the same
SAT_DETERMINISTIC_TIME = 10.0
SAFETY_SECONDS = 120.0


class Reason:
    """Why a worker is not on any trip (codes; the app words them)."""

    NOT_READY = "not_ready"
    NO_ORIGIN = "no_origin_location"
    NO_DESTINATION = "no_destination_location"
    AFTER_RANGE = "after_range"
    NO_VEHICLE = "no_vehicle"


@dataclass(frozen=True)
class Place:
    key: str  # "county:411624", "enterprise:12": the distance table's keys
    name: str
    latitude: float | None = None
    longitude: float | None = None

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True)
class Rider:
    id: int
    origin: Place  # the home county's seat
    destination: Place  # the enterprise
    earliest: date
    ready: bool = True  # fit to travel (health status)
    order: int = 0  # registration order, for the baseline


@dataclass(frozen=True)
class Bus:
    id: int
    seats: int
    available_from: date | None = None
    available_until: date | None = None
    order: int = 0

    def available_on(self, day: date) -> bool:
        return (self.available_from is None or self.available_from <= day) and (
            self.available_until is None or day <= self.available_until
        )

    def capacity(self, seat_cap: float) -> int:
        """Passengers allowed: the seats times the cap, rounded down (45 × 50% → 22). It may be
        0 (1 seat at 50%): such a bus carries nobody and is never planned."""
        return math.floor(self.seats * seat_cap + 1e-9)


@dataclass
class Drop:
    place: Place
    riders: list[int] = field(default_factory=list)


@dataclass
class Trip:
    bus: Bus
    day: date
    origin: Place
    drops: list[Drop]
    capacity: int
    empty_km: float = 0.0  # from the depot to the county seat
    loaded_km: float = 0.0  # from the county seat to the last stop

    @property
    def riders(self) -> list[int]:
        return [rider for drop in self.drops for rider in drop.riders]

    @property
    def load(self) -> int:
        return sum(len(drop.riders) for drop in self.drops)

    @property
    def distance_km(self) -> float:
        return self.empty_km + self.loaded_km


@dataclass
class Plan:
    trips: list[Trip] = field(default_factory=list)
    unplanned: dict[int, str] = field(default_factory=dict)  # rider id → Reason
    seconds: float = 0.0

    @property
    def vehicles_used(self) -> int:
        return len({trip.bus.id for trip in self.trips})

    @property
    def distance_km(self) -> float:
        return sum(trip.distance_km for trip in self.trips)

    @property
    def planned(self) -> int:
        return sum(trip.load for trip in self.trips)


Distance = Callable[[Place, Place], float]


def haversine_km(a: Place, b: Place) -> float:
    if a.key == b.key or (a.latitude == b.latitude and a.longitude == b.longitude):
        return 0.0
    phi1, phi2 = math.radians(a.latitude), math.radians(b.latitude)
    d_phi = phi2 - phi1
    d_lambda = math.radians(b.longitude - a.longitude)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def table_distance(table: dict[tuple[str, str], float], fallback: Distance = haversine_km):
    """Distances from a table keyed by place keys (either direction), straight line otherwise."""

    def distance(a: Place, b: Place) -> float:
        if a.key == b.key:
            return 0.0
        known = table.get((a.key, b.key), table.get((b.key, a.key)))
        return fallback(a, b) if known is None else known

    return distance


@dataclass
class _Day:
    """What the planners share: who travels when, and which buses are free on a day."""

    riders: list[Rider]
    buses: list[Bus]
    first_day: date
    last_day: date
    busy: frozenset
    seat_cap: float
    max_wait_days: int
    plan: Plan

    def travellers(self) -> dict[date, list[Rider]]:
        by_day = defaultdict(list)
        for rider in sorted(self.riders, key=lambda r: (r.order, r.id)):
            reason = _unfit(rider, self.last_day)
            if reason:
                self.plan.unplanned[rider.id] = reason
            else:
                by_day[max(rider.earliest, self.first_day)].append(rider)
        return by_day

    def days(self) -> Iterable[date]:
        day = self.first_day
        while day <= self.last_day:
            yield day
            day += timedelta(days=1)

    def free_buses(self, day: date) -> list[Bus]:
        """The buses that may run on the day, are not held by a kept trip and can carry someone
        at the cap."""
        return [
            b
            for b in self.buses
            if b.available_on(day) and (b.id, day) not in self.busy and b.capacity(self.seat_cap)
        ]

    def holds(self, group: list[Rider], day: date, free: list[Bus]) -> bool:
        """A county's workers wait for the next day when they would not fill the smallest free
        bus, none of them has waited `max_wait_days` yet, and the range goes on."""
        if not self.max_wait_days or day >= self.last_day or not free:
            return False
        fill = min(bus.capacity(self.seat_cap) for bus in free)
        return len(group) < fill and all(
            (day - max(r.earliest, self.first_day)).days < self.max_wait_days for r in group
        )


def _unfit(rider: Rider, last_day: date) -> str:
    if not rider.ready:
        return Reason.NOT_READY
    if not rider.origin.located:
        return Reason.NO_ORIGIN
    if not rider.destination.located:
        return Reason.NO_DESTINATION
    if rider.earliest > last_day:
        return Reason.AFTER_RANGE
    return ""


def plan_trips(
    riders: Iterable[Rider],
    buses: Iterable[Bus],
    *,
    first_day: date,
    last_day: date,
    depot: Place,
    seat_cap: float = DEFAULT_SEAT_CAP,
    busy: Iterable[tuple[int, date]] = (),
    distance: Distance = haversine_km,
    max_wait_days: int = 0,
    safety_seconds: float = SAFETY_SECONDS,
) -> Plan:
    """The optimised plan (see the module's description). `busy` holds (bus id, day) pairs taken
    by trips kept from an earlier plan; `max_wait_days` lets a county's few workers wait that
    many days for others to fill a bus."""
    started = time.perf_counter()
    state = _state(riders, buses, first_day, last_day, busy, seat_cap, max_wait_days)
    by_day = state.travellers()
    used: set[int] = set()
    waiting: dict[str, list[Rider]] = defaultdict(list)
    for day in state.days():
        for rider in by_day.get(day, ()):
            waiting[rider.origin.key].append(rider)
        free = state.free_buses(day)
        demand = {
            key: len(group)
            for key, group in waiting.items()
            if group and not state.holds(group, day, free)
        }
        assignment = assign_buses(demand, free, used, seat_cap, safety_seconds)
        for origin_key, chosen in sorted(assignment.items()):
            group = waiting[origin_key]
            trips, left = _route(group, chosen, day, seat_cap, depot, distance, safety_seconds)
            used.update(trip.bus.id for trip in trips)
            state.plan.trips.extend(trips)
            waiting[origin_key] = left
    for group in waiting.values():
        for rider in group:
            state.plan.unplanned[rider.id] = Reason.NO_VEHICLE
    state.plan.seconds = time.perf_counter() - started
    return state.plan


def _state(riders, buses, first_day, last_day, busy, seat_cap, max_wait_days) -> _Day:
    if not 0 < seat_cap <= 1:
        raise ValueError("seat_cap must be in (0, 1]")
    if max_wait_days < 0:
        raise ValueError("max_wait_days must not be negative")
    if last_day < first_day:
        raise ValueError("last_day before first_day")
    return _Day(
        riders=list(riders),
        buses=sorted(buses, key=lambda b: (b.order, b.id)),
        first_day=first_day,
        last_day=last_day,
        busy=frozenset(busy),
        seat_cap=seat_cap,
        max_wait_days=max_wait_days,
        plan=Plan(),
    )


def sat_solver(safety_seconds: float = SAFETY_SECONDS):
    """CP-SAT set up to give the same answer for the same model on any machine."""
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = SAT_SEED
    solver.parameters.max_deterministic_time = SAT_DETERMINISTIC_TIME
    solver.parameters.max_time_in_seconds = safety_seconds
    return solver


def routing_parameters(safety_seconds: float = SAFETY_SECONDS):
    """The routing search: cheapest insertion, then guided local search for SOLUTION_LIMIT
    solutions (deterministic); the time limit is the safety net."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    parameters.solution_limit = SOLUTION_LIMIT
    parameters.time_limit.FromMilliseconds(max(1, round(safety_seconds * 1000)))
    return parameters


def assign_buses(
    demand: dict[str, int],
    free: list[Bus],
    used: set[int],
    seat_cap: float,
    safety_seconds: float = SAFETY_SECONDS,
) -> dict[str, list[Bus]]:
    """Which of the day's free buses go to which county (each bus to one county at most). In
    order of importance: carry as many waiting workers as possible, add as few buses not used
    on an earlier day as possible, make as few trips as possible, leave as few seats empty as
    possible. A small integer programme (OR-Tools CP-SAT, see `sat_solver`: the same input gives
    the same answer); the greedy rule below if it finds nothing within its budget."""
    free = [bus for bus in free if bus.capacity(seat_cap) > 0]
    if not demand or not free:
        return {}
    from ortools.sat.python import cp_model

    counties = sorted(demand)
    # Buses alike for the model (same capacity, used before or not) are one type with a count,
    # so the solver does not try the same choice once per identical bus.
    kinds: dict[tuple[int, bool], list[Bus]] = {}
    for bus in sorted(free, key=lambda b: (b.order, b.id)):
        kinds.setdefault((bus.capacity(seat_cap), bus.id in used), []).append(bus)
    model = cp_model.CpModel()
    send = {
        (kind, county): model.NewIntVar(0, min(len(buses), demand[county]), "")
        for kind, buses in kinds.items()
        for county in counties
    }
    served = {county: model.NewIntVar(0, demand[county], "") for county in counties}
    for kind, buses in kinds.items():
        model.Add(sum(send[kind, county] for county in counties) <= len(buses))
    for county in counties:
        model.Add(served[county] <= sum(kind[0] * send[kind, county] for kind in kinds))
    trips = sum(send.values())
    new = sum(n for (kind, _county), n in send.items() if not kind[1])
    seats = sum(kind[0] * n for (kind, _county), n in send.items())
    unserved = sum(demand.values()) - sum(served.values())
    per_trip = sum(bus.capacity(seat_cap) for bus in free) + 1
    per_new = per_trip * (len(free) + 1)
    per_unserved = per_new * (len(free) + 1)
    model.Minimize(
        per_unserved * unserved + per_new * new + per_trip * trips + seats - sum(served.values())
    )
    solver = sat_solver(safety_seconds)
    status = solver.Solve(model)
    if solver.wall_time >= safety_seconds:
        logger.warning("bus assignment stopped by the wall-clock safety net: may not repeat")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _assign_greedily(demand, free, used, seat_cap)
    chosen: dict[str, list[Bus]] = {}
    for kind, buses in kinds.items():
        pool = iter(buses)
        for county in counties:
            for _n in range(solver.Value(send[kind, county])):
                chosen.setdefault(county, []).append(next(pool))
    return chosen


def _assign_greedily(demand, free, used, seat_cap) -> dict[str, list[Bus]]:
    """The county with the most workers first; a bus used before over a new one, the smallest
    that takes everyone left, else the largest."""
    pool, chosen = list(free), {}
    for county in sorted(demand, key=lambda k: (-demand[k], k)):
        left = demand[county]
        while left > 0 and pool:
            candidates = [b for b in pool if b.id in used] or pool
            fitting = [b for b in candidates if b.capacity(seat_cap) >= left]
            if fitting:
                bus = min(fitting, key=lambda b: (b.capacity(seat_cap), b.order, b.id))
            else:
                bus = max(candidates, key=lambda b: (b.capacity(seat_cap), -b.order, -b.id))
            chosen.setdefault(county, []).append(bus)
            pool.remove(bus)
            left -= bus.capacity(seat_cap)
    return chosen


def _route(group, buses, day, seat_cap, depot, distance, seconds):
    """Route one county's workers of one day over the chosen buses; returns the trips and the
    workers left over (none unless the buses are too few)."""
    origin = group[0].origin
    capacities = [bus.capacity(seat_cap) for bus in buses]
    if len(buses) == 1 and len(group) <= capacities[0]:
        routes = [_nearest_neighbour(origin, group, distance)]
        left = []
    else:
        routes, left = _solve(origin, group, capacities, distance, seconds)
    trips = []
    for bus, capacity, route in zip(buses, capacities, routes, strict=True):
        if not route:
            continue
        trip = Trip(bus=bus, day=day, origin=origin, drops=route, capacity=capacity)
        trip.empty_km = distance(depot, origin)
        trip.loaded_km = route_km(origin, route, distance)
        trips.append(trip)
    return trips, left


def route_km(origin: Place, drops: list[Drop], distance: Distance) -> float:
    total, here = 0.0, origin
    for drop in drops:
        total += distance(here, drop.place)
        here = drop.place
    return total


def _nearest_neighbour(origin: Place, riders: list[Rider], distance: Distance) -> list[Drop]:
    """One bus: stops by destination, each time the nearest one next (exact for two stops)."""
    by_place = _by_destination(riders)
    here, drops = origin, []
    remaining = dict(by_place)
    while remaining:
        key = min(remaining, key=lambda k: (distance(here, remaining[k].place), k))
        drop = remaining.pop(key)
        drops.append(drop)
        here = drop.place
    if len(drops) > 2:
        drops = _two_opt(origin, drops, distance)
    return drops


def _two_opt(origin: Place, drops: list[Drop], distance: Distance) -> list[Drop]:
    best, improved = list(drops), True
    while improved:
        improved = False
        for i in range(len(best) - 1):
            for j in range(i + 1, len(best)):
                candidate = best[:i] + best[i : j + 1][::-1] + best[j + 1 :]
                if route_km(origin, candidate, distance) < route_km(origin, best, distance) - 1e-9:
                    best, improved = candidate, True
    return best


def _by_destination(riders: list[Rider]) -> dict[str, Drop]:
    by_place: dict[str, Drop] = {}
    for rider in riders:
        by_place.setdefault(rider.destination.key, Drop(rider.destination)).riders.append(rider.id)
    return by_place


def _solve(origin, riders, capacities, distance, seconds):
    """OR-Tools: open routes from the county seat over the workers' enterprises."""
    from ortools.constraint_solver import pywrapcp

    nodes = _nodes(riders)  # (place, [rider ids]) per routing node
    places = [origin, origin] + [place for place, _ids in nodes]  # 0 start, 1 end (anywhere)
    size, end = len(places), 1
    metres = [
        [0 if j == end else round(distance(places[i], places[j]) * 1000) for j in range(size)]
        for i in range(size)
    ]
    manager = pywrapcp.RoutingIndexManager(
        size, len(capacities), [0] * len(capacities), [end] * len(capacities)
    )
    routing = pywrapcp.RoutingModel(manager)
    arc = routing.RegisterTransitCallback(
        lambda i, j: metres[manager.IndexToNode(i)][manager.IndexToNode(j)]
    )
    routing.SetArcCostEvaluatorOfAllVehicles(arc)
    longest = max(max(row) for row in metres)
    routing.SetFixedCostOfAllVehicles(longest * (size + 1) + 1)  # one bus more never pays
    demand = [0, 0] + [len(ids) for _place, ids in nodes]
    load = routing.RegisterUnaryTransitCallback(lambda i: demand[manager.IndexToNode(i)])
    routing.AddDimensionWithVehicleCapacity(load, 0, capacities, True, "load")
    penalty = routing.GetFixedCostOfVehicle(0) * (len(capacities) + 1)
    for node in range(2, size):
        routing.AddDisjunction([manager.NodeToIndex(node)], penalty)
    started = time.perf_counter()
    solution = routing.SolveWithParameters(routing_parameters(seconds))
    if time.perf_counter() - started >= seconds:
        logger.warning("routing stopped by the wall-clock safety net: the plan may not repeat")
    if solution is None:
        return [[] for _c in capacities], list(riders)
    routes, placed = [], set()
    for vehicle in range(len(capacities)):
        drops: list[Drop] = []
        index = solution.Value(routing.NextVar(routing.Start(vehicle)))
        while not routing.IsEnd(index):
            place, ids = nodes[manager.IndexToNode(index) - 2]
            if drops and drops[-1].place.key == place.key:
                drops[-1].riders.extend(ids)
            else:
                drops.append(Drop(place, list(ids)))
            placed.update(ids)
            index = solution.Value(routing.NextVar(index))
        routes.append(drops)
    return routes, [r for r in riders if r.id not in placed]


def _nodes(riders: list[Rider]) -> list[tuple[Place, list[int]]]:
    """One node per worker; in a large group, workers bound for the same enterprise in small
    groups, so the model has about MAX_ROUTING_NODES nodes."""
    size = max(1, math.ceil(len(riders) / MAX_ROUTING_NODES))
    nodes = []
    for drop in _by_destination(riders).values():
        ids = drop.riders
        nodes.extend((drop.place, ids[i : i + size]) for i in range(0, len(ids), size))
    return nodes


def first_fit(
    riders: Iterable[Rider],
    buses: Iterable[Bus],
    *,
    first_day: date,
    last_day: date,
    depot: Place,
    seat_cap: float = DEFAULT_SEAT_CAP,
    busy: Iterable[tuple[int, date]] = (),
    distance: Distance = haversine_km,
    max_wait_days: int = 0,
) -> Plan:
    """The baseline: registration order, first bus with a free seat, stops as they come (the
    same waiting rule as the planner's)."""
    started = time.perf_counter()
    state = _state(riders, buses, first_day, last_day, busy, seat_cap, max_wait_days)
    by_day = state.travellers()
    carried: list[Rider] = []
    for day in state.days():
        free = state.free_buses(day)
        open_trips: dict[str, list[Trip]] = defaultdict(list)
        queue, carried = sorted(carried + by_day.get(day, []), key=lambda r: (r.order, r.id)), []
        by_origin = defaultdict(list)
        for rider in queue:
            by_origin[rider.origin.key].append(rider)
        held = {key for key, group in by_origin.items() if state.holds(group, day, free)}
        for rider in queue:
            if rider.origin.key in held:
                carried.append(rider)
                continue
            trip = next((t for t in open_trips[rider.origin.key] if t.load < t.capacity), None)
            if trip is None:
                if not free:
                    carried.append(rider)
                    continue
                bus = free.pop(0)
                trip = Trip(bus, day, rider.origin, [], bus.capacity(seat_cap))
                trip.empty_km = distance(depot, rider.origin)
                open_trips[rider.origin.key].append(trip)
                state.plan.trips.append(trip)
            drop = next((d for d in trip.drops if d.place.key == rider.destination.key), None)
            if drop is None:
                drop = Drop(rider.destination)
                trip.drops.append(drop)
            drop.riders.append(rider.id)
        for trips in open_trips.values():
            for trip in trips:
                trip.loaded_km = route_km(trip.origin, trip.drops, distance)
    for rider in carried:
        state.plan.unplanned[rider.id] = Reason.NO_VEHICLE
    state.plan.seconds = time.perf_counter() - started
    return state.plan

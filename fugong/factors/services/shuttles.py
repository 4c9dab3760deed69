"""The 返岗直通车: workers registered to return, buses, planning runs and their trips.

    trip: 计划 (confirmed or not) → 已出发 → 已到达;  计划, not confirmed → 已重排 (by a re-plan)
    a bus that drops out: its trips not yet under way → 已重排, then a re-plan

A re-plan keeps every confirmed, departed and arrived trip; it supersedes the unconfirmed ones in
its date range and plans everyone who has no seat. A worker who cancels leaves their trip; a
planning run follows (it may free a bus). Runs go through the task queue (`tasks.py`)."""

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from fugong.core.models import Region, User
from fugong.core.services import notify
from fugong.core.validators import normalize_id_number, normalize_phone, normalize_plate
from fugong.enterprises.models import Enterprise
from fugong.factors import planning
from fugong.factors.access import DISPATCHERS, FOR_ENTERPRISE
from fugong.factors.counties import district_seat
from fugong.factors.models import (
    County,
    PlanningRun,
    ReturningWorker,
    ShuttleTrip,
    TripPassenger,
    TripStop,
    UnplannedWorker,
    Vehicle,
)
from fugong.factors.services.base import (
    Role,
    locked,
    now_or,
    require_for_enterprise,
    require_role,
    require_status,
    saved,
)
from fugong.factors.services.recruitment import _field, _save_county

logger = logging.getLogger(__name__)
T = ShuttleTrip.Status
DEFAULT_SEAT_CAP = Decimal("0.50")
MAX_RANGE_DAYS = 92


# Workers


def worker_build(
    *,
    actor: User,
    name: str,
    id_number: str,
    phone: str,
    home_county: County,
    enterprise: Enterprise,
    earliest_date: date,
    health_status: str = "green",
    at: datetime,
) -> ReturningWorker:
    """A registration checked but not saved (the spreadsheet import saves many at once)."""
    worker = ReturningWorker(
        name=name.strip(),
        id_number=_field(normalize_id_number, id_number, "id_number"),
        phone=_field(lambda v: normalize_phone(v, mobile_only=True), phone, "phone"),
        home_county=home_county,
        enterprise=enterprise,
        earliest_date=earliest_date,
        health_status=health_status,
        registered_by=actor,
        registered_at=at,
    )
    # The county may be new (saved with the worker); the enterprise and the actor are rows
    # already read, so checking that they exist would cost a query per spreadsheet row.
    worker.full_clean(
        exclude=["home_county", "enterprise", "registered_by"], validate_constraints=False
    )
    return worker


def _check_not_registered(id_numbers: list[str]) -> set[str]:
    return set(
        ReturningWorker.objects.filter(
            id_number__in=id_numbers, cancelled_at__isnull=True
        ).values_list("id_number", flat=True)
    )


@transaction.atomic
def worker_register(*, actor: User, enterprise: Enterprise, at=None, **values) -> ReturningWorker:
    require_for_enterprise(actor, enterprise, *FOR_ENTERPRISE)
    worker = worker_build(actor=actor, enterprise=enterprise, at=now_or(at), **values)
    if _check_not_registered([worker.id_number]):
        raise ValidationError({"id_number": [_("该身份证号已有一份有效的返岗登记")]})
    worker.home_county = _save_county(worker.home_county)
    return saved(worker, actor=actor)


@transaction.atomic
def worker_cancel(*, actor: User, worker: ReturningWorker, reason: str, at=None) -> ReturningWorker:
    """The worker no longer needs the bus. Their seat is given up; if it was on a trip a re-plan
    may change, the plan is made again."""
    worker = locked(worker)
    require_for_enterprise(actor, worker.enterprise, *FOR_ENTERPRISE)
    if worker.cancelled_at is not None:
        raise ValidationError(_("该返岗登记已取消"), code="invalid_transition")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("请写明取消原因")]})
    at = now_or(at)
    seat = _active_seat(worker)
    if seat is not None and seat.trip.status != T.PLANNED:
        raise ValidationError(_("该乘客所在车次已出发，不能取消"), code="invalid_transition")
    worker.cancelled_at, worker.cancel_reason = at, reason[:200]
    saved(worker, actor=actor)
    if seat is not None:
        seat.removed_at = at
        seat._history_user = actor
        seat.save(update_fields=["removed_at"])
        trip = seat.trip
        if trip.is_kept and not trip.passengers.filter(removed_at__isnull=True).exists():
            _end_trip(trip, T.CANCELLED, _("乘客全部取消"), actor)
        elif not trip.is_kept:
            _replan_after(PlanningRun.Trigger.CANCELLATION, trip.date)
    return worker


def _active_seat(worker) -> TripPassenger | None:
    return (
        TripPassenger.objects.select_for_update(of=("self",))
        .select_related("trip")
        .filter(
            worker=worker, removed_at__isnull=True, trip__status__in=ShuttleTrip.ACTIVE_STATUSES
        )
        .first()
    )


# Vehicles


@transaction.atomic
def vehicle_register(
    *,
    actor: User,
    plate: str,
    seats: int,
    operator: str,
    driver_name: str,
    driver_phone: str,
    available_from: date,
    available_until: date | None = None,
) -> Vehicle:
    require_role(actor, *DISPATCHERS, message=_("只有指挥部可以登记直通车车辆"))
    vehicle = Vehicle(
        plate=_field(normalize_plate, plate, "plate"),
        seats=seats,
        operator=operator.strip(),
        driver_name=driver_name.strip(),
        driver_phone=_field(
            lambda v: normalize_phone(v, mobile_only=True), driver_phone, "driver_phone"
        ),
        available_from=available_from,
        available_until=available_until,
    )
    vehicle.full_clean()
    cap = configured_seat_cap()
    if seat_limit(vehicle.seats, cap) == 0:
        raise ValidationError(
            {
                "seats": [
                    _("按当前上座率上限%(cap)s，%(seats)d座的车辆一名乘客也不能载，不能用作直通车")
                    % {"cap": f"{cap:.0%}", "seats": vehicle.seats}
                ]
            }
        )
    return saved(vehicle, actor=actor)


def seat_limit(seats: int, seat_cap: Decimal) -> int:
    """Passengers a bus of `seats` may carry at the cap: rounded down, possibly 0."""
    return planning.Bus(0, seats).capacity(float(seat_cap))


def configured_seat_cap() -> Decimal:
    """The cap in use: that of the latest plan made, else the default (50%)."""
    latest = PlanningRun.objects.filter(status=PlanningRun.Status.DONE).first()
    return latest.seat_cap if latest is not None else DEFAULT_SEAT_CAP


@transaction.atomic
def vehicle_withdraw(*, actor: User, vehicle: Vehicle, on: date, reason: str) -> Vehicle:
    """The bus drops out from `on`: its trips from that day that have not left are re-planned."""
    require_role(actor, *DISPATCHERS, message=_("只有指挥部可以调整直通车车辆"))
    vehicle = locked(vehicle)
    require_status(vehicle, (Vehicle.Status.ACTIVE,), _("退出"))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("请写明退出原因")]})
    vehicle.status, vehicle.withdrawn_on, vehicle.withdraw_reason = (
        Vehicle.Status.WITHDRAWN,
        on,
        reason[:200],
    )
    saved(vehicle, actor=actor)
    affected = list(
        ShuttleTrip.objects.select_for_update().filter(
            vehicle=vehicle, date__gte=on, status=T.PLANNED
        )
    )
    for trip in affected:
        _end_trip(trip, T.SUPERSEDED, _("车辆退出：%(reason)s") % {"reason": reason[:150]}, actor)
        _tell_enterprises(
            trip,
            title=_("返岗直通车已调整"),
            body=_(
                "%(date)s %(plate)s 从%(county)s接回贵企业员工的车次因车辆退出（%(reason)s）取消，将重新安排。"
            ),
            reason=reason,
        )
    if affected:
        _replan_after(PlanningRun.Trigger.WITHDRAWAL, min(t.date for t in affected))
    return vehicle


def _end_trip(trip: ShuttleTrip, status: str, reason: str, actor: User | None) -> None:
    trip.status, trip.ended_reason = status, reason[:200]
    trip._history_user = actor
    trip.save(update_fields=["status", "ended_reason"])


# Planning


@transaction.atomic
def planning_request(
    *,
    actor: User,
    first_day: date,
    last_day: date,
    seat_cap: Decimal = DEFAULT_SEAT_CAP,
    max_wait_days: int = 0,
    at=None,
) -> PlanningRun:
    """Queue a planning run; the task worker makes the plan (`execute_run`)."""
    require_role(actor, *DISPATCHERS, message=_("只有指挥部可以规划直通车"))
    return _queue_run(
        requested_by=actor,
        first_day=first_day,
        last_day=last_day,
        seat_cap=seat_cap,
        max_wait_days=max_wait_days,
        trigger=PlanningRun.Trigger.MANUAL,
        at=now_or(at),
    )


def planning_run_now(
    *,
    actor: User,
    first_day: date,
    last_day: date,
    seat_cap: Decimal = DEFAULT_SEAT_CAP,
    max_wait_days: int = 0,
    distance: planning.Distance | None = None,
    at=None,
) -> PlanningRun:
    """Plan at once, in this process: the CLI (which may bring a distance table) and the demo."""
    require_role(actor, *DISPATCHERS, message=_("只有指挥部可以规划直通车"))
    with transaction.atomic():
        run = _new_run(
            requested_by=actor,
            first_day=first_day,
            last_day=last_day,
            seat_cap=seat_cap,
            max_wait_days=max_wait_days,
            trigger=PlanningRun.Trigger.MANUAL,
            at=now_or(at),
        )
    return execute_run(run.pk, distance=distance)


def _queue_run(**values) -> PlanningRun:
    run = _new_run(**values)
    transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _new_run(
    *, requested_by, first_day, last_day, seat_cap, trigger, at, max_wait_days=0
) -> PlanningRun:
    _require_depot()
    if last_day < first_day:
        raise ValidationError({"last_day": [_("截止日期不能早于起始日期")]})
    if (last_day - first_day).days >= MAX_RANGE_DAYS:
        raise ValidationError({"last_day": [_("一次最多规划%(n)d天") % {"n": MAX_RANGE_DAYS}]})
    _fail_abandoned_runs(at)
    if _run_in_progress():
        raise _in_progress()
    run = PlanningRun(
        first_day=first_day,
        last_day=last_day,
        seat_cap=seat_cap,
        max_wait_days=max_wait_days,
        trigger=trigger,
        status=PlanningRun.Status.QUEUED,
        requested_by=requested_by,
        requested_at=at,
    )
    run.full_clean(validate_constraints=False)  # one queued run at most: the database says
    run.unusable_vehicles = sum(
        1
        for seats in Vehicle.objects.filter(status=Vehicle.Status.ACTIVE).values_list(
            "seats", flat=True
        )
        if seat_limit(seats, run.seat_cap) == 0
    )
    # A run stays queued until it is made (execute_run sets done or failed in the same
    # transaction), and the database holds one queued run at most (constraint
    # planning_run_one_queued): two requests that both passed the check above cannot both
    # queue, so two runs never execute at once.
    try:
        with transaction.atomic():
            run.save()
    except IntegrityError:
        raise _in_progress() from None
    return run


ABANDONED_AFTER = timedelta(minutes=30)


def _fail_abandoned_runs(at) -> None:
    """A run queued long ago whose row nobody holds was lost with a task worker that stopped
    (a run being made holds its row until it is done): it is failed, with the reason, so that
    planning is not blocked for good by a run that will never finish."""
    abandoned = PlanningRun.objects.select_for_update(skip_locked=True).filter(
        status=PlanningRun.Status.QUEUED, requested_at__lt=at - ABANDONED_AFTER
    )
    for run in abandoned:
        run.status, run.finished_at = PlanningRun.Status.FAILED, at
        run.error = _("排队超过%(minutes)d分钟未执行（后台任务中断），已作废") % {
            "minutes": ABANDONED_AFTER.seconds // 60
        }
        run.save(update_fields=["status", "finished_at", "error"])
        logger.warning("shuttle planning run %s abandoned in the queue; failed", run.pk)


def _run_in_progress() -> bool:
    return PlanningRun.objects.filter(status=PlanningRun.Status.QUEUED).exists()


def _in_progress() -> ValidationError:
    return ValidationError(_("已有一次规划正在进行，请稍后再试"), code="run_in_progress")


def _enqueue(run_id: int) -> None:
    from fugong.factors.tasks import plan_shuttles

    plan_shuttles.enqueue(run_id)


def _replan_after(trigger: str, day: date) -> None:
    """Plan again over the rest of the range of the latest run that covers `day` (a later run
    over other days does not stop it). The run is the coordinator's who made that plan; its
    trigger says what changed."""
    latest = PlanningRun.objects.filter(
        status=PlanningRun.Status.DONE, first_day__lte=day, last_day__gte=day
    ).first()
    if latest is None:
        return
    if _run_in_progress():
        return  # the queued run will see the change
    try:
        _queue_run(
            requested_by=latest.requested_by,
            first_day=max(day, latest.first_day),
            last_day=latest.last_day,
            seat_cap=latest.seat_cap,
            max_wait_days=latest.max_wait_days,
            trigger=trigger,
            at=timezone.now(),
        )
    except ValidationError as exc:
        # Another run was queued meanwhile (it plans every worker without a seat, these too),
        # or none can be made now (no depot): the change that asked for the re-plan stands,
        # and the workers it left without a seat show why (selectors.plan_states).
        logger.warning("no re-plan after %s on %s: %s", trigger, day, "；".join(exc.messages))


def execute_run(run_id: int, *, distance: planning.Distance | None = None) -> PlanningRun:
    """Make the plan of a queued run: keep confirmed and running trips, supersede the others in
    the range, plan everyone without a seat, and record the first-fit baseline beside it."""
    with transaction.atomic():
        run = PlanningRun.objects.select_for_update().get(pk=run_id)
        if run.status != PlanningRun.Status.QUEUED:
            return run
        try:
            with transaction.atomic():
                _execute(run, distance or planning.haversine_km)
        except ValidationError as exc:  # what changed since the run was queued, in Chinese
            run.status, run.error = PlanningRun.Status.FAILED, "；".join(exc.messages)[:300]
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "error", "finished_at"])
        except Exception as exc:  # recorded on the run instead of leaving it queued for ever
            logger.exception("shuttle planning run %s failed", run_id)
            run.status = PlanningRun.Status.FAILED
            run.error = (_("规划出错（已记入日志）：%(error)s") % {"error": exc})[:300]
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "error", "finished_at"])
        return run


def _execute(run: PlanningRun, distance) -> None:
    # What the plan reads is locked first, in the order a withdrawal or a cancellation locks it
    # (its vehicle or worker, then trips): either waits for the plan and sees its trips, or the
    # plan waits for it and sees the change. Nothing changes under the plan unseen.
    list(Vehicle.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    list(
        ReturningWorker.objects.select_for_update()
        .filter(cancelled_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    in_range = ShuttleTrip.objects.select_for_update().filter(
        date__gte=run.first_day, date__lte=run.last_day, status__in=ShuttleTrip.ACTIVE_STATUSES
    )
    kept = [t for t in in_range if t.is_kept]
    for trip in in_range:
        if not trip.is_kept:
            _end_trip(trip, T.SUPERSEDED, _("重新规划"), run.requested_by)
    workers = list(_workers_to_plan())
    riders = [_rider(w) for w in workers]
    buses = [_bus(v) for v in Vehicle.objects.order_by("plate")]
    seat_cap = float(run.seat_cap)
    common = {
        "first_day": run.first_day,
        "last_day": run.last_day,
        "depot": _require_depot(),
        "seat_cap": seat_cap,
        "busy": {(t.vehicle_id, t.date) for t in kept},
        "distance": distance,
        "max_wait_days": run.max_wait_days,
    }
    plan = planning.plan_trips(riders, buses, **common)
    baseline = planning.first_fit(riders, buses, **common)
    _store(run, plan, {w.pk: w for w in workers}, distance)
    run.status, run.finished_at = PlanningRun.Status.DONE, timezone.now()
    run.workers, run.planned = len(workers), plan.planned
    run.trips, run.kept_trips, run.vehicles = len(plan.trips), len(kept), plan.vehicles_used
    run.distance_km, run.seconds = round(plan.distance_km, 1), round(plan.seconds, 2)
    run.baseline_trips, run.baseline_vehicles = len(baseline.trips), baseline.vehicles_used
    run.baseline_distance_km = round(baseline.distance_km, 1)
    run.save()


def _workers_to_plan():
    seated = TripPassenger.objects.filter(
        removed_at__isnull=True, trip__status__in=ShuttleTrip.ACTIVE_STATUSES
    ).values("worker_id")
    return (
        ReturningWorker.objects.filter(cancelled_at__isnull=True)
        .exclude(pk__in=seated)
        .select_related("home_county", "enterprise__region", "enterprise__park")
        .order_by("registered_at", "id")
    )


def county_place(county: County) -> planning.Place:
    longitude, latitude = county.own_coordinates or (None, None)
    return planning.Place(f"county:{county.code}", county.label, latitude, longitude)


def enterprise_place(enterprise: Enterprise) -> planning.Place:
    point = enterprise.coordinates  # its own point, else its park's or street's centre
    longitude, latitude = point if point is not None else (None, None)
    return planning.Place(f"enterprise:{enterprise.pk}", enterprise.name, latitude, longitude)


def _rider(worker: ReturningWorker) -> planning.Rider:
    return planning.Rider(
        id=worker.pk,
        origin=county_place(worker.home_county),
        destination=enterprise_place(worker.enterprise),
        earliest=worker.earliest_date,
        ready=worker.health_status == "green",
        order=worker.pk,
    )


def _bus(vehicle: Vehicle) -> planning.Bus:
    return planning.Bus(
        id=vehicle.pk,
        seats=vehicle.seats,
        available_from=vehicle.available_from,
        available_until=vehicle.last_running_day(),
        order=vehicle.pk,
    )


def _depot() -> planning.Place | None:
    """Where the buses set out: the district's centre, else its seat in the division table;
    None when neither is known (no plan can be made)."""
    district = Region.objects.filter(kind=Region.Kind.DISTRICT).first()
    point = district.own_coordinates if district is not None else None
    if point is not None:
        return planning.Place("district", district.name, point[1], point[0])
    seat = district_seat()
    if seat is None:
        return None
    return planning.Place("district", district.name if district else "", *seat)


def _require_depot() -> planning.Place:
    depot = _depot()
    if depot is None:
        raise ValidationError(
            _(
                "未设置直通车的出发点：本区没有坐标，区划表中也没有本区的驻地。"
                "请在后台为本区（区划）填写经纬度后再规划"
            ),
            code="no_depot",
        )
    return depot


def _store(run: PlanningRun, plan: planning.Plan, workers: dict, distance) -> None:
    counties = {
        f"county:{c.code}": c
        for c in County.objects.filter(code__in={w.home_county.code for w in workers.values()})
    }
    trips, stops, seats = [], [], []
    for item in plan.trips:
        trip = ShuttleTrip(
            run=run,
            vehicle_id=item.bus.id,
            date=item.day,
            county=counties[item.origin.key],
            capacity=item.capacity,
            distance_km=round(item.distance_km, 2),
            empty_km=round(item.empty_km, 2),
        )
        trips.append(trip)
    bulk_create_with_history(trips, ShuttleTrip, default_user=run.requested_by)
    trips = list(ShuttleTrip.objects.filter(run=run).order_by("id"))
    drops_of = []
    for trip, item in zip(trips, plan.trips, strict=True):
        stops.append(
            TripStop(
                trip=trip,
                sequence=1,
                kind=TripStop.Kind.PICKUP,
                county=trip.county,
                km_from_previous=0,
            )
        )
        here = item.origin
        for n, drop in enumerate(item.drops, start=2):
            stop = TripStop(
                trip=trip,
                sequence=n,
                kind=TripStop.Kind.DROPOFF,
                enterprise_id=int(drop.place.key.split(":")[1]),
                km_from_previous=round(distance(here, drop.place), 2),
            )
            here = drop.place
            stops.append(stop)
            drops_of.append((stop, drop.riders))
    TripStop.objects.bulk_create(stops)
    for stop, riders in drops_of:
        seats.extend(TripPassenger(trip=stop.trip, worker_id=r, dropoff=stop) for r in riders)
    bulk_create_with_history(seats, TripPassenger, default_user=run.requested_by)
    UnplannedWorker.objects.bulk_create(
        UnplannedWorker(run=run, worker_id=worker_id, reason=reason)
        for worker_id, reason in plan.unplanned.items()
    )


# Trips


def _require_dispatcher(actor: User) -> None:
    require_role(actor, *DISPATCHERS, message=_("只有指挥部可以调度直通车"))


@transaction.atomic
def trip_confirm(*, actor: User, trip: ShuttleTrip, at=None) -> ShuttleTrip:
    """Confirm a planned trip: a later re-plan keeps it; its enterprises are told."""
    _require_dispatcher(actor)
    trip = locked(trip)
    require_status(trip, (T.PLANNED,), _("确认"))
    if trip.confirmed_at is not None:
        raise ValidationError(_("该车次已确认"), code="invalid_transition")
    trip.confirmed_at, trip.confirmed_by = now_or(at), actor
    saved(trip, actor=actor)
    _tell_enterprises(
        trip,
        title=_("返岗直通车已确认"),
        body=_("%(date)s %(plate)s 从%(county)s接回贵企业员工，驾驶员%(driver)s。"),
    )
    return trip


def _tell_enterprises(trip: ShuttleTrip, *, title: str, body: str, reason: str = "") -> None:
    """Tell the enterprises whose workers are on the trip (confirmed, cancelled, changed)."""
    from django.urls import reverse

    enterprise_ids = set(
        trip.passengers.filter(removed_at__isnull=True).values_list("worker__enterprise", flat=True)
    )
    if not enterprise_ids:
        return
    accounts = User.objects.filter(
        role=Role.ENTERPRISE, enterprise_id__in=enterprise_ids, is_active=True
    ).order_by("pk")
    notify(
        recipients=accounts,
        title=title,
        body=body
        % {
            "date": f"{trip.date:%m月%d日}",
            "plate": trip.vehicle.plate,
            "county": trip.county.name,
            "driver": trip.vehicle.driver_name,
            "reason": reason[:100],
        },
        link=reverse("factors:trip_detail", args=[trip.pk]),
    )


@transaction.atomic
def trip_depart(*, actor: User, trip: ShuttleTrip, absent: list[int] = (), at=None) -> ShuttleTrip:
    """The bus leaves: everyone on the list boarded except the `absent` passengers (their ids),
    who give up the seat and wait for another trip."""
    _require_dispatcher(actor)
    trip = locked(trip)
    require_status(trip, (T.PLANNED,), _("发车"))
    if trip.confirmed_at is None:
        raise ValidationError(_("请先确认车次再发车"), code="invalid_transition")
    at = now_or(at)
    passengers = list(trip.passengers.filter(removed_at__isnull=True))
    unknown = set(absent) - {p.pk for p in passengers}
    if unknown:
        raise ValidationError(
            {"absent": [_("这些乘客不在本车次：%(ids)s") % {"ids": sorted(unknown)}]}
        )
    if len(set(absent)) == len(passengers):
        raise ValidationError({"absent": [_("没有乘客上车，请取消该车次而不是发车")]})
    for passenger in passengers:
        if passenger.pk in absent:
            passenger.removed_at = at
        else:
            passenger.boarded, passenger.boarded_at = True, at
    bulk_update_with_history(
        passengers,
        TripPassenger,
        ["boarded", "boarded_at", "removed_at"],
        default_user=actor,
        default_date=at,
    )
    trip.status, trip.departed_at = T.DEPARTED, at
    return saved(trip, actor=actor)


@transaction.atomic
def trip_arrive(*, actor: User, trip: ShuttleTrip, at=None) -> ShuttleTrip:
    _require_dispatcher(actor)
    trip = locked(trip)
    require_status(trip, (T.DEPARTED,), _("登记到达"))
    at = now_or(at)
    if at < trip.departed_at:
        raise ValidationError({"at": [_("到达时间不能早于出发时间")]})
    trip.status, trip.arrived_at = T.ARRIVED, at
    return saved(trip, actor=actor)


@transaction.atomic
def trip_cancel(*, actor: User, trip: ShuttleTrip, reason: str) -> ShuttleTrip:
    """Call off a trip that has not left; its enterprises are told, and its passengers wait for
    the next plan (not made at once: it would give them the same bus again), each shown the
    reason meanwhile (`selectors.plan_states`)."""
    _require_dispatcher(actor)
    trip = locked(trip)
    require_status(trip, (T.PLANNED,), _("取消"))
    if not reason.strip():
        raise ValidationError({"reason": [_("请写明取消原因")]})
    _end_trip(trip, T.CANCELLED, reason.strip(), actor)
    _tell_enterprises(
        trip,
        title=_("返岗直通车已取消"),
        body=_(
            "%(date)s %(plate)s 从%(county)s接回贵企业员工的车次已取消（%(reason)s），将重新安排。"
        ),
        reason=reason.strip(),
    )
    return trip

"""Reads of 送要素: the scoping functions (the one place that turns a user into rows), the public
job board, and the figures pages, exports, the bulletin line and the API all show."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fugong.core.models import User
from fugong.enterprises.selectors import enterprises_visible_to
from fugong.factors.models import (
    JobApplication,
    JobOpening,
    JobSeeker,
    LoanApplication,
    PlanningRun,
    ReturningWorker,
    ShuttleTrip,
    TripPassenger,
    UnplannedWorker,
    Vehicle,
)

Role = User.Role


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _sees_district(user) -> bool:
    return _active(user) and user.sees_whole_district


# Recruitment


def openings_visible_to(user: User) -> QuerySet[JobOpening]:
    openings = JobOpening.objects.all()
    if not _active(user):
        return openings.none()
    if user.sees_whole_district:
        return openings
    if user.role in (Role.AREA_OFFICER, Role.LIAISON, Role.ENTERPRISE):
        return openings.filter(enterprise__in=enterprises_visible_to(user))
    return openings.none()


def public_openings(today: date | None = None) -> QuerySet[JobOpening]:
    """What the public job board lists: published and still valid."""
    today = today or timezone.localdate()
    return JobOpening.objects.filter(
        status=JobOpening.Status.PUBLISHED, valid_until__gte=today
    ).select_related("enterprise", "enterprise__region")


def filter_public_openings(
    openings: QuerySet,
    *,
    q: str = "",
    industry: str = "",
    street=None,
    salary: int | None = None,
    shortage: bool = False,
) -> QuerySet:
    """The job board's search: keyword (title, enterprise, requirements, place), industry,
    street, a monthly salary the job reaches at least, shortage jobs only."""
    if q.strip():
        words = q.split()
        for word in words[:5]:
            openings = openings.filter(
                Q(title__icontains=word)
                | Q(enterprise__name__icontains=word)
                | Q(requirements__icontains=word)
                | Q(work_place__icontains=word)
            )
    if industry:
        openings = openings.filter(enterprise__industry_section=industry)
    if street is not None:
        openings = openings.filter(enterprise__region__path__startswith=street.path)
    if salary:
        openings = openings.filter(salary_max__gte=salary)
    if shortage:
        openings = openings.filter(is_shortage=True)
    return openings.order_by(
        "-enterprise__is_talent", "-enterprise__is_key", "-published_at", "-id"
    )


def applications_visible_to(user: User) -> QuerySet[JobApplication]:
    applications = JobApplication.objects.all()
    if not _active(user):
        return applications.none()
    if user.sees_whole_district:
        return applications
    return applications.filter(opening__in=openings_visible_to(user))


def seekers_visible_to(user: User) -> QuerySet[JobSeeker]:
    """The recruitment service sees every seeker; an enterprise and the officers serving it see
    those who applied to its openings, and those they registered themselves."""
    seekers = JobSeeker.objects.all()
    if not _active(user):
        return seekers.none()
    if user.sees_whole_district:
        return seekers
    return seekers.filter(
        Exists(applications_visible_to(user).filter(seeker=OuterRef("pk"))) | Q(registered_by=user)
    )


@dataclass
class RecruitmentFigures:
    at: datetime
    enterprises: int = 0  # enterprises with a published opening
    openings: int = 0
    positions: int = 0
    shortage_positions: int = 0
    talent_enterprises: int = 0  # 重点人才企业 with a published opening
    talent_shortage_positions: int = 0  # 紧缺岗位 those enterprises published
    applications: int = 0
    interviews: int = 0
    hires: int = 0
    by_industry: list[dict] = field(default_factory=list)

    @property
    def bulletin_line(self) -> str:
        """「推送发布17家重点人才企业、1086个紧缺岗位信息」, from the data."""
        return _("推送发布%(enterprises)d家重点人才企业、%(positions)d个紧缺岗位信息") % {
            "enterprises": self.talent_enterprises,
            "positions": self.talent_shortage_positions,
        }


def recruitment_figures(at: datetime | None = None) -> RecruitmentFigures:
    """Openings published by `at` (later closing does not undo a publication), their positions,
    and the applications made by then with what became of them by then."""
    at = at or timezone.now()
    published = JobOpening.objects.filter(published_at__lte=at)
    totals = published.aggregate(
        openings=Count("id"),
        people=Sum("positions", default=0),
        shortage=Sum("positions", filter=Q(is_shortage=True), default=0),
        enterprises=Count("enterprise", distinct=True),
    )
    talent = published.filter(enterprise__is_talent=True).aggregate(
        enterprises=Count("enterprise", distinct=True),
        shortage=Sum("positions", filter=Q(is_shortage=True), default=0),
    )
    applied = JobApplication.objects.filter(applied_at__lte=at).aggregate(
        applications=Count("id"),
        interviews=Count("id", filter=Q(interview_at__lte=at)),
        hires=Count("id", filter=Q(status=JobApplication.Status.HIRED, decided_at__lte=at)),
    )
    by_industry = list(
        published.values("enterprise__industry_section")
        .annotate(openings=Count("id"), people=Sum("positions"))
        .order_by("-people")
    )
    return RecruitmentFigures(
        at=at,
        enterprises=totals["enterprises"],
        openings=totals["openings"],
        positions=totals["people"],
        shortage_positions=totals["shortage"],
        talent_enterprises=talent["enterprises"],
        talent_shortage_positions=talent["shortage"],
        applications=applied["applications"],
        interviews=applied["interviews"],
        hires=applied["hires"],
        by_industry=by_industry,
    )


# 返岗直通车


def workers_visible_to(user: User) -> QuerySet[ReturningWorker]:
    workers = ReturningWorker.objects.all()
    if not _active(user):
        return workers.none()
    if user.sees_whole_district:
        return workers
    if user.role in (Role.AREA_OFFICER, Role.LIAISON, Role.ENTERPRISE):
        return workers.filter(enterprise__in=enterprises_visible_to(user))
    return workers.none()


def vehicles_visible_to(user: User) -> QuerySet[Vehicle]:
    """The fleet is the district's business: its staff see it, enterprises do not."""
    if _sees_district(user):
        return Vehicle.objects.all()
    return Vehicle.objects.none()


def runs_visible_to(user: User) -> QuerySet[PlanningRun]:
    if _sees_district(user):
        return PlanningRun.objects.all()
    return PlanningRun.objects.none()


def trips_visible_to(user: User) -> QuerySet[ShuttleTrip]:
    """The whole district's staff see every trip; an enterprise and the officers serving it see
    the trips that carry its workers (and, inside them, only those workers)."""
    trips = ShuttleTrip.objects.all()
    if not _active(user):
        return trips.none()
    if user.sees_whole_district:
        return trips
    if user.role in (Role.AREA_OFFICER, Role.LIAISON, Role.ENTERPRISE):
        return trips.filter(Exists(passengers_visible_to(user).filter(trip=OuterRef("pk"))))
    return trips.none()


def passengers_visible_to(user: User) -> QuerySet[TripPassenger]:
    passengers = TripPassenger.objects.all()
    if not _active(user):
        return passengers.none()
    if user.sees_whole_district:
        return passengers
    return passengers.filter(worker__in=workers_visible_to(user))


def seat_of(worker: ReturningWorker) -> TripPassenger | None:
    """The worker's place on an active trip, if any."""
    return (
        TripPassenger.objects.filter(
            worker=worker, removed_at__isnull=True, trip__status__in=ShuttleTrip.ACTIVE_STATUSES
        )
        .select_related("trip__vehicle", "trip__county")
        .first()
    )


def latest_run() -> PlanningRun | None:
    return PlanningRun.objects.filter(status=PlanningRun.Status.DONE).first()


# Why a worker without a seat waits, beyond the reasons a run records (UnplannedWorker.Reason):
# what happened since the latest run.
WAITING = {
    "pending_run": gettext_lazy("正在规划，完成后安排"),
    "absent": gettext_lazy("发车时未到，待重新规划"),
    "trip_cancelled": gettext_lazy("所乘车次已取消，待重新规划"),
    "trip_superseded": gettext_lazy("所乘车次已调整，待重新规划"),
    "not_planned": gettext_lazy("登记后尚未规划"),
}


@dataclass(frozen=True)
class PlanState:
    """Where a worker stands: on a trip still on (`trip`), or waiting with the reason."""

    trip: int | None = None
    reason: str = ""  # a code of UnplannedWorker.Reason or WAITING; "" on a trip or cancelled
    label: str = ""


def plan_states(workers) -> dict[int, PlanState]:
    """For each worker, their trip or why they have none, in a fixed number of queries: a run
    in progress will place them; else the latest run's reason if it listed them; else what
    took their last seat (absent at departure, trip cancelled or changed, with its reason);
    else they registered after the latest plan. Cancelled registrations get an empty state."""
    workers = list(workers)
    if not workers:
        return {}
    ids = [w.pk for w in workers if w.cancelled_at is None]
    seats = dict(
        TripPassenger.objects.filter(
            worker_id__in=ids,
            removed_at__isnull=True,
            trip__status__in=ShuttleTrip.ACTIVE_STATUSES,
        ).values_list("worker_id", "trip_id")
    )
    states = {w.pk: PlanState() for w in workers}
    states.update({pk: PlanState(trip=trip) for pk, trip in seats.items()})
    waiting = [pk for pk in ids if pk not in seats]
    queued = PlanningRun.objects.filter(status=PlanningRun.Status.QUEUED).exists()
    latest = latest_run()
    listed = dict(
        UnplannedWorker.objects.filter(run=latest, worker_id__in=waiting).values_list(
            "worker_id", "reason"
        )
    )
    lost = {}
    for seat in (
        TripPassenger.objects.filter(worker_id__in=waiting)
        .select_related("trip")
        .order_by("worker_id", "-id")  # the seat given last, whatever its trip's date
    ):
        lost.setdefault(seat.worker_id, seat)
    for pk in waiting:
        if queued:
            states[pk] = _waiting("pending_run")
        elif pk in listed:
            reason = listed[pk]
            states[pk] = PlanState(reason=reason, label=str(UnplannedWorker.Reason(reason).label))
        else:
            states[pk] = _lost_seat(lost.get(pk))
    return states


def _waiting(code: str, detail: str = "") -> PlanState:
    label = str(WAITING[code])
    return PlanState(reason=code, label=f"{label}（{detail}）" if detail else label)


def _lost_seat(seat: TripPassenger | None) -> PlanState:
    if seat is None:
        return _waiting("not_planned")
    trip = seat.trip
    if seat.removed_at is not None and trip.status in (
        ShuttleTrip.Status.DEPARTED,
        ShuttleTrip.Status.ARRIVED,
    ):
        return _waiting("absent")
    if trip.status == ShuttleTrip.Status.CANCELLED:
        return _waiting("trip_cancelled", trip.ended_reason)
    if trip.status == ShuttleTrip.Status.SUPERSEDED:
        return _waiting("trip_superseded", trip.ended_reason)
    return _waiting("not_planned")


@dataclass
class ShuttleFigures:
    """Workers brought back: those who boarded a trip that has arrived."""

    brought_back: int = 0
    counties: int = 0
    trips: int = 0
    vehicles: int = 0
    distance_km: float = 0.0
    registered: int = 0
    cancelled: int = 0
    waiting: int = 0  # registered, not cancelled, not brought back yet
    by_county: list[dict] = field(default_factory=list)
    by_enterprise: list[dict] = field(default_factory=list)

    @property
    def bulletin_line(self) -> str:
        """「10多辆“复产复工返岗直通车”，远赴沈丘、卢氏等10余个县市接回各类人才及员工3200多名」,
        with the exact figures and the two counties that sent the most."""
        names = [row["worker__home_county__name"] for row in self.by_county[:2]]
        return _(
            "%(vehicles)d辆“复产复工返岗直通车”，远赴%(names)s等%(counties)d个县市"
            "接回各类人才及员工%(workers)d名"
        ) % {
            "vehicles": self.vehicles,
            "names": "、".join(_short(n) for n in names),
            "counties": self.counties,
            "workers": self.brought_back,
        }


def _short(name: str) -> str:
    return name[:-1] if len(name) > 2 and name[-1] in "县市区" else name


def shuttle_figures(user: User) -> ShuttleFigures:
    passengers = passengers_visible_to(user).filter(
        boarded=True, removed_at__isnull=True, trip__status=ShuttleTrip.Status.ARRIVED
    )
    trips = trips_visible_to(user).filter(status=ShuttleTrip.Status.ARRIVED)
    workers = workers_visible_to(user)
    trip_totals = trips.aggregate(
        trips=Count("id"),
        vehicles=Count("vehicle", distinct=True),
        km=Sum("distance_km", default=0.0),
    )
    brought = passengers.aggregate(
        workers=Count("worker", distinct=True),
        counties=Count("worker__home_county", distinct=True),
    )
    registered = workers.count()
    cancelled = workers.filter(cancelled_at__isnull=False).count()
    return ShuttleFigures(
        brought_back=brought["workers"],
        counties=brought["counties"],
        trips=trip_totals["trips"],
        vehicles=trip_totals["vehicles"],
        distance_km=trip_totals["km"],
        registered=registered,
        cancelled=cancelled,
        waiting=registered - cancelled - brought["workers"],
        by_county=list(
            passengers.values("worker__home_county__code", "worker__home_county__name")
            .annotate(workers=Count("id"), trips=Count("trip", distinct=True))
            .order_by("-workers", "worker__home_county__code")
        ),
        by_enterprise=list(
            passengers.values("worker__enterprise_id", "worker__enterprise__name")
            .annotate(workers=Count("id"))
            .order_by("-workers", "worker__enterprise__name")
        ),
    )


# Loans


def loans_visible_to(user: User) -> QuerySet[LoanApplication]:
    loans = LoanApplication.objects.all()
    if not _active(user):
        return loans.none()
    if user.sees_whole_district:
        return loans
    if user.role in (Role.AREA_OFFICER, Role.LIAISON, Role.ENTERPRISE):
        return loans.filter(enterprise__in=enterprises_visible_to(user))
    return loans.none()


@dataclass
class LoanFigures:
    applications: int = 0
    amount: Decimal = Decimal(0)
    disbursed: Decimal = Decimal(0)
    talent_applications: int = 0  # talent enterprises with an application (each counted once)
    talent_amounts: list[Decimal] = field(default_factory=list)  # what each of them applied for
    by_bank: list[dict] = field(default_factory=list)
    by_status: list[dict] = field(default_factory=list)
    named: list[str] = field(default_factory=list)

    @property
    def bulletin_line(self) -> str:
        """「为中沃消防、盈鼎医疗器械、宏靖彩印包装等5家人才企业申报了各300万元的贷款申请」: the
        enterprises in the order they first applied, each once with the sum of its loans."""
        if not self.talent_applications:
            return _("尚无人才企业贷款申请")
        amounts = set(self.talent_amounts)
        each = (
            _("各%(amount)s万元") % {"amount": _plain(amounts.pop())}
            if len(amounts) == 1
            else _("共%(amount)s万元") % {"amount": _plain(sum(self.talent_amounts, Decimal(0)))}
        )
        return _("为%(names)s等%(n)d家人才企业申报了%(each)s的贷款申请") % {
            "names": "、".join(self.named[:3]),
            "n": self.talent_applications,
            "each": each,
        }


def _plain(amount: Decimal) -> str:
    return f"{amount.normalize():f}"


def loan_figures(user: User) -> LoanFigures:
    loans = loans_visible_to(user)
    totals = loans.aggregate(
        n=Count("id"),
        amount=Sum("amount", default=Decimal(0)),
        disbursed=Sum("disbursed_amount", default=Decimal(0)),
    )
    talent: dict[int, list] = {}  # enterprise id → [name, total], in order of first loan
    for loan in (
        loans.filter(enterprise__is_talent=True)
        .select_related("enterprise")
        .order_by("submitted_on", "id")
    ):
        entry = talent.setdefault(loan.enterprise_id, [loan.enterprise.name, Decimal(0)])
        entry[1] += loan.amount
    return LoanFigures(
        applications=totals["n"],
        amount=totals["amount"],
        disbursed=totals["disbursed"],
        talent_applications=len(talent),
        talent_amounts=[total for _name, total in talent.values()],
        by_bank=list(
            loans.values("bank")
            .annotate(n=Count("id"), amount=Sum("amount"))
            .order_by("-amount", "bank")
        ),
        by_status=list(
            loans.values("status").annotate(n=Count("id"), amount=Sum("amount")).order_by("status")
        ),
        named=[short_enterprise_name(name) for name, _total in talent.values()],
    )


COMPANY_WORDS = ("股份有限公司", "有限责任公司", "有限公司", "集团", "科技")
PLACE_WORDS = ("河南省", "河南", "郑州市", "郑州")


def short_enterprise_name(name: str) -> str:
    """河南中沃消防科技股份有限公司 → 中沃消防, as the article names them."""
    for word in PLACE_WORDS:
        if name.startswith(word):
            name = name[len(word) :]
            break
    for word in COMPANY_WORDS:
        name = name.removesuffix(word)
    return name.removesuffix("科技")

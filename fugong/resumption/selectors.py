"""Resumption figures "as of" any moment: the one module pages, exports, bulletins and the API use,
so a number never differs between two places.

An entity counts at T when it was registered by T; its situation at T is its latest report with
reported_at ≤ T that no correction has superseded (none: not resumed). Entities whose situation
is 停业 (closed for good) are counted apart and left out of the rates. 复工 (resumed) includes
部分复工 (partly resumed). A workforce without a report is the register's payroll, none on duty.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from fugong.core.models import Region, User
from fugong.core.rates import format_rate, rate
from fugong.enterprises.models import ConstructionProject, Enterprise
from fugong.enterprises.selectors import (
    enterprises_visible_to,
    projects_visible_to,
    subdistrict_of,
)
from fugong.resumption.categories import CATEGORIES, CONSTRUCTION
from fugong.resumption.models import RESUMED_STATUSES, DailySnapshot, Report, Status


@dataclass(frozen=True)
class CubeRow:
    """Entities of one category, street and park in one situation, with their workforce."""

    category: str
    region_id: int
    park_id: int | None
    status: str | None  # None: no report yet
    count: int
    payroll: int
    on_duty: int


@dataclass
class Figures:
    entities: int = 0  # registered, not closed for good
    resumed: int = 0  # 已复工 and 部分复工
    fully_resumed: int = 0
    closed: int = 0
    payroll: int = 0
    on_duty: int = 0

    def add(self, row: CubeRow) -> None:
        if row.status == Status.CLOSED:
            self.closed += row.count
            return
        self.entities += row.count
        self.payroll += row.payroll
        self.on_duty += row.on_duty
        if row.status in RESUMED_STATUSES:
            self.resumed += row.count
        if row.status == Status.RESUMED:
            self.fully_resumed += row.count

    @property
    def not_resumed(self) -> int:
        return self.entities - self.resumed

    @property
    def resumption_rate(self) -> Decimal | None:
        return rate(self.resumed, self.entities)

    @property
    def workforce_return_rate(self) -> Decimal | None:
        return rate(self.on_duty, self.payroll)

    @property
    def resumption_rate_text(self) -> str:
        return format_rate(self.resumed, self.entities)

    @property
    def workforce_return_rate_text(self) -> str:
        return format_rate(self.on_duty, self.payroll)

    @property
    def all_resumed(self) -> bool:
        return self.entities > 0 and self.resumed == self.entities

    @property
    def full_workforce(self) -> bool:
        return self.on_duty == self.payroll

    def as_dict(self) -> dict:
        return {
            "entities": self.entities,
            "resumed": self.resumed,
            "fully_resumed": self.fully_resumed,
            "not_resumed": self.not_resumed,
            "closed": self.closed,
            "workers_on_payroll": self.payroll,
            "workers_on_duty": self.on_duty,
            "resumption_rate": rate_number(self.resumption_rate),
            "workforce_return_rate": rate_number(self.workforce_return_rate),
        }


def rate_number(value: Decimal | None) -> float | None:
    return None if value is None else float(round(value, 6))


@dataclass
class AreaFigures:
    area: Region
    figures: Figures


@dataclass
class FigureSet:
    at: datetime
    cube: list[CubeRow]
    total: Figures = field(default_factory=Figures)
    by_category: dict[str, Figures] = field(default_factory=dict)
    by_area: list[AreaFigures] = field(default_factory=list)  # streets, towns and townships
    by_park: list[AreaFigures] = field(default_factory=list)

    def category_rows(self):
        return [(code, label, self.by_category[code]) for code, label in CATEGORIES]

    def lagging_areas(self, n: int = 3) -> list[AreaFigures]:
        """The areas furthest behind: lowest resumption rate, then most not resumed."""
        behind = [a for a in self.by_area if a.figures.entities and not a.figures.all_resumed]
        behind.sort(key=lambda a: (a.figures.resumption_rate, -a.figures.not_resumed))
        return behind[:n]


# Cubes


def figure_cube(at: datetime, *, user: User, current: bool = False) -> list[CubeRow]:
    """The situation of every entity in the user's scope at `at`, counted by category, street,
    park and status. `current`: "now", as the current-state table holds it at the moment of
    reading — reports arriving while the page is computed are then included, not refused."""
    if current or at >= _latest_reported_at():
        return _cube_from_current_state(at, user)
    return _cube_from_reports(at, user)


def _latest_reported_at() -> datetime:
    latest = Report.objects.aggregate(latest=Max("reported_at"))["latest"]
    return latest or datetime.min.replace(tzinfo=timezone.get_current_timezone())


def _scoped(queryset: QuerySet, user: User, visible) -> QuerySet:
    return (
        queryset if user.sees_whole_district else queryset.filter(pk__in=visible(user).values("pk"))
    )


def _cube_from_current_state(at: datetime, user: User) -> list[CubeRow]:
    """Every entity's latest report is at or before `at`: read the current-state table."""
    rows = []
    for model, visible, category in (
        (Enterprise, enterprises_visible_to, F("category")),
        (ConstructionProject, projects_visible_to, Value(CONSTRUCTION)),
    ):
        entities = _scoped(model.objects.filter(created_at__lte=at), user, visible)
        grouped = (
            entities.values("region_id", "park_id")
            .annotate(
                group=category,
                state=F("current_state__status"),
                count=Count("id"),
                payroll=Sum(Coalesce("current_state__workers_on_payroll", "payroll_headcount")),
                duty=Sum(Coalesce("current_state__workers_on_duty", Value(0))),
            )
            .values_list("group", "region_id", "park_id", "state", "count", "payroll", "duty")
        )
        rows += [CubeRow(*values) for values in grouped.order_by()]
    return rows


_CUBE_SQL = """
SELECT {category}, e.region_id, e.park_id, r.status, COUNT(*),
       SUM(COALESCE(r.workers_on_payroll, e.payroll_headcount)),
       SUM(COALESCE(r.workers_on_duty, 0))
FROM {entities} e
{latest_report}
WHERE e.created_at <= %s {scope}
GROUP BY 1, 2, 3, 4
"""
_LATEST = """
    SELECT {columns} FROM {reports} r2
    WHERE r2.{subject}_id = e.id AND r2.superseded_at IS NULL AND r2.reported_at <= %s
    ORDER BY r2.reported_at DESC, r2.id DESC LIMIT 1
"""
# PostgreSQL reads each entity's latest report with LATERAL (one index scan per entity); given a
# subquery in a join condition it would hash the whole report table instead. SQLite has no
# LATERAL, and plans the correlated subquery as one index seek per entity.
_LATEST_REPORT = {
    "postgresql": "LEFT JOIN LATERAL ({latest}) r ON true",
    "sqlite": "LEFT JOIN {reports} r ON r.id = ({latest})",
}
_LATEST_COLUMNS = {
    "postgresql": "r2.status, r2.workers_on_payroll, r2.workers_on_duty",
    "sqlite": "r2.id",
}


def _cube_from_reports(at: datetime, user: User) -> list[CubeRow]:
    """One index seek per entity for its latest report at or before `at`."""
    rows = []
    for model, visible, subject, category in (
        (Enterprise, enterprises_visible_to, "enterprise", "e.category"),
        (ConstructionProject, projects_visible_to, "project", f"'{CONSTRUCTION}'"),
    ):
        scope, scope_params = "", []
        if not user.sees_whole_district:
            subquery, scope_params = visible(user).values("pk").query.sql_with_params()
            scope = f"AND e.id IN ({subquery})"
        vendor = "postgresql" if connection.vendor == "postgresql" else "sqlite"
        latest = _LATEST.format(
            columns=_LATEST_COLUMNS[vendor], reports=Report._meta.db_table, subject=subject
        )
        sql = _CUBE_SQL.format(
            category=category,
            entities=model._meta.db_table,
            latest_report=_LATEST_REPORT[vendor].format(
                latest=latest, reports=Report._meta.db_table
            ),
            scope=scope,
        )
        moment = connection.ops.adapt_datetimefield_value(at)  # raw SQL: as the ORM stores it
        with connection.cursor() as cursor:
            cursor.execute(sql, [moment, moment, *scope_params])
            rows += [CubeRow(*values) for values in cursor.fetchall()]
    return rows


# Roll-ups


def figures_as_of(at: datetime, *, user: User, current: bool = False) -> FigureSet:
    return rollup(figure_cube(at, user=user, current=current), at=at)


def rollup(cube: list[CubeRow], *, at: datetime) -> FigureSet:
    figure_set = FigureSet(at=at, cube=cube)
    by_category = {code: Figures() for code, _label in CATEGORIES}
    by_area: dict[int, Figures] = defaultdict(Figures)
    by_park: dict[int, Figures] = defaultdict(Figures)
    subdistrict_by_region = subdistrict_of()
    for row in cube:
        figure_set.total.add(row)
        by_category[row.category].add(row)
        by_area[subdistrict_by_region.get(row.region_id, row.region_id)].add(row)
        if row.park_id:
            by_park[row.park_id].add(row)
    figure_set.by_category = by_category
    regions = Region.objects.in_bulk([*by_area, *by_park])
    figure_set.by_area = [AreaFigures(regions[pk], f) for pk, f in by_area.items()]
    figure_set.by_park = [AreaFigures(regions[pk], f) for pk, f in by_park.items()]
    figure_set.by_area.sort(key=lambda a: (a.area.sort_order, a.area.code))
    figure_set.by_park.sort(key=lambda a: (a.area.sort_order, a.area.code))
    return figure_set


def cube_in_areas(cube: list[CubeRow], user: User) -> list[CubeRow]:
    """The district cube cut down to an area officer's streets and parks."""
    areas = list(user.areas.all())
    parks = {a.pk for a in areas if a.is_park}
    paths = [a.path for a in areas if not a.is_park]
    regions = {r.pk: r.path for r in Region.objects.only("id", "path")}
    return [
        row
        for row in cube
        if row.park_id in parks or any(regions[row.region_id].startswith(p) for p in paths)
    ]


# The daily series


def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


@dataclass
class SeriesPoint:
    at: datetime
    total: Figures
    by_category: dict[str, Figures]


SERIES_MAX_DAYS = 120


def series_start(at: datetime, user: User) -> date:
    """The first day with a report, at most 120 days back."""
    first = (
        reports_visible_to(user)
        .filter(reported_at__lte=at)
        .aggregate(first=Min("reported_at"))["first"]
    )
    earliest = timezone.localtime(at).date() - timedelta(days=SERIES_MAX_DAYS)
    return (
        max(timezone.localtime(first).date(), earliest) if first else timezone.localtime(at).date()
    )


def daily_series(
    first_day: date,
    until: datetime,
    *,
    user: User,
    current: bool = False,
    last_cube: list[CubeRow] | None = None,
) -> list[SeriesPoint]:
    """Figures at the end of each day from `first_day` to the last day anything was reported,
    and at `until` itself (the last point)."""
    until_day = timezone.localtime(until).date()
    last_report = Report.objects.filter(reported_at__lte=until).aggregate(last=Max("reported_at"))[
        "last"
    ]
    last_day = timezone.localtime(last_report).date() if last_report else first_day
    last_point_day = min(until_day - timedelta(days=1), last_day)
    days = [first_day + timedelta(days=n) for n in range((last_point_day - first_day).days + 1)]
    stored = _district_days(days) if user.sees_whole_district or _area_scoped(user) else {}
    points = []
    for day in days:
        snapshot = stored.get(day)
        if snapshot is None:
            points.append(_point(end_of_day(day), figure_cube(end_of_day(day), user=user)))
        elif user.sees_whole_district:
            points.append(_point_from_totals(end_of_day(day), snapshot.totals))
        else:
            points.append(_point(end_of_day(day), cube_in_areas(snapshot.cube(), user)))
    if last_cube is None:  # the caller may already hold the figures at `until`
        last_cube = figure_cube(until, user=user, current=current)
    points.append(_point(until, last_cube))
    return points


def _area_scoped(user: User) -> bool:
    return user.role == User.Role.AREA_OFFICER and not user.is_superuser


def _point_from_totals(at: datetime, totals: dict[str, list[int]]) -> SeriesPoint:
    by_category = {code: Figures(*totals[code]) for code, _label in CATEGORIES}
    total = Figures(*(sum(values) for values in zip(*totals.values(), strict=True)))
    return SeriesPoint(at=at, total=total, by_category=by_category)


def _totals(cube: list[CubeRow]) -> dict[str, list[int]]:
    """A day's figures by category, as stored beside its cube (the district trend needs no more)."""
    point = _point(datetime.min, cube)
    return {
        code: [f.entities, f.resumed, f.fully_resumed, f.closed, f.payroll, f.on_duty]
        for code, f in point.by_category.items()
    }


def _point(at: datetime, cube: list[CubeRow]) -> SeriesPoint:
    figure_set = FigureSet(at=at, cube=cube)
    by_category = {code: Figures() for code, _label in CATEGORIES}
    for row in cube:
        figure_set.total.add(row)
        by_category[row.category].add(row)
    return SeriesPoint(at=at, total=figure_set.total, by_category=by_category)


@dataclass
class StoredDay:
    totals: dict[str, list[int]]
    stored_rows: list[list] | None = None
    snapshot: DailySnapshot | None = None  # its cube is read only when asked for

    @property
    def rows(self) -> list[list]:
        if self.stored_rows is None:
            self.stored_rows = self.snapshot.cube
        return self.stored_rows

    def cube(self) -> list[CubeRow]:
        return [CubeRow(*values) for values in self.rows]


def _district_days(days: list[date]) -> dict[date, StoredDay]:
    """District figures at the end of past days, from snapshots that are still exact; missing or
    stale ones are computed and stored. Today is never stored: it is not over."""
    today = timezone.localdate()
    past = [d for d in days if d < today]
    # The district's trend needs only each day's totals: a day's cube (hundreds of rows) is read
    # when an area officer's trend cuts it, or when a quiet day is copied from it.
    snapshots = {s.day: s for s in DailySnapshot.objects.filter(day__in=past).defer("cube")}
    stale = _stale_days(snapshots.values())
    to_compute = [d for d in past if d not in snapshots or d in stale or not snapshots[d].totals]
    active = _days_with_changes(to_compute[0], to_compute[-1]) if to_compute else set()
    computed_at = timezone.now()  # one stamp for the batch: one staleness query next time
    stored: dict[date, StoredDay] = {}
    for day in past:
        if day not in to_compute:
            stored[day] = StoredDay(snapshots[day].totals, snapshot=snapshots[day])
            continue
        previous = stored.get(day - timedelta(days=1))
        if previous is not None and day not in active:
            # Nobody reported and nothing was registered: the day ends as the one before did.
            stored[day] = StoredDay(previous.totals, previous.rows)
        else:
            cube = figure_cube(end_of_day(day), user=DISTRICT)
            stored[day] = StoredDay(_totals(cube), [list(row.__dict__.values()) for row in cube])
        _store_snapshot(day, stored[day], computed_at)
    return stored


def _days_with_changes(first: date, last: date) -> set[date]:
    """Days (Beijing time) in [first, last] on which a report or a registration is dated."""
    start, end = day_bounds(first)[0], day_bounds(last)[1]
    local = timezone.get_current_timezone()
    days = set(
        Report.objects.filter(reported_at__gte=start, reported_at__lt=end).datetimes(
            "reported_at", "day", tzinfo=local
        )
    )
    for model in (Enterprise, ConstructionProject):
        days |= set(
            model.objects.filter(created_at__gte=start, created_at__lt=end).datetimes(
                "created_at", "day", tzinfo=local
            )
        )
    return {moment.date() for moment in days}


def _store_snapshot(day: date, stored: "StoredDay", computed_at: datetime) -> None:
    try:
        with transaction.atomic():
            DailySnapshot.objects.update_or_create(
                day=day,
                defaults={"computed_at": computed_at, "cube": stored.rows, "totals": stored.totals},
            )
    except IntegrityError:
        pass  # another request stored the same day's snapshot a moment ago


def _stale_days(snapshots) -> set[date]:
    """A snapshot is stale when a report recorded after it concerns its day or an earlier one."""
    stale = set()
    by_computed_at = defaultdict(list)
    for snapshot in snapshots:
        by_computed_at[snapshot.computed_at].append(snapshot)
    for computed_at, group in by_computed_at.items():
        latest_end = max(end_of_day(s.day) for s in group)
        earliest = _earliest_moment_recorded_since(computed_at, concerning_up_to=latest_end)
        if earliest is not None:
            stale.update(s.day for s in group if end_of_day(s.day) >= earliest)
    return stale


def _earliest_moment_recorded_since(
    moment: datetime, *, concerning_up_to: datetime
) -> datetime | None:
    """MIN(reported_at) of the reports recorded after `moment` and dated up to
    `concerning_up_to` (the end of the latest stored day: today's reports cannot make a past
    day's snapshot stale). On the morning everyone reports, thousands of reports are recorded
    after the snapshots, nearly all dated today; bounding both columns lets the
    (recorded_at, reported_at) index skip them, so the check costs the same at 9 a.m. as at
    7 a.m. Both databases would rather walk the whole reported_at index for a MIN: SQLite is
    told which index, PostgreSQL is kept from flattening the subquery (OFFSET 0)."""
    table = Report._meta.db_table
    recent = "WHERE recorded_at > %s AND reported_at <= %s"
    sql = {
        "sqlite": f"SELECT MIN(reported_at) FROM {table} INDEXED BY report_recorded {recent}",
        "postgresql": f"SELECT MIN(reported_at) FROM (SELECT reported_at FROM {table} "
        f"{recent} OFFSET 0) recent",
    }[connection.vendor]
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(sql, [adapt(moment), adapt(concerning_up_to)])
        value = cursor.fetchone()[0]
    if connection.vendor == "sqlite":
        return connection.ops.convert_datetimefield_value(value, None, connection)
    return value


class _DistrictViewer:
    """Stands in for a user who sees the whole district, for snapshots and the CLI."""

    sees_whole_district = True
    is_superuser = True
    role = User.Role.LEADER


DISTRICT = _DistrictViewer()


# Drill-down: the entities behind a number


# "behind": not fully back at work (no report, not resumed or partly), and not closed down.
ENTITY_STATES = ("all", "resumed", "not_resumed", "fully_resumed", "partly", "behind", "closed")
GRADES = ("A", "B", "C")


def entities_as_of(
    at: datetime,
    *,
    user: User,
    category: str = "",
    area: Region | None = None,
    state: str = "all",
    grade: str = "",
) -> tuple[QuerySet, QuerySet]:
    """The enterprises and projects counted in one number of the figures at `at`, each annotated
    with its situation (asof_status, asof_payroll, asof_duty, asof_reported_at). A `grade`
    keeps enterprises of that grade (an ungraded one counts as B) and no projects."""
    results = []
    for model, visible in (
        (Enterprise, enterprises_visible_to),
        (ConstructionProject, projects_visible_to),
    ):
        entities = _scoped(model.objects.filter(created_at__lte=at), user, visible)
        if category and (category == CONSTRUCTION) != (model is ConstructionProject):
            entities = entities.none()
        elif category and category != CONSTRUCTION:
            entities = entities.filter(category=category)
        if grade:
            entities = _of_grade(entities, grade) if model is Enterprise else entities.none()
        if area is not None:
            entities = entities.filter(
                Q(park=area) if area.is_park else Q(region__path__startswith=area.path)
            )
        entities = with_situation(entities, at)
        results.append(_in_state(entities, state).select_related("region", "park"))
    return results[0], results[1]


def with_situation(entities: QuerySet, at: datetime | None) -> QuerySet:
    """Enterprises or projects annotated with their situation at `at` (asof_status, asof_payroll,
    asof_duty, asof_reported_at), by the same rule as the figures: the latest report at or
    before `at` that no correction superseded; none: no status, the register's payroll, nobody
    on duty. `at=None` reads the latest situation from the current-state table."""
    if at is None:
        return entities.annotate(
            asof_status=F("current_state__status"),
            asof_payroll=Coalesce("current_state__workers_on_payroll", "payroll_headcount"),
            asof_duty=Coalesce("current_state__workers_on_duty", Value(0)),
            asof_reported_at=F("current_state__reported_at"),
        )
    subject = "project" if entities.model is ConstructionProject else "enterprise"
    latest = Report.objects.filter(
        **{subject: OuterRef("pk")},
        superseded_at__isnull=True,
        reported_at__lte=at,
    ).order_by("-reported_at", "-id")
    return entities.annotate(
        asof_status=Subquery(latest.values("status")[:1]),
        asof_payroll=Coalesce(
            Subquery(latest.values("workers_on_payroll")[:1]), "payroll_headcount"
        ),
        asof_duty=Coalesce(Subquery(latest.values("workers_on_duty")[:1]), Value(0)),
        asof_reported_at=Subquery(latest.values("reported_at")[:1]),
    )


def _of_grade(enterprises: QuerySet, grade: str) -> QuerySet:
    if grade == Enterprise.Grade.B:
        return enterprises.filter(grade__in=(Enterprise.Grade.B, ""))
    return enterprises.filter(grade=grade)


def priority_enterprises(at: datetime, *, user: User, limit: int = 8) -> tuple[int, list]:
    """A-grade enterprises in the user's scope not fully back at work at `at`: the ones the
    dashboard puts first (the largest workforces first)."""
    behind, _projects = entities_as_of(at, user=user, grade=Enterprise.Grade.A, state="behind")
    # A-grade enterprises are a few hundred at most: one query for the count and the rows.
    rows = list(behind.order_by("-asof_payroll", "name", "id"))
    return len(rows), rows[:limit]


def _in_state(entities: QuerySet, state: str) -> QuerySet:
    not_closed = Q(asof_status__isnull=True) | ~Q(asof_status=Status.CLOSED)
    return {
        "all": entities.filter(not_closed),
        "resumed": entities.filter(asof_status__in=RESUMED_STATUSES),
        "fully_resumed": entities.filter(asof_status=Status.RESUMED),
        "partly": entities.filter(asof_status=Status.PARTLY),
        "behind": entities.filter(
            Q(asof_status__isnull=True) | Q(asof_status__in=(Status.NOT_RESUMED, Status.PARTLY))
        ),
        "not_resumed": entities.filter(
            Q(asof_status__isnull=True) | Q(asof_status=Status.NOT_RESUMED)
        ),
        "closed": entities.filter(asof_status=Status.CLOSED),
    }[state]


# Who has not reported


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """A Beijing-time day as [start, end): a report at 23:30 belongs to that day."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def missing_reports(day: date, *, user: User) -> tuple[QuerySet, QuerySet]:
    """Enterprises and projects in the user's scope, registered by the end of `day` and not
    closed for good before it, with no report dated that day."""
    start, end = day_bounds(day)
    results = []
    for model, visible, subject in (
        (Enterprise, enterprises_visible_to, "enterprise"),
        (ConstructionProject, projects_visible_to, "project"),
    ):
        reports = Report.objects.filter(**{subject: OuterRef("pk")})
        before = reports.filter(superseded_at__isnull=True, reported_at__lt=start).order_by(
            "-reported_at", "-id"
        )
        entities = (
            _scoped(model.objects.filter(created_at__lt=end), user, visible)
            .annotate(status_before=Subquery(before.values("status")[:1]))
            .filter(Q(status_before__isnull=True) | ~Q(status_before=Status.CLOSED))
            .exclude(Exists(reports.filter(reported_at__gte=start, reported_at__lt=end)))
        )
        results.append(
            entities.select_related("region", "park").order_by("region__sort_order", "name")
        )
    return results[0], results[1]


def missing_by_area(day: date, *, user: User) -> list[tuple[Region, int]]:
    enterprises, projects = missing_reports(day, user=user)
    counts: dict[int, int] = defaultdict(int)
    subdistrict_by_region = subdistrict_of()
    for queryset in (enterprises, projects):
        for region_id, n in queryset.values_list("region_id").annotate(n=Count("id")).order_by():
            counts[subdistrict_by_region.get(region_id, region_id)] += n
    regions = Region.objects.in_bulk(list(counts))
    return sorted(
        ((regions[pk], n) for pk, n in counts.items()),
        key=lambda pair: (pair[0].sort_order, pair[0].code),
    )


def reports_visible_to(user: User) -> QuerySet[Report]:
    """Reports of the entities the user may see."""
    reports = Report.objects.all()
    if not (user.is_authenticated and user.is_active):
        return reports.none()
    if user.sees_whole_district:
        return reports
    return reports.filter(
        Q(enterprise__in=enterprises_visible_to(user).values("pk"))
        | Q(project__in=projects_visible_to(user).values("pk"))
    )

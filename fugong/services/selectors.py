"""Reads of requests: who sees which (`requests_visible_to`, the one place that decides), the
handling units' queues, and the figures as of any moment (`figures_as_of`), which pages, exports
and the API all call."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from fugong.core.models import Department, User
from fugong.core.rates import format_rate
from fugong.enterprises.selectors import enterprises_visible_to
from fugong.services.access import handler_filter
from fugong.services.models import (
    SATISFIED_RATINGS,
    Assignment,
    Category,
    Extension,
    RequestStep,
    ServiceRequest,
    TaskForce,
    ThankYouLetter,
    UnassignedPeriod,
    handler_key,
)

Role = User.Role
A = Assignment.Status
R = ServiceRequest.Status

FIGURE_ROLES = (Role.LEADER, Role.COORDINATOR, Role.DEPARTMENT, Role.AREA_OFFICER)


def requests_visible_to(user: User) -> QuerySet[ServiceRequest]:
    requests = ServiceRequest.objects.all()
    if not (user.is_authenticated and user.is_active):
        return requests.none()
    if user.is_superuser or user.role in (Role.LEADER, Role.COORDINATOR):
        return requests
    if user.role == Role.DEPARTMENT:
        # Every request the department or one of its task forces has had a part in, including
        # those it passed on: its own work stays visible to it.
        return requests.filter(
            pk__in=Assignment.objects.filter(handler_filter(user)).values("request_id")
        )
    if user.role in (Role.AREA_OFFICER, Role.LIAISON):
        return requests.filter(enterprise__in=enterprises_visible_to(user))
    if user.role == Role.ENTERPRISE:
        return requests.filter(enterprise_id=user.enterprise_id)
    return requests.none()


def assignments_visible_to(user: User) -> QuerySet[Assignment]:
    """The clocks a user's figures are made of: a department its own, everyone else those of
    the requests they see."""
    if user.is_authenticated and user.role == Role.DEPARTMENT and not user.is_superuser:
        return Assignment.objects.filter(handler_filter(user))
    visible = requests_visible_to(user)
    if user.is_superuser or user.role in (Role.LEADER, Role.COORDINATOR):
        return Assignment.objects.all()
    return Assignment.objects.filter(request__in=visible)


def filter_requests(
    requests: QuerySet,
    *,
    q: str = "",
    status: str = "",
    category: str = "",
    department: Department | None = None,
    task_force=None,
    overdue: bool = False,
    enterprise_id: int | None = None,
) -> QuerySet:
    """The filters of the request list, its export and its API endpoint."""
    if q.strip():
        q = q.strip()
        requests = requests.filter(
            Q(number__icontains=q) | Q(title__icontains=q) | Q(enterprise__name__icontains=q)
        )
    if status:
        requests = requests.filter(status=status)
    if category:
        requests = requests.filter(category=category)
    if department or task_force:
        handled = Assignment.objects.filter(department=department, task_force=task_force)
        requests = requests.filter(pk__in=handled.values("request_id"))
    if overdue:
        requests = requests.filter(
            pk__in=overdue_now(Assignment.objects.all()).values("request_id")
        )
    if enterprise_id:
        requests = requests.filter(enterprise_id=enterprise_id)
    return requests


def queue_for(user: User, *, include_replied: bool = False) -> QuerySet[Assignment]:
    """A handling unit's open work, the most urgent deadline first."""
    statuses = [A.PENDING, A.IN_PROGRESS] + ([A.REPLIED] if include_replied else [])
    return (
        Assignment.objects.filter(handler_filter(user), status__in=statuses)
        .select_related("request__enterprise", "department", "task_force", "claimed_by")
        .annotate(
            due=Case(
                When(status=A.PENDING, then=F("claim_due")),
                When(status=A.IN_PROGRESS, then=F("reply_due")),
                default=F("resolve_due"),
            )
        )
        .order_by("due", "id")
    )


def pending_extensions() -> QuerySet[Extension]:
    return (
        Extension.objects.filter(status=Extension.Status.PENDING)
        .select_related(
            "assignment__request__enterprise",
            "assignment__department",
            "assignment__task_force",
            "requested_by",
        )
        .order_by("requested_at")
    )


# Figures as of T


def _ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


@dataclass
class ClockFigures:
    """What a set of clocks (assignments) shows as of T. A clock counts towards a stage's
    on-time rate once it was met or its deadline passed; a unit that passed a request on before
    a deadline is not judged on it."""

    received: int = 0
    claim_decided: int = 0
    claimed_on_time: int = 0
    reply_decided: int = 0
    replied: int = 0
    replied_on_time: int = 0
    resolve_decided: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    overdue: int = 0
    reply_seconds: float = 0.0
    letters: int = 0

    def add(self, other: "ClockFigures") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def claim_on_time_rate(self):
        return _ratio(self.claimed_on_time, self.claim_decided)

    @property
    def reply_on_time_rate(self):
        return _ratio(self.replied_on_time, self.reply_decided)

    @property
    def resolve_on_time_rate(self):
        return _ratio(self.resolved_on_time, self.resolve_decided)

    @property
    def satisfaction_rate(self):
        return _ratio(self.satisfied, self.rated)

    # As people read them: one decimal, never "100%" unless complete (fugong.core.rates).
    @property
    def claim_rate_text(self) -> str:
        return format_rate(self.claimed_on_time, self.claim_decided)

    @property
    def reply_rate_text(self) -> str:
        return format_rate(self.replied_on_time, self.reply_decided)

    @property
    def resolve_rate_text(self) -> str:
        return format_rate(self.resolved_on_time, self.resolve_decided)

    @property
    def satisfaction_text(self) -> str:
        return format_rate(self.satisfied, self.rated)

    @property
    def average_reply_days(self) -> float | None:
        return None if not self.replied else self.reply_seconds / self.replied / 86400

    @property
    def score(self) -> float | None:
        """The ranking's measure: on-time claiming (20%), on-time replies (40%) and satisfaction
        (40%); a rate with nothing to judge yet leaves its weight to the others."""
        parts = [
            (0.2, self.claim_on_time_rate),
            (0.4, self.reply_on_time_rate),
            (0.4, self.satisfaction_rate),
        ]
        known = [(weight, rate) for weight, rate in parts if rate is not None]
        if not known:
            return None
        return sum(weight * rate for weight, rate in known) / sum(w for w, _ in known)


@dataclass
class HandlerRow(ClockFigures):
    key: str = ""
    name: str = ""


@dataclass
class CategoryRow(ClockFigures):
    category: str = ""
    label: str = ""
    requests: int = 0
    closed: int = 0


@dataclass
class RequestFigures:
    at: datetime
    requests: int
    open: int
    closed: int
    unassigned: int
    average_close_days: float | None
    clocks: ClockFigures
    by_handler: list[HandlerRow]
    by_category: list[CategoryRow]
    red_list: list[HandlerRow] = field(default_factory=list)
    black_list: list[HandlerRow] = field(default_factory=list)


PASSED_ON = (A.TRANSFERRED, A.RETURNED, A.CANCELLED)


def _passed_on_before(due: str) -> Q:
    """The unit passed the request on (transferred, returned, withdrawn by the coordinator)
    before this deadline without answering: it is not judged on it."""
    return Q(status__in=PASSED_ON, replied_at__isnull=True, ended_at__lte=F(due))


class SecondsBetween(Func):
    """Seconds from one timestamp to another, computed by the database. Django's own
    `F(end) - F(start)` is evaluated on SQLite by a Python function called for every row, which
    costs more than the rest of the figures query."""

    output_field = FloatField()

    def __init__(self, start, end):
        super().__init__(end, start)  # rendered as end − start

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s))::double precision",
            arg_joiner=" - ",
            **extra,
        )


STAGES_EXTENDED = ("reply", "resolve")


def _deadlines_in_columns() -> dict:
    """The deadlines in force at T for a clock no extension moved after T: its columns."""
    return {f"{stage}_due_at": F(f"{stage}_due") for stage in STAGES_EXTENDED}


def _deadlines_before_later_extensions(at: datetime) -> dict:
    """The deadlines in force at `at` for a clock an extension moved later: as they stood before
    the first extension approved after `at`, which kept them."""
    first_later = Extension.objects.filter(
        assignment=OuterRef("pk"), status=Extension.Status.APPROVED, decided_at__gt=at
    ).order_by("decided_at", "id")
    return {
        f"{stage}_due_at": Subquery(first_later.values(f"{stage}_due_before")[:1])
        for stage in STAGES_EXTENDED
    }


def _clock_aggregates(at: datetime) -> dict:
    """Conditional counts over assignments, evaluated in the database in one pass (with the
    deadlines of `_deadlines_at`)."""
    answered_by_t = Q(replied_at__lte=at)
    completed_by_t = Q(completed_at__lte=at)
    still_theirs_at_t = Q(ended_at__isnull=True) | Q(ended_at__gt=at)
    return {
        "received": Count("id"),
        "claim_decided": Count("id", filter=Q(responded_at__lte=at) | Q(claim_due__lte=at)),
        "claimed_on_time": Count(
            "id", filter=Q(responded_at__lte=at) & Q(responded_at__lte=F("claim_due"))
        ),
        "reply_decided": Count(
            "id",
            filter=answered_by_t | (Q(reply_due_at__lte=at) & ~_passed_on_before("reply_due_at")),
        ),
        "replied": Count("id", filter=answered_by_t),
        "replied_on_time": Count("id", filter=answered_by_t & Q(replied_at__lte=F("reply_due_at"))),
        "resolve_decided": Count(
            "id",
            filter=completed_by_t
            | (Q(resolve_due_at__lte=at) & ~_passed_on_before("resolve_due_at")),
        ),
        "resolved": Count("id", filter=completed_by_t),
        "resolved_on_time": Count(
            "id", filter=completed_by_t & Q(completed_at__lte=F("resolve_due_at"))
        ),
        "rated": Count("id", filter=Q(rated_at__lte=at) & ~Q(rating="")),
        "satisfied": Count("id", filter=Q(rated_at__lte=at, rating__in=SATISFIED_RATINGS)),
        "overdue": Count(
            "id",
            filter=still_theirs_at_t
            & (
                (Q(claim_due__lt=at) & (Q(responded_at__isnull=True) | Q(responded_at__gt=at)))
                | (
                    Q(reply_due_at__lt=at, claimed_at__lte=at)
                    & (Q(replied_at__isnull=True) | Q(replied_at__gt=at))
                )
            ),
        ),
        "reply_seconds": Sum(SecondsBetween("assigned_at", "replied_at"), filter=answered_by_t),
    }


CLOCK_FIELDS = [name for name in ClockFigures.__dataclass_fields__ if name != "letters"]


def _clock_rows(assignments: QuerySet[Assignment], at: datetime) -> list[dict]:
    """The clocks' counts by unit and category, in two passes whose rows add up: the clocks
    whose deadlines are their columns (all of them, as of a moment after the last extension; one
    pass over the covering index, parallel on PostgreSQL), and the few an extension approved
    after `at` moved, which read their earlier deadlines from it."""
    clocks = assignments.filter(assigned_at__lte=at)
    moved_later = Q(last_extended_at__gt=at)
    return [
        *_counted(clocks.exclude(moved_later), at, _deadlines_in_columns()),
        *_counted(clocks.filter(moved_later), at, _deadlines_before_later_extensions(at)),
    ]


def _counted(clocks: QuerySet[Assignment], at: datetime, deadlines: dict) -> list[dict]:
    return list(
        clocks.annotate(responded_at=Coalesce("claimed_at", "ended_at"), **deadlines)
        .values("department_id", "task_force_id", "category")
        .annotate(**_clock_aggregates(at))
        .order_by()
    )


def _fill(target: ClockFigures, row: dict) -> None:
    for name in CLOCK_FIELDS:
        if name == "reply_seconds":
            target.reply_seconds += row["reply_seconds"] or 0.0
        else:
            setattr(target, name, getattr(target, name) + row[name])


def figures_as_of(at: datetime, *, user: User) -> RequestFigures:
    """Requests and their handling as known at `at`, within what `user` may see."""
    rows = _clock_rows(assignments_visible_to(user), at)
    handlers, categories, total = {}, _category_rows(), ClockFigures()
    for row in rows:
        key = handler_key(row["department_id"], row["task_force_id"])
        handler = handlers.setdefault(key, HandlerRow(key=key))
        _fill(handler, row)
        _fill(categories[row["category"]], row)
        _fill(total, row)
    _name_handlers(handlers)
    _count_letters(handlers, total, at, user=user)
    requests = _request_counts(requests_visible_to(user), at, categories)
    by_handler = sorted(handlers.values(), key=_rank_key)
    return RequestFigures(
        at=at,
        clocks=total,
        by_handler=by_handler,
        by_category=[row for row in categories.values() if row.requests or row.received],
        red_list=red_list(by_handler),
        black_list=black_list(by_handler),
        **requests,
    )


def _category_rows() -> dict[str, CategoryRow]:
    return {c.value: CategoryRow(category=c.value, label=c.label) for c in Category}


def _name_handlers(handlers: dict[str, HandlerRow]) -> None:
    department_ids = [int(k[1:]) for k in handlers if k.startswith("d")]
    task_force_ids = [int(k[1:]) for k in handlers if k.startswith("t")]
    for department in Department.objects.filter(pk__in=department_ids):
        handlers[handler_key(department.pk, None)].name = department.name
    for task_force in TaskForce.objects.filter(pk__in=task_force_ids):
        handlers[handler_key(None, task_force.pk)].name = task_force.name


def _count_letters(handlers, total: ClockFigures, at: datetime, *, user: User) -> None:
    letters = ThankYouLetter.objects.filter(received_on__lte=timezone.localtime(at).date())
    if not (user.is_superuser or user.role in (Role.LEADER, Role.COORDINATOR)):
        letters = letters.filter(
            department_id=user.department_id if user.role == Role.DEPARTMENT else None
        )
    for row in letters.values("department_id").annotate(n=Count("id")).order_by():
        key = handler_key(row["department_id"], None)
        if key not in handlers:
            handlers[key] = HandlerRow(key=key)
            _name_handlers({key: handlers[key]})
        handlers[key].letters += row["n"]
        total.letters += row["n"]


def _closing_before_later_reopening(at: datetime):
    """When a request the coordinator reopened after `at` was closed, as known at `at`: its
    last closing or reopening by `at`, if that was a closing (None: open then)."""
    last_by_t = RequestStep.objects.filter(
        request=OuterRef("pk"), action__in=["close", "reopen"], at__lte=at
    ).order_by("-at", "-id")
    closing = Case(When(action="close", then=F("at")))
    return Subquery(last_by_t.annotate(closing=closing).values("closing")[:1])


def _request_counts(requests: QuerySet[ServiceRequest], at: datetime, categories) -> dict:
    """Requests by category, in two passes as `_clock_rows` makes them: those whose closing is
    `closed_at`, and the few the coordinator reopened after `at`, read from their steps."""
    filed = requests.filter(created_at__lte=at)
    reopened_later = Q(last_reopened_at__gt=at)
    rows = [
        *_requests_counted(filed.exclude(reopened_later), at, F("closed_at")),
        *_requests_counted(filed.filter(reopened_later), at, _closing_before_later_reopening(at)),
    ]
    received = closed = 0
    close_seconds = 0.0
    for row in rows:
        categories[row["category"]].requests += row["n"]
        categories[row["category"]].closed += row["closed"]
        received += row["n"]
        closed += row["closed"]
        close_seconds += row["close_seconds"] or 0.0
    return {
        "requests": received,
        "closed": closed,
        "open": received - closed,
        "unassigned": _waiting_at(requests, at),
        "average_close_days": close_seconds / closed / 86400 if closed else None,
    }


def _requests_counted(requests: QuerySet[ServiceRequest], at: datetime, closed) -> list[dict]:
    return list(
        requests.annotate(closed_by_t=closed)
        .values("category")
        .annotate(
            n=Count("id"),
            closed=Count("id", filter=Q(closed_by_t__lte=at)),
            close_seconds=Sum(
                SecondsBetween("created_at", "closed_by_t"), filter=Q(closed_by_t__lte=at)
            ),
        )
        .order_by()
    )


def _waiting_at(requests: QuerySet[ServiceRequest], at: datetime) -> int:
    """Requests waiting for a unit (待分派) at `at`."""
    return (
        UnassignedPeriod.objects.filter(request__in=requests, started_at__lte=at)
        .exclude(ended_at__lte=at)
        .count()
    )


RANKED = 3  # units on each of the red and black lists


def _rank_key(row: HandlerRow):
    score = row.score
    return (score is None, -(score or 0), -row.letters, row.overdue, row.name)


def _list_size(rows: list[HandlerRow]) -> int:
    # With few units, half go on each list at most: two units are not both "best".
    return min(RANKED, sum(row.score is not None for row in rows) // 2)


def red_list(rows: list[HandlerRow]) -> list[HandlerRow]:
    """红榜: the best-scoring units (rows sorted by `_rank_key`)."""
    return [row for row in rows if row.score is not None][: _list_size(rows)]


def black_list(rows: list[HandlerRow]) -> list[HandlerRow]:
    """黑榜: the lowest-scoring units, worst first; a unit with a perfect record is never on it."""
    scored = [row for row in rows if row.score is not None and row.score < 1]
    size = _list_size(rows)
    return list(reversed(scored[-size:])) if size else []


def overdue_now(assignments: QuerySet[Assignment], now: datetime | None = None) -> QuerySet:
    now = now or timezone.now()
    return assignments.filter(
        Q(status=A.PENDING, claim_due__lt=now) | Q(status=A.IN_PROGRESS, reply_due__lt=now)
    )


def near_due(assignments: QuerySet[Assignment], now: datetime | None = None) -> QuerySet:
    """Clocks due before the end of the next day (shown amber in queues)."""
    now = now or timezone.now()
    soon = now + timedelta(days=1)
    return assignments.filter(
        Q(status=A.PENDING, claim_due__gte=now, claim_due__lt=soon)
        | Q(status=A.IN_PROGRESS, reply_due__gte=now, reply_due__lt=soon)
    )

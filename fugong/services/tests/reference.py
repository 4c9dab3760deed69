"""The request figures computed the slow, obvious way: one request at a time, in Python. The
tests hold `selectors.figures_as_of` to it, and `bench/requests_figures.py` times both."""

from collections import defaultdict

from fugong.services.models import SATISFIED_RATINGS, Assignment, ServiceRequest

PASSED_ON = {"transferred", "returned", "cancelled"}
# The counts each (handler, category) cell holds; the figures' rows have fields of these names.
FIELDS = [
    "received",
    "claim_decided",
    "claimed_on_time",
    "reply_decided",
    "replied",
    "replied_on_time",
    "resolve_decided",
    "resolved",
    "resolved_on_time",
    "rated",
    "satisfied",
    "overdue",
]


def _judged(assignment, due, met_at, at) -> tuple[int, int]:
    """(decided, on time) for one clock: met by T, or its deadline passed by T while it was
    still the unit's to meet."""
    met = met_at is not None and met_at <= at
    passed_on = (
        assignment.status in PASSED_ON
        and met_at is None
        and assignment.ended_at is not None
        and assignment.ended_at <= due
    )
    decided = met or (due <= at and not passed_on)
    return int(decided), int(met and met_at <= due)


def figures_by_loop(at) -> dict:
    """{(handler key, category): {figure: value}} and request totals, for every request."""
    cells = defaultdict(lambda: defaultdict(int))
    totals = {"requests": 0, "closed": 0, "unassigned": 0}
    for request in ServiceRequest.objects.filter(created_at__lte=at).order_by("id"):
        totals["requests"] += 1
        totals["closed"] += int(_closed_at(request, at))
        assignments = list(Assignment.objects.filter(request=request, assigned_at__lte=at))
        handled = any(a.ended_at is None or a.ended_at > at for a in assignments)
        totals["unassigned"] += int(not handled and not _closed_at(request, at))
        for a in assignments:
            reply_due, resolve_due = _deadlines_at(a, at)
            key = (
                f"d{a.department_id}" if a.department_id else f"t{a.task_force_id}",
                request.category,
            )
            cell = cells[key]
            cell["received"] += 1
            responded = a.claimed_at or a.ended_at
            responded_by_t = responded is not None and responded <= at
            cell["claim_decided"] += int(responded_by_t or a.claim_due <= at)
            cell["claimed_on_time"] += int(responded_by_t and responded <= a.claim_due)
            decided, on_time = _judged(a, reply_due, a.replied_at, at)
            cell["reply_decided"] += decided
            cell["replied_on_time"] += on_time
            cell["replied"] += int(a.replied_at is not None and a.replied_at <= at)
            completed = a.completed_at if a.completed_at and a.completed_at <= at else None
            cell["resolved"] += int(completed is not None)
            cell["resolved_on_time"] += int(completed is not None and completed <= resolve_due)
            passed_on = (
                a.status in PASSED_ON
                and a.replied_at is None
                and a.ended_at is not None
                and a.ended_at <= resolve_due
            )
            cell["resolve_decided"] += int(
                completed is not None or (resolve_due <= at and not passed_on)
            )
            rated = a.rated_at is not None and a.rated_at <= at and a.rating
            cell["rated"] += int(bool(rated))
            cell["satisfied"] += int(bool(rated) and a.rating in SATISFIED_RATINGS)
            cell["overdue"] += int(_overdue(a, reply_due, at))
    return {"cells": cells, "totals": totals}


def _closed_at(request, at) -> bool:
    """Closed at T, read from the steps: its last closing or reopening by T was a closing."""
    last = (
        request.steps.filter(action__in=["close", "reopen"], at__lte=at)
        .order_by("-at", "-id")
        .first()
    )
    return last is not None and last.action == "close"


def _deadlines_at(a, at):
    """(reply, resolve) deadlines in force at T: before the first extension approved after T."""
    later = (
        a.extensions.filter(status="approved", decided_at__gt=at)
        .order_by("decided_at", "id")
        .first()
    )
    if later is None:
        return a.reply_due, a.resolve_due
    return later.reply_due_before, later.resolve_due_before


def _overdue(a, reply_due, at) -> bool:
    if a.ended_at is not None and a.ended_at <= at:
        return False
    responded = a.claimed_at or a.ended_at
    unclaimed = responded is None or responded > at
    if a.claim_due < at and unclaimed:
        return True
    claimed = a.claimed_at is not None and a.claimed_at <= at
    unreplied = a.replied_at is None or a.replied_at > at
    return reply_due < at and claimed and unreplied

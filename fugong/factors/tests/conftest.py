"""Shuttle fixtures on top of the shared personas: two buses, and helpers that register returning
workers from Henan counties for enterprise A (淮河路街道) and B (解放路街道), which lie at their
streets' centres."""

from datetime import date
from itertools import count

import pytest

from fugong.conftest import at
from fugong.factors import services
from fugong.factors.counties import counties_ensure_loaded
from fugong.factors.models import County, ReturningWorker

SHENQIU, LUSHI = "411624", "411224"
FIRST_DAY = date(2020, 2, 20)
_serial = count(1)


def id_number(n: int, *, county: str = SHENQIU) -> str:
    """A valid 18-digit ID number, different for each n."""
    from stdnum.cn import ric

    body = f"{county}1990{1 + n // 28 % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body)


def mobile(n: int) -> str:
    return f"139{n:08d}"


@pytest.fixture(autouse=True)
def counties(request):
    """The bundled counties, loaded again where a transactional test's flush emptied them."""
    if request.node.get_closest_marker("django_db") is None:
        return  # the planner's own tests need no database
    request.getfixturevalue("district")
    counties_ensure_loaded()


@pytest.fixture
def bus(people):
    """One 45-seat bus (22 passengers at the 50% cap), available from 20 February."""
    return services.vehicle_register(
        actor=people.coordinator,
        plate="豫A88888",
        seats=45,
        operator="郑州公交集团",
        driver_name="司机丙",
        driver_phone="13700000003",
        available_from=FIRST_DAY,
    )


@pytest.fixture
def fleet(people):
    """Two 45-seat buses (22 passengers each at the 50% cap), available from 20 February."""
    return [
        services.vehicle_register(
            actor=people.coordinator,
            plate=plate,
            seats=45,
            operator="郑州公交集团",
            driver_name=name,
            driver_phone=phone,
            available_from=FIRST_DAY,
        )
        for plate, name, phone in (
            ("豫A12345", "司机甲", "13700000001"),
            ("豫A54321", "司机乙", "13700000002"),
        )
    ]


@pytest.fixture
def register(people):
    """Register a returning worker (as the coordinator unless told otherwise)."""

    def make(
        enterprise=None,
        *,
        county: str = SHENQIU,
        earliest: date = FIRST_DAY,
        actor=None,
        **values,
    ) -> ReturningWorker:
        n = next(_serial)
        return services.worker_register(
            actor=actor or people.coordinator,
            enterprise=enterprise or people.enterprise_a.enterprise,
            name=values.pop("name", f"工人{n}"),
            id_number=values.pop("id_number", id_number(n)),
            phone=values.pop("phone", mobile(n)),
            home_county=County.objects.get(code=county),
            earliest_date=earliest,
            at=at("2020-02-15 09:00"),
            **values,
        )

    return make


@pytest.fixture
def plan(people, django_capture_on_commit_callbacks):
    """Request a planning run and let the task (immediate in tests) make it."""

    def run(first_day=FIRST_DAY, last_day=date(2020, 2, 22), **values):
        with django_capture_on_commit_callbacks(execute=True):
            queued = services.planning_request(
                actor=people.coordinator, first_day=first_day, last_day=last_day, **values
            )
        queued.refresh_from_db()
        return queued

    return run


def seats_of(worker):
    """The worker's seats on trips that are still on (planned, under way or done)."""
    from fugong.factors.models import ShuttleTrip

    return worker.seats.filter(
        removed_at__isnull=True, trip__status__in=ShuttleTrip.ACTIVE_STATUSES
    ).select_related("trip")

"""The demo district's daily reports, 2020-02-10 to 2020-03-23 17:00.

Each entity reports when its situation changes: often a first "not resumed" report, the day it
restarts (partly), a step or two up, and the day it is back at full strength. The curve climbs
fastest for above-size industry and slowest for small services, and every entity is back with its
whole workforce by 2020-03-23 17:00 — so the bulletin for that moment reproduces the seed
article's sentence. A few dozen reports show a dip (flagged for the area officer). Deterministic.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from fugong.core.bulk import insert_rows
from fugong.resumption.categories import CONSTRUCTION
from fugong.resumption.models import Difficulty, Report, Source, Status
from fugong.resumption.selectors import _district_days
from fugong.resumption.services import refresh_current_states

SEED = 20200210
FIRST_DAY = date(2020, 2, 10)
LAST_MOMENT = datetime(2020, 3, 23, 17, 0)
REGISTERED_AT = datetime(2020, 2, 1, 9, 0)  # when the demo register was compiled


@dataclass(frozen=True)
class Pace:
    """Days after 2020-02-10 by which entities of a category restart, and reach full strength."""

    restart_from: int
    restart_until: int
    full_until: int  # days after 2020-02-10; 42 is 2020-03-23


PACES = {
    "industry_above": Pace(0, 12, 35),
    "services_above": Pace(2, 20, 39),
    "construction": Pace(5, 28, 39),
    "industry_below": Pace(4, 27, 40),
    "services_below": Pace(7, 40, 42),
}
DIFFICULTIES = [
    (Difficulty.LABOUR, "外地员工返岗难，缺少熟练工人"),
    (Difficulty.EPIDEMIC_SUPPLIES, "口罩、消毒液储备不足"),
    (Difficulty.MATERIALS, "上游原材料供应不足"),
    (Difficulty.LOGISTICS, "物流不畅，产品发不出去"),
    (Difficulty.FINANCE, "房租和工资压力大，流动资金紧张"),
    (Difficulty.POLICY, "不了解减免政策如何申请"),
]


class DemoReports:
    def __init__(self):
        self.rng = random.Random(SEED)
        self.rows: list[dict] = []

    def moment(self, day_offset: int, *, latest: datetime | None = None) -> datetime:
        day = FIRST_DAY + timedelta(days=day_offset)
        moment = datetime.combine(day, time(self.rng.randint(8, 16), self.rng.randrange(60)))
        if latest is not None and moment > latest:
            moment = latest - timedelta(minutes=self.rng.randint(1, 300))
        return moment

    def entity(self, *, subject: str, pk: int, category: str, payroll: int, dip: bool) -> None:
        pace = PACES[category]
        restart = self.rng.randint(pace.restart_from, pace.restart_until)
        full = self.rng.randint(restart, pace.full_until)
        plan: list[tuple[int, str, int]] = []  # (day offset, status, on duty)
        if self.rng.random() < 0.9 and restart > 0:
            plan.append(
                (self.rng.randint(0, restart - 1), Status.NOT_RESUMED, self._skeleton_crew(payroll))
            )
        if payroll <= 3 or full == restart:
            plan.append((full, Status.RESUMED, payroll))
        else:
            duty = max(1, round(payroll * self.rng.uniform(0.2, 0.6)))
            plan.append((restart, Status.PARTLY, duty))
            for step in self._steps(restart, full):
                duty = min(payroll - 1, max(duty + 1, round(duty * self.rng.uniform(1.1, 1.6))))
                plan.append((step, Status.PARTLY, duty))
            if dip and len(plan) >= 2:
                plan.append((plan[-1][0], Status.PARTLY, max(1, plan[-1][2] // 3)))
            plan.append((full, Status.RESUMED, payroll))
        self._write(subject, pk, payroll, plan)

    def _steps(self, restart: int, full: int) -> list[int]:
        """Days between restarting and full strength on which more workers came back."""
        between = range(restart + 1, full)
        if not between or self.rng.random() < 0.15:
            return []
        return sorted(self.rng.sample(between, min(len(between), self.rng.randint(1, 3))))

    def _skeleton_crew(self, payroll: int) -> int:
        return min(payroll, self.rng.randint(0, max(0, payroll // 20)))

    def _write(self, subject: str, pk: int, payroll: int, plan) -> None:
        previous = None
        for n, (offset, status, duty) in enumerate(plan):
            final = n == len(plan) - 1
            latest = LAST_MOMENT if offset >= 42 else None
            at = self.moment(offset, latest=latest)
            if previous is not None and at <= previous:
                at = previous + timedelta(minutes=self.rng.randint(10, 90))
            if at > LAST_MOMENT:
                at = LAST_MOMENT
            previous = at
            difficulty = (
                self.rng.choice(DIFFICULTIES)
                if not final and self.rng.random() < 0.12
                else ("", "")
            )
            aware = timezone.make_aware(at)
            self.rows.append(
                {
                    f"{subject}_id": pk,
                    "reported_at": aware,
                    "recorded_at": aware,
                    "status": status,
                    "workers_on_payroll": payroll,
                    "workers_on_duty": duty,
                    "returned_from_outside": round(duty * self.rng.uniform(0, 0.4)),
                    "in_quarantine": 0
                    if final
                    else min(duty, self.rng.randint(0, max(0, duty // 15))),
                    "capacity_percent": self._capacity(duty, payroll, final=final),
                    "difficulty_category": difficulty[0],
                    "difficulty": difficulty[1],
                    "source": Source.DEMO,
                    "flags": [],
                    "superseded_at": None,
                }
            )
            self._flag(previous_row=self.rows[-2] if n else None, row=self.rows[-1])

    def _capacity(self, duty: int, payroll: int, *, final: bool) -> int:
        if final:
            return 100
        return max(0, min(99, round(100 * duty / payroll) + self.rng.randint(-5, 5)))

    def _flag(self, *, previous_row, row) -> None:
        if previous_row and previous_row["workers_on_duty"] > 2 * row["workers_on_duty"]:
            row["flags"] = ["duty_halved"]


def load(*, enterprises, projects) -> int:
    """Write the reports of the demo register; returns how many."""
    reports = DemoReports()
    dips = set(reports.rng.sample(range(len(enterprises)), 40))
    for index, enterprise in enumerate(enterprises):
        reports.entity(
            subject="enterprise",
            pk=enterprise.pk,
            category=enterprise.category,
            payroll=enterprise.payroll_headcount,
            dip=index in dips,
        )
    for project in projects:
        reports.entity(
            subject="project",
            pk=project.pk,
            category=CONSTRUCTION,
            payroll=project.payroll_headcount,
            dip=False,
        )
    reports.rows.sort(key=lambda row: row["reported_at"])
    insert_rows(Report, reports.rows)
    refresh_current_states()
    return len(reports.rows)


def registered_at() -> datetime:
    return timezone.make_aware(REGISTERED_AT)


def store_daily_snapshots() -> None:
    """The trend chart's past days, computed once at load instead of on the first visit."""
    last = LAST_MOMENT.date()
    _district_days([FIRST_DAY + timedelta(days=n) for n in range((last - FIRST_DAY).days)])

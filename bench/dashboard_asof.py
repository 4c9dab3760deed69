#!/usr/bin/env python
"""As-of figures benchmark: the demo district's 27,383 entities, each reporting every day for
43 days (about 1.2 million reports, generated here), and the full figure set (total, five
categories, every street, town and park) computed as of 20 random moments.

Baseline in the same run: the naive way, one "latest report at or before T" query per entity.

    .venv/bin/python bench/dashboard_asof.py                     # SQLite and PostgreSQL
    .venv/bin/python bench/dashboard_asof.py --only sqlite

Targets (issue 3): p95 under 300 ms on both databases, at least 20x the naive baseline.
"""

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from import_enterprises import fresh_database, setup_django  # noqa: E402

DAYS = 43
MOMENTS = 20
NAIVE_MOMENTS = 3
SEED = 43


def build(stdout) -> int:
    """The register and ~1.2 million daily reports, written in bulk."""
    from django.core.management import call_command
    from django.utils import timezone

    from fugong.core import demo as core_demo
    from fugong.core.bulk import insert_rows
    from fugong.enterprises import demo as enterprise_demo
    from fugong.resumption.models import Report
    from fugong.resumption.services import refresh_current_states

    call_command("migrate", verbosity=0)
    regions = core_demo.load_regions()
    start = timezone.make_aware(datetime(2020, 2, 10, 8, 0))
    register = enterprise_demo.load(regions=regions, registered_at=start - timedelta(days=9))
    entities = [("enterprise_id", e.pk, e.payroll_headcount) for e in register["enterprises"]]
    entities += [("project_id", p.pk, p.payroll_headcount) for p in register["projects"]]
    rng = random.Random(SEED)
    restart = {pk: rng.randint(0, DAYS - 1) for _kind, pk, _payroll in entities}
    total = 0
    for day in range(DAYS):
        rows = []
        for kind, pk, payroll in entities:
            back = day >= restart[pk]
            duty = (
                payroll
                if day >= restart[pk] + 5
                else (max(1, payroll * (day - restart[pk] + 1) // 6) if back else 0)
            )
            moment = start + timedelta(days=day, minutes=rng.randrange(9 * 60))
            rows.append(
                {
                    kind: pk,
                    "reported_at": moment,
                    "recorded_at": moment,
                    "status": ("resumed" if duty == payroll else "partly")
                    if back
                    else "not_resumed",
                    "workers_on_payroll": payroll,
                    "workers_on_duty": min(duty, payroll),
                    "source": "demo",
                    "flags": [],
                    "superseded_at": None,
                }
            )
        insert_rows(Report, rows)
        total += len(rows)
        stdout(f"  day {day + 1}/{DAYS}: {total:,} reports")
    refresh_current_states()
    return total


def measure() -> dict:
    from django.db import connection
    from django.utils import timezone

    from fugong.resumption.models import Report
    from fugong.resumption.selectors import DISTRICT, figures_as_of

    def log(message):
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    reports = build(log)
    build_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:  # fresh planner statistics, as a running system has
        cursor.execute("ANALYZE")
    start = timezone.make_aware(datetime(2020, 2, 10, 0, 0))
    rng = random.Random(SEED)
    moments = [start + timedelta(minutes=rng.randrange(DAYS * 24 * 60)) for _ in range(MOMENTS)]
    figures_as_of(moments[0], user=DISTRICT)  # warm the caches once, as a live server would be
    ours = []
    for moment in moments:
        began = time.perf_counter()
        figures = figures_as_of(moment, user=DISTRICT)
        ours.append((time.perf_counter() - began) * 1000)
    checks = figures.total.entities

    naive = []
    for moment in moments[:NAIVE_MOMENTS]:
        began = time.perf_counter()
        _naive_figures(moment)
        naive.append((time.perf_counter() - began) * 1000)
    ours_sorted = sorted(ours)
    return {
        "vendor": connection.vendor,
        "reports": reports,
        "entities": checks,
        "build_seconds": build_seconds,
        "median_ms": statistics.median(ours),
        "p95_ms": ours_sorted[int(0.95 * len(ours)) - 1],
        "max_ms": ours_sorted[-1],
        "naive_median_ms": statistics.median(naive),
        "report_count_check": Report.objects.count(),
    }


def _naive_figures(moment) -> tuple[int, int]:
    """One query per entity for its latest report at or before the moment."""
    from fugong.enterprises.models import ConstructionProject, Enterprise
    from fugong.resumption.models import Report

    resumed = counted = 0
    for model, key in ((Enterprise, "enterprise_id"), (ConstructionProject, "project_id")):
        for pk in model.objects.filter(created_at__lte=moment).values_list("pk", flat=True):
            latest = (
                Report.objects.filter(
                    **{key: pk}, reported_at__lte=moment, superseded_at__isnull=True
                )
                .order_by("-reported_at", "-id")
                .values_list("status", flat=True)
                .first()
            )
            counted += latest != "closed"
            resumed += latest in ("partly", "resumed")
    return counted, resumed


def main() -> None:
    if len(sys.argv) >= 2 and sys.argv[1] == "--measure":
        setup_django(Path(os.environ["FUGONG_VAR_DIR"]), os.environ["DATABASE_URL"])
        print(json.dumps(measure()))
        return
    only = sys.argv[2] if len(sys.argv) == 3 and sys.argv[1] == "--only" else None
    work = Path(tempfile.mkdtemp(prefix="fugong-bench-"))
    targets = {
        "sqlite": "sqlite://",
        "postgresql": os.environ.get(
            "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
    }
    for name, base in targets.items():
        if only and name != only:
            continue
        env = {
            **os.environ,
            "FUGONG_VAR_DIR": str(work),
            "DATABASE_URL": fresh_database(base, "fugong_bench_asof", work),
        }
        print(f"{name}: building …", flush=True)
        output = subprocess.run(
            [sys.executable, __file__, "--measure"],
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        r = json.loads(output.strip().splitlines()[-1])
        print(
            f"{r['vendor']}: {r['entities']:,} entities, {r['reports']:,} reports "
            f"(built in {r['build_seconds']:.0f} s)"
        )
        print(
            f"  figures as of {MOMENTS} random moments: median {r['median_ms']:.0f} ms, "
            f"p95 {r['p95_ms']:.0f} ms, max {r['max_ms']:.0f} ms (target p95 < 300 ms)"
        )
        print(
            f"  naive, one query per entity ({NAIVE_MOMENTS} moments): median "
            f"{r['naive_median_ms']:.0f} ms → ratio {r['naive_median_ms'] / r['median_ms']:.0f}x "
            f"(target >= 20x)"
        )


if __name__ == "__main__":
    main()

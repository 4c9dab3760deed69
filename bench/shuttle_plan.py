#!/usr/bin/env python
"""Shuttle planning benchmark (issue 6): 3,200 returning workers from 12 Henan counties (the
demo's, with their real seats from the bundled division table) to 300 enterprises spread over
the district, 45-seat buses filled to at most 50%, planned over three weeks by
`fugong.factors.planning.plan_trips` (OR-Tools), next to the first-fit baseline on the same input
in the same run (`first_fit`: registration order, the first bus with a free seat, stops as they
come).

Workers' earliest dates are spread over the first two weeks (most early on). Two shapes of
demand are run: every county every day ("daily"), and each county on its collection days, every
third day ("every 3 days"), as the demo district's buses ran.

    .venv/bin/python bench/shuttle_plan.py
    .venv/bin/python bench/shuttle_plan.py --workers 6400 --buses 30

Target: each plan in under 30 s; vehicles used and total distance printed with the baseline's.
Nothing is written to a database: the planner works on plain values, as the service gives it.
"""

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 30
COUNTY_CODES = [
    "411624",  # 沈丘县
    "411224",  # 卢氏县
    "411625",
    "411627",
    "411628",
    "411681",
    "411525",
    "411528",
    "411381",
    "411481",
    "410581",
    "411326",
]
FIRST_DAY = date(2020, 2, 12)
# The district, roughly: Erqi lies between these (GCJ-02).
LATITUDES, LONGITUDES = (34.60, 34.76), (113.52, 113.70)


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fugong.test_settings")
    import django

    django.setup()


def world(args):
    from fugong.factors.counties import reference_rows
    from fugong.factors.planning import Bus, Place, Rider

    rng = random.Random(args.seed)
    rows = {row["code"]: row for row in reference_rows()}
    counties = [
        Place(
            f"county:{code}",
            rows[code]["name"],
            float(rows[code]["latitude"]),
            float(rows[code]["longitude"]),
        )
        for code in COUNTY_CODES[: args.counties]
    ]
    weights = [max(1, 12 - n) for n in range(len(counties))]  # 沈丘 and 卢氏 send the most
    enterprises = [
        Place(f"enterprise:{n}", f"企业{n}", rng.uniform(*LATITUDES), rng.uniform(*LONGITUDES))
        for n in range(args.enterprises)
    ]
    depot = Place("district", "二七区", 34.724114, 113.640211)
    riders = {"daily": [], "every 3 days": []}
    for n in range(args.workers):
        county = rng.choices(range(len(counties)), weights)[0]
        offset = min(int(rng.triangular(0, args.spread, args.spread * 0.25)), args.spread - 1)
        destination = rng.choice(enterprises)
        for shape, every in (("daily", 1), ("every 3 days", 3)):
            day = offset + (county - offset) % every
            riders[shape].append(
                Rider(n, counties[county], destination, FIRST_DAY + timedelta(days=day), True, n)
            )
    buses = [Bus(n, args.seats, order=n) for n in range(args.buses)]
    return riders, buses, depot


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=3200)
    parser.add_argument("--counties", type=int, default=12)
    parser.add_argument("--enterprises", type=int, default=300)
    parser.add_argument("--seats", type=int, default=45)
    parser.add_argument("--cap", type=float, default=0.5)
    parser.add_argument(
        "--buses", type=int, default=40, help="the fleet (more than the peak needs)"
    )
    parser.add_argument("--spread", type=int, default=14, help="days over which workers can leave")
    parser.add_argument("--days", type=int, default=21, help="days in the planning range")
    parser.add_argument("--max-wait", type=int, default=0, help="days a few workers may wait")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    setup()
    from fugong.factors.planning import first_fit, plan_trips

    riders, buses, depot = world(args)
    last_day = FIRST_DAY + timedelta(days=args.days - 1)
    print(
        f"{args.workers} workers, {args.counties} counties, {args.enterprises} enterprises, "
        f"{args.buses} buses of {args.seats} seats at {args.cap:.0%}, "
        f"{FIRST_DAY} to {last_day}; load average {os.getloadavg()[0]:.2f}"
    )
    failed = False
    for shape, group in riders.items():
        kwargs = {
            "first_day": FIRST_DAY,
            "last_day": last_day,
            "depot": depot,
            "seat_cap": args.cap,
            "max_wait_days": args.max_wait,
        }
        started = time.perf_counter()
        plan = plan_trips(group, buses, **kwargs)
        seconds = time.perf_counter() - started
        baseline = first_fit(group, buses, **kwargs)
        saved = 1 - plan.distance_km / baseline.distance_km
        print(f"\n{shape}:")
        print(f"  {'':12}{'vehicles':>9}{'trips':>7}{'km':>10}{'unplanned':>11}{'seconds':>9}")
        for name, p, s in (("planner", plan, seconds), ("first-fit", baseline, baseline.seconds)):
            print(
                f"  {name:12}{p.vehicles_used:>9}{len(p.trips):>7}{p.distance_km:>10,.0f}"
                f"{len(p.unplanned):>11}{s:>9.2f}"
            )
        print(
            f"  distance {saved:.1%} shorter, {baseline.vehicles_used - plan.vehicles_used} "
            f"vehicle(s) and {len(baseline.trips) - len(plan.trips)} trip(s) fewer; "
            f"seat cap respected: {all(t.load <= t.capacity for t in plan.trips)}"
        )
        failed |= seconds > TARGET_SECONDS
    print(f"\ntarget: under {TARGET_SECONDS} s each: {'NOT MET' if failed else 'met'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

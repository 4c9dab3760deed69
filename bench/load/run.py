#!/usr/bin/env python
"""Load test: gunicorn + PostgreSQL on loopback, the demo district, and locust.

  1. mixed load: 200 enterprises posting reports (1–3 s between reports, each with its own API
     key and Idempotency-Key) while 10 leaders reload the dashboard (2–5 s between reloads);
  2. capacity: report submission with no pause between requests;
  3. capacity of a trivial Django view (the health check), the same way — the baseline.

    .venv/bin/pip install -e '.[bench]'        # locust
    .venv/bin/python bench/load/run.py [--duration 60]

Targets (issue 7): zero errors; p95 under 300 ms for report submission; report capacity at least
40% of the trivial view's.
"""

import argparse
import csv
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
LEADER_PASSWORD = "load-test-2020"
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(work: Path, *, enterprises: int = 200) -> dict:
    """A fresh PostgreSQL database with the demo district, and keys for `enterprises` HR
    systems. Returns the environment the server and locust need."""
    sys.path.insert(0, str(ROOT / "bench"))
    from import_enterprises import fresh_database

    env = {
        **os.environ,
        "FUGONG_VAR_DIR": str(work),
        "FUGONG_LOG_LEVEL": "WARNING",
        "DATABASE_URL": fresh_database(POSTGRES, "fugong_load", work),
        "DJANGO_SETTINGS_MODULE": "fugong.settings",
    }
    fugong = [PYTHON, "-m", "fugong"]
    subprocess.run([*fugong, "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [*fugong, "demo", "--password", LEADER_PASSWORD],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    accounts = work / "accounts.json"
    subprocess.run(
        [*fugong, "shell", "-c", _ACCOUNTS_SCRIPT.format(n=enterprises, path=accounts)],
        env=env,
        check=True,
    )
    return {**env, "FUGONG_LOAD_ACCOUNTS": str(accounts), "FUGONG_LOAD_PASSWORD": LEADER_PASSWORD}


_ACCOUNTS_SCRIPT = """
import json
from fugong.core.api_keys import api_key_create
from fugong.core.services import user_create
from fugong.enterprises.models import Enterprise
accounts = []
for n, e in enumerate(Enterprise.objects.filter(payroll_headcount__gt=0).order_by("id")[:{n}]):
    user = user_create(username=f"hr{{n}}", role="enterprise", password=None, enterprise=e)
    _key, token = api_key_create(user=user, name="人事系统", scope="reports")
    accounts.append({{"enterprise": e.pk, "payroll": e.payroll_headcount, "token": token}})
open("{path}", "w").write(json.dumps(accounts))
"""


class Server:
    """gunicorn serving the site on a free loopback port."""

    def __init__(self, env: dict, *, workers: int = 4, threads: int = 4):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(Path(env["FUGONG_VAR_DIR"]) / "gunicorn.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "fugong.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--worker-class",
                "gthread",
                "--keep-alive",
                "75",
                "--access-logfile",
                "/dev/null",
            ],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.wait_healthy(60)

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def wait_healthy(self, seconds: float) -> float:
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            if self.healthy():
                return time.monotonic() - started
            time.sleep(0.1)
        raise RuntimeError("the server did not become healthy")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # ended meanwhile
        return 0.0
    # Its own time and its ended children's: PostgreSQL's backends come and go with connections.
    return sum(int(n) for n in fields[11:15]) / TICKS  # utime, stime, cutime, cstime


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    return [int(c) for t in tasks.iterdir() for c in (t / "children").read_text().split()]


def _postmaster_pid() -> int:
    """The pid of the PostgreSQL server the benchmark uses (not any other on the machine)."""
    import psycopg

    with psycopg.connect(POSTGRES) as db:
        data_directory = db.execute("SHOW data_directory").fetchone()[0]
    return int((Path(data_directory) / "postmaster.pid").read_text().split()[0])


class CpuMeter:
    """CPU time (Linux /proc) spent by the web server, PostgreSQL and the load generator while
    a phase runs: what a request costs each, which bounds the throughput on a shared machine."""

    def __init__(self, server: "Server"):
        self.server = server
        self.postmaster = _postmaster_pid()

    def _now(self) -> dict:
        web = [self.server.process.pid, *_children(self.server.process.pid)]
        # Ended children of this script: locust, the only one that runs and ends during a phase.
        clients = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {
            "server": sum(_cpu_seconds(p) for p in web),
            "postgres": sum(
                _cpu_seconds(p) for p in [self.postmaster, *_children(self.postmaster)]
            ),
            "locust": clients.ru_utime + clients.ru_stime,
        }

    def __enter__(self):
        self.before = self._now()
        return self

    def __exit__(self, *exc):
        after = self._now()
        self.seconds = {k: after[k] - self.before[k] for k in after}

    def per_request(self, rows: list[dict]) -> dict:
        """Milliseconds of CPU per request of the phase's locust rows, by process group."""
        requests = max(sum(int(r["Request Count"]) for r in rows), 1)
        return {k: v / requests * 1000 for k, v in self.seconds.items()}


def describe_cpu(cost: dict) -> str:
    return (
        f"CPU per request: server {cost['server']:.2f} ms, PostgreSQL {cost['postgres']:.2f} ms, "
        f"load generator {cost['locust']:.2f} ms, in all {sum(cost.values()):.2f} ms"
    )


def locust(
    env: dict,
    server: Server,
    classes: list[str],
    *,
    users: int,
    seconds: int,
    prefix: Path,
    extra_env: dict | None = None,
) -> list[dict]:
    subprocess.run(
        [
            PYTHON,
            "-m",
            "locust",
            "-f",
            str(ROOT / "bench/load/locustfile.py"),
            "--headless",
            "-u",
            str(users),
            "-r",
            str(min(users, 50)),
            "-t",
            f"{seconds}s",
            "--host",
            server.url,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            *classes,
        ],
        env={**env, **(extra_env or {})},
        check=False,
        stdout=subprocess.DEVNULL,
    )
    with open(f"{prefix}_stats.csv", newline="") as f:
        return [row for row in csv.DictReader(f) if row["Name"] != "Aggregated"]


def describe(row: dict) -> str:
    return (
        f"{row['Name']:<32} {int(row['Request Count']):>7} requests "
        f"{float(row['Requests/s']):>7.1f}/s  p50 {row['50%']:>5} ms  p95 {row['95%']:>5} ms"
        f"  p99 {row['99%']:>5} ms  errors {row['Failure Count']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fugong-load-"))
    print("preparing the demo district on PostgreSQL …", flush=True)
    env = prepare(work)
    server = Server(env, workers=args.workers, threads=args.threads)
    print(f"gunicorn: {args.workers} workers × {args.threads} threads", flush=True)
    try:
        print(
            f"1. mixed load: 200 enterprises reporting, 10 leaders on the dashboard, "
            f"{args.duration} s"
        )
        mixed = locust(
            env,
            server,
            ["Enterprise", "Leader"],
            users=210,
            seconds=args.duration,
            prefix=work / "mixed",
        )
        for row in mixed:
            print("   " + describe(row))
        print("2. capacity, report submission (50 users, no pause, 30 s)")
        with CpuMeter(server) as report_cpu:
            rows = locust(
                env, server, ["ReportSaturation"], users=50, seconds=30, prefix=work / "reports"
            )
        [reports] = [r for r in rows if "reports" in r["Name"]]
        print("   " + describe(reports))
        report_cost = report_cpu.per_request(rows)
        print("   " + describe_cpu(report_cost))
        print("3. capacity, trivial view (50 users, no pause, 30 s)")
        with CpuMeter(server) as trivial_cpu:
            [trivial] = locust(
                env, server, ["TrivialSaturation"], users=50, seconds=30, prefix=work / "trivial"
            )
        print("   " + describe(trivial))
        trivial_cost = trivial_cpu.per_request([trivial])
        print("   " + describe_cpu(trivial_cost))
    finally:
        server.stop()
    submissions = next(r for r in mixed if "reports" in r["Name"])
    errors = sum(int(r["Failure Count"]) for r in [*mixed, reports, trivial])
    ratio = float(reports["Requests/s"]) / float(trivial["Requests/s"])
    print(
        f"errors: {errors} (target 0); report p95 under load: {submissions['95%']} ms "
        f"(target < 300); report capacity = {ratio:.0%} of the trivial view's (target ≥ 40%)"
    )
    # On a machine the load generator shares, throughput is the cores over the CPU a request
    # costs everyone: this is the ratio those costs allow.
    report_total, trivial_total = sum(report_cost.values()), sum(trivial_cost.values())
    print(
        f"CPU per request in all: report {report_total:.2f} ms, trivial view "
        f"{trivial_total:.2f} ms (ratio {trivial_total / report_total:.0%})"
    )


if __name__ == "__main__":
    main()

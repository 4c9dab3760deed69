#!/usr/bin/env python
"""Fault test: PostgreSQL restarts in the middle of the morning rush.

200 enterprises post reports (each with an Idempotency-Key) for 60 s; 20 s in, the PostgreSQL
cluster is restarted. Afterwards every submission the API acknowledged with 201 must be in the
database (the client's log of acknowledged keys against the stored idempotency records and the
reports they point to), and the site must serve again within 10 s of the database's return,
without being restarted itself.

    .venv/bin/python bench/faults/run.py
"""

import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "load"))

import run as load  # noqa: E402

RESTART_AFTER = 20
DURATION = 60


def postgres_ready() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode == 0


def restart_postgres() -> float:
    """Restart the local cluster; returns the moment it accepts connections again."""
    version = sorted(Path("/etc/postgresql").iterdir())[-1].name
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast"],
        check=True,
    )
    while not postgres_ready():
        time.sleep(0.05)
    return time.monotonic()


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="fugong-faults-"))
    print("preparing the demo district on PostgreSQL …", flush=True)
    env = load.prepare(work)
    acknowledged = work / "acknowledged.txt"
    server = load.Server(env)
    outcome = {}

    def fault():
        time.sleep(RESTART_AFTER)
        started = time.monotonic()
        back = restart_postgres()
        outcome["outage_seconds"] = back - started
        while not server.healthy():
            time.sleep(0.05)
        outcome["recovery_seconds"] = time.monotonic() - back

    threading.Thread(target=fault, daemon=True).start()
    try:
        rows = load.locust(
            env,
            server,
            ["Enterprise"],
            users=200,
            seconds=DURATION,
            prefix=work / "faults",
            extra_env={"FUGONG_LOAD_ACKNOWLEDGED": str(acknowledged)},
        )
    finally:
        server.stop()
    keys = {line.strip() for line in acknowledged.read_text().splitlines() if line.strip()}
    stored = json.loads(
        subprocess.run(
            [sys.executable, "-m", "fugong", "shell", "-c", _CHECK_SCRIPT],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    missing = keys - set(stored["keys"])
    [reports] = [r for r in rows if "reports" in r["Name"]]
    print(
        f"submissions: {int(reports['Request Count'])}, refused during the outage: "
        f"{reports['Failure Count']}"
    )
    print(
        f"acknowledged with 201: {len(keys)}; of these missing from the database: "
        f"{len(missing)} (target 0); acknowledged reports not found: "
        f"{stored['reports_missing']} (target 0)"
    )
    print(
        f"PostgreSQL restart took {outcome.get('outage_seconds', float('nan')):.1f} s; "
        f"the site served again {outcome.get('recovery_seconds', float('nan')):.2f} s after "
        f"the database was back (target < 10 s, no restart of the site)"
    )


_CHECK_SCRIPT = """
import json
from fugong.core.models import IdempotencyRecord
from fugong.resumption.models import Report
records = IdempotencyRecord.objects.filter(scope="/api/v1/reports/")
ids = {r.body["id"] for r in records}
found = set(Report.objects.filter(pk__in=ids).values_list("pk", flat=True))
print(json.dumps({"keys": list(records.values_list("key", flat=True)),
                  "reports_missing": len(ids - found)}))
"""


if __name__ == "__main__":
    main()

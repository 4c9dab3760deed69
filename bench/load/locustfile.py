"""The morning every enterprise reports at once: enterprises posting daily reports through the
API (each with its own key and an Idempotency-Key), leaders reloading the dashboard, and — for
comparison in the same run — a trivial Django view.

Run through bench/load/run.py, which prepares the database, the keys and the server."""

import json
import os
import random
import uuid
from pathlib import Path

from locust import HttpUser, between, constant, events, task

ACCOUNTS = json.loads(Path(os.environ["FUGONG_LOAD_ACCOUNTS"]).read_text())
LEADER_PASSWORD = os.environ["FUGONG_LOAD_PASSWORD"]
ACKNOWLEDGED = os.environ.get("FUGONG_LOAD_ACKNOWLEDGED")  # file: one Idempotency-Key per 201
# Kept open for the whole run (closed when locust quits), flushed after every line.
_acknowledged = open(ACKNOWLEDGED, "a") if ACKNOWLEDGED else None  # noqa: SIM115


class Enterprise(HttpUser):
    """An enterprise's HR system posting its daily report."""

    weight = 20
    wait_time = between(1, 3)

    def on_start(self):
        self.account = random.choice(ACCOUNTS)

    @task
    def report(self):
        payroll = self.account["payroll"]
        key = uuid.uuid4().hex
        with self.client.post(
            "/api/v1/reports/",
            name="POST /api/v1/reports/",
            json={
                "enterprise": self.account["enterprise"],
                "status": "resumed",
                "workers_on_payroll": payroll,
                "workers_on_duty": random.randint(max(1, payroll // 2), payroll),
            },
            headers={"Authorization": f"Bearer {self.account['token']}", "Idempotency-Key": key},
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                response.success()
                if _acknowledged:
                    _acknowledged.write(key + "\n")
                    _acknowledged.flush()
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")


class Leader(HttpUser):
    """A district leader reloading the dashboard (as of now)."""

    weight = 1
    wait_time = between(2, 5)

    def on_start(self):
        page = self.client.get("/accounts/login/", name="login")
        token = page.cookies.get("csrftoken") or self.client.cookies.get("csrftoken")
        self.client.post(
            "/accounts/login/",
            name="login",
            data={"username": "leader", "password": LEADER_PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"},
        )

    @task
    def dashboard(self):
        self.client.get("/dashboard/", name="GET /dashboard/")


class Saturating(HttpUser):
    """No think time: how many requests a second the server can take (baseline phases)."""

    abstract = True
    wait_time = constant(0)


class ReportSaturation(Saturating):
    def on_start(self):
        self.account = random.choice(ACCOUNTS)

    @task
    def report(self):
        Enterprise.report(self)


class TrivialSaturation(Saturating):
    @task
    def trivial(self):
        self.client.get("/healthz", name="GET /healthz (trivial view)")


@events.quitting.add_listener
def _close(environment, **kwargs):
    if _acknowledged:
        _acknowledged.close()

"""`fugong run` serves the site and runs the task worker; stopping it stops both."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def processes_with(marker: str) -> list[int]:
    """PIDs whose environment mentions `marker` (our temporary var directory)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return json.load(response)["status"] == "ok"
    except OSError:
        return False


def test_run_serves_works_in_the_background_and_stops_cleanly(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "FUGONG_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "fugong.settings",
        "FUGONG_TASKS_BACKEND": "database",
        "FUGONG_NOTIFICATION_BACKEND": "fugong.core.notifications.FileBackend",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fugong",
            "run",
            "--no-demo",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(lambda: healthy(f"http://127.0.0.1:{port}/healthz"), 60, "the web server")
        login_page = urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/").read()
        assert "登录复工通".encode() in login_page

        # A notification enqueued from another process is delivered by the running worker.
        subprocess.run(
            [
                sys.executable,
                "-m",
                "fugong",
                "shell",
                "-c",
                (
                    "from fugong.core.services import notify, user_create;"
                    "u = user_create(username='probe', role='leader', password=None, phone='13812345678');"
                    "notify(recipients=[u], title='探针', body='后台任务进程在运行')"
                ),
            ],
            env=env,
            check=True,
            timeout=60,
        )
        wait_for(lambda: list((tmp_path / "outbox").glob("sms-*.jsonl")), 30, "the task worker")

        assert len(processes_with(str(tmp_path))) >= 3  # run, worker, gunicorn master
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    assert "复工通已停止" in output
    wait_for(lambda: not processes_with(str(tmp_path)), 15, "every child to stop")

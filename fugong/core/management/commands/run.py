"""`fugong run`: migrate, load the demo district into an empty database, then serve the site and
run the task worker and the scheduler side by side until interrupted. Stopping one stops all."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "迁移数据库、空库时载入演示区，然后同时启动网站（gunicorn）、后台任务进程和定时任务进程。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("FUGONG_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("FUGONG_WORKERS", 2)))
        parser.add_argument("--no-demo", action="store_true", help="空库时也不载入演示区")

    def handle(self, *args, bind, workers, no_demo, **options):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("数据库已迁移。")
        if not no_demo:
            call_command("demo", if_empty=True, stdout=self.stdout)
        call_command("collectstatic", interactive=False, verbosity=0)
        children = [
            self._spawn([sys.executable, "-m", "fugong", "db_worker", "--interval", "1"]),
            self._spawn([sys.executable, "-m", "fugong", "scheduler"]),
            self._spawn(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "fugong.wsgi:application",
                    "--bind",
                    bind,
                    "--workers",
                    str(workers),
                    "--access-logfile",
                    "-",
                    "--graceful-timeout",
                    "5",
                ]
            ),
        ]
        self.stdout.write(self.style.SUCCESS(f"复工通已启动：http://{bind}/  （Ctrl-C 停止）"))
        self._supervise(children)

    def _spawn(self, command: list[str]) -> subprocess.Popen:
        return subprocess.Popen(command, start_new_session=True)

    def _supervise(self, children: list[subprocess.Popen]) -> None:
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.2)
        for child in children:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for child in children:
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        if not stopping:
            failed = next(c for c in children if c.poll() is not None)
            raise CommandError(
                f"子进程 {failed.args[2]} 意外退出（退出码 {failed.returncode}），已全部停止。"
            )
        self.stdout.write("复工通已停止。")

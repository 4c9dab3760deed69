"""`fugong scheduler`: enqueue the periodic tasks (deadline escalation, …) on a fixed interval.
The task worker runs them; this process only says when."""

import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "按固定间隔把周期任务（诉求督办、逾期未评价自动办结等）放入任务队列。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=int,
            default=settings.FUGONG_SCHEDULER_SECONDS,
            help="两次之间的秒数",
        )
        parser.add_argument("--once", action="store_true", help="只放入一次，然后退出")

    def handle(self, *args, interval, once, **options):
        tasks = [import_string(path) for path in settings.FUGONG_PERIODIC_TASKS]
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            for periodic in tasks:
                result = periodic.enqueue()
                self.stdout.write(f"已放入任务队列：{periodic.name}（{result.id}）")
            if once:
                return
            slept = 0.0
            while not stopping and slept < interval:
                time.sleep(0.5)
                slept += 0.5

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fugong.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份数据库（SQLite 在线备份，或 PostgreSQL 的 pg_dump），网站运行中也可执行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, help="备份文件（默认 var/backups/ 下按时间命名）"
        )

    def handle(self, *args, output: Path | None, **options):
        from django.db import connection

        suffix = "sqlite3" if connection.vendor == "sqlite" else "dump"
        path = output or settings.VAR_DIR / "backups" / (
            f"fugong-{timezone.localtime():%Y%m%d-%H%M%S}.{suffix}"
        )
        try:
            backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(f"已备份到 {path}（{path.stat().st_size / 1e6:.1f} MB）")
        )

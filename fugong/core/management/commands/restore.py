import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from fugong.core.backup import BackupError, fingerprint, restore


class Command(BaseCommand):
    help = "把备份恢复到空数据库（默认为当前配置的数据库），并报告各表行数。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--target-url", help="恢复到这个数据库（默认 DATABASE_URL 或 var/ 下的 SQLite）"
        )
        parser.add_argument("--force", action="store_true", help="目标数据库有数据时也覆盖")

    def handle(self, *args, file: Path, target_url: str | None, force: bool, **options):
        url = (
            target_url
            or os.environ.get("DATABASE_URL")
            or (f"sqlite:///{settings.DATABASES['default']['NAME']}")
        )
        try:
            restore(file, target_url=url, allow_nonempty=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        counts = fingerprint(url)["counts"]
        self.stdout.write(
            self.style.SUCCESS(
                f"已恢复：{len(counts)} 张表，复工填报 {counts.get('resumption_report', 0)} 份，"
                f"企业 {counts.get('enterprises_enterprise', 0)} 家"
            )
        )

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fugong.core.models import User
from fugong.enterprises.services import enterprises_import


class Command(BaseCommand):
    help = "从 .xlsx 或 .csv 文件导入企业名录（按统一社会信用代码新增或更新，全部成功才写入）。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")
        parser.add_argument("--user", default="coordinator", help="记入修改历史的协调员账号")

    def handle(self, *args, file: Path, dry_run: bool, user: str, **options):
        try:
            actor = User.objects.get(username=user)
        except User.DoesNotExist:
            raise CommandError(f"用户 {user} 不存在（用 --user 指定协调员账号）") from None
        if not file.is_file():
            raise CommandError(f"文件不存在：{file}")
        with file.open("rb") as handle:
            result = enterprises_import(actor=actor, file=handle, dry_run=dry_run)
        if result.file_error:
            raise CommandError(result.file_error)
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"共 {len(result.errors)} 处错误，未导入任何数据。")
        if result.ignored_headers:
            self.stdout.write("未识别的列（已忽略）：" + "、".join(result.ignored_headers))
        verb = "将" if dry_run else "已"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb}新增 {result.created} 家，{verb}更新 {result.updated} 家，"
                f"未变化 {result.unchanged} 家。" + ("（试运行，未写入）" if dry_run else "")
            )
        )

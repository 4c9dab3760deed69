from django.core.management.base import BaseCommand, CommandError

from fugong.core.models import User
from fugong.enterprises.services import grades_recompute


class Command(BaseCommand):
    help = "按评级规则重新评定企业等级（人工评级的企业不变），每项改变记入评级历史。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只统计将改变的企业，不写入")
        parser.add_argument("--user", default="coordinator", help="记入修改历史的协调员账号")

    def handle(self, *args, dry_run: bool, user: str, **options):
        try:
            actor = User.objects.get(username=user)
        except User.DoesNotExist:
            raise CommandError(f"用户 {user} 不存在（用 --user 指定协调员账号）") from None
        if not actor.is_coordinator:
            raise CommandError(f"用户 {user} 不是协调员，不能重新评级")
        result = grades_recompute(actor=actor, dry_run=dry_run)
        verb = "将改变" if dry_run else "已改变"
        for (old, new), n in sorted(result.moves.items()):
            self.stdout.write(f"  {old or '未评级'} → {new}：{n} 家")
        counts = "，".join(f"{grade}级 {n} 家" for grade, n in result.by_grade.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {result.changed} 家企业的等级，人工评级 {result.overridden} 家不变。"
                f"{'评级后' if not dry_run else '评级后将为'}：{counts}。"
                + ("（试运行，未写入）" if dry_run else "")
            )
        )

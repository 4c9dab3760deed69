"""`fugong match-policies`: the nightly matching run, now (the scheduler runs it once a night)."""

from django.core.management.base import BaseCommand

from fugong.policies.services import match_nightly


class Command(BaseCommand):
    help = "立即执行每晚的政策匹配：到期政策设为到期，已发布政策与上次以来有变化的企业重新匹配。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-due", action="store_true", help="今晚已匹配过则什么也不做（与计划任务相同）"
        )

    def handle(self, *args, if_due=False, **options):
        run = match_nightly(force=not if_due)
        if run is None:
            self.stdout.write("今晚已完成匹配，未重复执行。")
            return
        self.stdout.write(
            f"已匹配 {run.policies} 项政策，复核企业 {run.enterprises} 家："
            f"新增匹配 {run.added} 家，不再符合 {run.ended} 家。"
        )

from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fugong.resumption.bulletin import bulletin_docx, bulletin_text, bulletin_xlsx
from fugong.resumption.selectors import DISTRICT, figures_as_of


def parse_moment(value: str) -> datetime:
    """'2020-03-23 17:00' (Beijing time) → an aware datetime."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("T", " "))
    except ValueError:
        raise CommandError(f"时间格式应为 YYYY-MM-DD HH:MM，实际为「{value}」") from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = "生成全区复工情况通报：截至某一时点的文字段落，或 Word / Excel 文件。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            dest="as_of",
            default="",
            help='截至时点（北京时间），如 "2020-03-23 17:00"；默认现在',
        )
        parser.add_argument("--format", choices=["text", "docx", "xlsx"], default="text")
        parser.add_argument(
            "--output", type=Path, help="docx/xlsx 的输出文件（默认 bulletin-时点.扩展名）"
        )

    def handle(self, *args, as_of: str, format: str, output: Path | None, **options):
        moment = parse_moment(as_of) if as_of else timezone.now()
        if moment > timezone.now():
            raise CommandError("截至时点不能晚于现在")
        figures = figures_as_of(moment, user=DISTRICT)
        if format == "text":
            self.stdout.write(bulletin_text(figures))
            return
        content = bulletin_docx(figures) if format == "docx" else bulletin_xlsx(figures)
        path = output or Path(f"bulletin-{timezone.localtime(moment):%Y%m%d-%H%M}.{format}")
        path.write_bytes(content)
        self.stdout.write(f"已生成 {path}")

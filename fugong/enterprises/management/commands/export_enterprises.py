from pathlib import Path

from django.core.management.base import BaseCommand

from fugong.enterprises.exports import enterprises_workbook
from fugong.enterprises.models import Enterprise


class Command(BaseCommand):
    help = "把企业名录导出为与导入模板相同格式的 .xlsx 文件。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        enterprises = Enterprise.objects.all()
        file.write_bytes(enterprises_workbook(enterprises, mask_personal_data=False))
        self.stdout.write(self.style.SUCCESS(f"已导出 {enterprises.count()} 家企业到 {file}"))

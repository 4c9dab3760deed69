from django.core.management.base import BaseCommand, CommandError

from fugong.core.api_keys import api_key_create
from fugong.core.models import ApiKey, User


class Command(BaseCommand):
    help = "为用户创建接口密钥并打印一次（供系统对接或运维脚本使用）。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="命令行创建")
        parser.add_argument("--scope", choices=ApiKey.Scope.values, default=ApiKey.Scope.READ)
        parser.add_argument("--days", type=int, help="有效天数，默认长期有效")

    def handle(self, *args, username, name, scope, days, **options):
        try:
            user = User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"用户 {username} 不存在或已停用") from None
        _key, token = api_key_create(user=user, name=name, scope=scope, days=days)
        self.stdout.write(token)

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from fugong.core import demo as core_demo
from fugong.core.models import Region, User
from fugong.enterprises import demo as enterprise_demo
from fugong.factors import demo as factors_demo
from fugong.policies import demo as policies_demo
from fugong.resumption import demo as resumption_demo
from fugong.services import demo as services_demo


class Command(BaseCommand):
    help = "载入演示区（郑州市二七区，2020年3月）：区域、部门、企业名录、建设工程和演示账号。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="数据库已有数据时什么也不做（供 fugong run 使用）",
        )
        parser.add_argument("--password", help="演示账号的密码；默认随机生成并只显示一次")

    def handle(self, *args, if_empty=False, password=None, **options):
        if Region.objects.exists() or User.objects.exists():
            if if_empty:
                self.stdout.write("数据库已有数据，未载入演示区。")
                return
            raise CommandError(
                "数据库已有数据。演示区只能载入空数据库（可删除 var/fugong.sqlite3 后重试）。"
            )
        password = password or core_demo.make_password()
        started = time.monotonic()
        with transaction.atomic():
            accounts = load_demo_district(password=password, stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(f"演示区已载入，用时 {time.monotonic() - started:.1f} 秒。")
        )
        self.print_logins(accounts, password)

    def print_logins(self, accounts, password):
        self.stdout.write("")
        self.stdout.write("演示账号（密码只显示这一次，可用 fugong changepassword 用户名 修改）：")
        for user in accounts:
            self.stdout.write(
                f"  {user.username:<14} {user.get_role_display():<12} {user.display_name}"
            )
        self.stdout.write(self.style.WARNING(f"  密码：{password}"))
        self.stdout.write("登录地址：http://127.0.0.1:8000/accounts/login/")


def load_demo_district(*, password: str, stdout=None) -> list[User]:
    def say(message):
        if stdout is not None:
            stdout.write(message)

    regions = core_demo.load_regions()
    departments = core_demo.load_departments()
    say(f"区域 {len(regions)} 个，部门 {len(departments)} 个")
    accounts = [
        core_demo.create_persona(p, password=password, regions=regions, departments=departments)
        for p in core_demo.PERSONAS
    ]
    coordinator = accounts[0]
    register = enterprise_demo.load(
        regions=regions, actor=coordinator, registered_at=resumption_demo.registered_at()
    )
    say(f"企业 {len(register['enterprises'])} 家，建设工程 {len(register['projects'])} 个")
    reports = resumption_demo.load(
        enterprises=register["enterprises"], projects=register["projects"]
    )
    say(f"复工填报 {reports} 份（2020年2月10日至3月23日17时）")
    resumption_demo.store_daily_snapshots()
    anchor = register["enterprises"][0]
    accounts.append(
        core_demo.create_persona(
            core_demo.Persona("kangshifu", "康师傅（企业人事）", User.Role.ENTERPRISE),
            password=password,
            regions=regions,
            departments=departments,
            enterprise=anchor,
        )
    )
    liaison = next(u for u in accounts if u.role == User.Role.LIAISON)
    officers = enterprise_demo.load_officers(
        regions=regions,
        departments=departments,
        liaison=liaison,
        enterprises=register["enterprises"],
        actor=coordinator,
    )
    say(
        f"服务专员 {len(officers['officers'])} 名（人才服务专员 {enterprise_demo.TALENT_OFFICERS} 名、"
        f"党建指导员 {enterprise_demo.PARTY_INSTRUCTORS} 名），走访记录 {len(officers['visits'])} 条"
    )
    handled = services_demo.load(
        departments=departments,
        enterprises=register["enterprises"],
        coordinator=coordinator,
        portal_user=accounts[-1],
    )
    say(
        f"企业诉求 {len(handled['requests'])} 件，服务专班 {len(handled['task_forces'])} 个，"
        f"感谢信 {len(handled['letters'])} 封"
    )
    factors = factors_demo.load(
        enterprises=register["enterprises"], departments=departments, coordinator=coordinator
    )
    run = factors["run"]
    say(
        f"招聘岗位 {len(factors['openings'])} 个，热线 {len(factors['hotlines'])} 条，"
        f"返岗登记 {len(factors['workers'])} 人，直通车 {run.trips} 车次（用车 {run.vehicles} 辆），"
        f"贷款申请 {len(factors['loans'])} 笔"
    )
    library = policies_demo.load(departments=departments, coordinator=coordinator)
    say(
        f"惠企政策 {len(library['policies'])} 项，政策申请 {len(library['applications'])} 件，"
        f"免申即享兑现清单 1 份（{library['batch'].lines.filter(excluded=False).count()} 家）"
    )
    return accounts

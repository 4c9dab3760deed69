from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from fugong.core.excel import SpreadsheetError, cell_text, read_table
from fugong.core.models import User
from fugong.enterprises.models import Enterprise
from fugong.factors import planning
from fugong.factors.services import planning_run_now

HEADERS = ("起点", "终点", "公里")


class Command(BaseCommand):
    help = (
        "规划返岗直通车（一车一方案，保留已确认和已出发的车次）。可用 --distances 提供距离表"
        "（.xlsx 或 .csv，列：起点、终点、公里；地点为6位区划代码、企业统一社会信用代码或 district），"
        "表中没有的两地之间按直线距离计算。"
    )

    def add_arguments(self, parser):
        # Values are read in `handle`, so that a bad one gets a Chinese message, not argparse's.
        parser.add_argument(
            "--from", dest="first_day", required=True, help="起始日期，如 2020-02-12"
        )
        parser.add_argument("--to", dest="last_day", required=True, help="截止日期，如 2020-03-20")
        parser.add_argument("--cap", default="0.50", help="上座率上限，0.1 至 1，默认 0.5")
        parser.add_argument(
            "--max-wait", default="0", help="坐不满一辆车时最多等几天凑满再发车（0 至 7）"
        )
        parser.add_argument("--distances", type=Path, help="距离表文件")
        parser.add_argument("--user", default="coordinator", help="发起规划的协调员账号")

    def handle(self, *args, first_day, last_day, cap, max_wait, distances, user, **options):
        first_day, last_day = _day(first_day, "--from"), _day(last_day, "--to")
        cap, max_wait = _cap(cap), _wait(max_wait)
        actor = User.objects.filter(username=user).first()
        if actor is None or not actor.is_coordinator:
            raise CommandError(f"用户 {user} 不存在或不是协调员（用 --user 指定）")
        distance = read_distances(distances) if distances else None
        try:
            run = planning_run_now(
                actor=actor,
                first_day=first_day,
                last_day=last_day,
                seat_cap=cap,
                max_wait_days=max_wait,
                distance=distance,
            )
        except ValidationError as exc:
            raise CommandError(f"不能规划：{'；'.join(exc.messages)}") from None
        except PermissionDenied as exc:
            raise CommandError(f"不能规划：{exc}") from None
        if run.status != run.Status.DONE:
            raise CommandError(f"规划失败：{run.error}")
        self.stdout.write(
            self.style.SUCCESS(
                f"已安排 {run.planned}/{run.workers} 人，新车次 {run.trips}（保留 {run.kept_trips}），"
                f"用车 {run.vehicles} 辆，总里程 {run.distance_km:,.0f} 公里；"
                f"同一输入先到先上（first-fit）：{run.baseline_trips} 车次、用车 "
                f"{run.baseline_vehicles} 辆、{run.baseline_distance_km:,.0f} 公里。"
                f"未安排 {run.unplanned.count()} 人（原因见规划页面）。"
            )
        )


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"{option} 的日期「{text}」无效，应如 2020-02-20") from None


def _cap(text: str) -> Decimal:
    try:
        cap = Decimal(text.strip())
    except InvalidOperation:
        cap = None
    if cap is None or not cap.is_finite() or not Decimal("0.1") <= cap <= 1:
        raise CommandError(f"--cap 上座率上限「{text}」无效，应为 0.1 至 1 之间的小数，如 0.5")
    return cap.quantize(Decimal("0.01"))


def _wait(text: str) -> int:
    text = text.strip()
    if not (text.isascii() and text.isdecimal()) or int(text) > 7:
        raise CommandError(f"--max-wait 最长等待天数「{text}」无效，应为 0 至 7 的整数")
    return int(text)


def read_distances(path: Path) -> planning.Distance:
    """起点, 终点, 公里 → a distance function over place keys; every bad row is reported."""
    try:
        with path.open("rb") as handle:
            table = read_table(handle)
    except (OSError, SpreadsheetError) as exc:
        raise CommandError(f"距离表无法读取：{exc}") from None
    missing = [h for h in HEADERS if h not in table.headers]
    if missing:
        raise CommandError(f"距离表缺少列：{'、'.join(missing)}")
    enterprises = dict(Enterprise.objects.values_list("uscc", "pk"))
    entries, errors = {}, []
    for row, cells in table.rows:
        start, end = (_key(cell_text(cells[h]), enterprises) for h in HEADERS[:2])
        try:
            km = Decimal(cell_text(cells["公里"]))
        except InvalidOperation:
            km = None
        if start is None or end is None or km is None or km < 0:
            errors.append(
                f"第{row}行：地点须为区划代码、统一社会信用代码或 district，公里须为非负数"
            )
            continue
        entries[(start, end)] = float(km)
    if errors:
        raise CommandError("距离表有错误：\n" + "\n".join(errors[:50]))
    return planning.table_distance(entries)


def _key(text: str, enterprises: dict[str, int]) -> str | None:
    if text == "district":
        return "district"
    if len(text) == 6 and text.isdigit():
        return f"county:{text}"
    if text in enterprises:
        return f"enterprise:{enterprises[text]}"
    return None

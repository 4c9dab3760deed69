"""The passenger manifest (乘客名单) of one trip, as the driver and the checkpoint read it:
the trip's plan on the first sheet, its passengers by drop-off stop on the second. ID numbers
are masked for everyone but the coordinator."""

from django.utils import timezone, translation

from fugong.core.excel import write_xlsx
from fugong.factors.access import shown_id, shown_phone


def manifest_workbook(trip, passengers, *, user) -> bytes:
    with translation.override("zh-hans"):
        vehicle = trip.vehicle
        plan = [
            ["车次", trip.number],
            ["日期", trip.date.isoformat()],
            ["车牌号", vehicle.plate],
            ["核定座位", vehicle.seats],
            ["限载人数（上座率上限内）", trip.capacity],
            ["运输企业", vehicle.operator],
            ["驾驶员", vehicle.driver_name],
            ["驾驶员手机", shown_phone(user, vehicle.driver_phone)],
            ["出发地", trip.county.label],
            ["状态", trip.get_status_display()],
            ["里程（公里）", round(trip.distance_km, 1)],
            ["导出时间", f"{timezone.localtime():%Y-%m-%d %H:%M}"],
        ]
        stops = [
            [s.sequence, s.get_kind_display(), s.place_name, round(s.km_from_previous, 1)]
            for s in trip.stops.select_related("county", "enterprise")
        ]
        rows = [
            [
                n,
                p.worker.name,
                shown_id(user, p.worker.id_number),
                shown_phone(user, p.worker.phone),
                p.worker.home_county.label,
                p.worker.enterprise.name,
                p.dropoff.sequence,
                p.worker.get_health_status_display(),
                "是" if p.boarded else "",
            ]
            for n, p in enumerate(passengers, start=1)
        ]
        return write_xlsx(
            sheets=[
                ("车次方案", ["项目", "内容"], plan),
                ("停靠顺序", ["顺序", "类型", "地点", "距上一站（公里）"], stops),
                (
                    "乘客名单",
                    [
                        "序号",
                        "姓名",
                        "身份证号",
                        "手机号",
                        "户籍县（区）",
                        "返岗企业",
                        "下车站序",
                        "健康状况",
                        "已上车",
                    ],
                    rows,
                ),
            ]
        )

"""The demo district's organisation: Zhengzhou Erqi district (二七区, 410103) as of March 2020.

Streets and towns carry division codes in the national 统计用区划代码 pattern (district code +
001–099 for 街道, 100–199 for 镇, 200–399 for 乡); parks get internal codes and sit inside the
town or township they lie in.
"""

import secrets
from dataclasses import dataclass
from decimal import Decimal

from fugong.core.models import Department, Region, User
from fugong.core.services import user_create

DISTRICT = ("410103", "二七区")
STREETS = [
    ("410103001", "淮河路街道"),
    ("410103002", "解放路街道"),
    ("410103003", "铭功路街道"),
    ("410103004", "一马路街道"),
    ("410103005", "蜜蜂张街道"),
    ("410103006", "五里堡街道"),
    ("410103007", "大学路街道"),
    ("410103008", "建中街街道"),
    ("410103009", "福华街街道"),
    ("410103010", "德化街街道"),
    ("410103011", "嵩山路街道"),
    ("410103012", "京广路街道"),
    ("410103013", "长江路街道"),
    ("410103014", "人和路街道"),
]
TOWNS = [("410103100", "马寨镇", Region.Kind.TOWN), ("410103200", "侯寨乡", Region.Kind.TOWNSHIP)]
PARKS = [("P410103001", "马寨产业集聚区", "410103100"), ("P410103002", "樱桃沟景区", "410103200")]

# Centres of the district's streets, towns and parks (GCJ-02, like the division seats of
# shared/data/henan_divisions.csv, whose 二七区 seat is the district's point). Read off a web
# map by eye: good to a few hundred metres, which is enough for shuttle distances and area maps,
# not for finding an address.
CENTRES = {
    "410103": (113.640211, 34.724114),
    "410103001": (113.6455, 34.7340),
    "410103002": (113.6560, 34.7555),
    "410103003": (113.6440, 34.7525),
    "410103004": (113.6340, 34.7435),
    "410103005": (113.6310, 34.7215),
    "410103006": (113.6240, 34.7305),
    "410103007": (113.6600, 34.7355),
    "410103008": (113.6255, 34.7445),
    "410103009": (113.6420, 34.7405),
    "410103010": (113.6620, 34.7500),
    "410103011": (113.6120, 34.7265),
    "410103012": (113.6470, 34.7150),
    "410103013": (113.6565, 34.7045),
    "410103014": (113.6370, 34.7000),
    "410103100": (113.5450, 34.6800),
    "410103200": (113.6100, 34.6550),
    "P410103001": (113.5400, 34.6900),
    "P410103002": (113.5900, 34.6400),
}

DEPARTMENTS = [
    ("fgtj", "区发改统计局", "发改统计局"),
    ("sw", "区商务局", "商务局"),
    ("kj", "区科技局", "科技局"),
    ("rs", "区人社局", "人社局"),
    ("scjg", "区市场监管局", "市场监管局"),
    ("cg", "区城市管理局", "城市管理局"),
    ("sthj", "区生态环保分局", "生态环保分局"),
    ("yjgl", "区应急管理局", "应急管理局"),
    ("zfbz", "区住房保障中心", "住房保障中心"),
    ("zzb", "区委组织部", "组织部"),
    ("cz", "区财政局", "财政局"),
    ("wjw", "区卫生健康委员会", "卫健委"),
]


@dataclass(frozen=True)
class Persona:
    username: str
    display_name: str
    role: str
    department: str = ""
    areas: tuple[str, ...] = ()


PERSONAS = [
    Persona("coordinator", "王建国（区指挥部）", User.Role.COORDINATOR, department="fgtj"),
    Persona("leader", "刘振华（区领导）", User.Role.LEADER),
    Persona("scjg", "陈立新（市场监管局注册登记科）", User.Role.DEPARTMENT, department="scjg"),
    Persona("huaihe", "赵敏（淮河路街道）", User.Role.AREA_OFFICER, areas=("410103001",)),
    Persona("mazhai", "孙伟（马寨产业集聚区）", User.Role.AREA_OFFICER, areas=("P410103001",)),
    Persona("liaison", "周晓燕（人才服务专员）", User.Role.LIAISON, department="zzb"),
    Persona("enforcement", "吴刚（城管渣土中队）", User.Role.ENFORCEMENT, department="cg"),
]


def load_regions() -> dict[str, Region]:
    district = Region.objects.create(
        code=DISTRICT[0], name=DISTRICT[1], kind=Region.Kind.DISTRICT, **_centre(DISTRICT[0])
    )
    regions = {district.code: district}
    for order, (code, name) in enumerate(STREETS, start=1):
        regions[code] = Region.objects.create(
            code=code,
            name=name,
            kind=Region.Kind.STREET,
            parent=district,
            sort_order=order,
            **_centre(code),
        )
    for order, (code, name, kind) in enumerate(TOWNS, start=len(STREETS) + 1):
        regions[code] = Region.objects.create(
            code=code, name=name, kind=kind, parent=district, sort_order=order, **_centre(code)
        )
    for order, (code, name, parent_code) in enumerate(PARKS, start=100):
        regions[code] = Region.objects.create(
            code=code,
            name=name,
            kind=Region.Kind.PARK,
            parent=regions[parent_code],
            sort_order=order,
            **_centre(code),
        )
    return regions


def _centre(code: str) -> dict:
    longitude, latitude = CENTRES[code]
    return {"longitude": Decimal(str(longitude)), "latitude": Decimal(str(latitude))}


def load_departments() -> dict[str, Department]:
    return {
        code: Department.objects.create(code=code, name=name, short_name=short, sort_order=order)
        for order, (code, name, short) in enumerate(DEPARTMENTS, start=1)
    }


def make_password() -> str:
    return secrets.token_urlsafe(9)


def create_persona(persona: Persona, *, password: str, regions, departments, enterprise=None):
    return user_create(
        username=persona.username,
        display_name=persona.display_name,
        role=persona.role,
        password=password,
        department=departments.get(persona.department),
        areas=[regions[code] for code in persona.areas],
        enterprise=enterprise,
    )

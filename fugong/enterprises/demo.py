"""The demo district's register: exactly the seed article's counts (78 规上工业, 813 规下工业,
180 规上服务业, 25,968 规下服务业, 344 建设工程), with plausible names, valid USCCs and the real
enterprises the article names. Deterministic: the same seed gives the same district."""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from fugong.core.bulk import create_with_history
from fugong.core.models import Region, User
from fugong.core.validators import complete_uscc
from fugong.enterprises.models import ConstructionProject, Enterprise, LiaisonAssignment, Visit
from fugong.enterprises.selectors import grade_for, grade_rules
from fugong.enterprises.services import grade_rules_ensure_defaults

C = Enterprise.Category
CATEGORY_COUNTS = {
    C.INDUSTRY_ABOVE: 78,
    C.INDUSTRY_BELOW: 813,
    C.SERVICES_ABOVE: 180,
    C.SERVICES_BELOW: 25968,
}
PROJECT_COUNT = 344
SEED = 20200323
FOUNDED_BY = date(2019, 12, 31)  # every enterprise of the demo existed before the epidemic

MAZHAI_PARK, YINGTAOGOU_PARK = "P410103001", "P410103002"
MAZHAI_TOWN, HOUZHAI_TOWNSHIP = "410103100", "410103200"
# 「辖区拥有康师傅、花花牛等规模以上重大企业79家」: 79 above-size enterprises in the Mazhai park.
MAZHAI_ABOVE = {C.INDUSTRY_ABOVE: 62, C.SERVICES_ABOVE: 17}
MAZHAI_BELOW = {C.INDUSTRY_BELOW: 240, C.SERVICES_BELOW: 160}
# 「重点对已复工复产的168家企业进行技术指导」: 168 enterprises in the Yingtaogou scenic area.
YINGTAOGOU = {C.INDUSTRY_BELOW: 18, C.SERVICES_BELOW: 150}
TALENT_ENTERPRISES = 17  # 「推送发布17家重点人才企业」


@dataclass(frozen=True)
class Anchor:
    name: str
    category: str
    section: str
    headcount: int
    park: str = ""
    region: str = ""
    key: bool = True
    talent: bool = False
    epidemic: bool = False


ANCHORS = [
    Anchor("郑州康师傅食品有限公司", C.INDUSTRY_ABOVE, "C", 1860, park=MAZHAI_PARK),
    Anchor("花花牛乳业集团股份有限公司", C.INDUSTRY_ABOVE, "C", 1520, park=MAZHAI_PARK),
    Anchor(
        "河南中沃消防科技股份有限公司", C.INDUSTRY_ABOVE, "C", 420, park=MAZHAI_PARK, talent=True
    ),
    Anchor(
        "郑州盈鼎医疗器械有限公司",
        C.INDUSTRY_BELOW,
        "C",
        86,
        park=MAZHAI_PARK,
        talent=True,
        epidemic=True,
    ),
    Anchor("郑州宏靖彩印包装有限公司", C.INDUSTRY_BELOW, "C", 64, park=MAZHAI_PARK, talent=True),
    Anchor("郑州深国际综合物流港发展有限公司", C.SERVICES_ABOVE, "G", 230, region=MAZHAI_TOWN),
]

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋"
    "蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍建国红梅鑫波宇浩凯鹏辉亮晨欣怡佳琳"
TRADE = (
    "华宏鑫瑞恒盛达泰丰源通兴信诚嘉德安康永隆金银海天中豫博锦远广新振祥和润昌荣富利佳美"
    "宇航鼎汇聚创维立凯旭晟宸乾坤正元益晶"
)
ROADS = {
    "410103001": ["淮河路", "淮河东路", "大学路"],
    "410103002": ["解放路", "西太康路", "人民路"],
    "410103003": ["铭功路", "大同路", "钱塘路"],
    "410103004": ["一马路", "二马路", "陇海中路"],
    "410103005": ["航海中路", "长江路", "大学中路"],
    "410103006": ["五里堡街", "汝河路", "陇海西路"],
    "410103007": ["大学路", "大学南路", "政通路"],
    "410103008": ["建中街", "建设东路", "永安街"],
    "410103009": ["福华街", "京广北路", "兴华南街"],
    "410103010": ["德化街", "二七路", "正兴街"],
    "410103011": ["嵩山南路", "政通路", "兴华南街"],
    "410103012": ["京广南路", "航海中路", "南三环"],
    "410103013": ["长江路", "淮南街", "兴华南街"],
    "410103014": ["人和路", "交通路", "幸福路"],
    MAZHAI_TOWN: ["马寨工业路", "康师傅路", "新材料路", "兴业路"],
    HOUZHAI_TOWNSHIP: ["樱桃沟路", "侯寨路", "郑少高速辅道"],
}
# Where the register's enterprises lie outside the parks: the old centre is dense with shops.
STREET_WEIGHTS = {
    "410103001": 8,
    "410103002": 9,
    "410103003": 8,
    "410103004": 7,
    "410103005": 8,
    "410103006": 7,
    "410103007": 9,
    "410103008": 6,
    "410103009": 7,
    "410103010": 10,
    "410103011": 8,
    "410103012": 7,
    "410103013": 6,
    "410103014": 5,
    MAZHAI_TOWN: 3,
    HOUZHAI_TOWNSHIP: 2,
}
INDUSTRY_TRADES = [
    ("C", "食品"),
    ("C", "机械制造"),
    ("C", "电子科技"),
    ("C", "包装材料"),
    ("C", "印务"),
    ("C", "服饰"),
    ("C", "新型建材"),
    ("C", "医疗器械"),
    ("C", "精细化工"),
    ("C", "塑料制品"),
    ("C", "家具"),
    ("C", "电气设备"),
    ("C", "汽车配件"),
    ("C", "纺织"),
    ("C", "五金制品"),
    ("C", "耐火材料"),
    ("C", "药业"),
    ("D", "热力"),
    ("C", "环保设备"),
    ("C", "饮品"),
]
SERVICE_TRADES = [
    ("F", "商贸"),
    ("F", "贸易"),
    ("G", "物流"),
    ("G", "运输"),
    ("H", "餐饮管理"),
    ("H", "酒店管理"),
    ("I", "信息技术"),
    ("I", "网络科技"),
    ("K", "物业服务"),
    ("K", "置业"),
    ("L", "企业管理咨询"),
    ("L", "广告"),
    ("M", "工程技术"),
    ("M", "检测技术"),
    ("N", "园林绿化"),
    ("O", "家政服务"),
    ("P", "教育咨询"),
    ("Q", "健康管理"),
    ("R", "文化传媒"),
    ("R", "体育文化"),
]
SHOPS = [
    ("F", "便利店"),
    ("F", "副食店"),
    ("F", "五金店"),
    ("F", "服装店"),
    ("F", "烟酒店"),
    ("F", "百货商行"),
    ("F", "水果店"),
    ("F", "通讯器材店"),
    ("H", "烩面馆"),
    ("H", "小吃店"),
    ("H", "饭店"),
    ("H", "胡辣汤馆"),
    ("H", "火锅店"),
    ("O", "理发店"),
    ("O", "洗衣店"),
    ("O", "汽车修理部"),
    ("O", "家电维修部"),
    ("Q", "诊所"),
    ("R", "图文广告部"),
    ("G", "快递服务部"),
]
YINGTAOGOU_TRADES = [("H", "农家乐"), ("R", "旅游开发"), ("H", "民宿"), ("A", "生态农业")]


class DemoRegister:
    """Builds the register in memory, then writes it in a few bulk statements."""

    def __init__(self, regions: dict[str, Region], grade_rules: list | None = None):
        """`grade_rules`: the rules the park grades by; read from the database when not given
        (the benchmark builds the register with no database)."""
        self.rng = random.Random(SEED)
        self.regions = regions
        self.grade_rules = grade_rules
        self.names: set[str] = set()
        self.usccs: set[str] = set()
        self.streets = list(STREET_WEIGHTS)
        self.street_weights = list(STREET_WEIGHTS.values())

    def person(self) -> str:
        given = self.rng.choice(GIVEN) + (self.rng.choice(GIVEN) if self.rng.random() < 0.7 else "")
        return self.rng.choice(SURNAMES) + given

    def mobile(self) -> str:
        prefix = self.rng.choice(
            [
                "138",
                "139",
                "137",
                "135",
                "150",
                "151",
                "158",
                "186",
                "189",
                "181",
                "177",
                "136",
                "152",
                "159",
                "188",
            ]
        )
        return prefix + f"{self.rng.randrange(10**8):08d}"

    def landline(self) -> str:
        return f"0371-{self.rng.choice('568')}{self.rng.randrange(10**7):07d}"

    def uscc(self, entity_type: str) -> str:
        while True:
            org = "".join(self.rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
            org += _organisation_check_digit(org)
            code = complete_uscc(f"9{entity_type}410103{org}")
            if code not in self.usccs:
                self.usccs.add(code)
                return code

    def unique(self, make) -> str:
        for _attempt in range(1000):
            name = make()
            if name not in self.names:
                self.names.add(name)
                return name
        raise RuntimeError("demo name space exhausted")  # pragma: no cover

    def trade_name(self) -> str:
        return "".join(self.rng.sample(TRADE, 2))

    def company_name(self, trade: str, *, above: bool) -> str:
        prefix = self.rng.choice(
            ["郑州", "郑州", "河南", "郑州市二七区"] if not above else ["郑州", "河南", "河南省"]
        )
        suffix = self.rng.choice(
            ["股份有限公司", "有限公司", "集团有限公司"]
            if above
            else ["有限公司", "有限公司", "有限责任公司"]
        )
        return self.unique(lambda: f"{prefix}{self.trade_name()}{trade}{suffix}")

    def shop_name(self, trade: str) -> str:
        def make():
            owner = self.rng.choice(SURNAMES)
            style = self.rng.random()
            if style < 0.4:
                return f"二七区{owner}记{trade}"
            if style < 0.7:
                return f"郑州市二七区{self.trade_name()}{trade}"
            return (
                f"二七区老{owner}{trade}（{self.rng.choice(['一', '二', '三', '四', '五'])}分店）"
            )

        return self.unique(make)

    def address(self, region_code: str) -> str:
        road = self.rng.choice(ROADS[region_code])
        return f"郑州市二七区{road}{self.rng.randrange(1, 300)}号"

    def enterprise(
        self,
        category: str,
        *,
        region_code: str,
        park_code: str = "",
        trades=None,
        shop: bool = False,
    ) -> Enterprise:
        above = category in (C.INDUSTRY_ABOVE, C.SERVICES_ABOVE)
        industry = category in (C.INDUSTRY_ABOVE, C.INDUSTRY_BELOW)
        section, trade = self.rng.choice(
            trades or (INDUSTRY_TRADES if industry else SERVICE_TRADES)
        )
        name = self.shop_name(trade) if shop else self.company_name(trade, above=above)
        headcount = {
            C.INDUSTRY_ABOVE: lambda: self.rng.randint(80, 900),
            C.SERVICES_ABOVE: lambda: self.rng.randint(40, 600),
            C.INDUSTRY_BELOW: lambda: self.rng.randint(5, 120),
            C.SERVICES_BELOW: lambda: self.rng.randint(1, 8) if shop else self.rng.randint(3, 45),
        }[category]()
        contact = self.person()
        return Enterprise(
            name=name,
            uscc=self.uscc("2" if shop else "1"),
            category=category,
            industry_section=section,
            legal_representative=contact if shop else self.person(),
            contact_person=contact,
            contact_phone=self.mobile() if self.rng.random() < 0.85 else self.landline(),
            address=self.address(region_code),
            region=self.regions[region_code],
            park=self.regions[park_code] if park_code else None,
            payroll_headcount=headcount,
            is_key=above and (industry or self.rng.random() < 0.35),
            status=Enterprise.Status.OPERATING,
        )

    def street(self) -> str:
        return self.rng.choices(self.streets, weights=self.street_weights)[0]

    def build_enterprises(self) -> list[Enterprise]:
        enterprises = [self._anchor(a) for a in ANCHORS]
        remaining = dict(CATEGORY_COUNTS)
        for anchor in ANCHORS:
            remaining[anchor.category] -= 1
        mazhai_anchor = {
            c: sum(1 for a in ANCHORS if a.park == MAZHAI_PARK and a.category == c) for c in C
        }
        for category, count in {**MAZHAI_ABOVE, **MAZHAI_BELOW}.items():
            for _n in range(count - mazhai_anchor[category]):
                enterprises.append(
                    self.enterprise(category, region_code=MAZHAI_TOWN, park_code=MAZHAI_PARK)
                )
            remaining[category] -= count - mazhai_anchor[category]
        for category, count in YINGTAOGOU.items():
            for _n in range(count):
                enterprises.append(
                    self.enterprise(
                        category,
                        region_code=HOUZHAI_TOWNSHIP,
                        park_code=YINGTAOGOU_PARK,
                        trades=YINGTAOGOU_TRADES if category == C.SERVICES_BELOW else None,
                    )
                )
            remaining[category] -= count
        for category, count in remaining.items():
            for _n in range(count):
                shop = category == C.SERVICES_BELOW and self.rng.random() < 0.6
                enterprises.append(
                    self.enterprise(
                        category,
                        region_code=self.street(),
                        trades=SHOPS if shop else None,
                        shop=shop,
                    )
                )
        self._flag_talent(enterprises)
        self._flag_epidemic_supplies(enterprises)
        self._grade_mazhai(enterprises)
        self._place_and_date(enterprises)
        for enterprise in enterprises:
            enterprise.refresh_name_keys()
        return enterprises

    def _anchor(self, anchor: Anchor) -> Enterprise:
        self.names.add(anchor.name)
        region_code = anchor.region or MAZHAI_TOWN
        return Enterprise(
            name=anchor.name,
            uscc=self.uscc("1"),
            category=anchor.category,
            industry_section=anchor.section,
            legal_representative=self.person(),
            contact_person=self.person(),
            contact_phone=self.mobile(),
            address=self.address(region_code),
            region=self.regions[region_code],
            park=self.regions[anchor.park] if anchor.park else None,
            payroll_headcount=anchor.headcount,
            is_key=anchor.key,
            is_talent=anchor.talent,
            is_epidemic_supplies=anchor.epidemic,
            status=Enterprise.Status.OPERATING,
        )

    def _flag_talent(self, enterprises: list[Enterprise]) -> None:
        candidates = [
            e
            for e in enterprises
            if not e.is_talent and e.industry_section in "CIM" and e.category != C.SERVICES_BELOW
        ]
        needed = TALENT_ENTERPRISES - sum(e.is_talent for e in enterprises)
        for enterprise in self.rng.sample(candidates, needed):
            enterprise.is_talent = True

    def _flag_epidemic_supplies(self, enterprises: list[Enterprise]) -> None:
        for enterprise in enterprises:
            if (
                enterprise.category in (C.INDUSTRY_ABOVE, C.INDUSTRY_BELOW)
                and any(word in enterprise.name for word in ("医疗器械", "药业", "精细化工"))
                and self.rng.random() < 0.5
            ):
                enterprise.is_epidemic_supplies = True

    def _place_and_date(self, enterprises: list[Enterprise]) -> None:
        """A founding date for each, and a point near its park's or street's centre. From a
        stream of their own, so the rest of the register is what it was before they existed."""
        rng = random.Random(SEED + 2)
        first_year = {C.INDUSTRY_ABOVE: 1985, C.SERVICES_ABOVE: 1995}
        for enterprise in enterprises:
            start = date(first_year.get(enterprise.category, 2003), 1, 1)
            enterprise.founded_on = start + timedelta(days=rng.randrange((FOUNDED_BY - start).days))
            centre = (enterprise.park or enterprise.region).own_coordinates
            if centre is None:
                continue
            spread = 0.012 if enterprise.park else 0.006  # degrees: parks are larger than streets
            longitude, latitude = (c + rng.uniform(-spread, spread) for c in centre)
            enterprise.longitude = Decimal(f"{longitude:.6f}")
            enterprise.latitude = Decimal(f"{latitude:.6f}")

    def _grade_mazhai(self, enterprises: list[Enterprise]) -> None:
        """「对辖区企业进行ABC等级划定」: the Mazhai park graded its own enterprises, by the rules
        the district keeps (the default ones in the demo). The rest of the register is not
        graded yet, and counts as B until the coordinator recomputes."""
        park = self.regions[MAZHAI_PARK]
        rules = self.grade_rules if self.grade_rules is not None else grade_rules()
        for enterprise in enterprises:
            if enterprise.park is park:
                enterprise.grade = grade_for(enterprise, rules)

    def build_projects(self, enterprises: list[Enterprise]) -> list[ConstructionProject]:
        builders = [
            e for e in enterprises if e.category == C.SERVICES_ABOVE and e.industry_section in "KL"
        ]
        kinds = [
            "安置房项目",
            "商住项目",
            "道路改造工程",
            "产业园厂房建设项目",
            "学校建设项目",
            "医院综合楼项目",
            "雨污分流工程",
            "城中村改造项目",
            "商业综合体项目",
            "公园建设工程",
        ]
        projects, serials = [], set()
        for index in range(PROJECT_COUNT):
            in_mazhai = index < 40
            region_code = MAZHAI_TOWN if in_mazhai else self.street()
            road = self.rng.choice(ROADS[region_code])
            kind = "产业园厂房建设项目" if in_mazhai else self.rng.choice(kinds)
            name = self.unique(
                lambda road=road, kind=kind: (
                    f"二七区{road}{self.trade_name()}{kind}"
                    if self.rng.random() < 0.5
                    else f"{self.trade_name()}{road}{kind}"
                )
            )
            while (serial := self.rng.randrange(1, 10**6)) in serials:
                continue
            serials.add(serial)
            year = self.rng.choice([2017, 2018, 2019, 2019, 2020])
            builder = self.rng.choice(builders) if builders and self.rng.random() < 0.4 else None
            projects.append(
                ConstructionProject(
                    name=name,
                    code=f"{year}-410103-{self.rng.choice(['47', '48', '70'])}-"
                    f"{self.rng.choice(['01', '03'])}-{serial:06d}",
                    builder=builder,
                    builder_name="" if builder else self.company_name("置业", above=True),
                    site_address=self.address(region_code),
                    region=self.regions[region_code],
                    park=self.regions[MAZHAI_PARK] if in_mazhai else None,
                    total_investment=Decimal(self.rng.randrange(2000, 400000)),
                    planned_start=date(year, 3, 1) + timedelta(days=self.rng.randrange(0, 300)),
                    payroll_headcount=self.rng.randint(30, 600),
                    contact_person=self.person(),
                    contact_phone=self.mobile(),
                    status=ConstructionProject.Status.UNDER_CONSTRUCTION,
                )
            )
            projects[-1].refresh_name_keys()
        return projects


def _organisation_check_digit(code: str) -> str:
    """GB 11714 check digit of the 8-character organisation code."""
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in code]
    total = sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    digit = 11 - total % 11
    return {10: "X", 11: "0"}.get(digit, str(digit))


def load(*, regions: dict[str, Region], actor=None, registered_at=None) -> dict:
    """Write the register; `registered_at` dates its records (the demo's is 2020-02-01)."""
    grade_rules_ensure_defaults()
    register = DemoRegister(regions)
    enterprises = register.build_enterprises()
    projects = register.build_projects(enterprises)
    for record in (*enterprises, *projects):
        record.created_at = registered_at
    reason = _("演示数据")
    create_with_history(enterprises, key="uscc", actor=actor, reason=reason, at=registered_at)
    create_with_history(projects, key="code", actor=actor, reason=reason, at=registered_at)
    return {"enterprises": enterprises, "projects": projects}


# 「50名人才服务专员实现驻企指导全覆盖」「选派78名非公党建指导员进驻企业」
TALENT_OFFICERS, PARTY_INSTRUCTORS = 50, 78
STATIONED_ON = date(2020, 2, 10)
VISIT_NOTES = [
    "企业已复工，生产线全部开启，防疫物资储备可用一周。",
    "外地员工返岗慢，约三成仍在老家，企业希望协调返岗直通车。",
    "原材料供应商尚未复工，库存可维持十天，需协调上游企业。",
    "了解到企业对社保减免政策不熟悉，已现场讲解并留下政策汇编。",
    "企业反映流动资金紧张，已对接区金融服务专班。",
    "员工健康监测台账齐全，食堂实行分餐，厂区消杀到位。",
    "企业招工需求二十人，已推送至云招聘平台。",
    "物流运输受限，成品积压，建议申请重点物资运输通行证。",
]


def load_officers(
    *, regions, departments, liaison, enterprises: list[Enterprise], actor=None
) -> dict:
    """The service officers the seed article names: 50 talent service officers (the `liaison`
    persona and 49 more) stationed so every talent enterprise has one, its primary; and 78
    party-building instructors, one in each 规上工业 enterprise. Their accounts have no usable
    password (an administrator sets one when a person needs to log in)."""
    names = DemoRegister(regions)
    names.rng = random.Random(SEED + 1)  # their own stream: the register stays as it was
    department = departments.get("zzb")
    talent = _officer_accounts(names, "talent", TALENT_OFFICERS - 1, _("人才服务专员"), department)
    party = _officer_accounts(names, "party", PARTY_INSTRUCTORS, _("党建指导员"), department)
    create_with_history([*talent, *party], key="username", actor=actor, reason=_("演示数据"))
    talent_enterprises = [e for e in enterprises if e.is_talent]
    above = [e for e in enterprises if e.category == C.INDUSTRY_ABOVE]
    K = LiaisonAssignment.Kind
    assignments = [_assignment(e, liaison, K.TALENT, primary=True) for e in talent_enterprises]
    assignments += [
        _assignment(talent_enterprises[i % len(talent_enterprises)], officer, K.TALENT)
        for i, officer in enumerate(talent)
    ]
    assignments += [
        _assignment(e, officer, K.PARTY, primary=True)
        for e, officer in zip(above, party, strict=True)
    ]
    bulk_create_with_history(
        assignments, LiaisonAssignment, default_user=actor, default_change_reason=_("演示数据")
    )
    visits = _visits(names.rng, liaison, talent_enterprises)
    bulk_create_with_history(visits, Visit, default_user=liaison)
    return {"officers": [liaison, *talent, *party], "assignments": assignments, "visits": visits}


def _officer_accounts(names: DemoRegister, prefix: str, count: int, title, department):
    return [
        User(
            username=f"{prefix}{n:02d}",
            display_name=f"{names.person()}（{title}）",
            role=User.Role.LIAISON,
            phone=names.mobile(),
            department=department,
            password=make_password(None),  # unusable, and no slow hashing
        )
        for n in range(1, count + 1)
    ]


def _assignment(enterprise, officer, kind, *, primary: bool = False) -> LiaisonAssignment:
    return LiaisonAssignment(
        enterprise=enterprise,
        officer=officer,
        kind=kind,
        is_primary=primary,
        started_on=STATIONED_ON,
    )


def _visits(rng: random.Random, officer, enterprises: list[Enterprise]) -> list[Visit]:
    """The `liaison` persona's visits to its enterprises, February and March 2020."""
    visits = []
    for enterprise in enterprises:
        for _n in range(rng.randint(1, 3)):
            visits.append(
                Visit(
                    enterprise=enterprise,
                    officer=officer,
                    visited_on=STATIONED_ON + timedelta(days=rng.randrange(0, 42)),
                    kind=rng.choice([Visit.Kind.ON_SITE, Visit.Kind.ON_SITE, Visit.Kind.PHONE]),
                    findings=rng.choice(VISIT_NOTES),
                    recorded_by=officer,
                )
            )
    return visits

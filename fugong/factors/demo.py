"""The demo district's 送要素, February–March 2020, as the seed article tells it:

- 「推送发布17家重点人才企业、1086个紧缺岗位信息」: the 17 talent enterprises of the register publish
  shortage openings totalling 1,086 positions (key enterprises publish more beside them), with
  job seekers, applications and hires;
- 「开通4条招工引才与求职服务热线」: four hotlines;
- 「10多辆“复产复工返岗直通车”，远赴沈丘、卢氏等10余个县市接回各类人才及员工3200多名」: returning
  workers registered by their enterprises from twelve counties (and a few who cannot ride: a
  county outside the bundled table, a health status, a cancellation), planned by the planner
  itself over the fleet, then each trip confirmed, departed and arrived;
- 「为中沃消防、盈鼎医疗器械、宏靖彩印包装等5家人才企业申报了各300万元的贷款申请」: five loans.

Deterministic: one seeded random stream, and the planner gives the same plan for the same input.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history
from stdnum.cn import ric

from fugong.core.models import Department, User
from fugong.core.services import notifications_muted
from fugong.enterprises.demo import GIVEN, SURNAMES
from fugong.enterprises.models import Enterprise
from fugong.factors import services
from fugong.factors.models import County, PlanningRun, ReturningWorker, ShuttleTrip
from fugong.factors.services.shuttles import worker_build

SEED = 20200310
CAMPAIGN_STARTS = date(2020, 2, 10)
PLAN_FIRST, PLAN_LAST = date(2020, 2, 12), date(2020, 3, 20)
TALENT_POSITIONS = 1086  # 「1086个紧缺岗位信息」
# Long-term recruitment (长期招聘), so the public job board shows the demo's openings today.
OPENINGS_VALID_UNTIL = date(2030, 12, 31)
# 「远赴沈丘、卢氏等10余个县市」: twelve counties and county-level cities, with their share of the
# workers (沈丘 and 卢氏, which the article names, send the most).
COUNTIES = [
    ("411624", 560),  # 沈丘县
    ("411224", 470),  # 卢氏县
    ("411625", 320),  # 郸城县
    ("411627", 300),  # 太康县
    ("411628", 280),  # 鹿邑县
    ("411681", 270),  # 项城市
    ("411525", 250),  # 固始县
    ("411528", 210),  # 息县
    ("411381", 200),  # 邓州市
    ("411481", 190),  # 永城市
    ("410581", 100),  # 林州市
    ("411326", 90),  # 淅川县
]
# The buses call at each county every third day (its "collection days"); a worker rides on the
# first one on or after the day they can travel.
COLLECTION_EVERY = 3
# A county's few workers wait up to three days (the next collection day) for others rather than
# ride alone 300 km.
MAX_WAIT_DAYS = 3
WORKERS = sum(n for _code, n in COUNTIES)  # registered from the twelve counties
OUTSIDE = ("341221", "临泉县", "阜阳市", "安徽省", 3)  # no coordinates: listed as unplanned
NOT_FIT, CANCELLED = 6, 10
HOTLINES = [
    ("0371-68186101", "rs", "招工用工：企业招聘需求登记、岗位发布", "8:30–17:30（含周末）"),
    ("0371-68186102", "rs", "求职服务：岗位推荐、返岗直通车报名", "8:30–17:30（含周末）"),
    ("0371-68186103", "zzb", "人才服务：重点人才企业引才、人才政策咨询", "8:30–17:30"),
    ("0371-68186104", "fgtj", "企业用工协调：跨区域招工与返岗协调", "8:30–17:30"),
]
# (plate, seats, operator): the fleet the district hired; the planner uses what it needs.
FLEET = [
    *((f"豫A{n:05d}", 45, "郑州市公共交通集团有限公司") for n in (21301, 21302, 21303, 21304)),
    *((f"豫A{n:05d}", 45, "郑州交运集团有限责任公司") for n in (36201, 36202, 36203, 36204)),
    *((f"豫A{n:05d}", 53, "河南省长途汽车运输有限公司") for n in (58801, 58802, 58803)),
    ("豫A66610D", 45, "郑州市公共交通集团有限公司"),
    ("豫A66611D", 45, "郑州市公共交通集团有限公司"),
    ("豫A70701", 33, "郑州交运集团有限责任公司"),
    ("豫A70702", 33, "郑州交运集团有限责任公司"),
]
LOAN_NAMES = ("中沃消防", "盈鼎医疗器械", "宏靖彩印包装")
BANKS = ["中原银行郑州分行", "郑州银行二七支行", "中国建设银行郑州二七支行"]
TITLES = [
    ("数控车床操作工", 5000, 7500, "有两年以上数控车床操作经验，能看懂图纸"),
    ("生产线普工", 3800, 5200, "身体健康，能适应两班倒"),
    ("质检员", 4200, 5800, "中专以上学历，熟悉质量检验流程"),
    ("电气维修工", 5500, 8000, "持电工证，熟悉PLC"),
    ("仓储物流员", 3800, 4800, "会使用叉车者优先"),
    ("研发工程师", 8000, 15000, "本科以上学历，相关专业"),
    ("销售代表", 4000, 9000, "有行业销售经验者优先"),
    ("焊工", 5500, 7800, "持焊工证"),
]


def load(*, enterprises: list[Enterprise], departments: dict[str, Department], coordinator: User):
    rng = random.Random(SEED)
    with notifications_muted():
        hotlines = _hotlines(departments, coordinator)
        openings = _openings(rng, enterprises, coordinator)
        applications = _seekers_and_applications(rng, openings, coordinator)
        loans = _loans(enterprises, coordinator)
        vehicles = _vehicles(coordinator)
        workers = _workers(rng, enterprises, coordinator)
        run = _plan(coordinator)
        _run_trips(rng, coordinator)
    return {
        "hotlines": hotlines,
        "openings": openings,
        "applications": applications,
        "loans": loans,
        "vehicles": vehicles,
        "workers": workers,
        "run": run,
    }


def _aware(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _hotlines(departments, coordinator):
    return [
        services.hotline_save(
            actor=coordinator,
            number=number,
            department=departments[code],
            topic=topic,
            hours=hours,
            opened_on=CAMPAIGN_STARTS,
            sort_order=n,
        )
        for n, (number, code, topic, hours) in enumerate(HOTLINES, start=1)
    ]


# Recruitment


def _split(total: int, parts: int, rng) -> list[int]:
    """`total` as `parts` positive whole numbers, roughly even, summing exactly to it."""
    cuts = sorted(rng.sample(range(1, total), parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def _openings(rng, enterprises, coordinator):
    talent = sorted((e for e in enterprises if e.is_talent), key=lambda e: e.uscc)
    key_ones = sorted(
        (e for e in enterprises if e.is_key and not e.is_talent), key=lambda e: e.uscc
    )[:12]
    plans = []
    # The talent enterprises' shortage openings: 1,086 positions over 51 openings.
    counts = [3] * len(talent)
    sizes = _split(TALENT_POSITIONS, sum(counts), rng)
    for enterprise, n in zip(talent, counts, strict=True):
        for _k in range(n):
            plans.append((enterprise, sizes.pop(), True))
    for enterprise in key_ones:
        plans.append((enterprise, rng.randint(10, 60), rng.random() < 0.5))
    openings = []
    for enterprise, positions, shortage in plans:
        title, low, high, requirements = rng.choice(TITLES)
        day = CAMPAIGN_STARTS + timedelta(days=rng.randint(0, 28))
        openings.append(
            services.opening_submit(
                actor=coordinator,
                enterprise=enterprise,
                title=title,
                positions=positions,
                salary_min=low,
                salary_max=high,
                requirements=requirements,
                work_place=enterprise.address or enterprise.region.name,
                contact_person=enterprise.contact_person or "人事部",
                contact_phone=enterprise.contact_phone or "0371-68186101",
                valid_until=OPENINGS_VALID_UNTIL,
                is_shortage=shortage,
                at=_aware(day, 9, rng.randint(0, 59)),
            )
        )
    return openings


def _person(rng) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _id_number(rng, county: str, serial: int) -> str:
    born = date(1970, 1, 1) + timedelta(days=rng.randint(0, 365 * 32))
    body = f"{county}{born:%Y%m%d}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body)


def _mobile(rng) -> str:
    return (
        rng.choice(["138", "139", "150", "151", "158", "186", "187"])
        + f"{rng.randrange(10**8):08d}"
    )


def _seekers_and_applications(rng, openings, coordinator):
    counties = {c.code: c for c in County.objects.filter(code__in=[c for c, _n in COUNTIES])}
    applications = []
    for n in range(120):
        code = rng.choice(list(counties))
        day = CAMPAIGN_STARTS + timedelta(days=rng.randint(5, 35))
        seeker = services.seeker_register(
            actor=coordinator,
            name=_person(rng),
            id_number=_id_number(rng, code, 500 + n),
            phone=_mobile(rng),
            home_county=counties[code],
            wanted_job=rng.choice(TITLES)[0],
            at=_aware(day, 10),
        )
        for opening in rng.sample(openings, rng.randint(1, 2)):
            applied = max(day, opening.published_at.date())
            application = services.application_create(
                actor=coordinator, opening=opening, seeker=seeker, at=_aware(applied, 14)
            )
            applications.append(application)
            outcome = rng.random()
            if outcome < 0.7:
                services.application_move(
                    actor=coordinator,
                    application=application,
                    move="interview",
                    at=_aware(applied + timedelta(days=2), 10),
                )
                services.application_move(
                    actor=coordinator,
                    application=application,
                    move="hire" if outcome < 0.5 else "reject",
                    at=_aware(applied + timedelta(days=4), 16),
                )
    return applications


def _loans(enterprises, coordinator):
    talent = sorted((e for e in enterprises if e.is_talent), key=lambda e: e.uscc)
    named = [next(e for e in talent if word in e.name) for word in LOAN_NAMES]
    others = [e for e in talent if e not in named][:2]
    loans = []
    for n, enterprise in enumerate([*named, *others]):
        loan = services.loan_submit(
            actor=coordinator,
            enterprise=enterprise,
            amount=Decimal(300),
            purpose="复工复产流动资金：原材料采购和职工工资",
            bank=BANKS[n % len(BANKS)],
            term_months=12,
            subsidy_note="郑州市应对疫情支持中小企业贷款贴息",
            submitted_on=date(2020, 3, 2) + timedelta(days=n),
        )
        if n < 4:
            services.loan_move(
                actor=coordinator, loan=loan, move="review", on=date(2020, 3, 6) + timedelta(days=n)
            )
        if n < 2:
            services.loan_move(
                actor=coordinator,
                loan=loan,
                move="disburse",
                on=date(2020, 3, 18) + timedelta(days=n),
            )
        loans.append(loan)
    return loans


# 返岗直通车


def _vehicles(coordinator):
    rng = random.Random(SEED + 1)
    return [
        services.vehicle_register(
            actor=coordinator,
            plate=plate,
            seats=seats,
            operator=operator,
            driver_name=_person(rng),
            driver_phone=_mobile(rng),
            available_from=PLAN_FIRST,
            available_until=PLAN_LAST,
        )
        for plate, seats, operator in FLEET
    ]


def _destinations(enterprises) -> list[Enterprise]:
    """The enterprises workers return to: the register's manufacturers, the biggest first."""
    makers = [
        e
        for e in enterprises
        if e.category in (Enterprise.Category.INDUSTRY_ABOVE, Enterprise.Category.INDUSTRY_BELOW)
    ]
    return sorted(makers, key=lambda e: (-e.payroll_headcount, e.uscc))[:300]


def _workers(rng, enterprises, coordinator):
    destinations = _destinations(enterprises)
    weights = [e.payroll_headcount for e in destinations]
    counties = {c.code: c for c in County.objects.filter(code__in=[c for c, _n in COUNTIES])}
    outside = County.objects.create(
        code=OUTSIDE[0], name=OUTSIDE[1], prefecture=OUTSIDE[2], province=OUTSIDE[3]
    )
    rows = [(n, code, counties[code]) for n, (code, k) in enumerate(COUNTIES) for _k in range(k)]
    rows += [(0, OUTSIDE[0], outside)] * OUTSIDE[4]
    workers = []
    for serial, (index, code, county) in enumerate(rows):
        # Most workers could travel from mid-February; some only later, as their villages
        # lifted the closure. They register for their county's next collection day.
        offset = min(int(rng.triangular(0, 34, 8)), 33)
        registered = CAMPAIGN_STARTS + timedelta(days=min(offset, 25))
        offset += (index - offset) % COLLECTION_EVERY
        workers.append(
            worker_build(
                actor=coordinator,
                name=_person(rng),
                id_number=_id_number(rng, code, serial),
                phone=_mobile(rng),
                home_county=county,
                enterprise=rng.choices(destinations, weights)[0],
                earliest_date=PLAN_FIRST + timedelta(days=offset),
                health_status="green",
                at=_aware(registered, 9, rng.randint(0, 59)),
            )
        )
    for worker in rng.sample(workers[:WORKERS], NOT_FIT):
        worker.health_status = rng.choice(["yellow", "red"])
    bulk_create_with_history(workers, ReturningWorker, default_user=coordinator)
    stored = list(ReturningWorker.objects.order_by("id"))
    for worker in rng.sample(stored[:WORKERS], CANCELLED):
        services.worker_cancel(
            actor=coordinator,
            worker=worker,
            reason="已自行返岗",
            at=worker.registered_at + timedelta(days=1),
        )
    return stored


def _plan(coordinator) -> PlanningRun:
    """The coordinator's plan for the whole campaign, made by the planner itself."""
    return services.planning_run_now(
        actor=coordinator,
        first_day=PLAN_FIRST,
        last_day=PLAN_LAST,
        max_wait_days=MAX_WAIT_DAYS,
        at=_aware(PLAN_FIRST - timedelta(days=1), 17),
    )


def _run_trips(rng, coordinator) -> None:
    """Every trip of the plan is confirmed the evening before, leaves in the morning with its
    passengers (now and then one does not turn up) and arrives by the afternoon."""
    trips = ShuttleTrip.objects.filter(status=ShuttleTrip.Status.PLANNED).order_by("date", "id")
    for trip in trips.select_related("vehicle", "county"):
        services.trip_confirm(
            actor=coordinator, trip=trip, at=_aware(trip.date - timedelta(days=1), 18)
        )
        passengers = list(trip.passengers.values_list("pk", flat=True))
        absent = [p for p in passengers if rng.random() < 0.002][: len(passengers) - 1]
        services.trip_depart(
            actor=coordinator, trip=trip, absent=absent, at=_aware(trip.date, 6, 30)
        )
        hours = 3 + round(trip.distance_km / 70)
        services.trip_arrive(actor=coordinator, trip=trip, at=_aware(trip.date, 6 + hours, 30))

"""The demo district's requests, 10 February to 23 March 2020 17:00, replayed through the service
functions in the order they happened, so every step, clock, escalation and figure is what the
platform itself would have recorded. The seed article's cases are in it: 郑州深国际综合物流港
moving its company file into the district (调档 on 13 March, the new licence on 16 March) and the
licensing bureau's eight thank-you letters (收到感谢信8封)."""

import heapq
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from fugong.core.models import Department, Region, User
from fugong.core.services import notifications_muted, user_create
from fugong.enterprises.demo import MAZHAI_PARK
from fugong.enterprises.models import Enterprise
from fugong.resumption.demo import LAST_MOMENT
from fugong.resumption.models import Report
from fugong.services import services
from fugong.services.calendar import WorkingCalendar
from fugong.services.models import (
    Assignment,
    Category,
    Channel,
    Rating,
    RoutingRule,
    ServiceRequest,
    TaskForce,
)

SEED = 20200323
FIRST_DAY = date(2020, 2, 10)
REQUESTS = 240
LICENCE_LETTERS = 8  # 「收到感谢信8封」
SHENZHEN_INTERNATIONAL = "郑州深国际综合物流港发展有限公司"

FINANCE_TASK_FORCE = "金融服务专班"
LABOUR_TASK_FORCE = "用工服务专班"
TASK_FORCES = [
    (FINANCE_TASK_FORCE, "cz", ("cz", "fgtj"), "贷款、贴息、担保等资金融资诉求"),
    (LABOUR_TASK_FORCE, "rs", ("rs", "zzb"), "马寨产业集聚区企业的招工、返岗、稳岗诉求"),
]
# Category → who handles it district-wide; 其他 has no rule: the coordinator routes it by hand.
ROUTES = {
    Category.POLICY: "fgtj",
    Category.LABOUR: "rs",
    Category.FINANCE: FINANCE_TASK_FORCE,
    Category.MATERIALS: "sw",
    Category.LOGISTICS: "sw",
    Category.EPIDEMIC_SUPPLIES: "wjw",
    Category.PERMITS: "scjg",
    Category.UTILITIES: "cg",
}
PARK_ROUTES = {(Category.LABOUR, MAZHAI_PARK): LABOUR_TASK_FORCE}
CATEGORY_WEIGHTS = {
    Category.POLICY: 14,
    Category.LABOUR: 20,
    Category.FINANCE: 12,
    Category.MATERIALS: 10,
    Category.LOGISTICS: 9,
    Category.EPIDEMIC_SUPPLIES: 12,
    Category.PERMITS: 14,
    Category.UTILITIES: 5,
    Category.OTHER: 4,
}
# (title, what the enterprise says, what the department answers)
WORDING = {
    Category.POLICY: [
        (
            "社保减免政策咨询",
            "想了解阶段性减免企业社保费政策的适用范围和办理流程。",
            "已电话讲解减免范围，企业无需申请，税务部门直接减免。",
        ),
        (
            "稳岗返还怎么申请",
            "企业未裁员，询问失业保险稳岗返还的申请条件。",
            "已告知条件和网上申报入口，并协助企业完成申报。",
        ),
    ],
    Category.LABOUR: [
        (
            "急需招聘普工",
            "订单恢复，急需普工三十名，本地招工困难。",
            "已在“云招聘”平台发布岗位，并推荐两批求职者面试。",
        ),
        (
            "外地员工返岗难",
            "二十余名员工在周口老家无法返岗。",
            "已纳入返岗直通车计划，员工已由专车接回。",
        ),
    ],
    Category.FINANCE: [
        (
            "流动资金贷款",
            "复工后原材料采购资金缺口约两百万元，申请贷款支持。",
            "已对接合作银行，贷款已进入审批，贴息政策已说明。",
        ),
        ("贷款延期还本", "受疫情影响，三月到期贷款无法按时偿还。", "已协调银行办理延期还本付息。"),
    ],
    Category.MATERIALS: [
        (
            "包装材料断供",
            "上游包装材料供应商未复工，库存仅够一周。",
            "已协调外区供应商供货，首批材料已送达。",
        ),
        ("原料采购受阻", "外省原料厂家发货受限。", "已开具重点企业原料运输证明，货物已发出。"),
    ],
    Category.LOGISTICS: [
        (
            "货车通行证办理",
            "成品需运往省外，申请重点物资运输车辆通行证。",
            "通行证已办理，车辆可正常通行。",
        ),
        (
            "物流园区停运",
            "合作物流公司未复工，成品积压。",
            "已推荐两家已复工物流企业，运输已恢复。",
        ),
    ],
    Category.EPIDEMIC_SUPPLIES: [
        (
            "口罩储备不足",
            "员工复工需口罩约两千只，市场难以买到。",
            "已从区防疫物资储备中调拨，企业已领取。",
        ),
        ("测温仪和消毒液", "厂区缺少额温枪和消毒液。", "已协调供应企业供货并指导厂区消杀。"),
    ],
    Category.PERMITS: [
        (
            "营业执照变更",
            "经营范围需增加防疫用品销售，申请变更登记。",
            "已走绿色通道办理，新执照已邮寄到企业。",
        ),
        (
            "食品经营许可延续",
            "许可证疫情期间到期，申请延续。",
            "已网上受理并办结，许可证延续有效。",
        ),
    ],
    Category.UTILITIES: [
        ("用电增容", "新增生产线需要用电增容。", "已协调供电部门现场勘查并完成增容。"),
        ("燃气恢复供应", "停产期间燃气停供，复工需恢复。", "已协调燃气公司恢复供气。"),
    ],
    Category.OTHER: [
        (
            "员工子女看护",
            "学校未开学，员工子女无人看护影响到岗。",
            "已协调街道社区开设临时托管点。",
        ),
        ("厂区周边道路施工", "门前道路施工影响货车进出。", "已协调施工单位调整围挡，留出通道。"),
    ],
}
COMMENTS = {
    Rating.SATISFIED: "办事快，服务好。",
    Rating.BASIC: "问题基本解决，希望再快一些。",
    Rating.UNSATISFIED: "答复与实际问题不符，请再核实。",
}


@dataclass
class Plan:
    """How one request is to go: the draws are made up front so the replay order cannot change
    them."""

    enterprise: Enterprise
    category: str
    wording: tuple[str, str, str]
    at: datetime
    channel: str
    claim_after: float  # working days
    reply_after: float
    rating: str
    transfer_to: str = ""
    cohandler: str = ""
    rate_after: float = 0.5
    extension: bool = False
    letter: bool = False
    report: Report | None = None
    handler: str = ""  # who claims it, when the seed names the person
    replied_at: datetime | None = None  # when the seed gives the dates
    rated_at: datetime | None = None


def load(
    *,
    departments: dict[str, Department],
    enterprises: list[Enterprise],
    coordinator: User,
    portal_user: User | None = None,
) -> dict:
    rng = random.Random(SEED)
    handlers = _handlers(departments)
    task_forces = _task_forces(departments, handlers)
    _routing(departments, task_forces, coordinator)
    calendar = WorkingCalendar(FIRST_DAY, LAST_MOMENT.date() + timedelta(days=40))
    plans = _plans(rng, calendar, enterprises, portal_user)
    replay = Replay(rng, calendar, coordinator, handlers, departments, task_forces, portal_user)
    with notifications_muted():
        replay.run(plans)
        letters = _letters(replay, departments["scjg"], coordinator)
    return {"requests": replay.requests, "letters": letters, "task_forces": task_forces}


# Accounts and tables


HANDLER_NAMES = ["张伟", "李娜", "王磊", "刘洋", "杨静", "黄强", "赵丽", "吴军", "周敏", "徐涛"]
HEAD_NAMES = ["马向东", "胡建军", "朱红梅", "郭志刚", "何丽萍", "高德明", "林国庆", "罗文斌"]


def _handlers(departments) -> dict[str, list[User]]:
    """Each department that handles requests gets a clerk and a head; the licensing bureau
    already has the 陈立新 persona, and gets 郑阳, its registration section chief, from the seed."""
    codes = sorted({code for code in ROUTES.values() if code in departments} | {"cz", "zzb"})
    handlers = {
        code: list(User.objects.filter(role=User.Role.DEPARTMENT, department=departments[code]))
        for code in codes
    }
    for n, code in enumerate(codes):
        department = departments[code]
        if code == "scjg":
            handlers[code].append(_account("zhengyang", "郑阳（注册登记科科长）", department))
        if not handlers[code]:
            handlers[code].append(
                _account(
                    f"{code}01",
                    f"{HANDLER_NAMES[n % len(HANDLER_NAMES)]}（{department.short_name}）",
                    department,
                )
            )
        head = _account(
            f"{code}_head",
            f"{HEAD_NAMES[n % len(HEAD_NAMES)]}（{department.short_name}负责人）",
            department,
        )
        department.head = head
        department.save(update_fields=["head"])
    return handlers


def _account(username: str, display_name: str, department: Department) -> User:
    # No usable password: an administrator sets one when the person needs to log in.
    return user_create(
        username=username,
        display_name=display_name,
        role=User.Role.DEPARTMENT,
        password=None,
        department=department,
    )


def _task_forces(departments, handlers) -> dict[str, TaskForce]:
    forces = {}
    for name, lead, member_codes, duty in TASK_FORCES:
        force = TaskForce.objects.create(
            name=name, lead_department=departments[lead], description=duty
        )
        force.members.set([handlers[code][0] for code in member_codes])
        forces[name] = force
    return forces


def _routing(departments, task_forces, coordinator) -> None:
    def unit(name):
        if name in task_forces:
            return {"task_force": task_forces[name]}
        return {"department": departments[name]}

    whole = Region.objects.get(kind=Region.Kind.DISTRICT)
    for category, name in ROUTES.items():
        services.routing_rule_save(
            actor=coordinator, rule=RoutingRule(category=category, area=whole, **unit(name))
        )
    for (category, area_code), name in PARK_ROUTES.items():
        area = Region.objects.get(code=area_code)
        services.routing_rule_save(
            actor=coordinator, rule=RoutingRule(category=category, area=area, **unit(name))
        )


# What happens to each request


def _aware(moment: datetime) -> datetime:
    return timezone.make_aware(moment)


NOW = _aware(LAST_MOMENT)
DAY_STARTS, DAY_ENDS = time(8, 30), time(17, 30)


def _later(calendar: WorkingCalendar, moment: datetime, working_days: float) -> datetime:
    """`working_days` of office hours (8:30–17:30) after `moment`."""
    local = timezone.localtime(moment)
    day, clock = local.date(), min(max(local.time(), DAY_STARTS), DAY_ENDS)
    while not calendar.is_working_day(day):
        day, clock = day + timedelta(days=1), DAY_STARTS
    minutes = round(working_days * 540)
    while True:
        current = datetime.combine(day, clock)
        left = (datetime.combine(day, DAY_ENDS) - current).seconds // 60
        if minutes <= left:
            return _aware(current + timedelta(minutes=minutes))
        minutes -= left
        day, clock = day + timedelta(days=1), DAY_STARTS
        while not calendar.is_working_day(day):
            day += timedelta(days=1)


def _plans(rng, calendar, enterprises, portal_user) -> list[Plan]:
    days = [
        FIRST_DAY + timedelta(days=n)
        for n in range((LAST_MOMENT.date() - FIRST_DAY).days + 1)
        if calendar.is_working_day(FIRST_DAY + timedelta(days=n))
    ]
    operating = [e for e in enterprises if e.name != SHENZHEN_INTERNATIONAL]
    plans = [_from_report(rng, calendar, report) for report in _reported_difficulties(rng)]
    categories, weights = zip(*CATEGORY_WEIGHTS.items(), strict=True)
    while len(plans) < REQUESTS:
        category = rng.choices(categories, weights)[0]
        # More requests in the first weeks of resumption, fewer as enterprises got going.
        day = days[min(int(rng.triangular(0, len(days), len(days) * 0.3)), len(days) - 1)]
        at = _aware(datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59))))
        plans.append(_plan(rng, rng.choice(operating), category, at, Channel.HOTLINE))
    early_permits = [
        p for p in plans if p.category == Category.PERMITS and p.at.date() < date(2020, 3, 10)
    ]
    for plan in rng.sample(early_permits, LICENCE_LETTERS - 1):
        plan.letter, plan.rating, plan.claim_after, plan.reply_after = (
            True,
            Rating.SATISFIED,
            0.2,
            1.0,
        )
        plan.transfer_to = plan.cohandler = ""
    if portal_user is not None:
        plans += _portal_plans(rng, portal_user)
    plans.append(_shenzhen_international(enterprises))
    return plans


TRANSFERS = {
    Category.MATERIALS: ("fgtj", "涉及重点项目原料调度，由区发改统计局牵头办理"),
    Category.UTILITIES: ("fgtj", "供电增容涉及项目审批，转区发改统计局"),
    Category.POLICY: ("rs", "咨询的是社保政策，转区人社局"),
}
COHANDLERS = {Category.LOGISTICS: "cg", Category.MATERIALS: "fgtj", Category.FINANCE: "sw"}


def _plan(rng, enterprise, category, at, channel, *, wording=None, report=None) -> Plan:
    draw = rng.random()
    plan = Plan(
        enterprise=enterprise,
        category=category,
        wording=wording or rng.choice(WORDING[category]),
        at=at,
        channel=channel,
        # Most units claim within the day and answer within the deadline; some do not.
        claim_after=rng.choice([0.1, 0.2, 0.3, 0.5, 0.8]) if draw < 0.86 else rng.uniform(1.2, 2.5),
        reply_after=rng.uniform(0.5, 2.6) if rng.random() < 0.85 else rng.uniform(3.2, 5),
        rating=rng.choices([Rating.SATISFIED, Rating.BASIC, Rating.UNSATISFIED], [82, 12, 6])[0],
    )
    plan.report = report
    plan.rate_after = rng.uniform(0.1, 2.0)
    if category in TRANSFERS and rng.random() < 0.12:
        plan.transfer_to = TRANSFERS[category][0]
    elif category in COHANDLERS and rng.random() < 0.15:
        plan.cohandler = COHANDLERS[category]
    plan.extension = rng.random() < 0.05
    return plan


def _reported_difficulties(rng) -> list[Report]:
    """Some difficulties written in daily reports became requests (来源：复工填报)."""
    reports = list(
        Report.objects.exclude(difficulty_category="")
        .filter(enterprise__isnull=False, reported_at__lt=NOW - timedelta(days=1))
        .select_related("enterprise")
        .order_by("pk")[:400]
    )
    return rng.sample(reports, min(60, len(reports)))


def _from_report(rng, calendar, report: Report) -> Plan:
    category = report.difficulty_category
    title = rng.choice(WORDING[category])
    wording = (title[0], report.difficulty or title[1], title[2])
    return _plan(
        rng,
        report.enterprise,
        category,
        _later(calendar, report.reported_at, 0.2),
        Channel.REPORT,
        wording=wording,
        report=report,
    )


def _portal_plans(rng, portal_user) -> list[Plan]:
    enterprise = portal_user.enterprise
    finished = _plan(
        rng,
        enterprise,
        Category.LABOUR,
        _aware(datetime(2020, 2, 18, 9, 40)),
        Channel.PORTAL,
        wording=WORDING[Category.LABOUR][1],
    )
    answered = _plan(
        rng,
        enterprise,
        Category.PERMITS,
        _aware(datetime(2020, 3, 20, 10, 5)),
        Channel.PORTAL,
        wording=WORDING[Category.PERMITS][1],
    )
    for plan in (finished, answered):
        plan.transfer_to, plan.cohandler, plan.extension = "", "", False
        plan.claim_after, plan.reply_after, plan.rating = 0.2, 1.0, Rating.SATISFIED
    answered.rating = ""  # answered on the 23rd; the enterprise has not rated it yet
    return [finished, answered]


def _shenzhen_international(enterprises) -> Plan:
    """「急需要将企业档案迁往二七区」: filed on the 12th, 调档 on the 13th, the licence handed over
    on Monday the 16th, and a thank-you letter that afternoon."""
    enterprise = next(e for e in enterprises if e.name == SHENZHEN_INTERNATIONAL)
    plan = Plan(
        enterprise=enterprise,
        category=Category.PERMITS,
        wording=(
            "企业档案迁入二七区",
            "公司原在外区注册登记，因在二七区投资项目，急需将企业档案迁往二七区并换发营业执照。",
            "已主动对接并帮助企业提交调档申请，3月13日完成调档，"
            "3月16日将新办的营业执照送到企业负责人手中。",
        ),
        at=_aware(datetime(2020, 3, 12, 10, 20)),
        channel=Channel.HOTLINE,
        claim_after=0.05,
        reply_after=0,
        rating=Rating.SATISFIED,
        letter=True,
        handler="zhengyang",
        replied_at=_aware(datetime(2020, 3, 16, 14, 30)),
        rated_at=_aware(datetime(2020, 3, 16, 16, 0)),
    )
    return plan


class Replay:
    """Runs every request's life and the daily deadline check in the order of their moments."""

    def __init__(self, rng, calendar, coordinator, handlers, departments, task_forces, portal_user):
        self.rng, self.calendar, self.coordinator = rng, calendar, coordinator
        self.handlers, self.departments, self.task_forces = handlers, departments, task_forces
        self.portal_user = portal_user
        self.requests: list[ServiceRequest] = []
        self.letter_requests: list[tuple[ServiceRequest, datetime]] = []

    def run(self, plans: list[Plan]) -> None:
        order = itertools.count()
        queue = [(plan.at, next(order), self._life(plan)) for plan in plans]
        queue.append((_aware(datetime.combine(FIRST_DAY, time(9))), next(order), self._daily()))
        heapq.heapify(queue)
        while queue:
            _moment, n, life = heapq.heappop(queue)
            upcoming = next(life, None)
            if upcoming is not None and upcoming <= NOW:
                heapq.heappush(queue, (upcoming, n, life))

    def _daily(self) -> Iterator[datetime]:
        """The scheduler's deadline check, every working morning."""
        moment = _aware(datetime.combine(FIRST_DAY, time(9)))
        while True:
            services.escalate_due(at=moment)
            services.close_unrated(at=moment)
            moment = _later(self.calendar, moment + timedelta(days=1), 0)
            moment = _aware(datetime.combine(timezone.localtime(moment).date(), time(9)))
            yield moment

    def _life(self, plan: Plan) -> Iterator[datetime]:
        request = self._submit(plan)
        self.requests.append(request)
        moment = plan.at
        if request.status == ServiceRequest.Status.UNASSIGNED:
            moment = yield from self._after(moment, 0.3)
            services.request_route(
                actor=self.coordinator,
                request=request,
                department=self.departments[self.rng.choice(["sw", "fgtj"])],
                note="无匹配规则，指挥部人工分派",
                at=moment,
            )
        if plan.cohandler:
            moment = yield from self._after(moment, 0.1)
            services.request_add_cohandler(
                actor=self.coordinator,
                request=request,
                department=self.departments[plan.cohandler],
                note="需协同办理",
                at=moment,
            )
        if plan.transfer_to:
            moment = yield from self._after(moment, 0.4)
            lead = self._working(request)[0]
            code, reason = TRANSFERS[plan.category]
            services.assignment_transfer(
                actor=self._member(lead),
                assignment=lead,
                reason=reason,
                department=self.departments[code],
                at=moment,
            )
        for rating in (plan.rating, Rating.BASIC):
            moment = yield from self._handle(plan, request, moment)
            if not rating:
                return
            rated = plan.rated_at or _later(self.calendar, moment, plan.rate_after)
            moment = yield from self._until(rated)
            services.request_rate(
                actor=self._rater(plan),
                request=request,
                rating=rating,
                comment=COMMENTS[rating],
                at=moment,
            )
            request.refresh_from_db()
            if request.status == ServiceRequest.Status.CLOSED:
                if plan.letter:
                    self.letter_requests.append((request, moment))
                return

    def _handle(self, plan: Plan, request: ServiceRequest, moment: datetime):
        """Every unit on the request claims it, then answers; returns the last answer's moment."""
        working = self._working(request)
        claimed = []
        for n, assignment in enumerate(working):
            moment = yield from self._until(
                _later(self.calendar, moment, plan.claim_after + 0.05 * n)
            )
            actor = self._member(assignment, plan.handler)
            services.assignment_claim(actor=actor, assignment=assignment, at=moment)
            claimed.append((assignment, actor, moment))
        if plan.extension:
            assignment, actor, _claimed_at = claimed[0]
            moment = yield from self._after(moment, 0.3)
            extension = services.extension_request(
                actor=actor,
                assignment=assignment,
                stage="reply",
                extra_days=2,
                reason="需协调外区单位，申请延期两个工作日",
                at=moment,
            )
            moment = yield from self._after(moment, 0.1)
            services.extension_decide(
                actor=self.coordinator, extension=extension, approve=True, note="", at=moment
            )
        for n, (assignment, actor, claimed_at) in enumerate(claimed):
            reply_at = plan.replied_at or _later(
                self.calendar, claimed_at, plan.reply_after + 0.1 * n
            )
            moment = yield from self._until(max(reply_at, moment))
            services.assignment_reply(
                actor=actor, assignment=assignment, reply=plan.wording[2], at=moment
            )
        return moment

    def _after(self, moment: datetime, working_days: float):
        return (yield from self._until(_later(self.calendar, moment, working_days)))

    def _until(self, moment: datetime):
        yield moment
        return moment

    def _submit(self, plan: Plan) -> ServiceRequest:
        title, description, _reply = plan.wording
        hotline = plan.channel == Channel.HOTLINE
        return services.request_submit(
            actor=self.portal_user if plan.channel == Channel.PORTAL else self.coordinator,
            enterprise=plan.enterprise,
            category=plan.category,
            title=title,
            description=description,
            channel=plan.channel,
            urgency="urgent" if plan.category == Category.EPIDEMIC_SUPPLIES else "normal",
            caller_name=plan.enterprise.contact_person if hotline else "",
            caller_phone=plan.enterprise.contact_phone if hotline else "",
            report=plan.report,
            at=plan.at,
        )

    def _working(self, request: ServiceRequest) -> list[Assignment]:
        return list(
            request.assignments.filter(
                round=request.round, status=Assignment.Status.PENDING
            ).order_by("role", "pk")
        )

    def _member(self, assignment: Assignment, username: str = "") -> User:
        if assignment.task_force_id:
            return assignment.task_force.members.order_by("pk").first()
        people = self.handlers[assignment.department.code]
        return next((u for u in people if u.username == username), people[0])

    def _rater(self, plan: Plan) -> User:
        return self.portal_user if plan.channel == Channel.PORTAL else self.coordinator


def _letters(replay: Replay, licensing: Department, coordinator: User) -> list:
    letters = []
    for request, closed_at in replay.letter_requests:
        received = min(
            timezone.localtime(closed_at).date() + timedelta(days=replay.rng.randint(0, 3)),
            LAST_MOMENT.date(),
        )
        if request.enterprise.name == SHENZHEN_INTERNATIONAL:
            received = date(2020, 3, 16)
            summary = (
                "16日已领到了新的营业执照，真正体验到了热情高效的二七速度。"
                "我们企业向周末也奋战在一线的工作人员表示衷心感谢。"
            )
        else:
            summary = "注册登记窗口工作人员服务态度好、办事效率高，帮助企业很快复产，特致感谢。"
        letters.append(
            services.letter_record(
                actor=coordinator,
                department=licensing,
                sender=request.enterprise.name,
                received_on=received,
                summary=summary,
                request=request,
                enterprise=request.enterprise,
                at=_aware(datetime.combine(received, time(16, 20))),
            )
        )
    return letters

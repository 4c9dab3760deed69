"""The demo district's policy library of early 2020, replayed through the services in the order it
happened: national, Henan, Zhengzhou and Erqi policies drafted, published (matched against the
register and pushed), a few applications reviewed and paid, and one 免申即享 payout list noticed,
objected to and paid.

Only three national documents carry a real title and 文号 (人社部发〔2020〕11号, 财政部 税务总局
公告2020年第13号, 财金〔2020〕5号); their conditions are the platform's reading of who they concern.
Every other policy is a demo example, marked as such (`is_example`, 「（示例）」 in its title): the
provincial, city and district measures of those months are real in kind, not in these words or
figures. Every figure follows from the register and the reports: matches are the rule applied
to them, amounts the benefit applied to the matches."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from fugong.core.models import Department, User
from fugong.core.services import notifications_muted, user_create
from fugong.enterprises.models import Enterprise
from fugong.policies import services
from fugong.policies.models import Policy, PolicyMatch

EVERY_OPERATING = {"all": [{"attr": "status", "op": "eq", "value": "operating"}]}
BELOW = {"attr": "category", "op": "in", "value": ["industry_below", "services_below"]}


def aware(text: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(text))


@dataclass
class DemoPolicy:
    key: str
    department: str
    published: str  # when it was published (Beijing time); "" leaves it a draft
    values: dict
    expired: str = ""
    reads: list[str] = field(default_factory=list)  # portal accounts that opened it


LIBRARY = [
    DemoPolicy(
        "social_insurance",
        "rs",
        "2020-02-21 10:00",
        {
            "title": "人力资源社会保障部 财政部 税务总局关于阶段性减免企业社会保险费的通知",
            "document_number": "人社部发〔2020〕11号",
            "issuer": "人力资源社会保障部、财政部、税务总局",
            "level": "national",
            "kind": "relief",
            "mode": "auto_grant",
            "benefit_kind": "none",
            "benefit_note": "中小微企业2—6月免征、大型企业2—4月减半征收基本养老、失业、工伤保险单位缴费",
            "summary": "阶段性减免企业基本养老保险、失业保险、工伤保险单位缴费部分。由社保经办机构"
            "和税务部门直接减免，企业无需申请。",
            "effective_on": date(2020, 2, 1),
            "expires_on": date(2020, 6, 30),
            "rule": EVERY_OPERATING,
        },
        reads=["kangshifu"],
    ),
    DemoPolicy(
        "vat",
        "cz",
        "2020-03-02 09:30",
        {
            "title": "财政部 税务总局关于支持个体工商户复工复业增值税政策的公告",
            "document_number": "财政部 税务总局公告2020年第13号",
            "issuer": "财政部、税务总局",
            "level": "national",
            "kind": "relief",
            "mode": "auto_grant",
            "benefit_kind": "none",
            "benefit_note": "湖北省以外的增值税小规模纳税人，3%征收率减按1%征收（3—5月）；"
            "以税务登记为准，本平台向规下企业提示",
            "summary": "自2020年3月1日至5月31日，除湖北省外，增值税小规模纳税人适用3%征收率的应税"
            "销售收入，减按1%征收率征收增值税。申报时直接适用，无需申请。",
            "effective_on": date(2020, 3, 1),
            "expires_on": date(2020, 5, 31),
            "rule": {"all": [BELOW]},
        },
    ),
    DemoPolicy(
        "interest",
        "fgtj",
        "2020-02-12 15:00",
        {
            "title": "财政部 发展改革委 工业和信息化部 人民银行 审计署关于打赢疫情防控阻击战 "
            "强化疫情防控重点保障企业资金支持的紧急通知",
            "document_number": "财金〔2020〕5号",
            "issuer": "财政部、国家发展改革委、工业和信息化部、人民银行、审计署",
            "level": "national",
            "kind": "loan_interest",
            "mode": "apply",
            "benefit_kind": "percent",
            "benefit_percent": Decimal("50"),
            "benefit_note": "按企业实际支付的贷款利息的一半测算",
            "summary": "对疫情防控重点保障企业的专项再贷款，中央财政给予贴息。纳入名单的企业"
            "提供贷款合同和付息凭证申请。",
            "effective_on": date(2020, 2, 7),
            "expires_on": date(2020, 12, 31),
            "rule": {"all": [{"attr": "is_epidemic_supplies", "op": "eq", "value": True}]},
        },
    ),
    DemoPolicy(
        "full_production",
        "fgtj",
        "2020-03-16 09:00",
        {
            "title": "（示例）河南省规模以上工业企业稳产满产奖励",
            "issuer": "河南省（示例）",
            "level": "province",
            "kind": "subsidy",
            "mode": "apply",
            "benefit_kind": "fixed",
            "benefit_amount": Decimal("20000"),
            "summary": "3月15日用工复工率达到80%以上的规模以上工业企业，申请后给予一次性奖励。",
            "effective_on": date(2020, 3, 16),
            "expires_on": date(2020, 4, 30),
            "situation_as_of": aware("2020-03-15 17:00"),
            "rule": {
                "all": [
                    {"attr": "category", "op": "eq", "value": "industry_above"},
                    {"attr": "workforce_rate", "op": "gte", "value": 80},
                ]
            },
        },
        reads=["kangshifu"],
    ),
    DemoPolicy(
        "rent",
        "sw",
        "2020-02-25 10:00",
        {
            "title": "（示例）郑州市中小微企业房租减免",
            "issuer": "郑州市（示例）",
            "level": "city",
            "kind": "rent",
            "mode": "apply",
            "benefit_kind": "percent",
            "benefit_percent": Decimal("50"),
            "benefit_cap": Decimal("10000"),
            "summary": "承租经营用房的规下企业和个体工商户，按2月实际租金的50%给予补助，每家最多1万元。",
            "effective_on": date(2020, 2, 25),
            "expires_on": date(2020, 6, 30),
            "rule": {"all": [BELOW]},
        },
    ),
    DemoPolicy(
        "supplies",
        "kj",
        "2020-02-14 16:00",
        {
            "title": "（示例）郑州市防疫物资生产企业扩产补贴",
            "issuer": "郑州市（示例）",
            "level": "city",
            "kind": "subsidy",
            "mode": "apply",
            "benefit_kind": "fixed",
            "benefit_amount": Decimal("50000"),
            "summary": "生产口罩、防护服、消毒用品、医疗器械的工业企业扩大产能，给予一次性补贴。",
            "effective_on": date(2020, 2, 14),
            "expires_on": date(2020, 6, 30),
            "rule": {
                "all": [
                    {"attr": "is_epidemic_supplies", "op": "eq", "value": True},
                    {"attr": "category", "op": "in", "value": ["industry_above", "industry_below"]},
                ]
            },
        },
    ),
    DemoPolicy(
        "job_retention",
        "rs",
        "2020-03-04 09:00",
        {
            "title": "（示例）二七区规下工业企业复工稳岗补贴",
            "issuer": "二七区（示例）",
            "level": "district",
            "kind": "job_retention",
            "mode": "auto_grant",
            "benefit_kind": "per_worker",
            "benefit_amount": Decimal("200"),
            "benefit_cap": Decimal("10000"),
            "objection_days": 5,
            "summary": "3月2日17时前全面复工的规下工业企业，按在册职工每人200元给予稳岗补贴，"
            "每家最多1万元，免申即享，经公示后直接拨付。",
            "effective_on": date(2020, 3, 4),
            "expires_on": date(2020, 3, 31),
            "situation_as_of": aware("2020-03-02 17:00"),
            "rule": {
                "all": [
                    {"attr": "category", "op": "eq", "value": "industry_below"},
                    {"attr": "resumption_status", "op": "eq", "value": "resumed"},
                ]
            },
        },
    ),
    DemoPolicy(
        "vip",
        "fgtj",
        "2020-02-18 09:00",
        {
            "title": "（示例）马寨产业集聚区A级企业“VIP会员服务”",
            "issuer": "二七区（示例）",
            "level": "district",
            "kind": "other",
            "mode": "auto_grant",
            "benefit_kind": "none",
            "benefit_note": "专人对接招工、政策资金和量身定制的复产方案",
            "summary": "集聚区对A级企业实行VIP会员服务：帮助招募员工、争取政策资金、量身定制复工方案。",
            "effective_on": date(2020, 2, 18),
            "rule": {
                "all": [
                    {"attr": "park", "op": "in", "value": ["P410103001"]},
                    {"attr": "grade", "op": "eq", "value": "A"},
                ]
            },
        },
    ),
    DemoPolicy(
        "shops",
        "sw",
        "2020-03-20 09:00",
        {
            "title": "（示例）二七区个体工商户复业补助",
            "issuer": "二七区（示例）",
            "level": "district",
            "kind": "subsidy",
            "mode": "apply",
            "benefit_kind": "fixed",
            "benefit_amount": Decimal("1000"),
            "review_days": 5,
            "summary": "2020年以前开业、从业8人以下的批零、餐饮和居民服务小店，3月20日前已复业的，"
            "申请后每家补助1000元。",
            "effective_on": date(2020, 3, 20),
            "expires_on": date(2020, 4, 30),
            "situation_as_of": aware("2020-03-20 12:00"),
            "rule": {
                "all": [
                    {"attr": "category", "op": "eq", "value": "services_below"},
                    {"attr": "industry_section", "op": "in", "value": ["F", "H", "O"]},
                    {"attr": "payroll_headcount", "op": "lte", "value": 8},
                    {"attr": "founded_on", "op": "lt", "value": "2020-01-01"},
                    {"attr": "resumption_status", "op": "in", "value": ["partly", "resumed"]},
                ]
            },
        },
    ),
    DemoPolicy(
        "spring_festival",
        "fgtj",
        "2020-02-05 10:00",
        {
            "title": "（示例）二七区春节期间坚持生产重点企业补贴",
            "issuer": "二七区（示例）",
            "level": "district",
            "kind": "subsidy",
            "mode": "apply",
            "benefit_kind": "fixed",
            "benefit_amount": Decimal("10000"),
            "summary": "春节期间坚持生产、保障供应的重点企业，申请后给予一次性补贴。2月底截止。",
            "effective_on": date(2020, 2, 5),
            "expires_on": date(2020, 2, 29),
            "rule": {"all": [{"attr": "is_key", "op": "eq", "value": True}]},
        },
        expired="2020-03-01 00:10",
    ),
    DemoPolicy(
        "power",
        "fgtj",
        "",
        {
            "title": "（示例）二七区重点企业用电补贴（征求意见稿）",
            "issuer": "二七区（示例）",
            "level": "district",
            "kind": "subsidy",
            "mode": "apply",
            "benefit_kind": "per_worker",
            "benefit_amount": Decimal("100"),
            "benefit_cap": Decimal("50000"),
            "summary": "尚在征求意见的草稿：重点企业按在册职工人数给予用电补贴。",
            "effective_on": date(2020, 4, 1),
            "rule": {
                "any": [
                    {"attr": "is_key", "op": "eq", "value": True},
                    {"not": {"attr": "payroll_headcount", "op": "lt", "value": 300}},
                ]
            },
        },
    ),
]

YINGDING = "郑州盈鼎医疗器械有限公司"
HONGJING = "郑州宏靖彩印包装有限公司"
KANGSHIFU = "郑州康师傅食品有限公司"


def _clerk(department: Department, coordinator: User) -> User:
    return (
        User.objects.filter(role=User.Role.DEPARTMENT, department=department, is_active=True)
        .order_by("username")
        .first()
        or coordinator
    )


def _account(enterprise: Enterprise, username: str) -> User:
    existing = User.objects.filter(role=User.Role.ENTERPRISE, enterprise=enterprise).first()
    if existing is not None:
        return existing
    # No usable password: the enterprise's contact sets one when they need to log in.
    return user_create(
        username=username,
        role=User.Role.ENTERPRISE,
        password=None,
        display_name=f"{enterprise.contact_person}（{enterprise.name[:8]}）",
        enterprise=enterprise,
    )


def load(*, departments: dict[str, Department], coordinator: User) -> dict:
    with notifications_muted():
        policies = {item.key: _policy(item, departments, coordinator) for item in LIBRARY}
        applications = _applications(policies, departments, coordinator)
        batch = _payout(policies["job_retention"], _clerk(departments["rs"], coordinator))
    return {"policies": policies, "applications": applications, "batch": batch}


def _policy(item: DemoPolicy, departments, coordinator) -> Policy:
    department = departments[item.department]
    actor = _clerk(department, coordinator)
    drafted = aware(item.published or "2020-03-23 09:00")
    values = {"is_example": "（示例）" in item.values["title"], **item.values}
    policy = services.policy_create(
        actor=actor,
        policy=Policy(department=department, **values),
        at=drafted.replace(hour=8, minute=30),
    )
    if item.published:
        run = services.policy_publish(actor=actor, policy=policy, at=drafted, push=False)
        services.push_matches(run_id=run.pk, at=drafted + timedelta(minutes=5))
    for username in item.reads:
        reader = User.objects.get(username=username)
        services.match_mark_read(user=reader, policy=policy, at=aware("2020-03-18 08:40"))
    if item.expired:
        services.policy_expire(
            actor=None, policy=policy, at=aware(item.expired), note="已过截止日期，自动到期"
        )
    policy.refresh_from_db()
    return policy


def _applications(policies, departments, coordinator) -> list:
    def named(name: str) -> Enterprise:
        return Enterprise.objects.get(name=name)

    yingding = _account(named(YINGDING), "yingding")
    hongjing = _account(named(HONGJING), "hongjing")
    kangshifu = User.objects.get(username="kangshifu")
    shops = _first_matches(policies["shops"], 3)
    shopkeepers = [_account(e, f"shop{n}") for n, e in enumerate(shops, start=1)]
    fgtj, sw, kj = (_clerk(departments[c], coordinator) for c in ("fgtj", "sw", "kj"))
    s = services
    done = []

    interest = s.application_submit(
        actor=yingding,
        policy=policies["interest"],
        statement="公司为疫情防控重点保障企业，获专项再贷款300万元，已付2—3月利息。",
        declared_base=Decimal("23400"),
        at=aware("2020-02-20 10:15"),
    )
    s.application_approve(actor=fgtj, application=interest, at=aware("2020-02-26 16:00"))
    s.application_pay(
        actor=fgtj, application=interest, paid_on=date(2020, 3, 10), at=aware("2020-03-10 11:00")
    )
    done.append(interest)

    supplies = s.application_submit(
        actor=yingding,
        policy=policies["supplies"],
        statement="新增医用口罩生产线两条，日产能提高至10万只。",
        at=aware("2020-02-17 09:30"),
    )
    s.application_ask(
        actor=kj,
        application=supplies,
        note="请补充新增生产线的设备购置发票",
        at=aware("2020-02-18 15:00"),
    )
    s.application_resubmit(
        actor=yingding,
        application=supplies,
        note="已补充设备发票两张",
        at=aware("2020-02-19 10:00"),
    )
    s.application_approve(actor=kj, application=supplies, at=aware("2020-02-24 10:00"))
    s.application_pay(
        actor=kj, application=supplies, paid_on=date(2020, 3, 2), at=aware("2020-03-02 15:00")
    )
    done.append(supplies)

    rent = s.application_submit(
        actor=hongjing,
        policy=policies["rent"],
        statement="厂房租金每月24000元，2月已足额支付。",
        declared_base=Decimal("24000"),
        at=aware("2020-03-02 10:00"),
    )
    s.application_approve(actor=sw, application=rent, at=aware("2020-03-09 09:00"))
    done.append(rent)

    full = s.application_submit(
        actor=kangshifu,
        policy=policies["full_production"],
        statement="3月15日在岗职工已达在册人数八成以上，产能恢复。",
        at=aware("2020-03-18 09:00"),
    )
    done.append(full)

    asked = s.application_submit(
        actor=shopkeepers[0],
        policy=policies["shops"],
        statement="小店已于3月复业。",
        at=aware("2020-03-20 14:00"),
    )
    s.application_ask(
        actor=sw, application=asked, note="请上传复业后的店面照片", at=aware("2020-03-23 10:00")
    )
    done.append(asked)
    rejected = s.application_submit(
        actor=shopkeepers[1],
        policy=policies["shops"],
        statement="申请复业补助。",
        at=aware("2020-03-20 15:30"),
    )
    s.application_reject(
        actor=sw,
        application=rejected,
        reason="经核实，该店同一经营者已以另一门店申领",
        at=aware("2020-03-23 11:00"),
    )
    done.append(rejected)
    done.append(
        s.application_submit(
            actor=shopkeepers[2],
            policy=policies["shops"],
            statement="申请复业补助。",
            at=aware("2020-03-21 09:20"),
        )
    )
    return done


def _first_matches(policy: Policy, n: int) -> list[Enterprise]:
    matches = PolicyMatch.objects.filter(policy=policy, ended_at__isnull=True).order_by(
        "enterprise__name"
    )
    return [m.enterprise for m in matches.select_related("enterprise")[:n]]


def _payout(policy: Policy, clerk: User):
    """The district's 免申即享 list: made, noticed for five working days, one objection upheld
    and one dismissed, confirmed and paid."""
    s = services
    batch = s.payout_batch_create(actor=clerk, policy=policy, at=aware("2020-03-05 10:00"))
    s.payout_notice_start(actor=clerk, batch=batch, at=aware("2020-03-05 10:30"))
    lines = list(batch.lines.select_related("enterprise").order_by("enterprise__name")[:2])
    upheld = s.objection_file(
        batch=batch,
        line=lines[0],
        name="李建华",
        phone="13903718826",
        content="该企业3月初已停产，不应享受稳岗补贴。",
        at=aware("2020-03-09 09:40"),
    )
    s.objection_handle(
        actor=clerk,
        objection=upheld,
        uphold=True,
        reply="经街道核实，该企业3月6日起停产，从清单中剔除",
        at=aware("2020-03-10 16:00"),
    )
    dismissed = s.objection_file(
        batch=batch,
        line=lines[1],
        name="王女士",
        phone="13838107265",
        content="该企业职工人数与实际不符。",
        at=aware("2020-03-10 11:20"),
    )
    s.objection_handle(
        actor=clerk,
        objection=dismissed,
        uphold=False,
        reply="人数以社保参保登记为准，核实无误",
        at=aware("2020-03-11 10:00"),
    )
    s.payout_confirm(actor=clerk, batch=batch, at=aware("2020-03-13 09:00"))
    s.payout_mark_paid(
        actor=clerk, batch=batch, paid_on=date(2020, 3, 18), at=aware("2020-03-18 15:00")
    )
    return batch

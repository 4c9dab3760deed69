"""The demo district reproduces the seed article's register exactly."""

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from fugong.core.models import Region, User
from fugong.core.validators import normalize_phone, normalize_uscc
from fugong.enterprises.demo import DemoRegister
from fugong.enterprises.models import ConstructionProject, Enterprise
from fugong.enterprises.services import grade_rules_ensure_defaults
from fugong.factors.counties import counties_ensure_loaded
from fugong.resumption.bulletin import bulletin_text
from fugong.resumption.models import Report
from fugong.resumption.selectors import DISTRICT, entities_as_of, figures_as_of
from fugong.services.services import deadline_policies_ensure_defaults

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo_district(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("demo", password="demo-password-2020", verbosity=0)
        yield
        call_command("flush", interactive=False, verbosity=0)
        # The flush also empties the tables migrations fill; later tests expect them filled.
        grade_rules_ensure_defaults()
        deadline_policies_ensure_defaults()
        counties_ensure_loaded()


def test_the_register_has_the_articles_counts(demo_district):
    counts = dict(Enterprise.objects.values_list("category").annotate(n=Count("id")))
    assert counts == {
        "industry_above": 78,
        "industry_below": 813,
        "services_above": 180,
        "services_below": 25968,
    }
    assert ConstructionProject.objects.count() == 344


def test_the_parks_hold_what_the_article_says(demo_district):
    mazhai = Enterprise.objects.filter(park__name="马寨产业集聚区")
    assert mazhai.filter(category__in=["industry_above", "services_above"]).count() == 79
    assert Enterprise.objects.filter(park__name="樱桃沟景区").count() == 168
    assert set(mazhai.exclude(grade="").values_list("grade", flat=True)) == {"A", "B", "C"}


def test_the_named_enterprises_are_there(demo_district):
    for name in ("郑州康师傅食品有限公司", "花花牛乳业集团股份有限公司"):
        assert Enterprise.objects.get(name=name).park.name == "马寨产业集聚区"
    talent = Enterprise.objects.filter(is_talent=True)
    assert talent.count() == 17
    for name in ("中沃消防", "盈鼎医疗器械", "宏靖彩印包装"):
        assert talent.filter(name__contains=name).exists()


def test_every_enterprise_has_a_founding_date_and_a_point_in_the_district(demo_district):
    assert not Enterprise.objects.filter(founded_on__isnull=True).exists()
    assert not Enterprise.objects.filter(longitude__isnull=True).exists()
    assert not Region.objects.filter(longitude__isnull=True).exists()
    # 二七区 spans about 113.50–113.70 E, 34.60–34.78 N.
    outside = Enterprise.objects.exclude(
        longitude__range=(113.50, 113.70), latitude__range=(34.60, 34.78)
    )
    assert not outside.exists()
    assert Enterprise.objects.filter(founded_on__gt="2019-12-31").count() == 0


def test_every_code_and_phone_number_is_valid_and_unique(demo_district):
    rows = list(Enterprise.objects.values_list("uscc", "contact_phone", "name"))
    assert all(normalize_uscc(code) == code for code, _phone, _name in rows)
    assert all(normalize_phone(phone) == phone for _code, phone, _name in rows)
    assert len({code for code, *_ in rows}) == len({name for *_, name in rows}) == len(rows)


def test_every_street_and_town_has_enterprises(demo_district):
    empty = Region.objects.filter(kind__in=Region.SUBDISTRICT_KINDS, enterprises__isnull=True)
    assert not empty.exists()


def test_there_is_a_login_for_every_role(demo_district):
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == {r.value for r in User.Role}
    assert User.objects.get(username="coordinator").check_password("demo-password-2020")


def test_the_pinyin_search_finds_the_anchor(demo_district):
    assert list(
        Enterprise.objects.filter(name_initials__contains="ksf").values_list("name", flat=True)
    ) == ["郑州康师傅食品有限公司"]


def test_the_demo_is_deterministic(demo_district):
    regions = {r.code: r for r in Region.objects.all()}
    built = DemoRegister(regions).build_enterprises()
    stored = dict(Enterprise.objects.values_list("uscc", "name"))
    assert {e.uscc: e.name for e in built} == stored


def test_a_second_run_refuses_to_touch_existing_data(demo_district):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="已有数据"):
        call_command("demo", verbosity=0)
    call_command("demo", if_empty=True, verbosity=0)
    assert Enterprise.objects.count() == 27039


SEED_SENTENCE = (
    "截至3月23日17时，全区78家规模以上工业企业、813家规下工业、180家规上服务业企业、"
    "25968家规下服务业、344个建设工程全部复工，用工复工率均为100%。"
)


def test_the_bulletin_reproduces_the_seed_sentence_character_for_character(demo_district, capsys):
    call_command("bulletin", "--as-of", "2020-03-23 17:00")
    assert capsys.readouterr().out.strip() == SEED_SENTENCE


def test_earlier_the_picture_is_partial_and_believable(demo_district):
    figures = figures_as_of(aware("2020-03-01 12:00"), user=DISTRICT)
    rates = {code: f.resumption_rate for code, _label, f in figures.category_rows()}
    assert 20 < figures.total.resumption_rate < 60
    assert rates["services_below"] == min(rates.values())  # small services restart slowest
    assert rates["industry_above"] > 90
    text = bulletin_text(figures)
    assert (
        text.startswith("截至3月1日12时，全区规模以上工业企业78家") and "复工进度靠后的是" in text
    )


def test_a_minute_before_the_end_it_is_not_yet_everything(demo_district):
    figures = figures_as_of(aware("2020-03-23 12:00"), user=DISTRICT)
    assert not figures.total.all_resumed or not figures.total.full_workforce
    assert "均为100%" not in bulletin_text(figures)


def test_the_demo_has_a_few_reports_per_entity(demo_district):
    assert 100_000 <= Report.objects.count() <= 150_000
    assert Report.objects.exclude(flags=[]).exists()
    assert Report.objects.filter(reported_at__gt=aware("2020-03-23 17:00")).count() == 0


def test_the_drill_down_matches_every_area_number(demo_district):
    moment = aware("2020-03-01 12:00")
    figures = figures_as_of(moment, user=DISTRICT)
    area = figures.by_area[0]
    enterprises, projects = entities_as_of(
        moment, user=DISTRICT, area=area.area, state="not_resumed"
    )
    assert enterprises.count() + projects.count() == area.figures.not_resumed


def aware(text: str):
    from datetime import datetime

    from django.utils import timezone

    return timezone.make_aware(datetime.fromisoformat(text))


def test_the_seed_s_service_officers_are_stationed(demo_district):
    from fugong.enterprises.models import LiaisonAssignment

    active = LiaisonAssignment.objects.filter(ended_on__isnull=True)
    talent = active.filter(kind="talent").values("officer").distinct().count()
    party = active.filter(kind="party").values("officer").distinct().count()
    assert (talent, party) == (50, 78)  # 「50名人才服务专员」「78名非公党建指导员」
    uncovered = Enterprise.objects.filter(is_talent=True).exclude(
        liaison_assignments__in=active.filter(kind="talent")
    )
    assert not uncovered.exists()


def test_the_licensing_bureau_has_its_eight_letters_and_the_archive_transfer(demo_district):
    from fugong.services.models import ServiceRequest, ThankYouLetter

    letters = ThankYouLetter.objects.filter(department__name="区市场监管局")
    assert letters.count() == 8  # 「收到感谢信8封」
    request = ServiceRequest.objects.get(enterprise__name="郑州深国际综合物流港发展有限公司")
    steps = [(s.action, f"{timezone.localtime(s.at):%m-%d}") for s in request.steps.all()]
    assert ("reply", "03-16") in steps and steps[0] == ("submit", "03-12")
    assert request.status == "closed" and request.rating == "satisfied"
    letter = request.letters.get()
    assert letter.received_on.isoformat() == "2020-03-16" and "二七速度" in letter.summary


def test_the_request_figures_as_of_the_bulletin_moment_match_a_plain_count(demo_district):
    from fugong.services.demo import NOW
    from fugong.services.selectors import figures_as_of as request_figures
    from fugong.services.tests.reference import figures_by_loop

    figures = request_figures(NOW, user=User.objects.get(username="leader"))
    reference = figures_by_loop(NOW)
    assert figures.requests == reference["totals"]["requests"] > 200
    assert figures.closed == reference["totals"]["closed"]
    for handler in figures.by_handler:
        received = sum(v["received"] for k, v in reference["cells"].items() if k[0] == handler.key)
        assert handler.received == received, handler.name
    assert figures.open > 0 and figures.red_list and figures.black_list


# 送要素: 「……开展人才“云招聘”春风行动，推送发布17家重点人才企业、1086个紧缺岗位信息，开通4条招工
# 引才与求职服务热线及10多辆“复产复工返岗直通车”，远赴沈丘、卢氏等10余个县市接回各类人才及员工
# 3200多名，并积极为中沃消防、盈鼎医疗器械、宏靖彩印包装等5家人才企业申报了各300万元的贷款申请」
SEED_FACTORS = (
    "推送发布17家重点人才企业、1086个紧缺岗位信息，开通4条招工引才与求职服务热线及10多辆"
    "“复产复工返岗直通车”，远赴沈丘、卢氏等10余个县市接回各类人才及员工3200多名，并积极为"
    "中沃消防、盈鼎医疗器械、宏靖彩印包装等5家人才企业申报了各300万元的贷款申请"
)


def test_the_recruitment_line_and_the_four_hotlines_are_the_seed_s(demo_district):
    from fugong.factors.models import Hotline
    from fugong.factors.selectors import recruitment_figures

    figures = recruitment_figures()
    assert figures.bulletin_line == "推送发布17家重点人才企业、1086个紧缺岗位信息"
    assert figures.bulletin_line in SEED_FACTORS
    assert figures.enterprises > figures.talent_enterprises  # key enterprises recruit too
    assert figures.hires > 0 and figures.applications > figures.hires
    hotlines = Hotline.objects.filter(is_active=True).count()
    assert hotlines == 4 and f"开通{hotlines}条招工引才与求职服务热线" in SEED_FACTORS


def test_the_shuttles_bring_back_3200_odd_workers_from_10_odd_counties_in_10_odd_buses(
    demo_district,
):
    from fugong.factors.selectors import shuttle_figures

    figures = shuttle_figures(User.objects.get(username="leader"))
    # 「10多辆」「10余个县市」「3200多名」: the exact figures the planner's plan gave.
    assert (figures.vehicles, figures.counties, figures.brought_back) == (11, 12, 3220)
    assert 10 < figures.vehicles < 20 and 10 < figures.counties < 20
    assert 3200 <= figures.brought_back < 3300
    assert [row["worker__home_county__code"] for row in figures.by_county[:2]] == [
        "411624",  # 沈丘县
        "411224",  # 卢氏县
    ]
    assert figures.bulletin_line == (
        "11辆“复产复工返岗直通车”，远赴沈丘、卢氏等12个县市接回各类人才及员工3220名"
    )


def test_the_demo_s_trips_are_the_planner_s_and_keep_its_promises(demo_district):
    from django.db.models import Count, F, Q

    from fugong.factors.models import PlanningRun, ReturningWorker, ShuttleTrip, TripPassenger

    run = PlanningRun.objects.get()
    trips = ShuttleTrip.objects.all()
    assert run.status == "done" and trips.count() == run.trips and not trips.exclude(run=run)
    assert run.vehicles == trips.values("vehicle").distinct().count()
    # The same input under first-fit needs more buses, more trips and more kilometres.
    assert run.baseline_vehicles > run.vehicles and run.baseline_trips > run.trips
    assert run.baseline_distance_km > run.distance_km
    loads = trips.annotate(n=Count("passengers")).filter(n__gt=F("capacity"))
    assert not loads.exists()
    assert not trips.filter(capacity__gt=F("vehicle__seats") / 2).exists()
    seated = TripPassenger.objects.filter(removed_at__isnull=True).values("worker")
    unplanned = run.unplanned.values("worker")
    active = ReturningWorker.objects.filter(cancelled_at__isnull=True)
    # Everyone is on a trip, or was absent at boarding, or the plan says why not.
    left = active.exclude(pk__in=seated).exclude(pk__in=unplanned)
    assert left.count() == TripPassenger.objects.filter(removed_at__isnull=False).count()
    assert set(unplanned.values_list("reason", flat=True)) == {"not_ready", "no_origin_location"}
    assert not trips.filter(~Q(status="arrived")).exists()


def test_the_five_talent_enterprises_loans_are_the_seed_s(demo_district):
    from fugong.factors.selectors import loan_figures

    figures = loan_figures(User.objects.get(username="leader"))
    line = "为中沃消防、盈鼎医疗器械、宏靖彩印包装等5家人才企业申报了各300万元的贷款申请"
    assert figures.bulletin_line == line and line in SEED_FACTORS
    assert figures.applications == 5 and {row["bank"] for row in figures.by_bank} >= {
        "中原银行郑州分行"
    }


def test_the_policy_library_spans_four_levels_and_marks_its_examples(demo_district):
    from fugong.policies.models import Policy

    policies = list(Policy.objects.all())
    assert {p.level for p in policies} == {"national", "province", "city", "district"}
    real = [p for p in policies if not p.is_example]
    assert sorted(p.document_number for p in real) == [
        "人社部发〔2020〕11号",
        "财政部 税务总局公告2020年第13号",
        "财金〔2020〕5号",
    ]
    assert all("（示例）" in p.title and not p.document_number for p in policies if p.is_example)
    assert {p.status for p in policies} == {"draft", "published", "expired"}


def test_every_policy_s_matches_are_its_rule_applied_to_the_register(demo_district):
    from fugong.policies import rules
    from fugong.policies.models import Policy, PolicyMatch

    for policy in Policy.objects.exclude(status="draft"):
        stored = set(
            PolicyMatch.objects.filter(policy=policy, ended_at__isnull=True).values_list(
                "enterprise_id", flat=True
            )
        )
        computed = set(
            rules.matching(policy.rule, situation_at=policy.situation_as_of).values_list(
                "pk", flat=True
            )
        )
        assert stored == computed and stored, policy.title
    social = Policy.objects.get(document_number="人社部发〔2020〕11号")
    assert social.matches.count() == Enterprise.objects.count() == 27039


def test_the_auto_grant_payout_is_reproduced_from_the_register(demo_district):
    from decimal import Decimal

    from fugong.policies.models import Objection, PayoutBatch

    batch = PayoutBatch.objects.get()
    assert batch.status == "paid" and batch.paid_on.isoformat() == "2020-03-18"
    matched = set(batch.policy.matches.values_list("enterprise_id", flat=True))
    lines = list(batch.lines.select_related("enterprise"))
    assert {line.enterprise_id for line in lines} == matched
    for line in lines:
        assert line.amount == min(Decimal(200) * line.enterprise.payroll_headcount, Decimal(10000))
    [excluded] = [line for line in lines if line.excluded]
    assert Objection.objects.get(status="upheld").line == excluded
    paid = sum(line.amount for line in lines if not line.excluded)
    from fugong.policies.selectors import take_up_figures

    rows, total = take_up_figures(User.objects.get(username="leader"))
    grant = next(r for r in rows if r.policy == batch.policy)
    assert (grant.matched, grant.paid, grant.amount) == (len(lines), len(lines) - 1, paid)
    applications = Decimal("11700.00") + Decimal("50000.00")  # 盈鼎's interest and expansion
    assert total.amount == paid + applications


def test_the_demo_applications_cover_every_stage(demo_district):
    from fugong.policies.models import Application

    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses == {"submitted", "more_info", "approved", "rejected", "paid"}
    mine = Application.objects.get(enterprise__name="郑州康师傅食品有限公司")
    assert mine.status == "submitted" and mine.applicant.username == "kangshifu"

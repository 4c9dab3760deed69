"""The demo district reproduces the seed article's register exactly."""

import pytest
from django.core.management import call_command
from django.db.models import Count

from fugong.core.models import Region, User
from fugong.core.validators import normalize_phone, normalize_uscc
from fugong.enterprises.demo import DemoRegister
from fugong.enterprises.models import ConstructionProject, Enterprise

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo_district(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("demo", password="demo-password-2020", verbosity=0)
        yield
        call_command("flush", interactive=False, verbosity=0)


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

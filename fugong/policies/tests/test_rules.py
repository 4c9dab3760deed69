"""The condition tree: checked against the whitelist, explained for one enterprise, and the same
answer from the database (the whole district at once) and from Python (one enterprise)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fugong.conftest import at
from fugong.core.demo import PARKS, STREETS
from fugong.enterprises.models import Enterprise, IndustrySection
from fugong.enterprises.tests.factories import EnterpriseFactory
from fugong.policies import rules
from fugong.resumption.models import Status

pytestmark = pytest.mark.django_db

STREET_CODES = [code for code, *_rest in STREETS]
PARK_CODES = [code for code, *_rest in PARKS]


def facts(enterprise, situation_at=None):
    return rules.facts_for(Enterprise.objects.filter(pk=enterprise.pk), situation_at)[0]


@pytest.mark.parametrize(
    ("tree", "message"),
    [
        ({"all": [{"attr": "capital", "op": "gte", "value": 1}]}, "条件1：没有「capital」"),
        (
            {"all": [{"any": [{"attr": "payroll_headcount", "op": "in", "value": [1]}]}]},
            "条件1.1：「用工人数」不能用「属于」比较",
        ),
        (
            {"all": [{"attr": "payroll_headcount", "op": "gte", "value": -3}]},
            "条件1：「用工人数」的值应为0到1000000之间的整数",
        ),
        (
            {"all": [{"attr": "category", "op": "in", "value": []}]},
            "条件1：「企业类别」请至少选择一项",
        ),
        (
            {"all": [{"not": {"attr": "category", "op": "eq", "value": "farm"}}]},
            "条件1：「企业类别」没有「farm」这一选项",
        ),
        ({"all": [{"any": []}]}, "条件1：这一组还没有条件"),
        ({"all": [{"attr": "workforce_rate", "op": "gte", "value": 120}]}, "0到100之间"),
        ({"every": []}, "不认识的组合方式「every」"),
        ({"all": [{"attr": ["category"], "op": "eq", "value": 1}]}, "没有「['category']」"),
        ({"all": [{"attr": "category", "op": ["eq"], "value": 1}]}, "不能用「['eq']」比较"),
        (["all"], "条件：应为一组条件或一项比较"),
        ({"all": [{"attr": "region", "op": "in", "value": ["999"]}]}, "没有「999」这一选项"),
    ],
)
def test_a_bad_node_is_refused_with_its_place_and_the_reason(district, tree, message):
    with pytest.raises(ValidationError) as caught:
        rules.validate(tree)
    assert message in caught.value.messages[0]


def test_an_empty_rule_admits_everyone_and_values_are_normalised(district):
    assert rules.validate(None) == {"all": []}
    tree = rules.validate({"all": [{"attr": "payroll_headcount", "op": "gte", "value": "50"}]})
    assert tree == {"all": [{"attr": "payroll_headcount", "op": "gte", "value": 50}]}


def test_the_explanation_names_what_is_missed_with_the_actual_value(district):
    small = EnterpriseFactory(payroll_headcount=32, category="industry_below")
    tree = rules.validate(
        {
            "all": [
                {"attr": "payroll_headcount", "op": "gte", "value": 50},
                {"attr": "category", "op": "in", "value": ["industry_below", "industry_above"]},
            ]
        }
    )
    explanation = rules.explain(tree, facts(small))
    assert not explanation.met
    assert explanation.verdict == "不符合：用工人数≥50人（实际32人）"
    assert explanation.children[1].met
    assert explanation.children[1].text == "企业类别属于规下工业、规上工业（实际规下工业）"


def test_a_negation_is_explained_in_plain_words(district, people, submit):
    shop = EnterpriseFactory(payroll_headcount=10, is_key=True)
    submit(shop, "2020-03-01 10:00", "partly", duty=4)
    tree = rules.validate(
        {
            "any": [
                {"not": {"attr": "is_key", "op": "eq", "value": True}},
                {"attr": "workforce_rate", "op": "gte", "value": 60},
            ]
        }
    )
    explanation = rules.explain(tree, facts(shop))
    assert explanation.verdict == "不符合：重点企业≠是（实际是）；用工复工率≥60%（实际40%）"
    assert rules.describe(tree) == "重点企业≠是，或用工复工率≥60%"


def test_the_situation_is_read_as_of_the_policy_s_moment(district, people, submit):
    shop = EnterpriseFactory(payroll_headcount=10)
    submit(shop, "2020-02-20 10:00", "not_resumed", duty=0)
    submit(shop, "2020-03-10 10:00", "resumed", duty=10)
    tree = rules.validate({"all": [{"attr": "resumption_status", "op": "eq", "value": "resumed"}]})
    early, now = at("2020-03-01 00:00"), None
    assert not rules.explain(tree, facts(shop, early)).met
    assert rules.explain(tree, facts(shop, now)).met
    assert not rules.matching(tree, situation_at=early).exists()
    assert list(rules.matching(tree, situation_at=now)) == [shop]


# Both ways agree


def _leaf(attribute: rules.Attribute):
    codes = {
        "region": STREET_CODES,
        "park": PARK_CODES,
    }.get(attribute.kind) or [str(code) for code, _label in (attribute.choices or list)()]
    values = {
        "int": st.integers(0, 120),
        "percent": st.integers(0, 100),
        "bool": st.booleans(),
        "date": st.dates(date(2015, 1, 1), date(2020, 12, 31)).map(date.isoformat),
    }.get(attribute.kind)

    @st.composite
    def leaf(draw):
        op = draw(st.sampled_from(attribute.operators))
        if values is not None:
            value = draw(values)
        elif op in rules.LIST_OPERATORS:
            value = draw(st.lists(st.sampled_from(codes), min_size=1, max_size=3, unique=True))
        else:
            value = draw(st.sampled_from(codes))
        return {"attr": attribute.key, "op": op, "value": value}

    return leaf()


def _static_choices(attribute):
    return attribute.kind not in ("region", "park")


LEAVES = st.one_of(*(_leaf(a) for a in rules.ATTRIBUTES.values()))


def _groups(children):
    """Groups and negations of smaller trees."""
    items = st.lists(children, min_size=1, max_size=3)
    return st.one_of(
        items.map(lambda c: {"all": c}),
        items.map(lambda c: {"any": c}),
        children.map(lambda c: {"not": c}),
    )


TREES = st.recursive(LEAVES, _groups, max_leaves=8)

ENTERPRISES = st.fixed_dictionaries(
    {
        "category": st.sampled_from(Enterprise.Category.values),
        "industry_section": st.sampled_from(["", *IndustrySection.values[:6]]),
        "region": st.sampled_from(STREET_CODES),
        "park": st.sampled_from([None, *PARK_CODES]),
        "payroll_headcount": st.integers(0, 120),
        "grade": st.sampled_from(["", "A", "B", "C"]),
        "is_key": st.booleans(),
        "is_talent": st.booleans(),
        "is_epidemic_supplies": st.booleans(),
        "status": st.sampled_from(Enterprise.Status.values),
        "founded_on": st.one_of(st.none(), st.dates(date(2015, 1, 1), date(2020, 12, 31))),
        # (days after 2020-02-10, status, share on duty) reports; none: never reported
        "reports": st.lists(
            st.tuples(st.integers(0, 40), st.sampled_from(Status.values), st.integers(0, 100)),
            max_size=3,
        ),
    }
)


def _create(district, submit, spec) -> Enterprise:
    enterprise = EnterpriseFactory(
        category=spec["category"],
        industry_section=spec["industry_section"],
        region=district.region(spec["region"]),
        park=district.region(spec["park"]) if spec["park"] else None,
        payroll_headcount=spec["payroll_headcount"],
        grade=spec["grade"],
        is_key=spec["is_key"],
        is_talent=spec["is_talent"],
        is_epidemic_supplies=spec["is_epidemic_supplies"],
        status=spec["status"],
        founded_on=spec["founded_on"],
    )
    start = at("2020-02-10 09:00")
    payroll = spec["payroll_headcount"]
    for day, status, share in sorted(spec["reports"]):
        duty = payroll * share // 100
        if status == Status.CLOSED:
            duty = 0
        elif status in (Status.PARTLY, Status.RESUMED):
            status, duty = (status, max(1, duty)) if payroll else (Status.NOT_RESUMED, 0)
        when = start + timedelta(days=day, minutes=len(spec["reports"]))
        submit(enterprise, when.strftime("%Y-%m-%d %H:%M"), status, duty=duty)
    return enterprise


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    trees=st.lists(TREES, min_size=4, max_size=4),
    specs=st.lists(ENTERPRISES, min_size=1, max_size=4),
    as_of=st.sampled_from([None, "2020-02-25 12:00", "2020-03-23 17:00"]),
)
def test_the_database_and_python_agree_for_random_trees_and_enterprises(
    trees, specs, as_of, district, people, submit
):
    moment = at(as_of) if as_of else None
    context = rules.Context.load()
    with transaction.atomic():
        created = [_create(district, submit, spec) for spec in specs]
        ids = [e.pk for e in created]
        scope = Enterprise.objects.filter(pk__in=ids)
        all_facts = rules.facts_for(scope, moment)
        for tree in trees:
            tree = rules.validate(tree)
            in_database = set(
                rules.matching(tree, situation_at=moment, enterprises=scope).values_list(
                    "pk", flat=True
                )
            )
            in_python = {f.pk for f in all_facts if rules.evaluate(tree, f, context)}
            explained = {f.pk for f in all_facts if rules.explain(tree, f, context).met}
            assert in_database == in_python == explained, rules.describe(tree)
        transaction.set_rollback(True)


def test_a_founding_date_condition_reads_in_words_and_an_unknown_date_never_qualifies(district):
    young = EnterpriseFactory(founded_on=date(2019, 6, 1))
    unknown = EnterpriseFactory(founded_on=None)
    tree = rules.validate({"all": [{"attr": "founded_on", "op": "gte", "value": "2019-01-01"}]})
    assert rules.describe(tree) == "成立日期不早于2019-01-01"
    assert rules.explain(tree, facts(young)).met
    assert (
        rules.explain(tree, facts(unknown)).verdict == "不符合：成立日期不早于2019-01-01（实际无）"
    )
    assert list(rules.matching(tree)) == [young]


# Empty groups, depth and size


HEADCOUNT = {"attr": "payroll_headcount", "op": "gte", "value": 50}


@pytest.mark.parametrize(
    ("tree", "message"),
    [
        ({"not": {"all": []}}, "条件：这一组还没有条件"),
        ({"any": []}, "条件：“任一满足”的一组至少要有一项条件"),
        ({"all": [HEADCOUNT, {"not": {"all": []}}]}, "条件2：这一组还没有条件"),
        ({"all": [HEADCOUNT, {"not": None}]}, "条件2：“不满足”后面还没有条件"),
        ({"all": [{"any": [HEADCOUNT, {"not": {}}]}]}, "条件1.2：“不满足”后面还没有条件"),
        ({"all": [{"all": [HEADCOUNT, {"all": []}]}]}, "条件1.2：这一组还没有条件"),
    ],
)
def test_an_empty_group_or_negation_is_refused_naming_its_place(district, tree, message):
    with pytest.raises(ValidationError) as caught:
        rules.validate(tree)
    assert message in caught.value.messages[0]


def _nested(depth: int) -> dict:
    tree = HEADCOUNT
    for _level in range(depth):
        tree = {"all": [tree]}
    return tree


def test_a_tree_too_deep_or_too_large_is_refused(district):
    assert rules.validate(_nested(rules.MAX_DEPTH))  # six levels of groups
    with pytest.raises(ValidationError, match="嵌套过深（最多6层）"):
        rules.validate(_nested(rules.MAX_DEPTH + 1))
    assert rules.validate({"all": [HEADCOUNT] * rules.MAX_CONDITIONS})
    with pytest.raises(ValidationError, match="条件过多（最多50项）"):
        rules.validate({"all": [HEADCOUNT] * (rules.MAX_CONDITIONS + 1)})
    chain = HEADCOUNT
    for _level in range(10_000):  # a pasted chain of negations stops at the size limit
        chain = {"not": chain}
    with pytest.raises(ValidationError, match="过多"):
        rules.validate(chain)


# The database and Python agree on raw trees too, with empty groups and deep nesting: the
# validator refuses empty groups, but the two compilations must not depend on that.

RAW_TREES = st.recursive(
    st.one_of(LEAVES, st.just({"all": []}), st.just({"any": []})),
    lambda children: st.one_of(
        st.lists(children, min_size=0, max_size=3).map(lambda c: {"all": c}),
        st.lists(children, min_size=0, max_size=3).map(lambda c: {"any": c}),
        children.map(lambda c: {"not": c}),
    ),
    max_leaves=10,
)


@st.composite
def deep_trees(draw):
    """A raw tree wrapped in up to eight single-child groups and negations."""
    tree = draw(RAW_TREES)
    for kind in draw(st.lists(st.sampled_from(["all", "any", "not"]), max_size=8)):
        siblings = draw(st.lists(RAW_TREES, max_size=1))
        tree = {"not": tree} if kind == "not" else {kind: [tree, *siblings]}
    return tree


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    trees=st.lists(deep_trees(), min_size=4, max_size=4),
    specs=st.lists(ENTERPRISES, min_size=1, max_size=3),
)
def test_the_database_and_python_agree_with_empty_groups_and_deep_trees(
    trees, specs, district, people, submit
):
    context = rules.Context.load()
    with transaction.atomic():
        created = [_create(district, submit, spec) for spec in specs]
        scope = Enterprise.objects.filter(pk__in=[e.pk for e in created])
        all_facts = rules.facts_for(scope)
        for tree in trees:
            in_database = set(
                rules.matching(tree, enterprises=scope, context=context).values_list(
                    "pk", flat=True
                )
            )
            in_python = {f.pk for f in all_facts if rules.evaluate(tree, f, context)}
            explained = {f.pk for f in all_facts if rules.explain(tree, f, context).met}
            assert in_database == in_python == explained, tree
            try:
                rules.validate(tree)
            except ValidationError as exc:  # refused: in Chinese, naming the node
                assert exc.messages[0].startswith("条件")
        transaction.set_rollback(True)


def test_an_empty_group_means_the_same_in_the_database_and_in_python(district):
    shop = EnterpriseFactory(payroll_headcount=80)
    context = rules.Context.load()
    one = rules.facts_for(Enterprise.objects.filter(pk=shop.pk))[0]
    for tree, expected in [
        ({"all": []}, True),
        ({"any": []}, False),
        ({"not": {"all": []}}, False),
        ({"not": {"any": []}}, True),
        ({"all": [HEADCOUNT, {"not": {"all": []}}]}, False),
        ({"any": [{"not": {"all": []}}, {"any": []}]}, False),
    ]:
        in_database = rules.matching(tree, context=context).filter(pk=shop.pk).exists()
        assert in_database == rules.evaluate(tree, one, context) == expected, tree
        assert rules.explain(tree, one, context).met == expected, tree

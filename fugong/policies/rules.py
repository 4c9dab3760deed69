"""Eligibility as data: a condition tree over a whitelist of enterprise attributes.

A tree is JSON: a group `{"all": [...]}` or `{"any": [...]}`, a negation `{"not": node}`, or a
comparison `{"attr": "payroll_headcount", "op": "gte", "value": 50}`. The root may be an empty
`{"all": []}`: every enterprise qualifies; any other empty group (and a negation of nothing) is
refused by the validator. Both compilations still read an empty group the same way (「全部满足」 of
nothing holds, 「任一满足」 of nothing does not), so a tree that bypassed the validator cannot make
them disagree. A tree is at most MAX_DEPTH groups deep (a negation is a switch, not a level) and
holds at most MAX_CONDITIONS comparisons and MAX_NODES nodes, so a pasted JSON cannot make the
database query explode.

`ATTRIBUTES` below is the only place an attribute is defined: its label, the kind of value, the
operators it allows, how the database reads it (for the whole district in one query) and how
Python reads it from one enterprise's facts. From it come the editor's widgets (`forms.py`), the
validation with Chinese messages naming the node (`validate`), the database filter (`to_q`) and
the evaluation that explains itself for one enterprise (`explain`). A property test checks that
the two evaluations agree for random trees and enterprises.

Resumption status and workforce rate come from `fugong.resumption.selectors.with_situation`:
as of the policy's `situation_as_of`, or the latest situation (the current-state table) when the
policy judges "at matching time"."""

import datetime as dt
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fugong.core.models import Region
from fugong.enterprises.models import Enterprise, IndustrySection
from fugong.resumption.models import Status as SituationStatus
from fugong.resumption.selectors import with_situation

MAX_DEPTH = 6  # levels of groups
MAX_CONDITIONS = 50  # comparisons
MAX_NODES = 120  # comparisons, groups and negations
EVERYONE = {"all": []}

# operator → (symbol in words, Python comparison)
OPERATORS: dict[str, tuple[str, Callable]] = {
    "eq": ("=", operator.eq),
    "ne": ("≠", operator.ne),
    "in": (gettext_lazy("属于"), lambda actual, value: actual in value),
    "not_in": (gettext_lazy("不属于"), lambda actual, value: actual not in value),
    "gt": (">", operator.gt),
    "gte": ("≥", operator.ge),
    "lt": ("<", operator.lt),
    "lte": ("≤", operator.le),
}
DATE_WORDS = {
    "lt": gettext_lazy("早于"),
    "lte": gettext_lazy("不晚于"),
    "gt": gettext_lazy("晚于"),
    "gte": gettext_lazy("不早于"),
}
ORDERED = ("gt", "gte", "lt", "lte")
CHOICE_OPERATORS = ("in", "not_in", "eq", "ne")
LIST_OPERATORS = ("in", "not_in")


@dataclass(frozen=True)
class Facts:
    """What the rules may know about one enterprise, read in one query (`facts_for`)."""

    pk: int
    category: str
    industry_section: str
    region_path: str
    region_id: int
    park_code: str | None
    payroll_headcount: int
    grade: str  # effective: ungraded counts as B
    is_key: bool
    is_talent: bool
    is_epidemic_supplies: bool
    status: str
    situation: str  # resumption status; no report means not resumed
    situation_payroll: int
    situation_duty: int
    founded_on: dt.date | None = None


@dataclass(frozen=True)
class Context:
    """Codes resolved once per compilation: street and park codes to paths and ids."""

    region_paths: dict[str, str] = field(default_factory=dict)
    park_ids: dict[str, int] = field(default_factory=dict)
    # A street's code → the ids of the street and every community under it, so "in this
    # street" is `region_id IN (…)`, with no join.
    region_ids: dict[str, frozenset[int]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "Context":
        regions = list(Region.objects.values_list("code", "path", "kind", "pk"))
        paths = {code: path for code, path, kind, _pk in regions if kind != "park"}
        return cls(
            region_paths=paths,
            park_ids={code: pk for code, _path, kind, pk in regions if kind == "park"},
            region_ids={
                code: frozenset(pk for _c, path, _k, pk in regions if path.startswith(prefix))
                for code, prefix in paths.items()
            },
        )


def _grade_codes(value):
    codes = value if isinstance(value, list) else [value]
    return [*codes, ""] if Enterprise.Grade.B in codes else codes


def _simple_q(lookup_field: str, op: str, value, expand=lambda v: v) -> Q:
    """A comparison on one column (or annotation); ≠ and 不属于 are negations of = and 属于."""
    value = expand(value)
    if op in ("eq", "ne"):
        lookup = "in" if isinstance(value, list) else "exact"
        condition = Q(**{f"{lookup_field}__{lookup}": value})
    elif op in LIST_OPERATORS:
        condition = Q(**{f"{lookup_field}__in": value})
    else:
        condition = Q(**{f"{lookup_field}__{op}": value})
    return ~condition if op in ("ne", "not_in") else condition


def _region_q(op: str, codes: list[str], context: Context) -> Q:
    ids = sorted({pk for code in codes for pk in context.region_ids[code]})
    condition = Q(region_id__in=ids)
    return ~condition if op == "not_in" else condition


def _park_q(op: str, codes: list[str], context: Context) -> Q:
    condition = Q(park_id__in=[context.park_ids[code] for code in codes])
    return ~condition if op == "not_in" else condition


def _date_q(op: str, value: str, context: Context) -> Q:
    return Q(**{f"founded_on__{op}": dt.date.fromisoformat(value)})


def _rate_q(op: str, percent: int, context: Context) -> Q:
    # duty ÷ payroll compared with percent ÷ 100, in integers: duty × 100 against percent ×
    # payroll, so the database and Python compute exactly the same thing. No payroll: no rate.
    compared = Q(**{f"situation_duty_x100__{op}": F("situation_payroll") * percent})
    return Q(situation_payroll__gt=0) & compared


def _rate_read(facts: Facts):
    if facts.situation_payroll <= 0:
        return None
    return Decimal(facts.situation_duty * 100) / facts.situation_payroll


def _in_region(facts: Facts, codes: list[str], context: Context) -> bool:
    return any(facts.region_id in context.region_ids[code] for code in codes)


@dataclass(frozen=True)
class Attribute:
    key: str
    label: str
    kind: str  # choice | region | park | int | percent | bool | date
    operators: tuple[str, ...]
    choices: Callable[[], list[tuple[str, str]]] | None = None
    # (op, value, context) → Q over enterprises (annotated with their situation when needed)
    to_q: Callable[[str, object, Context], Q] | None = None
    read: Callable[[Facts], object] | None = None
    needs_situation: bool = False
    unit: str = ""

    def choice_labels(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self.choices()} if self.choices else {}


def _streets() -> list[tuple[str, str]]:
    return list(
        Region.objects.filter(kind__in=Region.SUBDISTRICT_KINDS, is_active=True)
        .order_by("sort_order", "code")
        .values_list("code", "name")
    )


def _parks() -> list[tuple[str, str]]:
    return list(
        Region.objects.filter(kind=Region.Kind.PARK, is_active=True)
        .order_by("sort_order", "code")
        .values_list("code", "name")
    )


def _field(name: str, expand=lambda v: v):
    return lambda op, value, context: _simple_q(name, op, value, expand)


YES_NO = lambda: [("true", _("是")), ("false", _("否"))]  # noqa: E731

ATTRIBUTES: dict[str, Attribute] = {
    a.key: a
    for a in [
        Attribute(
            "category",
            gettext_lazy("企业类别"),
            "choice",
            CHOICE_OPERATORS,
            choices=lambda: Enterprise.Category.choices,
            to_q=_field("category"),
            read=lambda f: f.category,
        ),
        Attribute(
            "industry_section",
            gettext_lazy("行业门类"),
            "choice",
            CHOICE_OPERATORS,
            choices=lambda: IndustrySection.choices,
            to_q=_field("industry_section"),
            read=lambda f: f.industry_section,
        ),
        Attribute(
            "region",
            gettext_lazy("所属街道/乡镇"),
            "region",
            LIST_OPERATORS,
            choices=_streets,
            to_q=_region_q,
        ),
        Attribute(
            "park",
            gettext_lazy("所属园区"),
            "park",
            LIST_OPERATORS,
            choices=_parks,
            to_q=_park_q,
            read=lambda f: f.park_code,
        ),
        Attribute(
            "payroll_headcount",
            gettext_lazy("用工人数"),
            "int",
            ("gte", "gt", "lte", "lt", "eq", "ne"),
            to_q=_field("payroll_headcount"),
            read=lambda f: f.payroll_headcount,
            unit=gettext_lazy("人"),
        ),
        Attribute(
            "grade",
            gettext_lazy("企业等级"),
            "choice",
            CHOICE_OPERATORS,
            choices=lambda: Enterprise.Grade.choices,
            to_q=_field("grade", _grade_codes),
            read=lambda f: f.grade,
        ),
        Attribute(
            "is_key",
            gettext_lazy("重点企业"),
            "bool",
            ("eq",),
            choices=YES_NO,
            to_q=_field("is_key"),
            read=lambda f: f.is_key,
        ),
        Attribute(
            "is_talent",
            gettext_lazy("人才企业"),
            "bool",
            ("eq",),
            choices=YES_NO,
            to_q=_field("is_talent"),
            read=lambda f: f.is_talent,
        ),
        Attribute(
            "is_epidemic_supplies",
            gettext_lazy("防疫物资企业"),
            "bool",
            ("eq",),
            choices=YES_NO,
            to_q=_field("is_epidemic_supplies"),
            read=lambda f: f.is_epidemic_supplies,
        ),
        Attribute(
            "status",
            gettext_lazy("经营状态"),
            "choice",
            ("eq", "ne"),
            choices=lambda: Enterprise.Status.choices,
            to_q=_field("status"),
            read=lambda f: f.status,
        ),
        Attribute(
            "founded_on",
            gettext_lazy("成立日期"),
            "date",
            ORDERED,
            to_q=_date_q,
            read=lambda f: f.founded_on,
        ),
        Attribute(
            "resumption_status",
            gettext_lazy("复工状态"),
            "choice",
            CHOICE_OPERATORS,
            choices=lambda: SituationStatus.choices,
            to_q=_field("situation_status"),
            read=lambda f: f.situation,
            needs_situation=True,
        ),
        Attribute(
            "workforce_rate",
            gettext_lazy("用工复工率"),
            "percent",
            ORDERED,
            to_q=_rate_q,
            read=_rate_read,
            needs_situation=True,
            unit="%",
        ),
    ]
}


# Validation


def node_label(path: tuple[int, ...]) -> str:
    """「条件」 for the root, 「条件2.1」 for the first item of the root's second item."""
    return _("条件") + ".".join(str(i + 1) for i in path)


class RuleError(ValidationError):
    pass


def _fail(path, message: str):
    raise RuleError(_("%(node)s：%(message)s") % {"node": node_label(path), "message": message})


def validate(tree) -> dict:
    """The tree checked against the whitelist and normalised (numbers as int, codes as str);
    a problem raises a ValidationError naming the node it is in."""
    if tree in (None, {}, ""):
        return dict(EVERYONE)
    counter = {"nodes": 0, "conditions": 0}
    context = Context.load()
    return _validate(tree, (), counter, context)


def _validate(node, path, counter, context, *, negated=False) -> dict:
    counter["nodes"] += 1
    if counter["nodes"] > MAX_NODES:
        _fail(path, _("条件过多（最多%(n)d个节点）") % {"n": MAX_NODES})
    if len(path) > MAX_DEPTH:
        _fail(path, _("嵌套过深（最多%(n)d层）") % {"n": MAX_DEPTH})
    if negated and node in (None, {}, [], ""):
        _fail(path, _("“不满足”后面还没有条件"))
    if not isinstance(node, dict) or len(node) == 0:
        _fail(path, _("应为一组条件或一项比较"))
    if "attr" in node:
        counter["conditions"] += 1
        if counter["conditions"] > MAX_CONDITIONS:
            _fail(path, _("条件过多（最多%(n)d项）") % {"n": MAX_CONDITIONS})
        return _validate_comparison(node, path, context)
    if len(node) != 1:
        _fail(path, _("一组条件只能是“全部满足”“任一满足”或“不满足”之一"))
    ((kind, body),) = node.items()
    if kind == "not":
        # A negation is a switch on the node it wraps (as the editor shows it), not a level.
        return {"not": _validate(body, path, counter, context, negated=True)}
    if kind not in ("all", "any"):
        _fail(path, _("不认识的组合方式「%(kind)s」") % {"kind": kind})
    if not isinstance(body, list):
        _fail(path, _("一组条件应为列表"))
    # Only the root's "all" may be empty (everyone qualifies); "not everyone" admits nobody.
    if not body and (path or negated):
        _fail(path, _("这一组还没有条件"))
    if not body and kind == "any":
        _fail(path, _("“任一满足”的一组至少要有一项条件"))
    return {kind: [_validate(child, (*path, i), counter, context) for i, child in enumerate(body)]}


def _validate_comparison(node, path, context) -> dict:
    if set(node) - {"attr", "op", "value"}:
        _fail(path, _("比较只能包含 attr、op、value"))
    attr, op = node.get("attr"), node.get("op")
    attribute = ATTRIBUTES.get(attr) if isinstance(attr, str) else None
    if attribute is None:
        _fail(path, _("没有「%(attr)s」这项企业信息可作条件") % {"attr": attr})
    op = op if isinstance(op, str) else str(op)
    if op not in attribute.operators:
        _fail(
            path,
            _("「%(label)s」不能用「%(op)s」比较")
            % {"label": attribute.label, "op": OPERATORS.get(op, (op,))[0]},
        )
    value = _validate_value(attribute, op, node.get("value"), path, context)
    return {"attr": attribute.key, "op": op, "value": value}


def _validate_value(attribute: Attribute, op: str, value, path, context):
    label = attribute.label
    if attribute.kind in ("int", "percent"):
        if isinstance(value, bool) or not isinstance(value, int | str):
            value = None
        try:
            number = int(str(value).strip()) if value is not None else None
        except ValueError:
            number = None
        top = 100 if attribute.kind == "percent" else 1_000_000
        if number is None or not 0 <= number <= top:
            _fail(
                path, _("「%(label)s」的值应为0到%(top)d之间的整数") % {"label": label, "top": top}
            )
        return number
    if attribute.kind == "bool":
        if value in (True, "true"):
            return True
        if value in (False, "false"):
            return False
        _fail(path, _("「%(label)s」的值应为“是”或“否”") % {"label": label})
    if attribute.kind == "date":
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            _fail(path, _("「%(label)s」的值应为日期，如 2019-12-31") % {"label": label})
    known = _known_codes(attribute, context)
    if op in LIST_OPERATORS:
        if not isinstance(value, list) or not value:
            _fail(path, _("「%(label)s」请至少选择一项") % {"label": label})
        values = [str(v) for v in value]
    else:
        if not isinstance(value, str | int) or isinstance(value, bool):
            _fail(path, _("「%(label)s」请选择一项") % {"label": label})
        values = [str(value)]
    for code in values:
        if code not in known:
            _fail(path, _("「%(label)s」没有「%(code)s」这一选项") % {"label": label, "code": code})
    return list(dict.fromkeys(values)) if op in LIST_OPERATORS else values[0]


def _known_codes(attribute: Attribute, context: Context) -> set[str]:
    if attribute.kind == "region":
        return set(context.region_paths) & {code for code, _name in attribute.choices()}
    if attribute.kind == "park":
        return set(context.park_ids)
    return {str(code) for code, _label in attribute.choices()}


# Walking a (validated) tree


def comparisons(tree) -> list[dict]:
    if "attr" in tree:
        return [tree]
    if "not" in tree:
        return comparisons(tree["not"])
    (children,) = tree.values()
    return [leaf for child in children for leaf in comparisons(child)]


def needs_situation(tree) -> bool:
    return any(ATTRIBUTES[leaf["attr"]].needs_situation for leaf in comparisons(tree))


# The database way: the whole district in one query


def to_q(tree, context: Context | None = None) -> Q:
    context = context or Context.load()
    if "attr" in tree:
        return ATTRIBUTES[tree["attr"]].to_q(tree["op"], tree["value"], context)
    if "not" in tree:
        return ~to_q(tree["not"], context)
    ((kind, children),) = tree.items()
    parts = [to_q(child, context) for child in children]
    if not parts:
        # Not `Q()` for "all of nothing": an empty Q is dropped when negated or combined, so
        # "not (all of nothing)" would admit everyone where Python admits no one.
        return Q(pk__isnull=False) if kind == "all" else Q(pk__in=[])
    combined = parts[0]
    for part in parts[1:]:
        combined = combined & part if kind == "all" else combined | part
    return combined


def annotated(enterprises: QuerySet, situation_at: dt.datetime | None) -> QuerySet:
    """Enterprises with the columns the resumption attributes compare (as of `situation_at`,
    or now)."""
    return with_situation(enterprises, situation_at).annotate(
        situation_status=Coalesce("asof_status", Value(SituationStatus.NOT_RESUMED)),
        situation_payroll=F("asof_payroll"),
        situation_duty_x100=F("asof_duty") * 100,
    )


def matching(tree, *, situation_at=None, enterprises: QuerySet | None = None, context=None):
    """The enterprises (of `enterprises`, by default the whole register) the tree admits."""
    enterprises = Enterprise.objects.all() if enterprises is None else enterprises
    if needs_situation(tree):
        enterprises = annotated(enterprises, situation_at)
    return enterprises.filter(to_q(tree, context))


# The Python way: one enterprise, explained


FACT_COLUMNS = (
    "pk",
    "category",
    "industry_section",
    "region__path",
    "region_id",
    "park__code",
    "payroll_headcount",
    "grade",
    "is_key",
    "is_talent",
    "is_epidemic_supplies",
    "status",
    "situation_status",
    "situation_payroll",
    "asof_duty",
    "founded_on",
)


def facts_for(enterprises: QuerySet, situation_at=None) -> list[Facts]:
    """Facts for each enterprise of the queryset, in one query."""
    rows = annotated(enterprises, situation_at).values_list(*FACT_COLUMNS)
    return [
        Facts(
            pk=pk,
            category=category,
            industry_section=section,
            region_path=path,
            region_id=region_id,
            park_code=park,
            payroll_headcount=headcount,
            grade=grade or Enterprise.Grade.B,
            is_key=key,
            is_talent=talent,
            is_epidemic_supplies=epidemic,
            status=status,
            situation=situation,
            situation_payroll=payroll,
            situation_duty=duty,
            founded_on=founded_on,
        )
        for (
            pk,
            category,
            section,
            path,
            region_id,
            park,
            headcount,
            grade,
            key,
            talent,
            epidemic,
            status,
            situation,
            payroll,
            duty,
            founded_on,
        ) in rows.order_by("pk")
    ]


def _actual(attribute: Attribute, facts: Facts, context: Context):
    if attribute.kind == "region":
        return next(
            (
                code
                for code, path in sorted(context.region_paths.items(), key=lambda i: -len(i[1]))
                if facts.region_path.startswith(path)
            ),
            None,
        )
    return attribute.read(facts)


def holds(leaf: dict, facts: Facts, context: Context) -> bool:
    attribute = ATTRIBUTES[leaf["attr"]]
    op, value = leaf["op"], leaf["value"]
    if attribute.kind == "region":
        inside = _in_region(facts, value, context)
        return inside if op == "in" else not inside
    actual = attribute.read(facts)
    if actual is None and op in ORDERED:
        return False
    if attribute.kind == "percent":
        return OPERATORS[op][1](actual, Decimal(value))
    if attribute.kind == "date":
        return OPERATORS[op][1](actual, dt.date.fromisoformat(value))
    return OPERATORS[op][1](actual, value)


def evaluate(tree, facts: Facts, context: Context) -> bool:
    if "attr" in tree:
        return holds(tree, facts, context)
    if "not" in tree:
        return not evaluate(tree["not"], facts, context)
    ((kind, children),) = tree.items()
    results = (evaluate(child, facts, context) for child in children)
    return all(results) if kind == "all" else any(results)


@dataclass
class Explanation:
    met: bool
    text: str
    children: list["Explanation"] = field(default_factory=list)

    def missed(self) -> list[str]:
        """The comparisons that keep the enterprise out: 「用工人数≥50（实际32）」."""
        if self.met:
            return []
        if not self.children:
            return [self.text]
        return [text for child in self.children for text in child.missed()]

    @property
    def verdict(self) -> str:
        if self.met:
            return _("符合")
        return _("不符合：%(reasons)s") % {"reasons": "；".join(self.missed())}


def explain(tree, facts: Facts, context: Context | None = None) -> Explanation:
    """The evaluation with its reasons; `.met` equals `evaluate(tree, facts)`."""
    context = context or Context.load()
    return _explain(tree, facts, context, negated=False)


def _explain(tree, facts: Facts, context: Context, *, negated: bool) -> Explanation:
    if "attr" in tree:
        met = holds(tree, facts, context) != negated
        return Explanation(met, _leaf_text(tree, facts, context, negated=negated))
    if "not" in tree:
        return _explain(tree["not"], facts, context, negated=not negated)
    ((kind, children),) = tree.items()
    # Under a negation "all" reads as "not all" (one must fail) and "any" as "none".
    parts = [_explain(child, facts, context, negated=negated) for child in children]
    conjunctive = (kind == "all") != negated
    met = all(p.met for p in parts) if conjunctive else any(p.met for p in parts)
    words = {
        (True, False): _("同时满足以下条件"),
        (False, False): _("满足以下任一条件"),
        (True, True): _("以下条件都不满足"),
        (False, True): _("以下条件不都满足"),
    }[(conjunctive, negated)]
    return Explanation(met, words, parts)


def _leaf_text(leaf: dict, facts: Facts | None, context: Context, *, negated=False) -> str:
    attribute = ATTRIBUTES[leaf["attr"]]
    text = describe_comparison(leaf, negated=negated)
    if facts is None:
        return text
    actual = _actual(attribute, facts, context)
    return _("%(condition)s（实际%(actual)s）") % {
        "condition": text,
        "actual": _value_text(attribute, actual),
    }


NEGATED_OPERATORS = {
    "eq": "ne",
    "ne": "eq",
    "in": "not_in",
    "not_in": "in",
    "gt": "lte",
    "gte": "lt",
    "lt": "gte",
    "lte": "gt",
}


def describe_comparison(leaf: dict, *, negated: bool = False) -> str:
    attribute = ATTRIBUTES[leaf["attr"]]
    op = NEGATED_OPERATORS[leaf["op"]] if negated else leaf["op"]
    symbol = DATE_WORDS[op] if attribute.kind == "date" and op in DATE_WORDS else OPERATORS[op][0]
    value = leaf["value"]
    shown = (
        "、".join(_value_text(attribute, v) for v in value)
        if isinstance(value, list)
        else _value_text(attribute, value)
    )
    return f"{attribute.label}{symbol}{shown}"


def _value_text(attribute: Attribute, value) -> str:
    if value is None:
        return _("无") if attribute.kind != "percent" else _("无在册职工")
    if attribute.kind == "bool":
        return _("是") if value else _("否")
    if attribute.kind == "percent":
        number = Decimal(value).quantize(Decimal("0.1"))
        return f"{number.normalize():f}%"
    if attribute.kind == "int":
        return f"{value}{attribute.unit}" if attribute.unit else str(value)
    if attribute.choices:
        return attribute.choice_labels().get(str(value), str(value))
    return str(value)


def describe(tree) -> str:
    """The whole tree in words, for people reading the policy: 「规上工业，且用工人数≥50」."""
    if "attr" in tree:
        return describe_comparison(tree)
    if "not" in tree:
        if "attr" in tree["not"]:
            return describe_comparison(tree["not"], negated=True)
        return _("并非（%(inner)s）") % {"inner": describe(tree["not"])}
    ((kind, children),) = tree.items()
    if not children:
        return _("所有企业")
    joiner = _("，且") if kind == "all" else _("，或")
    texts = [
        f"（{describe(child)}）" if "all" in child or "any" in child else describe(child)
        for child in children
    ]
    return joiner.join(texts)

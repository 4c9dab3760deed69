"""Reads of the registry. `enterprises_visible_to` and `projects_visible_to` are the one place
that decides which records a user may see; pages, exports and the API all start from them."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _

from fugong.core.models import Region, User
from fugong.core.permissions import has_role
from fugong.core.queries import CompiledQuery
from fugong.enterprises.models import (
    ConstructionProject,
    Enterprise,
    GradeRule,
    LiaisonAssignment,
    Visit,
)

Role = User.Role


def area_filter(user: User, *, region_field: str = "region", park_field: str = "park") -> Q:
    """Records lying in one of the user's areas: under a street/town, or inside a park."""
    condition = Q(pk__in=[])
    for area in user.areas.all():
        if area.is_park:
            condition |= Q(**{park_field: area})
        else:
            condition |= Q(**{f"{region_field}__path__startswith": area.path})
    return condition


def _active_liaison_enterprise_ids(user: User):
    return LiaisonAssignment.objects.filter(officer=user, ended_on__isnull=True).values(
        "enterprise_id"
    )


def enterprises_visible_to(user: User) -> QuerySet[Enterprise]:
    enterprises = Enterprise.objects.all()
    if not (user.is_authenticated and user.is_active):
        return enterprises.none()
    if user.sees_whole_district:
        return enterprises
    if user.role == Role.AREA_OFFICER:
        return enterprises.filter(area_filter(user))
    if user.role == Role.LIAISON:
        return enterprises.filter(pk__in=_active_liaison_enterprise_ids(user))
    if user.role == Role.ENTERPRISE:
        return enterprises.filter(pk=user.enterprise_id)
    return enterprises.none()


_ENTERPRISE_BY_ID = CompiledQuery(lambda pk: Enterprise.objects.filter(pk=pk)[:1], -1)


def enterprise_visible_to(user: User, pk: int) -> Enterprise | None:
    """One enterprise, if the user may see it. An enterprise's own record — what its HR system
    posts a report for every day — is read by a lookup compiled once (fugong.core.queries)."""
    if (
        user.is_authenticated
        and user.is_active
        and user.role == Role.ENTERPRISE
        and not user.sees_whole_district
    ):
        return _ENTERPRISE_BY_ID.first(pk) if pk == user.enterprise_id else None
    return enterprises_visible_to(user).filter(pk=pk).first()


def enterprises_editable_by(user: User) -> QuerySet[Enterprise]:
    """Coordinators edit the whole register, area officers their area, an enterprise itself."""
    if has_role(user, Role.COORDINATOR):
        return Enterprise.objects.all()
    if has_role(user, Role.AREA_OFFICER, Role.ENTERPRISE):
        return enterprises_visible_to(user)
    return Enterprise.objects.none()


def projects_visible_to(user: User) -> QuerySet[ConstructionProject]:
    projects = ConstructionProject.objects.all()
    if not (user.is_authenticated and user.is_active):
        return projects.none()
    if user.sees_whole_district or user.role == Role.ENFORCEMENT:
        return projects
    if user.role == Role.AREA_OFFICER:
        return projects.filter(area_filter(user))
    if user.role == Role.LIAISON:
        return projects.filter(builder_id__in=_active_liaison_enterprise_ids(user))
    if user.role == Role.ENTERPRISE:
        return projects.filter(builder_id=user.enterprise_id)
    return projects.none()


def projects_editable_by(user: User) -> QuerySet[ConstructionProject]:
    if has_role(user, Role.COORDINATOR):
        return ConstructionProject.objects.all()
    if has_role(user, Role.AREA_OFFICER):
        return projects_visible_to(user)
    return ConstructionProject.objects.none()


def can_create_records(user: User) -> bool:
    return has_role(user, Role.COORDINATOR, Role.AREA_OFFICER)


def regions_choosable_by(user: User) -> QuerySet[Region]:
    """Streets, towns and communities the user may file a record under."""
    subdistricts = Region.objects.filter(
        kind__in=[*Region.SUBDISTRICT_KINDS, Region.Kind.COMMUNITY], is_active=True
    )
    if has_role(user, Role.AREA_OFFICER) and not user.is_superuser:
        condition = Q(pk__in=[])
        for area in user.areas.select_related("parent"):
            # A park lies inside a town or township: its officer files records under that.
            base = area.parent if area.is_park and area.parent else area
            condition |= Q(path__startswith=base.path)
        subdistricts = subdistricts.filter(condition)
    return subdistricts


def parks_choosable_by(user: User) -> QuerySet[Region]:
    parks = Region.objects.filter(kind=Region.Kind.PARK, is_active=True)
    if has_role(user, Role.AREA_OFFICER) and not user.is_superuser:
        own_parks = [a.pk for a in user.areas.all() if a.is_park]
        if own_parks:
            return parks.filter(pk__in=own_parks)
    return parks


def counts_by_category(enterprises: QuerySet[Enterprise]) -> dict[str, int]:
    rows = enterprises.values("category").annotate(n=Count("id"))
    counts = {c.value: 0 for c in Enterprise.Category}
    counts.update({row["category"]: row["n"] for row in rows})
    return counts


def enterprises_managed_by(user: User) -> QuerySet[Enterprise]:
    """Enterprises whose grade and service officers the user looks after: the coordinator all of
    them, an area officer those of their area."""
    if has_role(user, Role.COORDINATOR):
        return Enterprise.objects.all()
    if has_role(user, Role.AREA_OFFICER):
        return enterprises_visible_to(user)
    return Enterprise.objects.none()


def subdistrict_of() -> dict[int, int]:
    """Each region → the street, town or township it lies in (communities roll up to it)."""
    regions = list(Region.objects.only("id", "kind", "path"))
    by_path = {r.path: r for r in regions}
    result = {}
    for region in regions:
        parts = region.path.strip("/").split("/")
        for depth in range(len(parts), 0, -1):
            ancestor = by_path.get("/" + "/".join(parts[:depth]) + "/")
            if ancestor and ancestor.kind in Region.SUBDISTRICT_KINDS:
                result[region.id] = ancestor.id
                break
    return result


def in_area(queryset: QuerySet, area: Region) -> QuerySet:
    """Records of a park, or under a street or town (its communities included)."""
    if area.is_park:
        return queryset.filter(park=area)
    return queryset.filter(region__path__startswith=area.path)


# Grading (ABC等级划定)

DEFAULT_GRADE = Enterprise.Grade.B


def effective_grade(enterprise: Enterprise) -> str:
    """The grade other apps go by (deadlines, priority lists): the grade, or B when none is set."""
    return enterprise.effective_grade


def effective_grade_condition(grade: str) -> Q:
    """Enterprises whose effective grade is `grade`, as a query condition."""
    if grade == DEFAULT_GRADE:
        return Q(grade=DEFAULT_GRADE) | Q(grade="")
    return Q(grade=grade)


def grade_rules() -> list[GradeRule]:
    return list(GradeRule.objects.all())


def grade_for(enterprise: Enterprise, rules: list[GradeRule]) -> str:
    """The grade the rules give one enterprise: the first matching rule's, else B."""
    for rule in rules:
        if rule.matches(enterprise):
            return rule.grade
    return DEFAULT_GRADE


def grade_expression(rules: list[GradeRule]):
    """The same choice as `grade_for`, as an SQL expression over enterprises."""
    whens = []
    for rule in rules:
        condition = rule.condition()
        if not condition:  # the catch-all: later rules can never match
            return _case(whens, rule.grade)
        whens.append(When(condition, then=Value(rule.grade)))
    return _case(whens, DEFAULT_GRADE)


def _case(whens: list[When], default: str):
    if not whens:
        return Value(default, output_field=CharField())
    return Case(*whens, default=Value(default), output_field=CharField())


def grade_changes(rules: list[GradeRule]) -> QuerySet[Enterprise]:
    """Enterprises graded by the rules whose stored grade differs from what the rules give now,
    annotated with that grade as `rule_grade`."""
    return (
        Enterprise.objects.filter(grade_overridden=False)
        .annotate(rule_grade=grade_expression(rules))
        .exclude(grade=F("rule_grade"))
    )


def grade_counts(enterprises: QuerySet[Enterprise]) -> dict[str, int]:
    """Effective grades counted: {"A": …, "B": …, "C": …} (ungraded ones count as B)."""
    counts = dict.fromkeys(Enterprise.Grade.values, 0)
    for grade, n in enterprises.values_list("grade").annotate(n=Count("id")).order_by():
        counts[grade or DEFAULT_GRADE] += n
    return counts


@dataclass
class GradeChange:
    when: datetime
    who: str
    old: str
    new: str
    overridden: bool
    reason: str


def grade_history(enterprise: Enterprise) -> list[GradeChange]:
    """Every change of the enterprise's grade or of how it was set, newest first."""
    records = enterprise.history.select_related("history_user").order_by(
        "history_date", "history_id"
    )
    changes, previous = [], None
    for record in records:
        state = (record.grade, record.grade_overridden)
        if (previous is None and record.grade) or (previous is not None and state != previous):
            changes.append(
                GradeChange(
                    when=record.history_date,
                    who=str(record.history_user) if record.history_user else str(_("系统")),
                    old=previous[0] if previous else "",
                    new=record.grade,
                    overridden=record.grade_overridden,
                    reason=record.grade_reason
                    if record.grade_overridden
                    else record.history_change_reason or "",
                )
            )
        previous = state
    return changes[::-1]


# Service officers (服务专员) and their coverage

LiaisonKind = LiaisonAssignment.Kind

COVERAGE_GROUPS = {
    "all": (_("重点、人才和A级企业"), Q(is_key=True) | Q(is_talent=True) | Q(grade="A")),
    "key": (_("重点企业"), Q(is_key=True)),
    "talent": (_("人才企业"), Q(is_talent=True)),
    "grade_a": (_("A级企业"), Q(grade="A")),
}


def active_assignments() -> QuerySet[LiaisonAssignment]:
    return LiaisonAssignment.objects.filter(ended_on__isnull=True)


def _has_officer(kind: str = "") -> Exists:
    assignments = active_assignments().filter(enterprise=OuterRef("pk"))
    return Exists(assignments.filter(kind=kind) if kind else assignments)


def coverage_targets(user: User, group: str = "all") -> QuerySet[Enterprise]:
    """The enterprises that must each have a service officer, within the user's scope."""
    return enterprises_visible_to(user).filter(COVERAGE_GROUPS[group][1])


def uncovered_enterprises(
    user: User, *, group: str = "all", kind: str = "", area: Region | None = None
) -> QuerySet[Enterprise]:
    """Targets with no active officer (of `kind`, when given), optionally in one area."""
    targets = coverage_targets(user, group)
    if area is not None:
        targets = in_area(targets, area)
    return targets.filter(~_has_officer(kind))


@dataclass
class CoverageRow:
    area: Region | None
    targets: int = 0
    uncovered: int = 0  # no active officer of any kind
    missing: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LiaisonKind.values, 0))

    @property
    def missing_by_kind(self) -> list[tuple[str, str, int]]:
        return [(kind, label, self.missing[kind]) for kind, label in LiaisonKind.choices]

    def add(self, row: dict) -> None:
        self.targets += 1
        self.uncovered += not row["has_any"]
        for kind in LiaisonKind.values:
            self.missing[kind] += not row[f"has_{kind}"]


@dataclass
class Coverage:
    group: str
    total: CoverageRow
    by_area: list[CoverageRow]  # streets, towns and townships
    by_park: list[CoverageRow]

    @property
    def complete(self) -> bool:
        return self.total.uncovered == 0


def coverage(user: User, group: str = "all") -> Coverage:
    """How many target enterprises lack an officer, in total and by area, overall and by kind.
    Each number equals the count of `uncovered_enterprises` with the same arguments."""
    rows = (
        coverage_targets(user, group)
        .annotate(
            has_any=_has_officer(),
            **{f"has_{kind}": _has_officer(kind) for kind in LiaisonKind.values},
        )
        .values("region_id", "park_id", "has_any", *(f"has_{k}" for k in LiaisonKind.values))
    )
    total, areas, parks = CoverageRow(None), {}, {}
    rolled_up = subdistrict_of()
    for row in rows:
        total.add(row)
        area_id = rolled_up.get(row["region_id"], row["region_id"])
        areas.setdefault(area_id, CoverageRow(None)).add(row)
        if row["park_id"]:
            parks.setdefault(row["park_id"], CoverageRow(None)).add(row)
    regions = Region.objects.in_bulk([*areas, *parks])
    return Coverage(
        group=group,
        total=total,
        by_area=_with_areas(areas, regions),
        by_park=_with_areas(parks, regions),
    )


def _with_areas(rows: dict[int, CoverageRow], regions: dict[int, Region]) -> list[CoverageRow]:
    for pk, row in rows.items():
        row.area = regions[pk]
    return sorted(rows.values(), key=lambda r: (r.area.sort_order, r.area.code))


def liaison_officers() -> QuerySet[User]:
    """Accounts that can be assigned to enterprises as service officers."""
    return User.objects.filter(role=Role.LIAISON, is_active=True).order_by("username")


def assignments_of(officer: User) -> QuerySet[LiaisonAssignment]:
    """An officer's current enterprises, each with the date of the officer's latest visit."""
    last_visit = (
        Visit.objects.filter(enterprise=OuterRef("enterprise"), officer=officer)
        .order_by()
        .values("enterprise")
        .annotate(last=Max("visited_on"))
        .values("last")
    )
    return (
        active_assignments()
        .filter(officer=officer)
        .select_related("enterprise", "enterprise__region", "enterprise__park")
        .annotate(last_visited_on=last_visit)
        .order_by("enterprise__name", "kind")
    )


# Visits (走访)

VISIT_READERS = (Role.LEADER, Role.COORDINATOR, Role.DEPARTMENT, Role.AREA_OFFICER, Role.LIAISON)


def visits_visible_to(user: User) -> QuerySet[Visit]:
    """Visits to the enterprises the user sees, and the user's own visits. Enterprises do not see
    the officers' notes about them."""
    visits = Visit.objects.all()
    if not has_role(user, *VISIT_READERS):
        return visits.none()
    if user.sees_whole_district:
        return visits
    return visits.filter(
        Q(enterprise__in=enterprises_visible_to(user).values("pk")) | Q(officer=user)
    )


def enterprises_visitable_by(user: User) -> QuerySet[Enterprise]:
    """Enterprises the user may record a visit to: a liaison officer their own, an area officer
    their area's, the coordinator any."""
    if has_role(user, Role.COORDINATOR):
        return Enterprise.objects.all()
    if has_role(user, Role.AREA_OFFICER, Role.LIAISON):
        return enterprises_visible_to(user)
    return Enterprise.objects.none()


ASSIGNMENT_READERS = (*VISIT_READERS, Role.ENTERPRISE)


def assignments_visible_to(user: User) -> QuerySet[LiaisonAssignment]:
    """Assignments (current and ended) of the enterprises the user sees."""
    assignments = LiaisonAssignment.objects.all()
    if not has_role(user, *ASSIGNMENT_READERS):
        return assignments.none()
    if user.sees_whole_district:
        return assignments
    return assignments.filter(enterprise__in=enterprises_visible_to(user).values("pk"))

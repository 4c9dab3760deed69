"""Reads of the registry. `enterprises_visible_to` and `projects_visible_to` are the one place
that decides which records a user may see; pages, exports and the API all start from them."""

from django.db.models import Count, Q, QuerySet

from fugong.core.models import Region, User
from fugong.core.permissions import has_role
from fugong.enterprises.models import ConstructionProject, Enterprise, LiaisonAssignment

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

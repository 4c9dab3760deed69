"""Who handles what: a department user handles the assignments of their department and of the
task forces they belong to. Used by the services (may this person act?) and the selectors (what
is in their queue?)."""

from django.db.models import Q

from fugong.core.models import User
from fugong.core.permissions import has_role

Role = User.Role


def handler_filter(user: User, prefix: str = "") -> Q:
    """Assignments (or, with a prefix such as "assignments__", requests) this user handles."""
    if not (has_role(user, Role.DEPARTMENT) and user.department_id):
        return Q(pk__in=[])
    condition = Q(**{f"{prefix}department_id": user.department_id})
    task_forces = list(user.task_forces.filter(is_active=True).values_list("pk", flat=True))
    if task_forces:
        condition |= Q(**{f"{prefix}task_force_id__in": task_forces})
    return condition


def handles(user: User, assignment) -> bool:
    if not has_role(user, Role.DEPARTMENT):
        return False
    if assignment.department_id is not None:
        return assignment.department_id == user.department_id
    return assignment.task_force.members.filter(pk=user.pk).exists()


def handler_members(*, department=None, task_force=None) -> list[User]:
    """Everyone who receives a unit's work."""
    if department is not None:
        return list(
            User.objects.filter(role=Role.DEPARTMENT, department=department, is_active=True)
        )
    return list(task_force.members.filter(is_active=True))


def coordinators() -> list[User]:
    return list(User.objects.filter(role=Role.COORDINATOR, is_active=True))


def leaders() -> list[User]:
    return list(User.objects.filter(role=Role.LEADER, is_active=True))

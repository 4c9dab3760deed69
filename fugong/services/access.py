"""Who handles what: a department user handles the assignments of their department and of the
task forces they belong to. Used by the services (may this person act?) and the selectors (what
is in their queue?)."""

from django.db.models import Q

from fugong.core.masking import mask_name, mask_phone
from fugong.core.models import User
from fugong.core.permissions import can_see_personal_data, has_role

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


def caller_seen_by(service_request, user: User) -> tuple[str, str, bool]:
    """The caller's name and number, in full for those who call back (the coordinator, the
    units working on it, the officers serving the enterprise), masked for the rest; the third
    value says whether they were shown in full."""
    working_on_it = any(handles(user, a) for a in service_request.assignments.all() if a.is_active)
    if can_see_personal_data(user) or working_on_it:
        return service_request.caller_name, service_request.caller_phone, True
    return (*masked_caller(service_request), False)


def masked_caller(service_request) -> tuple[str, str]:
    return mask_name(service_request.caller_name), mask_phone(service_request.caller_phone)


def actions_available(service_request, user: User, assignments) -> list[str]:
    """The actions this person may take on the request now (the page shows their forms, the API
    lists them); the services decide again when one is taken."""
    from fugong.services.models import Assignment, ServiceRequest

    A, R = Assignment.Status, ServiceRequest.Status
    mine = [a for a in assignments if a.is_active and handles(user, a)]
    statuses = {a.status for a in mine}
    coordinator = has_role(user, Role.COORDINATOR)
    is_open = service_request.is_open
    in_hand = service_request.status in (R.PENDING, R.IN_PROGRESS)
    own = user.role == Role.ENTERPRISE and user.enterprise_id == service_request.enterprise_id
    rules = [
        ("claim", A.PENDING in statuses),
        ("reply", A.IN_PROGRESS in statuses),
        ("rate", service_request.status == R.REPLIED and (own or coordinator)),
        ("transfer", bool(statuses & {A.PENDING, A.IN_PROGRESS})),
        ("return", bool(statuses & {A.PENDING, A.IN_PROGRESS})),
        ("extension", bool(statuses & {A.PENDING, A.IN_PROGRESS})),
        (
            "cohandle",
            in_hand and (coordinator or any(a.role == Assignment.Role.LEAD for a in mine)),
        ),
        ("route", coordinator and is_open and service_request.status != R.REPLIED),
        ("escalate", has_role(user, Role.LEADER, Role.COORDINATOR) and in_hand),
        ("close", coordinator and is_open),
        ("reopen", coordinator and not is_open),
    ]
    return [name for name, allowed in rules if allowed]

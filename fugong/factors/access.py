"""Who may do what in 送要素, and how personal data is shown to whom. Which rows a user sees is
decided by the scoping functions in `selectors.py`."""

from fugong.core.masking import mask_id_number, mask_phone
from fugong.core.models import User
from fugong.core.permissions import can_see_personal_data, has_role

Role = User.Role
STAFF = (Role.LEADER, Role.COORDINATOR, Role.DEPARTMENT, Role.AREA_OFFICER, Role.LIAISON)
# File for an enterprise: the enterprise itself and the officers who serve it.
FOR_ENTERPRISE = (Role.COORDINATOR, Role.AREA_OFFICER, Role.LIAISON, Role.ENTERPRISE)
# The district's recruitment service: the coordinator and department clerks (人社局).
RECRUITERS = (Role.COORDINATOR, Role.DEPARTMENT)
# Figures of the whole module.
FIGURE_ROLES = (Role.LEADER, Role.COORDINATOR, Role.DEPARTMENT)
# The shuttle desk: the coordinator plans, confirms and records departures and arrivals.
DISPATCHERS = (Role.COORDINATOR,)
SHUTTLE_READERS = (*STAFF, Role.ENTERPRISE)


def sees_id_numbers(user) -> bool:
    """ID numbers in full only for the coordinator, who checks them against the manifests;
    everyone else, the enterprise included, sees 410103********1234."""
    return has_role(user, Role.COORDINATOR)


def sees_phones(user) -> bool:
    return can_see_personal_data(user)


def shown_id(user, value: str) -> str:
    return value if sees_id_numbers(user) else mask_id_number(value)


def shown_phone(user, value: str) -> str:
    return value if sees_phones(user) else mask_phone(value)


def may_dispatch(user) -> bool:
    return has_role(user, *DISPATCHERS)

"""Who may do what, by role. Which records a role sees is decided by each app's selectors."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from fugong.core.models import User

Role = User.Role

# Roles that see personal data (phone numbers, ID numbers) in full for records within their scope.
PERSONAL_DATA_ROLES = frozenset(
    {Role.COORDINATOR, Role.AREA_OFFICER, Role.LIAISON, Role.ENTERPRISE}
)


def has_role(user, *roles: str) -> bool:
    return bool(
        user.is_authenticated and user.is_active and (user.is_superuser or user.role in roles)
    )


def can_see_personal_data(user) -> bool:
    return has_role(user, *PERSONAL_DATA_ROLES)


def role_required(*roles: str):
    """View decorator: log in first, then 403 unless the user has one of `roles`."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


class IsAuthenticatedWithinKeyScope(BasePermission):
    """The default: logged in, and the API key (if one is used) covers the request."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_active) and key_allows(request, view)


def key_allows(request, view) -> bool:
    from fugong.core.api_keys import key_allows as allows

    return allows(request, view)


def roles_permission(*roles: str) -> type[BasePermission]:
    """DRF permission class admitting only `roles` (and superusers)."""

    class HasRole(BasePermission):
        def has_permission(self, request, view):
            return has_role(request.user, *roles) and key_allows(request, view)

    HasRole.__name__ = "HasRole_" + "_".join(roles)
    return HasRole

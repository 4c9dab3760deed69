"""Recording who was shown personal data unmasked (the masked views need no record)."""

from fugong.core.models import PersonalDataAccess, User
from fugong.core.permissions import can_see_personal_data


def personal_data_shown(
    request,
    *,
    what: str,
    object_id: int | None = None,
    count: int = 1,
    unmasked: bool | None = None,
) -> None:
    """Call where a page, export or API response shows phone or ID numbers in full. `unmasked`
    says so where the role alone does not decide it (a department calling back a hotline
    caller)."""
    user = request.user
    shown = can_see_personal_data(user) if unmasked is None else unmasked
    if count and shown and user.role != User.Role.ENTERPRISE:
        # An enterprise reading its own contacts is not someone else's personal data.
        PersonalDataAccess.objects.create(
            user=user,
            what=what,
            object_id=object_id,
            count=count,
            path=request.get_full_path()[:300],
        )

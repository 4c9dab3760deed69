from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fugong.core.models import User

Role = User.Role
_ALL_STAFF = {Role.LEADER, Role.COORDINATOR, Role.DEPARTMENT, Role.AREA_OFFICER, Role.LIAISON}

# (label, url name, roles that see the link)
NAV_ITEMS = [
    (_("首页"), "home", _ALL_STAFF | {Role.ENFORCEMENT}),
    (_("企业服务"), "portal", {Role.ENTERPRISE}),
    (_("企业名录"), "enterprises:list", _ALL_STAFF),
    (_("建设工程"), "enterprises:project_list", _ALL_STAFF | {Role.ENFORCEMENT, Role.ENTERPRISE}),
    (_("批量导入"), "enterprises:import", {Role.COORDINATOR}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [
        {
            "label": label,
            "url": reverse(name),
            "active": request.path == reverse(name)
            or (name != "home" and request.path.startswith(reverse(name))),
        }
        for label, name, roles in NAV_ITEMS
        if user.is_superuser or user.role in roles
    ]
    return {
        "nav_items": items,
        "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
    }

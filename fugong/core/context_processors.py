from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fugong.core.models import User

Role = User.Role
_ALL_STAFF = {Role.LEADER, Role.COORDINATOR, Role.DEPARTMENT, Role.AREA_OFFICER, Role.LIAISON}

# (label, url name, roles that see the link)
NAV_ITEMS = [
    (_("首页"), "home", _ALL_STAFF | {Role.ENFORCEMENT}),
    (_("企业服务"), "portal", {Role.ENTERPRISE}),
    (_("复工填报"), "portal_report", {Role.ENTERPRISE}),
    (_("复工看板"), "resumption:dashboard", _ALL_STAFF),
    (_("未填报"), "resumption:missing", {Role.COORDINATOR, Role.AREA_OFFICER}),
    (_("异常提示"), "resumption:flags", {Role.COORDINATOR, Role.AREA_OFFICER, Role.LIAISON}),
    (_("待办诉求"), "services:queue", {Role.DEPARTMENT}),
    (_("企业诉求"), "services:list", _ALL_STAFF),
    (_("我的诉求"), "services:portal_requests", {Role.ENTERPRISE}),
    (_("诉求统计"), "services:figures", {Role.LEADER, Role.COORDINATOR}),
    (_("企业名录"), "enterprises:list", _ALL_STAFF),
    (_("建设工程"), "enterprises:project_list", _ALL_STAFF | {Role.ENFORCEMENT, Role.ENTERPRISE}),
    (_("我的企业"), "enterprises:my_enterprises", {Role.LIAISON}),
    (_("走访"), "enterprises:visits", {Role.COORDINATOR, Role.AREA_OFFICER, Role.LIAISON}),
    (_("专员覆盖"), "enterprises:coverage", {Role.LEADER, Role.COORDINATOR, Role.AREA_OFFICER}),
    (_("企业等级"), "enterprises:grade_rules", {Role.LEADER, Role.COORDINATOR}),
    (_("批量导入"), "enterprises:import", {Role.COORDINATOR}),
    (_("批量上报"), "resumption:upload", {Role.COORDINATOR, Role.AREA_OFFICER}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [
        {"label": label, "url": reverse(name)}
        for label, name, roles in NAV_ITEMS
        if user.is_superuser or user.role in roles
    ]
    # The link whose address is the longest prefix of this page's is the current one.
    matching = [
        i
        for i in items
        if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))
    ]
    current = max(matching, key=lambda i: len(i["url"]), default=None)
    for item in items:
        item["active"] = item is current
    return {
        "nav_items": items,
        "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
    }

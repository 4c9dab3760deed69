from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fugong.core.models import User

Role = User.Role
_ALL_STAFF = {Role.LEADER, Role.COORDINATOR, Role.DEPARTMENT, Role.AREA_OFFICER, Role.LIAISON}

_COORD, _LEAD = Role.COORDINATOR, Role.LEADER
RESUMPTION, REQUESTS, REGISTER = _("复工"), _("诉求"), _("企业")
POLICIES, FACTORS = _("政策"), _("要素")

# (label, url name, roles that see the link, menu it sits in; None: on the bar itself)
NAV_ITEMS = [
    (_("首页"), "home", _ALL_STAFF | {Role.ENFORCEMENT}, None),
    (_("企业服务"), "portal", {Role.ENTERPRISE}, None),
    (_("复工填报"), "portal_report", {Role.ENTERPRISE}, None),
    (_("我的诉求"), "services:portal_requests", {Role.ENTERPRISE}, None),
    (_("我的政策"), "policies:portal_list", {Role.ENTERPRISE}, None),
    (_("复工看板"), "resumption:dashboard", _ALL_STAFF, RESUMPTION),
    (_("未填报"), "resumption:missing", {_COORD, Role.AREA_OFFICER}, RESUMPTION),
    (_("异常提示"), "resumption:flags", {_COORD, Role.AREA_OFFICER, Role.LIAISON}, RESUMPTION),
    (_("批量上报"), "resumption:upload", {_COORD, Role.AREA_OFFICER}, RESUMPTION),
    (_("待办诉求"), "services:queue", {Role.DEPARTMENT}, REQUESTS),
    (_("企业诉求"), "services:list", _ALL_STAFF, REQUESTS),
    (_("诉求统计"), "services:figures", {_LEAD, _COORD}, REQUESTS),
    (_("延期审批"), "services:extensions", {_COORD}, REQUESTS),
    (_("感谢信"), "services:letters", {_LEAD, _COORD, Role.DEPARTMENT}, REQUESTS),
    (_("分派规则"), "services:routing", {_LEAD, _COORD}, REQUESTS),
    (_("办理期限"), "services:deadlines", {_LEAD, _COORD}, REQUESTS),
    (_("工作日历"), "services:calendar", {_LEAD, _COORD, Role.DEPARTMENT}, REQUESTS),
    (_("惠企政策"), "policies:list", _ALL_STAFF, POLICIES),
    (_("政策申请"), "policies:applications", _ALL_STAFF, POLICIES),
    (_("兑现情况"), "policies:figures", _ALL_STAFF, POLICIES),
    (_("企业名录"), "enterprises:list", _ALL_STAFF, REGISTER),
    (
        _("建设工程"),
        "enterprises:project_list",
        _ALL_STAFF | {Role.ENFORCEMENT, Role.ENTERPRISE},
        REGISTER,
    ),
    (_("我的企业"), "enterprises:my_enterprises", {Role.LIAISON}, REGISTER),
    (_("走访"), "enterprises:visits", {_COORD, Role.AREA_OFFICER, Role.LIAISON}, REGISTER),
    (_("专员覆盖"), "enterprises:coverage", {_LEAD, _COORD, Role.AREA_OFFICER}, REGISTER),
    (_("企业等级"), "enterprises:grade_rules", {_LEAD, _COORD}, REGISTER),
    (_("批量导入"), "enterprises:import", {_COORD}, REGISTER),
    (_("要素概览"), "factors:overview", {_LEAD, _COORD, Role.DEPARTMENT}, FACTORS),
    (_("招聘岗位"), "factors:openings", _ALL_STAFF, FACTORS),
    (_("求职者"), "factors:seekers", _ALL_STAFF, FACTORS),
    (_("返岗直通车"), "factors:workers", _ALL_STAFF, FACTORS),
    (_("贷款申请"), "factors:loans", _ALL_STAFF, FACTORS),
    (_("服务热线"), "factors:hotlines", {_LEAD, _COORD, Role.DEPARTMENT}, FACTORS),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [
        {"label": label, "url": reverse(name), "menu": menu}
        for label, name, roles, menu in NAV_ITEMS
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
        "nav_items": _menus(items),
        "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
    }


def _menus(items: list[dict]) -> list[dict]:
    """Links of one menu gather in a dropdown where the first of them stood; a menu with a
    single link for this user stays a plain link."""
    entries, menus = [], {}
    for item in items:
        menu = item.pop("menu")
        if menu is None:
            entries.append(item)
        elif menu in menus:
            menus[menu]["links"].append(item)
        else:
            menus[menu] = {"label": menu, "links": [item]}
            entries.append(menus[menu])
    for entry in menus.values():
        entry["active"] = any(i["active"] for i in entry["links"])
    return [e["links"][0] if len(e.get("links", ())) == 1 else e for e in entries]

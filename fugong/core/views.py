from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fugong.core.models import User
from fugong.core.services import notification_mark_read
from fugong.enterprises.models import Enterprise
from fugong.enterprises.selectors import (
    counts_by_category,
    enterprises_visible_to,
    projects_visible_to,
)


@login_required
def home(request):
    user = request.user
    if user.role == User.Role.ENTERPRISE:
        return redirect("portal")
    enterprises = enterprises_visible_to(user)
    counts = counts_by_category(enterprises)
    context = {
        "category_counts": [(c.value, c.label, counts[c.value]) for c in Enterprise.Category],
        "enterprise_total": enterprises.count(),
        "project_total": projects_visible_to(user).count(),
        "areas": user.areas.all(),
        "recent_notifications": user.notifications.all()[:5],
    }
    return render(request, "core/home.html", context)


@login_required
def notifications(request):
    page = Paginator(request.user.notifications.all(), 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


@require_POST
@login_required
def notification_read(request, pk: int):
    try:
        notification = notification_mark_read(user=request.user, notification_id=pk)
    except request.user.notifications.model.DoesNotExist:
        return HttpResponse(status=404)
    if request.htmx:
        return render(request, "core/notifications_item.html", {"n": notification})
    messages.success(request, _("已标记为已读"))
    return redirect("notifications")


@require_GET
def healthz(request):
    """Liveness and database reachability, for load balancers and `fugong run`'s checks."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means "not ready"
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})

import base64
import sys

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError, connection
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fugong.core import auth
from fugong.core.api_keys import api_key_create, api_key_revoke
from fugong.core.auth import TokenForm
from fugong.core.filters import record_id
from fugong.core.forms import ApiKeyForm
from fugong.core.models import ApiKey, ImportJob, User
from fugong.core.services import notification_mark_read
from fugong.enterprises.models import Enterprise
from fugong.enterprises.selectors import (
    counts_by_category,
    enterprises_visible_to,
    projects_visible_to,
)


def admin_login(request):
    """The back office logs in through the site's own login, which asks accounts that enrolled
    an authenticator for its code; the admin's own form would take the password alone."""
    return redirect_to_login(request.GET.get("next") or "/admin/")


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


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Enrol, confirm or remove a TOTP authenticator for the logged-in account."""
    user = request.user
    form = TokenForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "start":
            auth.totp_start(user=user)
            return redirect("two_factor")
        if action in ("confirm", "disable") and form.is_valid():
            change = auth.totp_confirm if action == "confirm" else auth.totp_disable
            if change(user=user, token=form.cleaned_data["token"]):
                messages.success(
                    request, _("已开启双因素认证") if action == "confirm" else _("已关闭双因素认证")
                )
                return redirect("two_factor")
            form.add_error("token", _("动态码不正确或已过期，请重新输入"))
    return render(request, "registration/two_factor.html", _two_factor_context(user, form))


def _two_factor_context(user, form) -> dict:
    pending = auth.TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return {
        "form": form,
        "enabled": auth.confirmed_device(user) is not None,
        "pending": pending,
        "qr": auth.qr_svg(pending) if pending else "",
        "secret": base64.b32encode(pending.bin_key).decode() if pending else "",
    }


@login_required
@require_http_methods(["GET", "POST"])
def api_keys(request):
    """The user's API keys: create one (its text is shown once) or revoke one."""
    form = ApiKeyForm(request.POST or None)
    created = None
    revoke = record_id(request.POST.get("revoke")) if request.method == "POST" else None
    if revoke:
        try:
            key = api_key_revoke(user=request.user, key_id=revoke)
        except ApiKey.DoesNotExist:
            raise Http404 from None
        messages.success(request, _("已吊销密钥：%(name)s") % {"name": key.name})
        return redirect("api_keys")
    if request.method == "POST" and form.is_valid():
        key, created = api_key_create(user=request.user, **form.cleaned_data)
        form = ApiKeyForm()
    return render(
        request,
        "core/api_keys.html",
        {
            "form": form,
            "created": created,
            "keys": request.user.api_keys.all(),
        },
    )


@login_required
@require_GET
def import_file(request, pk: int):
    """The file an import was made from: to its uploader, and to coordinators for the register."""
    jobs = ImportJob.objects.filter(
        Q(uploaded_by=request.user)
        | (Q(kind="enterprises") if request.user.is_coordinator else Q(pk__in=[]))
    )
    job = get_object_or_404(jobs, pk=pk)
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.original_name)


def server_error(request):
    """handler500. The database out of reach (restarting, failing over) is a 503 the client may
    retry — with the same Idempotency-Key, nothing is stored twice — rather than a 500; the API
    answers in its error shape. Rendered without context processors: they read the database."""
    unavailable = isinstance(sys.exc_info()[1], (OperationalError, InterfaceError))
    if unavailable:
        code, status = "database_unavailable", 503
        message = _("数据库暂时不可用，本次提交未保存，请稍后重试")
    else:
        code, status = "server_error", 500
        message = _("服务器出错，已记入日志，请稍后重试")
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": code, "message": message, "field": None}, status=status)
    else:
        title = _("暂时无法访问") if unavailable else _("服务器出错")
        page = render_to_string("core/server_error.html", {"title": title, "message": message})
        response = HttpResponse(page, status=status)
    if unavailable:
        response["Retry-After"] = "5"
    return response

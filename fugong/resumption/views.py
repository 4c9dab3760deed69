from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from fugong.core.audit import personal_data_shown
from fugong.core.excel import xlsx_response
from fugong.core.filters import record_id
from fugong.core.forms import AsOfForm
from fugong.core.import_pages import import_job_page
from fugong.core.models import ImportJob, Region, User
from fugong.core.permissions import can_see_personal_data, has_role, role_required
from fugong.core.services import import_job_finish, import_job_start
from fugong.enterprises.forms import ImportUploadForm
from fugong.enterprises.models import Enterprise
from fugong.enterprises.selectors import enterprises_visible_to, projects_visible_to
from fugong.resumption import bulletin, charts, importing, services
from fugong.resumption.categories import CATEGORY_LABELS
from fugong.resumption.forms import DayForm, OfficerReportForm, ReportForm
from fugong.resumption.models import Reminder, Report
from fugong.resumption.selectors import (
    ENTITY_STATES,
    GRADES,
    daily_series,
    entities_as_of,
    figures_as_of,
    missing_by_area,
    missing_reports,
    priority_enterprises,
    reports_visible_to,
    series_start,
)

Role = User.Role
DASHBOARD_ROLES = (Role.LEADER, Role.COORDINATOR, Role.DEPARTMENT, Role.AREA_OFFICER, Role.LIAISON)
OFFICER_ROLES = (Role.COORDINATOR, Role.AREA_OFFICER, Role.LIAISON)


# Dashboard


def _moment(request):
    return AsOfForm(request.GET).moment()


@role_required(*DASHBOARD_ROLES)
def dashboard(request):
    at = _moment(request)
    user = request.user
    current = not request.GET.get("at")
    figures = figures_as_of(at, user=user, current=current)
    series = daily_series(series_start(at, user), at, user=user, last_cube=figures.cube)
    context = {
        "form": AsOfForm(initial={"at": timezone.localtime(at)}),
        "at": at,
        "figures": figures,
        "place": bulletin.place_of(user),
        "bulletin": bulletin.bulletin_text(figures, place=bulletin.place_of(user)),
        "priority": priority_enterprises(at, user=user),
        "chart_data": charts.dashboard_data(figures, series),
        "at_param": timezone.localtime(at).strftime("%Y-%m-%dT%H:%M"),
    }
    template = "resumption/dashboard_body.html" if request.htmx else "resumption/dashboard.html"
    return render(request, template, context)


@role_required(*DASHBOARD_ROLES)
def dashboard_export(request):
    at = _moment(request)
    figures = figures_as_of(at, user=request.user)
    series = daily_series(series_start(at, request.user), at, user=request.user)
    return xlsx_response(
        bulletin.bulletin_xlsx(figures, series=series),
        f"resumption-{timezone.localtime(at):%Y%m%d-%H%M}.xlsx",
    )


@role_required(*DASHBOARD_ROLES)
def bulletin_download(request):
    at = _moment(request)
    figures = figures_as_of(at, user=request.user)
    place = bulletin.place_of(request.user)
    stamp = f"{timezone.localtime(at):%Y%m%d-%H%M}"
    if request.GET.get("format") == "docx":
        response = HttpResponse(
            bulletin.bulletin_docx(figures, place=place),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''bulletin-{stamp}.docx"
        return response
    if request.GET.get("format") == "xlsx":
        return xlsx_response(bulletin.bulletin_xlsx(figures), f"bulletin-{stamp}.xlsx")
    return HttpResponse(
        bulletin.bulletin_text(figures, place=place), content_type="text/plain; charset=utf-8"
    )


@role_required(*DASHBOARD_ROLES)
def entities(request):
    """The entities behind one number of the dashboard; the count equals the number."""
    at = _moment(request)
    category = request.GET.get("category", "")
    if category and category not in CATEGORY_LABELS:
        category = ""
    state = request.GET.get("state", "all")
    if state not in ENTITY_STATES:
        state = "all"
    grade = request.GET.get("grade", "")
    if grade not in GRADES:
        grade = ""
    area = None
    if area_id := record_id(request.GET.get("area")):
        area = get_object_or_404(Region, pk=area_id)
    enterprise_list, project_list = entities_as_of(
        at, user=request.user, category=category, area=area, state=state, grade=grade
    )
    enterprise_page = Paginator(enterprise_list.order_by("name", "id"), 50).get_page(
        request.GET.get("page")
    )
    project_page = Paginator(project_list.order_by("name", "id"), 50).get_page(
        request.GET.get("ppage")
    )
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("ppage", None)
    return render(
        request,
        "resumption/entities.html",
        {
            "at": at,
            "area": area,
            "category_label": CATEGORY_LABELS.get(category, ""),
            "grade": grade,
            "state": state,
            "enterprise_page": enterprise_page,
            "project_page": project_page,
            "total": enterprise_page.paginator.count + project_page.paginator.count,
            "querystring": params.urlencode(),
        },
    )


# Reporting


def _visible_subject(request, kind: str, pk: int):
    if kind == "enterprise":
        return get_object_or_404(enterprises_visible_to(request.user), pk=pk)
    return get_object_or_404(projects_visible_to(request.user), pk=pk)


def _submit(request, form, subject, *, correcting: Report | None = None):
    values = {name: form.cleaned_data[name] for name in services.REPORT_FIELDS}
    try:
        if correcting is not None:
            return services.report_correct(actor=request.user, report=correcting, **values)
        return services.report_submit(
            actor=request.user,
            subject=subject,
            reported_at=form.cleaned_data.get("reported_at"),
            **values,
        )
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    return None


def _initial(subject) -> dict:
    latest = services.previous_report(subject, timezone.now())
    if latest is None:
        return {"workers_on_payroll": subject.payroll_headcount}
    return {
        name: getattr(latest, name) for name in ("status", "workers_on_payroll", "workers_on_duty")
    }


@role_required(Role.ENTERPRISE)
@require_http_methods(["GET", "POST"])
def portal_report(request):
    enterprise = get_object_or_404(Enterprise, pk=request.user.enterprise_id)
    form = ReportForm(request.POST or None, initial=_initial(enterprise))
    if request.method == "POST" and form.is_valid():
        report = _submit(request, form, enterprise)
        if report is not None:
            messages.success(
                request,
                _("已提交：%(status)s，在岗 %(duty)d 人")
                % {"status": report.get_status_display(), "duty": report.workers_on_duty},
            )
            return redirect("portal_report")
    return render(
        request,
        "resumption/portal_report.html",
        {
            "form": form,
            "enterprise": enterprise,
            "reports": enterprise.reports.select_related("submitted_by").order_by(
                "-reported_at", "-id"
            )[:10],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def subject_reports(request, kind: str, pk: int):
    """An entity's report history, and the form an officer reports on its behalf with."""
    subject = _visible_subject(request, kind, pk)
    may_report = has_role(request.user, *OFFICER_ROLES) and services.may_report_for(
        request.user, subject
    )
    form = (
        OfficerReportForm(request.POST or None, initial=_initial(subject)) if may_report else None
    )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid() and _submit(request, form, subject) is not None:
            messages.success(request, _("已代为填报"))
            return redirect(request.path)
    reports = (
        services._reports_of(subject)
        .select_related("submitted_by", "review")
        .order_by("-reported_at", "-id")
    )
    return render(
        request,
        "resumption/subject_reports.html",
        {
            "subject": subject,
            "kind": kind,
            "form": form,
            "page": Paginator(reports, 30).get_page(request.GET.get("page")),
            "may_correct": services.may_report_for(request.user, subject),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_correct(request, pk: int):
    report = get_object_or_404(reports_visible_to(request.user), pk=pk)
    if not services.may_report_for(request.user, report.subject):
        raise PermissionDenied
    initial = {name: getattr(report, name) for name in services.REPORT_FIELDS}
    form = ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        correction = _submit(request, form, report.subject, correcting=report)
        if correction is not None:
            messages.success(request, _("已更正，原报告保留在记录中"))
            if request.user.role == Role.ENTERPRISE:
                return redirect("portal_report")
            kind = "enterprise" if correction.enterprise_id else "project"
            return redirect("resumption:subject_reports", kind=kind, pk=report.subject.pk)
    return render(request, "resumption/report_correct.html", {"form": form, "report": report})


# Flags, missing reports and reminders


@role_required(Role.COORDINATOR, Role.AREA_OFFICER, Role.LIAISON)
def flags(request):
    flagged = (
        reports_visible_to(request.user)
        .exclude(flags=[])
        .filter(review__isnull=True)
        .select_related("enterprise", "project", "submitted_by")
        .order_by("-reported_at")
    )
    return render(
        request,
        "resumption/flags.html",
        {
            "page": Paginator(flagged, 30).get_page(request.GET.get("page")),
        },
    )


@require_POST
@role_required(Role.COORDINATOR, Role.AREA_OFFICER, Role.LIAISON)
def flag_review(request, pk: int):
    report = get_object_or_404(reports_visible_to(request.user), pk=pk)
    try:
        services.flag_review(actor=request.user, report=report, note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    if request.htmx:
        return HttpResponse(f'<span class="badge text-bg-success">{_("已核实")}</span>')
    return redirect("resumption:flags")


@role_required(Role.COORDINATOR, Role.AREA_OFFICER)
def missing(request):
    day = DayForm(request.GET).day_or_today()
    enterprise_list, project_list = missing_reports(day, user=request.user)
    enterprise_page = Paginator(enterprise_list, 50).get_page(request.GET.get("page"))
    personal_data_shown(request, what="未填报企业联系电话", count=len(enterprise_page))
    return render(
        request,
        "resumption/missing.html",
        {
            "day": day,
            "day_param": f"{day:%Y-%m-%d}",
            "form": DayForm(initial={"day": day}),
            "by_area": missing_by_area(day, user=request.user),
            "enterprise_page": enterprise_page,
            "projects": project_list[:200],
            "project_count": project_list.count(),
            "reminded": Reminder.objects.filter(
                Q(enterprise__in=enterprises_visible_to(request.user).values("pk"))
                | Q(project__in=projects_visible_to(request.user).values("pk")),
                day=day,
            ).count(),
            "mask": not can_see_personal_data(request.user),
            "is_past_or_today": day <= timezone.localdate(),
        },
    )


@require_POST
@role_required(Role.COORDINATOR, Role.AREA_OFFICER)
def missing_remind(request):
    form = DayForm(request.POST)
    day = form.day_or_today()
    try:
        services.reminders_request(actor=request.user, day=day)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request, _("已安排发送提醒：未填报的单位将收到站内通知或短信，每天只提醒一次")
        )
    return redirect(f"{reverse('resumption:missing')}?day={day:%Y-%m-%d}")


# Batch upload

_UPLOAD_PAGE = {
    "title": gettext_lazy("批量上报复工情况"),
    "intro": gettext_lazy("每行一个单位：企业填统一社会信用代码，建设工程填项目代码。"),
    "template_url": reverse_lazy("resumption:upload_template"),
    "upload_url": reverse_lazy("resumption:upload"),
    "show_updates": False,
}


@role_required(Role.COORDINATOR, Role.AREA_OFFICER)
@require_http_methods(["GET", "POST"])
def upload(request):
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, max_bytes=settings.FUGONG_UPLOAD_MAX_BYTES
    )
    if request.method == "POST" and form.is_valid():
        job = import_job_start(kind="reports", upload=form.cleaned_data["file"], actor=request.user)
        with job.file.open("rb") as handle:
            result = importing.reports_import(actor=request.user, file=handle, dry_run=True)
        import_job_finish(job=job, result=result.as_dict(), applied=False)
        return redirect("resumption:upload_job", pk=job.pk)
    jobs = ImportJob.objects.filter(kind="reports", uploaded_by=request.user)[:10]
    return render(request, "core/import_upload.html", {"form": form, "jobs": jobs, **_UPLOAD_PAGE})


@role_required(Role.COORDINATOR, Role.AREA_OFFICER)
@require_http_methods(["GET", "POST"])
def upload_job(request, pk: int):
    job = get_object_or_404(ImportJob, pk=pk, kind="reports", uploaded_by=request.user)
    return import_job_page(
        request,
        job,
        run_import=lambda file: importing.reports_import(actor=request.user, file=file),
        done_message=lambda result: _("已导入 %(n)d 份填报") % {"n": result.created},
        page=_UPLOAD_PAGE,
    )


@role_required(Role.COORDINATOR, Role.AREA_OFFICER)
def upload_template(request):
    return xlsx_response(importing.template_workbook(), "daily-reports-template.xlsx")

"""云招聘 pages: the public job board and hotlines (no login), openings and their review, job
seekers and applications, the hotline list the coordinator keeps, and the module's figures."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fugong.core.audit import personal_data_shown
from fugong.core.filters import querystring_without_page
from fugong.core.forms import apply_errors, form_errors
from fugong.core.permissions import has_role, role_required
from fugong.enterprises.models import Enterprise
from fugong.factors import forms, services
from fugong.factors.access import (
    FIGURE_ROLES,
    FOR_ENTERPRISE,
    RECRUITERS,
    SHUTTLE_READERS,
    Role,
    sees_id_numbers,
    sees_phones,
)
from fugong.factors.models import Hotline, JobApplication, JobOpening
from fugong.factors.selectors import (
    applications_visible_to,
    filter_public_openings,
    loan_figures,
    openings_visible_to,
    public_openings,
    recruitment_figures,
    seekers_visible_to,
    shuttle_figures,
)
from fugong.factors.views.common import acted

# Public


@require_GET
def job_board(request):
    """The public job board: searchable, made for a phone; HTMX swaps the results."""
    form = forms.JobBoardForm(request.GET or None)
    openings = filter_public_openings(public_openings(), **form.filters())
    page = Paginator(openings, 20).get_page(request.GET.get("page"))
    template = "factors/job_board_results.html" if request.htmx else "factors/job_board.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "querystring": querystring_without_page(request),
            "hotlines": Hotline.objects.filter(is_active=True).select_related("department"),
        },
    )


@require_GET
def job_public(request, pk: int):
    opening = get_object_or_404(public_openings(), pk=pk)
    return render(request, "factors/job_public.html", {"opening": opening})


@require_GET
def hotlines_public(request):
    return render(
        request,
        "factors/hotlines_public.html",
        {"hotlines": Hotline.objects.filter(is_active=True).select_related("department")},
    )


# Figures


@role_required(*FIGURE_ROLES)
def overview(request):
    user = request.user
    return render(
        request,
        "factors/overview.html",
        {
            "recruitment": recruitment_figures(),
            "shuttles": shuttle_figures(user),
            "loans": loan_figures(user),
        },
    )


# Openings


@role_required(*SHUTTLE_READERS)
def opening_list(request):
    status = request.GET.get("status", "")
    openings = openings_visible_to(request.user).select_related("enterprise")
    if status in JobOpening.Status.values:
        openings = openings.filter(status=status)
    page = Paginator(openings, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "factors/opening_list.html",
        {
            "page": page,
            "status": status,
            "statuses": JobOpening.Status.choices,
            "querystring": querystring_without_page(request),
            "may_submit": has_role(request.user, *FOR_ENTERPRISE),
        },
    )


@role_required(*FOR_ENTERPRISE)
@require_http_methods(["GET", "POST"])
def opening_new(request):
    form = forms.OpeningForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        enterprise = form.cleaned_data.get("enterprise") or get_object_or_404(
            Enterprise, pk=request.user.enterprise_id
        )
        try:
            opening = services.opening_submit(
                actor=request.user, enterprise=enterprise, **form.values()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("岗位已发布")
                if opening.status == JobOpening.Status.PUBLISHED
                else _("岗位已提交，等待指挥部审核后发布"),
            )
            return redirect("factors:opening_detail", pk=opening.pk)
    return render(request, "factors/opening_form.html", {"form": form})


def _visible_opening(request, pk: int) -> JobOpening:
    return get_object_or_404(openings_visible_to(request.user).select_related("enterprise"), pk=pk)


@role_required(*SHUTTLE_READERS)
def opening_detail(request, pk: int):
    opening = _visible_opening(request, pk)
    applications = applications_visible_to(request.user).filter(opening=opening)
    return render(
        request,
        "factors/opening_detail.html",
        {
            "opening": opening,
            "applications": applications.select_related("seeker"),
            "may_review": has_role(request.user, Role.COORDINATOR)
            and opening.status == JobOpening.Status.PENDING,
            "may_edit": has_role(request.user, *FOR_ENTERPRISE)
            and opening.status != JobOpening.Status.CLOSED,
            "may_move": has_role(request.user, Role.COORDINATOR, Role.ENTERPRISE),
            "review_form": forms.ReviewForm(),
        },
    )


@role_required(*FOR_ENTERPRISE)
@require_http_methods(["GET", "POST"])
def opening_edit(request, pk: int):
    opening = _visible_opening(request, pk)
    form = forms.OpeningForm(
        request.POST or None, instance=opening, user=request.user, editing=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.opening_update(actor=request.user, opening=opening, **form.values())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("岗位已修改"))
            return redirect("factors:opening_detail", pk=pk)
    return render(request, "factors/opening_form.html", {"form": form, "opening": opening})


OPENING_ACTIONS = {
    "approve": (
        lambda u, o, note: services.opening_review(actor=u, opening=o, approve=True, note=note),
        _("已审核通过并发布"),
    ),
    "return": (
        lambda u, o, note: services.opening_review(actor=u, opening=o, approve=False, note=note),
        _("已退回企业修改"),
    ),
    "close": (lambda u, o, note: services.opening_close(actor=u, opening=o), _("岗位已下架")),
}


@require_POST
@role_required(*FOR_ENTERPRISE)
def opening_action(request, pk: int, action: str):
    opening = _visible_opening(request, pk)
    if action not in OPENING_ACTIONS:
        raise PermissionDenied
    run, done = OPENING_ACTIONS[action]
    note = request.POST.get("note", "")[:300]
    return acted(
        request,
        lambda: run(request.user, opening, note),
        done=done,
        back="factors:opening_detail",
        pk=pk,
    )


# Job seekers and applications


@role_required(*RECRUITERS, Role.LEADER, Role.AREA_OFFICER, Role.LIAISON, Role.ENTERPRISE)
def seeker_list(request):
    seekers = seekers_visible_to(request.user).select_related("home_county")
    q = request.GET.get("q", "").strip()[:50]
    if q:
        seekers = seekers.filter(name__icontains=q) | seekers.filter(wanted_job__icontains=q)
    page = Paginator(seekers.order_by("-registered_at", "-id"), 30).get_page(
        request.GET.get("page")
    )
    _record_shown(request, "求职者身份证号", len(page.object_list))
    return render(
        request,
        "factors/seeker_list.html",
        {
            "page": page,
            "q": q,
            "querystring": querystring_without_page(request),
            "may_register": has_role(request.user, *RECRUITERS, Role.ENTERPRISE),
            **_masking(request.user),
        },
    )


def _masking(user) -> dict:
    return {"full_ids": sees_id_numbers(user), "full_phones": sees_phones(user)}


def _record_shown(request, what: str, count: int, object_id=None) -> None:
    if sees_id_numbers(request.user) or sees_phones(request.user):
        personal_data_shown(request, what=what, count=count, object_id=object_id)


@role_required(*RECRUITERS, Role.ENTERPRISE)
@require_http_methods(["GET", "POST"])
def seeker_new(request):
    form = forms.SeekerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            seeker = services.seeker_register(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记求职者：%(name)s") % {"name": seeker.name})
            return redirect("factors:seeker_detail", pk=seeker.pk)
    return render(request, "factors/seeker_form.html", {"form": form})


@role_required(*RECRUITERS, Role.LEADER, Role.AREA_OFFICER, Role.LIAISON, Role.ENTERPRISE)
@require_http_methods(["GET", "POST"])
def seeker_detail(request, pk: int):
    seeker = get_object_or_404(
        seekers_visible_to(request.user).select_related("home_county"), pk=pk
    )
    openings = openings_visible_to(request.user).filter(status=JobOpening.Status.PUBLISHED)
    form = forms.ApplicationForm(request.POST or None, openings=openings)
    if request.method == "POST":
        if not has_role(request.user, *RECRUITERS, Role.ENTERPRISE):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.application_create(
                    actor=request.user,
                    opening=form.cleaned_data["opening"],
                    seeker=seeker,
                    note=form.cleaned_data["note"],
                )
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(request, _("已登记投递"))
                return redirect("factors:seeker_detail", pk=pk)
        else:
            messages.error(request, form_errors(form))
    _record_shown(request, "求职者身份证号", 1, seeker.pk)
    return render(
        request,
        "factors/seeker_detail.html",
        {
            "seeker": seeker,
            "applications": applications_visible_to(request.user)
            .filter(seeker=seeker)
            .select_related("opening__enterprise"),
            "form": form if has_role(request.user, *RECRUITERS, Role.ENTERPRISE) else None,
            "may_move": has_role(request.user, Role.COORDINATOR, Role.ENTERPRISE),
            **_masking(request.user),
        },
    )


MOVE_DONE = {"interview": _("已安排面试"), "hire": _("已录用"), "reject": _("已标记未录用")}


@require_POST
@role_required(Role.COORDINATOR, Role.ENTERPRISE)
def application_move(request, pk: int, move: str):
    application: JobApplication = get_object_or_404(
        applications_visible_to(request.user).select_related("opening"), pk=pk
    )
    if move not in MOVE_DONE:
        raise PermissionDenied
    back = request.POST.get("back") == "seeker"
    return acted(
        request,
        lambda: services.application_move(
            actor=request.user,
            application=application,
            move=move,
            note=request.POST.get("note", "")[:300],
        ),
        done=MOVE_DONE[move],
        back="factors:seeker_detail" if back else "factors:opening_detail",
        pk=application.seeker_id if back else application.opening_id,
    )


# Hotlines


@role_required(Role.COORDINATOR, Role.LEADER, Role.DEPARTMENT)
@require_http_methods(["GET", "POST"])
def hotlines(request):
    form = forms.HotlineForm(request.POST or None, initial={"opened_on": timezone.localdate()})
    if request.method == "POST":
        if not has_role(request.user, Role.COORDINATOR):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.hotline_save(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("热线已添加"))
                return redirect("factors:hotlines")
    return render(
        request,
        "factors/hotlines.html",
        {
            "hotlines": Hotline.objects.select_related("department"),
            "form": form if has_role(request.user, Role.COORDINATOR) else None,
        },
    )


@require_POST
@role_required(Role.COORDINATOR)
def hotline_retire(request, pk: int):
    hotline = get_object_or_404(Hotline, pk=pk, is_active=True)
    services.hotline_retire(actor=request.user, hotline=hotline)
    messages.success(request, _("热线已停用"))
    return redirect("factors:hotlines")

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fugong.core.audit import personal_data_shown
from fugong.core.excel import xlsx_response
from fugong.core.exceptions import StaleRecord
from fugong.core.filters import querystring_without_page
from fugong.core.forms import apply_errors
from fugong.core.history import history_entries
from fugong.core.import_pages import import_job_page
from fugong.core.masking import mask_phone
from fugong.core.models import ImportJob, User
from fugong.core.permissions import can_see_personal_data, has_role, role_required
from fugong.core.services import import_job_finish, import_job_start
from fugong.enterprises import services
from fugong.enterprises.exports import (
    enterprises_workbook,
    projects_workbook,
    template_workbook,
    uncovered_workbook,
)
from fugong.enterprises.filters import EnterpriseFilter, ProjectFilter, VisitFilter, search_names
from fugong.enterprises.forms import (
    CoverageForm,
    EnterpriseForm,
    GradeOverrideForm,
    GradeRuleForm,
    ImportUploadForm,
    LiaisonAssignForm,
    ProjectForm,
)
from fugong.enterprises.importing import liaison_template_workbook
from fugong.enterprises.models import ConstructionProject, Enterprise, GradeRule, LiaisonAssignment
from fugong.enterprises.selectors import (
    COVERAGE_GROUPS,
    VISIT_READERS,
    assignments_of,
    assignments_visible_to,
    can_create_records,
    coverage,
    enterprises_editable_by,
    enterprises_managed_by,
    enterprises_visible_to,
    enterprises_visitable_by,
    grade_changes,
    grade_counts,
    grade_for,
    grade_history,
    grade_rules,
    projects_editable_by,
    projects_visible_to,
    uncovered_enterprises,
    visits_visible_to,
)
from fugong.enterprises.tasks import recompute_grades

Role = User.Role
REGISTER_ROLES = (Role.LEADER, Role.COORDINATOR, Role.DEPARTMENT, Role.AREA_OFFICER, Role.LIAISON)
PROJECT_ROLES = (*REGISTER_ROLES, Role.ENFORCEMENT, Role.ENTERPRISE)
PAGE_SIZE = 50


def _list_page(request, *, filterset, template: str, results_template: str, extra=None):
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page": page,
        "querystring": querystring_without_page(request),
        "mask": not can_see_personal_data(request.user),
        **(extra or {}),
    }
    return render(request, results_template if request.htmx else template, context)


def _personal_data_maskers(user) -> dict:
    return {} if can_see_personal_data(user) else {"contact_phone": mask_phone}


# Enterprises


@role_required(*REGISTER_ROLES)
def enterprise_list(request):
    enterprises = enterprises_visible_to(request.user).select_related("region", "park")
    filterset = EnterpriseFilter(request.GET, queryset=enterprises, user=request.user)
    return _list_page(
        request,
        filterset=filterset,
        template="enterprises/enterprise_list.html",
        results_template="enterprises/enterprise_list_results.html",
        extra={
            "can_create": can_create_records(request.user),
            "can_import": request.user.is_coordinator,
        },
    )


@role_required(*REGISTER_ROLES)
def enterprise_export(request):
    enterprises = enterprises_visible_to(request.user)
    filterset = EnterpriseFilter(request.GET, queryset=enterprises, user=request.user)
    content = enterprises_workbook(
        filterset.qs, mask_personal_data=not can_see_personal_data(request.user)
    )
    personal_data_shown(request, what="企业联系电话（导出）", count=filterset.qs.count())
    return xlsx_response(content, f"enterprises-{timezone.localdate():%Y%m%d}.xlsx")


def _visible_enterprise(request, pk: int) -> Enterprise:
    return get_object_or_404(
        enterprises_visible_to(request.user).select_related("region", "park"), pk=pk
    )


@login_required
def enterprise_detail(request, pk: int):
    enterprise = _visible_enterprise(request, pk)
    user = request.user
    context = {
        "enterprise": enterprise,
        "mask": not can_see_personal_data(user),
        "can_edit": enterprises_editable_by(user).filter(pk=pk).exists(),
        "can_manage": enterprises_managed_by(user).filter(pk=pk).exists(),
        "history": history_entries(enterprise, maskers=_personal_data_maskers(user)),
        "grade_history": grade_history(enterprise),
        "liaisons": enterprise.liaison_assignments.select_related("officer").order_by(
            F("ended_on").desc(nulls_first=True), "kind", "-is_primary", "started_on"
        ),
        "projects": projects_visible_to(user).filter(builder=enterprise),
        "visits": visits_visible_to(user)
        .filter(enterprise=enterprise)
        .select_related("officer")[:10],
        "sees_visits": has_role(user, *VISIT_READERS),
        "can_visit": enterprises_visitable_by(user).filter(pk=pk).exists(),
    }
    personal_data_shown(request, what="企业联系电话", object_id=enterprise.pk)
    return render(request, "enterprises/enterprise_detail.html", context)


@role_required(Role.COORDINATOR, Role.AREA_OFFICER)
@require_http_methods(["GET", "POST"])
def enterprise_create(request):
    form = EnterpriseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = services.enterprise_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记企业：%(name)s") % {"name": enterprise.name})
            return redirect("enterprises:detail", pk=enterprise.pk)
    return render(request, "enterprises/enterprise_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_edit(request, pk: int):
    enterprise = _visible_enterprise(request, pk)
    fields = services.enterprise_fields_editable_by(request.user)
    if not fields or not enterprises_editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied
    form = EnterpriseForm(
        request.POST or None, instance=enterprise, user=request.user, editable_fields=fields
    )
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.fields if name != "version"}
        try:
            services.enterprise_update(
                actor=request.user,
                enterprise=enterprise,
                expected_version=form.cleaned_data["version"],
                **changes,
            )
        except (ValidationError, StaleRecord) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("enterprises:detail", pk=pk)
    return render(
        request, "enterprises/enterprise_form.html", {"form": form, "enterprise": enterprise}
    )


@login_required
@require_GET
def picker_options(request):
    """Radio options for the enterprise picker widget: the first matches in the user's scope."""
    field = request.GET.get("field", "enterprise")
    term = request.GET.get("picker_q", "")
    options = (
        search_names(enterprises_visible_to(request.user), "q", term).only("pk", "name", "uscc")[
            :10
        ]
        if term.strip()
        else []
    )
    return render(
        request,
        "enterprises/widgets/enterprise_picker_options.html",
        {
            "name": field,
            "options": list(options),
            "allow_empty_label": request.GET.get("empty", ""),
        },
    )


# Import

_IMPORT_PAGE = {
    "title": gettext_lazy("批量导入企业名录"),
    "intro": gettext_lazy("按统一社会信用代码新增或更新企业。"),
    "template_url": reverse_lazy("enterprises:import_template"),
    "upload_url": reverse_lazy("enterprises:import"),
    "show_updates": True,
}


@role_required(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def enterprise_import(request):
    max_bytes = settings.FUGONG_UPLOAD_MAX_BYTES
    form = ImportUploadForm(request.POST or None, request.FILES or None, max_bytes=max_bytes)
    if request.method == "POST" and form.is_valid():
        job = import_job_start(
            kind="enterprises", upload=form.cleaned_data["file"], actor=request.user
        )
        with job.file.open("rb") as handle:
            result = services.enterprises_import(actor=request.user, file=handle, dry_run=True)
        import_job_finish(job=job, result=result.as_dict(), applied=False)
        return redirect("enterprises:import_job", pk=job.pk)
    jobs = ImportJob.objects.filter(kind="enterprises").select_related("uploaded_by")[:10]
    return render(request, "core/import_upload.html", {"form": form, "jobs": jobs, **_IMPORT_PAGE})


@role_required(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def enterprise_import_job(request, pk: int):
    job = get_object_or_404(ImportJob, pk=pk, kind="enterprises")
    return import_job_page(
        request,
        job,
        run_import=lambda file: services.enterprises_import(actor=request.user, file=file),
        done_message=lambda result: (
            _("导入完成：新增 %(created)d 家，更新 %(updated)d 家，未变化 %(unchanged)d 家")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        ),
        page=_IMPORT_PAGE,
    )


@role_required(Role.COORDINATOR)
def import_template(request):
    return xlsx_response(template_workbook(), "enterprise-register-template.xlsx")


# Construction projects


@role_required(*PROJECT_ROLES)
def project_list(request):
    projects = projects_visible_to(request.user).select_related("region", "park", "builder")
    filterset = ProjectFilter(request.GET, queryset=projects, user=request.user)
    return _list_page(
        request,
        filterset=filterset,
        template="enterprises/project_list.html",
        results_template="enterprises/project_list_results.html",
        extra={"can_create": can_create_records(request.user)},
    )


@role_required(*PROJECT_ROLES)
def project_export(request):
    projects = projects_visible_to(request.user)
    filterset = ProjectFilter(request.GET, queryset=projects, user=request.user)
    return xlsx_response(
        projects_workbook(filterset.qs), f"projects-{timezone.localdate():%Y%m%d}.xlsx"
    )


def _visible_project(request, pk: int) -> ConstructionProject:
    return get_object_or_404(
        projects_visible_to(request.user).select_related("region", "park", "builder"), pk=pk
    )


@login_required
def project_detail(request, pk: int):
    project = _visible_project(request, pk)
    context = {
        "project": project,
        "can_edit": projects_editable_by(request.user).filter(pk=pk).exists(),
        "mask": not can_see_personal_data(request.user),
        "history": history_entries(project, maskers=_personal_data_maskers(request.user)),
        "builder_visible": project.builder_id is not None
        and enterprises_visible_to(request.user).filter(pk=project.builder_id).exists(),
    }
    personal_data_shown(request, what="项目负责人电话", object_id=project.pk)
    return render(request, "enterprises/project_detail.html", context)


@role_required(Role.COORDINATOR, Role.AREA_OFFICER)
@require_http_methods(["GET", "POST"])
def project_create(request):
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记项目：%(name)s") % {"name": project.name})
            return redirect("enterprises:project_detail", pk=project.pk)
    return render(request, "enterprises/project_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, pk: int):
    project = _visible_project(request, pk)
    if not projects_editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            changes = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            services.project_update(
                actor=request.user,
                project=project,
                expected_version=form.cleaned_data["version"],
                **changes,
            )
        except (ValidationError, StaleRecord) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("enterprises:project_detail", pk=pk)
    return render(request, "enterprises/project_form.html", {"form": form, "project": project})


# Enterprise portal


@role_required(Role.ENTERPRISE)
def portal(request):
    enterprise = get_object_or_404(
        Enterprise.objects.select_related("region", "park"), pk=request.user.enterprise_id
    )
    return render(
        request,
        "enterprises/portal.html",
        {
            "enterprise": enterprise,
            "liaisons": enterprise.liaison_assignments.filter(ended_on__isnull=True).select_related(
                "officer"
            ),
            "notifications": request.user.notifications.all()[:5],
        },
    )


# Grading (ABC等级划定)


def _managed_enterprise(request, pk: int) -> Enterprise:
    """404 outside the user's scope, 403 for an enterprise the user sees but does not manage."""
    enterprise = _visible_enterprise(request, pk)
    if not enterprises_managed_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied
    return enterprise


@role_required(Role.COORDINATOR, Role.LEADER)
def grade_rules_page(request):
    rules = grade_rules()
    enterprises = Enterprise.objects.all()
    context = {
        "rules": rules,
        "counts": grade_counts(enterprises),
        "pending": grade_changes(rules).count(),
        "overridden": enterprises.filter(grade_overridden=True).count(),
        "can_edit": request.user.is_coordinator,
    }
    return render(request, "enterprises/grade_rules.html", context)


@role_required(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def grade_rule_create(request):
    return _grade_rule_form(request, rule=None)


@role_required(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def grade_rule_edit(request, pk: int):
    return _grade_rule_form(request, rule=get_object_or_404(GradeRule, pk=pk))


def _grade_rule_form(request, *, rule: GradeRule | None):
    form = GradeRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            if rule is None:
                services.grade_rule_create(actor=request.user, **form.cleaned_data)
            else:
                services.grade_rule_update(actor=request.user, rule=rule, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("评级规则已保存；点击「按规则重新评级」后生效"))
            return redirect("enterprises:grade_rules")
    return render(request, "enterprises/grade_rule_form.html", {"form": form, "rule": rule})


@require_POST
@role_required(Role.COORDINATOR)
def grade_rule_delete(request, pk: int):
    services.grade_rule_delete(actor=request.user, rule=get_object_or_404(GradeRule, pk=pk))
    messages.success(request, _("已删除评级规则；点击「按规则重新评级」后生效"))
    return redirect("enterprises:grade_rules")


@require_POST
@role_required(Role.COORDINATOR)
def grades_recompute(request):
    recompute_grades.enqueue(request.user.pk)
    messages.success(request, _("已开始按规则重新评级；全区企业较多，完成后会在通知中告诉你结果。"))
    return redirect("enterprises:grade_rules")


@login_required
@require_http_methods(["GET", "POST"])
def grade_override(request, pk: int):
    enterprise = _managed_enterprise(request, pk)
    form = GradeOverrideForm(
        request.POST or None,
        initial={"grade": enterprise.effective_grade, "reason": enterprise.grade_reason},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.grade_override(actor=request.user, enterprise=enterprise, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已调整企业等级"))
            return redirect("enterprises:detail", pk=pk)
    return render(
        request,
        "enterprises/grade_override_form.html",
        {
            "form": form,
            "enterprise": enterprise,
            "rule_grade": grade_for(enterprise, grade_rules()),
        },
    )


@require_POST
@login_required
def grade_override_clear(request, pk: int):
    enterprise = _managed_enterprise(request, pk)
    enterprise = services.grade_override_clear(actor=request.user, enterprise=enterprise)
    messages.success(
        request, _("已恢复按规则评级：%(grade)s级") % {"grade": enterprise.effective_grade}
    )
    return redirect("enterprises:detail", pk=pk)


# Service officers (服务专员)

COVERAGE_ROLES = (Role.COORDINATOR, Role.LEADER, Role.AREA_OFFICER)
ASSIGNING_ROLES = (Role.COORDINATOR, Role.AREA_OFFICER)


@login_required
@require_http_methods(["GET", "POST"])
def liaison_assign(request, pk: int):
    enterprise = _managed_enterprise(request, pk)
    form = LiaisonAssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.liaison_assign(
                actor=request.user, enterprise=enterprise, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("已分配%(kind)s：%(name)s")
                % {"kind": assignment.get_kind_display(), "name": assignment.officer.name},
            )
            return redirect("enterprises:detail", pk=pk)
    return render(
        request, "enterprises/liaison_assign_form.html", {"form": form, "enterprise": enterprise}
    )


def _managed_assignment(request, pk: int) -> LiaisonAssignment:
    assignment = get_object_or_404(assignments_visible_to(request.user), pk=pk)
    if not enterprises_managed_by(request.user).filter(pk=assignment.enterprise_id).exists():
        raise PermissionDenied
    return assignment


@require_POST
@login_required
def liaison_end(request, pk: int):
    assignment = _managed_assignment(request, pk)
    try:
        services.liaison_assignment_end(actor=request.user, assignment=assignment)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已结束：%(a)s") % {"a": assignment})
    return redirect("enterprises:detail", pk=assignment.enterprise_id)


@require_POST
@login_required
def liaison_make_primary(request, pk: int):
    assignment = _managed_assignment(request, pk)
    try:
        services.liaison_assignment_make_primary(actor=request.user, assignment=assignment)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已设为主责：%(a)s") % {"a": assignment})
    return redirect("enterprises:detail", pk=assignment.enterprise_id)


@role_required(*COVERAGE_ROLES)
def coverage_page(request):
    form = CoverageForm(request.GET or None)
    choice = form.choice()
    uncovered = uncovered_enterprises(request.user, **choice).select_related("region", "park")
    page = Paginator(uncovered, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "choice": choice,
        "group_label": COVERAGE_GROUPS[choice["group"]][0],
        "kind_label": LiaisonAssignment.Kind(choice["kind"]).label if choice["kind"] else "",
        "coverage": coverage(request.user, choice["group"]),
        "page": page,
        "querystring": querystring_without_page(request),
        "kinds": LiaisonAssignment.Kind.choices,
        "can_assign": has_role(request.user, *ASSIGNING_ROLES),
    }
    return render(request, "enterprises/coverage.html", context)


@role_required(*COVERAGE_ROLES)
def coverage_export(request):
    choice = CoverageForm(request.GET or None).choice()
    enterprises = uncovered_enterprises(request.user, **choice)
    return xlsx_response(
        uncovered_workbook(enterprises), f"uncovered-{timezone.localdate():%Y%m%d}.xlsx"
    )


@role_required(Role.LIAISON)
def my_enterprises(request):
    assignments = assignments_of(request.user)
    return render(
        request,
        "enterprises/my_enterprises.html",
        {"assignments": assignments, "mask": not can_see_personal_data(request.user)},
    )


_LIAISON_IMPORT_PAGE = {
    "title": gettext_lazy("批量分配服务专员"),
    "intro": gettext_lazy(
        "每行一项分配：统一社会信用代码、专员账号、类型（服务专员 / 人才服务专员 / 党建指导员 / "
        "驻企指导员）、是否主责、开始日期。"
    ),
    "template_url": reverse_lazy("enterprises:liaison_import_template"),
    "upload_url": reverse_lazy("enterprises:liaison_import"),
    "show_updates": True,
}


def _liaison_jobs(user):
    jobs = ImportJob.objects.filter(kind="liaisons").select_related("uploaded_by")
    return jobs if user.is_coordinator else jobs.filter(uploaded_by=user)


@role_required(*ASSIGNING_ROLES)
@require_http_methods(["GET", "POST"])
def liaison_import(request):
    max_bytes = settings.FUGONG_UPLOAD_MAX_BYTES
    form = ImportUploadForm(request.POST or None, request.FILES or None, max_bytes=max_bytes)
    if request.method == "POST" and form.is_valid():
        job = import_job_start(
            kind="liaisons", upload=form.cleaned_data["file"], actor=request.user
        )
        with job.file.open("rb") as handle:
            result = services.liaison_assignments_import(
                actor=request.user, file=handle, dry_run=True
            )
        import_job_finish(job=job, result=result.as_dict(), applied=False)
        return redirect("enterprises:liaison_import_job", pk=job.pk)
    return render(
        request,
        "core/import_upload.html",
        {"form": form, "jobs": _liaison_jobs(request.user)[:10], **_LIAISON_IMPORT_PAGE},
    )


@role_required(*ASSIGNING_ROLES)
@require_http_methods(["GET", "POST"])
def liaison_import_job(request, pk: int):
    job = get_object_or_404(_liaison_jobs(request.user), pk=pk)
    return import_job_page(
        request,
        job,
        run_import=lambda file: services.liaison_assignments_import(actor=request.user, file=file),
        done_message=lambda result: (
            _("导入完成：新增分配 %(created)d 项，更新 %(updated)d 项，未变化 %(unchanged)d 项")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        ),
        page=_LIAISON_IMPORT_PAGE,
    )


@role_required(*ASSIGNING_ROLES)
def liaison_import_template(request):
    return xlsx_response(liaison_template_workbook(), "liaison-assignments-template.xlsx")


# Visits (走访)

VISITING_ROLES = (Role.COORDINATOR, Role.AREA_OFFICER, Role.LIAISON)


@role_required(*VISIT_READERS)
def visit_list(request):
    visits = visits_visible_to(request.user).select_related("enterprise", "officer")
    filterset = VisitFilter(request.GET, queryset=visits)
    return _list_page(
        request,
        filterset=filterset,
        template="enterprises/visit_list.html",
        results_template="enterprises/visit_list_results.html",
        extra={"can_record": has_role(request.user, *VISITING_ROLES)},
    )


@login_required
def visit_detail(request, pk: int):
    visit = get_object_or_404(
        visits_visible_to(request.user).select_related("enterprise", "officer", "recorded_by"),
        pk=pk,
    )
    return render(
        request,
        "enterprises/visit_detail.html",
        {"visit": visit, "history": history_entries(visit)},
    )

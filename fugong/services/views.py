from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fugong.core.audit import personal_data_shown
from fugong.core.excel import xlsx_response
from fugong.core.filters import querystring_without_page, record_id
from fugong.core.forms import AsOfForm, apply_errors, form_errors
from fugong.core.models import User
from fugong.core.permissions import can_see_personal_data, has_role, role_required
from fugong.enterprises.forms import VisitForm
from fugong.enterprises.models import Enterprise
from fugong.enterprises.views import VISITING_ROLES
from fugong.resumption.selectors import reports_visible_to
from fugong.services import calendar, exports, forms, services
from fugong.services.access import actions_available, caller_seen_by, handles
from fugong.services.models import (
    Assignment,
    Attachment,
    CalendarDay,
    Channel,
    DeadlinePolicy,
    Extension,
    RoutingRule,
    ServiceRequest,
    ThankYouLetter,
)
from fugong.services.selectors import (
    FIGURE_ROLES,
    figures_as_of,
    filter_requests,
    near_due,
    overdue_now,
    pending_extensions,
    queue_for,
    requests_visible_to,
)

Role = User.Role
LIST_ROLES = (Role.LEADER, Role.COORDINATOR, Role.DEPARTMENT, Role.AREA_OFFICER, Role.LIAISON)
STAFF_FILING_ROLES = (Role.COORDINATOR, Role.AREA_OFFICER, Role.LIAISON)
LETTER_ROLES = (Role.LEADER, Role.COORDINATOR, Role.DEPARTMENT)


# Lists


@role_required(*LIST_ROLES)
def request_list(request):
    form = forms.RequestFilterForm(request.GET or None)
    requests = _filtered(requests_visible_to(request.user), form).select_related("enterprise")
    page = Paginator(requests.order_by("-created_at", "-id"), 30).get_page(request.GET.get("page"))
    template = (
        "services/request_list_results.html" if request.htmx else "services/request_list.html"
    )
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "querystring": querystring_without_page(request),
            "may_file": has_role(request.user, *STAFF_FILING_ROLES),
        },
    )


def _filtered(requests, form):
    if not form.is_valid():
        return requests
    data = form.cleaned_data
    department, task_force = data.get("handler") or (None, None)
    return filter_requests(
        requests,
        q=data["q"],
        status=data["status"],
        category=data["category"],
        department=department,
        task_force=task_force,
        overdue=data["overdue"],
    )


@role_required(*LIST_ROLES)
def request_export(request):
    form = forms.RequestFilterForm(request.GET or None)
    requests = _filtered(requests_visible_to(request.user), form)
    unmasked = can_see_personal_data(request.user)
    if unmasked:
        personal_data_shown(request, what="诉求来电号码导出", count=requests.count())
    return xlsx_response(
        exports.requests_workbook(requests, masked=not unmasked),
        f"requests-{timezone.localtime():%Y%m%d-%H%M}.xlsx",
    )


@role_required(Role.DEPARTMENT)
def queue(request):
    """The department's work, the nearest deadline first; overdue in red, due soon in amber."""
    mine = queue_for(request.user)
    overdue = set(overdue_now(mine).values_list("pk", flat=True))
    soon = set(near_due(mine).values_list("pk", flat=True))
    page = Paginator(mine, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "services/queue.html",
        {
            "page": page,
            "overdue": overdue,
            "soon": soon,
            "overdue_count": len(overdue),
            "extensions": Extension.objects.filter(
                assignment__in=mine, status=Extension.Status.PENDING
            ).values_list("assignment_id", flat=True),
        },
    )


# Filing


@role_required(Role.ENTERPRISE)
def portal_requests(request):
    requests = requests_visible_to(request.user).prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.filter(
                status__in=Assignment.ACTIVE_STATUSES
            ).select_related("department", "task_force"),
            to_attr="active_assignments",
        )
    )
    page = Paginator(requests, 20).get_page(request.GET.get("page"))
    return render(request, "services/portal_requests.html", {"page": page})


@role_required(Role.ENTERPRISE)
@require_http_methods(["GET", "POST"])
def portal_request_new(request):
    form = forms.RequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        enterprise = get_object_or_404(Enterprise, pk=request.user.enterprise_id)
        created = _submit(request, form, enterprise=enterprise, channel=Channel.PORTAL)
        if created is not None:
            return redirect("services:detail", pk=created.pk)
    return render(request, "services/request_form.html", {"form": form, "portal": True})


@role_required(*STAFF_FILING_ROLES)
@require_http_methods(["GET", "POST"])
def request_new(request):
    initial = {}
    if enterprise_id := record_id(request.GET.get("enterprise")):
        initial["enterprise"] = enterprise_id
    form = forms.StaffRequestForm(
        request.POST or None, request.FILES or None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        created = _submit(
            request,
            form,
            enterprise=form.cleaned_data["enterprise"],
            channel=form.cleaned_data["channel"],
            caller_name=form.cleaned_data["caller_name"],
            caller_phone=form.cleaned_data["caller_phone"],
        )
        if created is not None:
            return redirect("services:detail", pk=created.pk)
    return render(request, "services/request_form.html", {"form": form, "portal": False})


@role_required(*VISITING_ROLES)
@require_http_methods(["GET", "POST"])
def visit_new(request):
    """A visit and the requests raised during it, saved together."""
    initial = {}
    if enterprise_id := record_id(request.GET.get("enterprise")):
        initial["enterprise"] = enterprise_id
    form = VisitForm(request.POST or None, user=request.user, initial=initial)
    raised = forms.VisitRequestFormSet(request.POST or None, prefix="requests")
    if request.method == "POST" and form.is_valid() and raised.is_valid():
        items = [
            {k: row.cleaned_data[k] for k in ("category", "title", "description", "urgency")}
            for row in raised
            if row.raises_request
        ]
        try:
            visit, filed = services.visit_record_with_requests(
                actor=request.user, requests=items, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("已记录走访：%(name)s；同时登记诉求 %(n)s 件。")
                % {"name": visit.enterprise.name, "n": len(filed)},
            )
            return redirect("enterprises:visit_detail", pk=visit.pk)
    return render(request, "services/visit_form.html", {"form": form, "raised": raised})


def _submit(request, form, **values):
    data = form.cleaned_data
    try:
        created = services.request_submit(
            actor=request.user,
            category=data["category"],
            title=data["title"],
            description=data["description"],
            urgency=data["urgency"],
            attachments=data["attachments"],
            **values,
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    messages.success(
        request,
        _("诉求已提交，编号 %(number)s。%(routed)s")
        % {
            "number": created.number,
            "routed": _("已分派给承办单位。")
            if created.status != ServiceRequest.Status.UNASSIGNED
            else _("正在由指挥部分派。"),
        },
    )
    return created


@role_required(Role.COORDINATOR, Role.AREA_OFFICER, Role.LIAISON)
@require_http_methods(["GET", "POST"])
def from_report(request, report_pk: int):
    """A difficulty an enterprise wrote in its daily report becomes a request in one step."""
    report = get_object_or_404(
        reports_visible_to(request.user).filter(enterprise__isnull=False).exclude(difficulty=""),
        pk=report_pk,
    )
    existing = report.requests.first()
    if existing is not None:
        return redirect("services:detail", pk=existing.pk)
    initial = {
        "category": report.difficulty_category or "other",
        "title": report.difficulty[:60],
        "description": report.difficulty,
    }
    form = forms.RequestForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        created = _submit(
            request, form, enterprise=report.enterprise, channel=Channel.REPORT, report=report
        )
        if created is not None:
            return redirect("services:detail", pk=created.pk)
    return render(
        request, "services/request_form.html", {"form": form, "portal": False, "report": report}
    )


@role_required(Role.COORDINATOR, Role.AREA_OFFICER, Role.LIAISON)
def difficulties(request):
    """Difficulties written in daily reports that nobody has turned into a request yet."""
    reports = (
        reports_visible_to(request.user)
        .filter(enterprise__isnull=False, superseded_at__isnull=True, requests__isnull=True)
        .exclude(difficulty="")
        .select_related("enterprise")
        .order_by("-reported_at", "-id")
    )
    page = Paginator(reports, 30).get_page(request.GET.get("page"))
    return render(request, "services/difficulties.html", {"page": page})


# One request


def _visible_request(request, pk: int) -> ServiceRequest:
    return get_object_or_404(
        requests_visible_to(request.user).select_related("enterprise", "raised_by", "report"),
        pk=pk,
    )


@login_required
def request_detail(request, pk: int):
    service_request = _visible_request(request, pk)
    user = request.user
    assignments = list(
        service_request.assignments.select_related(
            "department", "task_force", "claimed_by", "replied_by"
        ).prefetch_related("extensions", "escalations")
    )
    caller_name, caller_phone, unmasked = caller_seen_by(service_request, user)
    if unmasked and service_request.caller_phone and user.role != Role.ENTERPRISE:
        personal_data_shown(
            request, what="诉求来电号码", object_id=service_request.pk, unmasked=True
        )
    steps = service_request.steps.select_related("actor", "assignment").prefetch_related(
        "attachments"
    )
    return render(
        request,
        "services/request_detail.html",
        {
            "r": service_request,
            "assignments": assignments,
            "mine": [a for a in assignments if a.is_active and handles(user, a)],
            "steps": steps,
            "request_attachments": [a for a in service_request.attachments.all() if a.step_id],
            "caller_name": caller_name,
            "caller_phone": caller_phone,
            "letters": service_request.letters.select_related("department"),
            "forms": _action_forms(service_request, user, assignments),
            "now": timezone.now(),
        },
    )


ACTION_FORMS = {
    "claim": None,
    "reply": forms.ReplyForm,
    "rate": forms.RateForm,
    "transfer": forms.TransferForm,
    "return": forms.ReasonForm,
    "extension": forms.ExtensionForm,
    "cohandle": forms.CohandleForm,
    "route": forms.RouteForm,
    "escalate": forms.NoteForm,
    "close": forms.NoteForm,
    "reopen": forms.ReasonForm,
}


def _action_forms(service_request, user, assignments) -> dict:
    """The actions this person may take on the request now, each with its empty form."""
    return {
        name: ACTION_FORMS[name]() if ACTION_FORMS[name] else None
        for name in actions_available(service_request, user, assignments)
    }


def _my_assignment(service_request, user, statuses) -> Assignment:
    for assignment in service_request.assignments.filter(status__in=statuses).select_related(
        "task_force", "department"
    ):
        if handles(user, assignment):
            return assignment
    raise PermissionDenied


PENDING_OR_WORKING = (Assignment.Status.PENDING, Assignment.Status.IN_PROGRESS)


def _act(action: str, service_request, user, data, files):
    """Run one action from the detail page: (form, done message) — the form carries errors."""
    s = services
    mine = lambda *statuses: _my_assignment(service_request, user, statuses)  # noqa: E731
    if action == "claim":
        s.assignment_claim(actor=user, assignment=mine(Assignment.Status.PENDING))
        return None, _("已签收")
    form_class, run, done = ACTIONS[action]
    form = form_class(data, files)
    if not form.is_valid():
        return form, None
    d = form.cleaned_data
    try:
        run(s, user, service_request, d, mine)
    except ValidationError as exc:
        apply_errors(form, exc)
        return form, None
    return None, done


def _handler(d) -> dict:
    department, task_force = d["handler"]
    return {"department": department, "task_force": task_force}


ACTIONS = {
    "reply": (
        forms.ReplyForm,
        lambda s, u, r, d, mine: s.assignment_reply(
            actor=u,
            assignment=mine(Assignment.Status.IN_PROGRESS),
            reply=d["reply"],
            attachments=d["attachments"],
        ),
        _("已答复，等待企业评价"),
    ),
    "transfer": (
        forms.TransferForm,
        lambda s, u, r, d, mine: s.assignment_transfer(
            actor=u, assignment=mine(*PENDING_OR_WORKING), reason=d["reason"], **_handler(d)
        ),
        _("已转办"),
    ),
    "return": (
        forms.ReasonForm,
        lambda s, u, r, d, mine: s.assignment_return(
            actor=u, assignment=mine(*PENDING_OR_WORKING), reason=d["reason"]
        ),
        _("已退回指挥部"),
    ),
    "extension": (
        forms.ExtensionForm,
        lambda s, u, r, d, mine: s.extension_request(
            actor=u,
            assignment=mine(*PENDING_OR_WORKING),
            stage=d["stage"],
            extra_days=d["extra_days"],
            reason=d["reason"],
        ),
        _("延期申请已提交，等待指挥部审批"),
    ),
    "cohandle": (
        forms.CohandleForm,
        lambda s, u, r, d, mine: s.request_add_cohandler(
            actor=u, request=r, note=d["note"], **_handler(d)
        ),
        _("已增加协办单位"),
    ),
    "route": (
        forms.RouteForm,
        lambda s, u, r, d, mine: s.request_route(
            actor=u, request=r, co_departments=d["co_departments"], note=d["note"], **_handler(d)
        ),
        _("已分派"),
    ),
    "close": (
        forms.NoteForm,
        lambda s, u, r, d, mine: s.request_close(actor=u, request=r, note=d["note"]),
        _("已办结"),
    ),
    "reopen": (
        forms.ReasonForm,
        lambda s, u, r, d, mine: s.request_reopen(actor=u, request=r, reason=d["reason"]),
        _("已重新打开"),
    ),
    "escalate": (
        forms.NoteForm,
        lambda s, u, r, d, mine: s.request_escalate(actor=u, request=r, note=d["note"]),
        _("已督办，承办单位已收到通知"),
    ),
    "rate": (
        forms.RateForm,
        lambda s, u, r, d, mine: s.request_rate(
            actor=u, request=r, rating=d["rating"], comment=d["comment"]
        ),
        _("感谢您的评价"),
    ),
}


@require_POST
@login_required
def request_action(request, pk: int, action: str):
    service_request = _visible_request(request, pk)
    if action != "claim" and action not in ACTIONS:
        raise Http404
    try:
        form, done = _act(action, service_request, request.user, request.POST, request.FILES)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("services:detail", pk=pk)
    if form is not None:
        messages.error(request, _("未完成：%(errors)s") % {"errors": form_errors(form)})
    else:
        messages.success(request, done)
    if not requests_visible_to(request.user).filter(pk=pk).exists():
        return redirect("services:list")
    return redirect("services:detail", pk=pk)


@login_required
@require_GET
def attachment_file(request, pk: int):
    attachment = get_object_or_404(
        Attachment.objects.filter(request__in=requests_visible_to(request.user)), pk=pk
    )
    return FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=attachment.content_type == "application/pdf",
        filename=attachment.original_name,
    )


# Extensions


@role_required(Role.COORDINATOR)
def extensions(request):
    return render(
        request,
        "services/extensions.html",
        {"pending": pending_extensions(), "form": forms.DecisionForm()},
    )


@require_POST
@role_required(Role.COORDINATOR)
def extension_decide(request, pk: int):
    extension = get_object_or_404(Extension, pk=pk)
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.extension_decide(
                actor=request.user,
                extension=extension,
                approve=form.cleaned_data["approve"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已审批"))
    else:
        messages.error(request, form_errors(form))
    return redirect("services:extensions")


# Figures


@role_required(*FIGURE_ROLES)
def figures(request):
    at = AsOfForm(request.GET).moment()
    return render(
        request,
        "services/figures.html",
        {
            "figures": figures_as_of(at, user=request.user),
            "form": AsOfForm(initial={"at": timezone.localtime(at)}),
            "at_param": timezone.localtime(at).strftime("%Y-%m-%dT%H:%M"),
        },
    )


@role_required(*FIGURE_ROLES)
def figures_export(request):
    at = AsOfForm(request.GET).moment()
    return xlsx_response(
        exports.figures_workbook(figures_as_of(at, user=request.user)),
        f"request-figures-{timezone.localtime(at):%Y%m%d-%H%M}.xlsx",
    )


# Thank-you letters


@role_required(*LETTER_ROLES)
@require_http_methods(["GET", "POST"])
def letters(request):
    user = request.user
    visible = ThankYouLetter.objects.select_related("department", "request", "enterprise")
    if user.role == Role.DEPARTMENT and not user.is_superuser:
        visible = visible.filter(department_id=user.department_id)
    may_record = has_role(user, Role.COORDINATOR, Role.DEPARTMENT)
    form = forms.LetterForm(request.POST or None, user=user) if may_record else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.letter_record(
                    actor=user,
                    department=form.cleaned_data["department"],
                    sender=form.cleaned_data["sender"],
                    received_on=form.cleaned_data["received_on"],
                    summary=form.cleaned_data["summary"],
                    request=form.cleaned_data["request_number"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("感谢信已登记"))
                return redirect("services:letters")
    page = Paginator(visible, 30).get_page(request.GET.get("page"))
    return render(request, "services/letters.html", {"page": page, "form": form})


# Settings: routing table, deadlines, calendar


@role_required(Role.COORDINATOR, Role.LEADER)
@require_http_methods(["GET", "POST"])
def routing(request):
    form = forms.RoutingRuleForm(request.POST or None)
    if request.method == "POST":
        _require_coordinator(request)
        if form.is_valid() and _saved(form, services.routing_rule_save, "rule", request):
            messages.success(request, _("分派规则已保存"))
            return redirect("services:routing")
    rules = RoutingRule.objects.select_related("area", "department", "task_force")
    return render(
        request,
        "services/routing.html",
        {"rules": rules, "form": form, "may_edit": has_role(request.user, Role.COORDINATOR)},
    )


def _require_coordinator(request) -> None:
    if not has_role(request.user, Role.COORDINATOR):
        raise PermissionDenied


def _saved(form, service, name: str, request) -> bool:
    try:
        service(actor=request.user, **{name: form.instance})
    except ValidationError as exc:
        apply_errors(form, exc)
        return False
    return True


@require_POST
@role_required(Role.COORDINATOR)
def routing_delete(request, pk: int):
    services.routing_rule_delete(actor=request.user, rule=get_object_or_404(RoutingRule, pk=pk))
    messages.success(request, _("分派规则已删除"))
    return redirect("services:routing")


@role_required(Role.COORDINATOR, Role.LEADER)
@require_http_methods(["GET", "POST"])
def deadlines(request):
    editing = None
    if policy_id := record_id(request.GET.get("edit")):
        editing = get_object_or_404(DeadlinePolicy, pk=policy_id)
    form = forms.DeadlinePolicyForm(request.POST or None, instance=editing)
    if request.method == "POST":
        _require_coordinator(request)
        if form.is_valid() and _saved(form, services.deadline_policy_save, "policy", request):
            messages.success(request, _("办理时限已保存"))
            return redirect("services:deadlines")
    return render(
        request,
        "services/deadlines.html",
        {
            "policies": DeadlinePolicy.objects.all(),
            "form": form,
            "editing": editing,
            "may_edit": has_role(request.user, Role.COORDINATOR),
        },
    )


@role_required(Role.COORDINATOR, Role.LEADER, Role.DEPARTMENT)
@require_http_methods(["GET", "POST"])
def calendar_view(request):
    year = record_id(request.GET.get("year"))
    year = year if year and 2000 <= year <= 2100 else timezone.localdate().year
    form = forms.CalendarDayForm(request.POST or None)
    if request.method == "POST":
        _require_coordinator(request)
        if form.is_valid() and _saved(form, services.calendar_day_save, "day", request):
            messages.success(request, _("工作日历已调整"))
            return redirect(f"{reverse('services:calendar')}?year={form.instance.date.year}")
    return render(
        request,
        "services/calendar.html",
        {
            "year": year,
            "national": calendar.national_exceptions(year),
            "local": CalendarDay.objects.filter(date__year=year),
            "form": form,
            "may_edit": has_role(request.user, Role.COORDINATOR),
        },
    )


@require_POST
@role_required(Role.COORDINATOR)
def calendar_delete(request, pk: int):
    day = get_object_or_404(CalendarDay, pk=pk)
    services.calendar_day_delete(actor=request.user, day=day)
    messages.success(request, _("已删除该调整"))
    return redirect(f"{reverse('services:calendar')}?year={day.date.year}")

import hashlib
import hmac

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fugong.core.audit import personal_data_shown
from fugong.core.excel import xlsx_response
from fugong.core.exceptions import StaleRecord
from fugong.core.filters import querystring_without_page, record_id
from fugong.core.forms import apply_errors, form_errors
from fugong.core.masking import mask_name, mask_phone
from fugong.core.models import User
from fugong.core.permissions import can_see_personal_data, has_role, role_required
from fugong.enterprises.models import Enterprise
from fugong.policies import editor, exports, forms, rules, services
from fugong.policies.benefits import yuan
from fugong.policies.models import (
    Application,
    PayoutBatch,
    Policy,
    PolicyAttachment,
)
from fugong.policies.selectors import (
    EDITOR_ROLES,
    FIGURE_ROLES,
    STAFF_ROLES,
    applications_visible_to,
    batches_visible_to,
    eligible_policies,
    may_edit,
    may_review,
    not_applied,
    objections_visible_to,
    policies_visible_to,
    public_notices,
    public_policies,
    received_by,
    take_up_figures,
)

Role = User.Role


def client_key(request) -> str:
    """Who is filing, for the hourly limit on public objections: a keyed hash of the client's
    address, so the address itself is not stored. Behind the production proxy (which sets
    SECURE_PROXY_SSL_HEADER) the address is the last X-Forwarded-For entry, the one our proxy
    added; without a proxy the header is the client's to forge, so REMOTE_ADDR counts."""
    address = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and forwarded:
        address = forwarded.rsplit(",", 1)[-1].strip()
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def benefit_text(policy: Policy) -> str:
    """「按在册职工每人500元，每家最多30,000元」 and the like."""
    kind = policy.benefit_kind
    if kind == "fixed":
        text = _("每家%(amount)s") % {"amount": yuan(policy.benefit_amount or 0)}
    elif kind == "per_worker":
        text = _("按在册职工每人%(amount)s") % {"amount": yuan(policy.benefit_amount or 0)}
    elif kind == "percent":
        text = _("按申报基数的%(percent)s%%") % {
            "percent": f"{(policy.benefit_percent or 0).normalize():f}"
        }
    else:
        text = policy.benefit_note or _("非资金类政策")
        return text
    if policy.benefit_cap is not None:
        text += _("，每家最多%(cap)s") % {"cap": yuan(policy.benefit_cap)}
    return text + (f"（{policy.benefit_note}）" if policy.benefit_note else "")


def _policy_context(policy: Policy) -> dict:
    tree = policy.rule or rules.EVERYONE
    return {
        "policy": policy,
        "conditions": rules.describe(tree),
        "benefit": benefit_text(policy),
        "attachments": policy.attachments.all(),
    }


# The library (staff)


@role_required(*STAFF_ROLES)
def policy_list(request):
    form = forms.PolicyFilterForm(request.GET or None)
    policies = forms.filter_policies(policies_visible_to(request.user), form).select_related(
        "department"
    )
    page = Paginator(policies, 30).get_page(request.GET.get("page"))
    template = "policies/policy_list_results.html" if request.htmx else "policies/policy_list.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "querystring": querystring_without_page(request),
            "may_create": has_role(request.user, *EDITOR_ROLES),
        },
    )


def _visible_policy(request, pk: int) -> Policy:
    return get_object_or_404(policies_visible_to(request.user).select_related("department"), pk=pk)


def _editor_root(request, policy: Policy | None):
    if request.method == "POST":
        root = editor.from_post(request.POST)
        action = request.POST.get("rule_action", "")
        return (editor.apply(root, action) if action else editor.renumber(root)), bool(action)
    return editor.renumber(editor.from_tree(policy.rule if policy else None)), False


def _save_policy(user: User, policy: Policy | None, candidate: Policy, data: dict) -> Policy:
    if policy is None:
        return services.policy_create(actor=user, policy=candidate, attachments=data["attachments"])
    return services.policy_update(
        actor=user,
        policy=candidate,
        attachments=data["attachments"],
        expected_version=data["version"],
    )


def _policy_form_page(request, policy: Policy | None):
    instance = policy or Policy()
    form = forms.PolicyForm(
        request.POST or None, request.FILES or None, instance=instance, user=request.user
    )
    root, redrawing = _editor_root(request, policy)
    rule_error = ""
    if request.method == "POST" and not redrawing and form.is_valid():
        candidate = form.save(commit=False)
        candidate.rule = editor.to_tree(root)
        try:
            saved = _save_policy(request.user, policy, candidate, form.cleaned_data)
        except StaleRecord as exc:
            apply_errors(form, exc)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "rule" in exc.error_dict:
                rule_error = "；".join(exc.message_dict.pop("rule"))
                exc = ValidationError(exc.message_dict) if exc.message_dict else None
            if exc is not None:
                apply_errors(form, exc)
        else:
            messages.success(request, _("政策已保存"))
            return redirect("policies:detail", pk=saved.pk)
    context = {"form": form, "root": root, "policy": policy, "rule_error": rule_error}
    if request.htmx and redrawing:
        return render(request, "policies/rule_editor.html", context)
    return render(request, "policies/policy_form.html", context)


@role_required(*EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def policy_new(request):
    return _policy_form_page(request, None)


@role_required(*EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def policy_edit(request, pk: int):
    policy = _visible_policy(request, pk)
    if not may_edit(request.user, policy):
        raise PermissionDenied
    return _policy_form_page(request, policy)


@role_required(*STAFF_ROLES)
def policy_detail(request, pk: int):
    policy = _visible_policy(request, pk)
    rows, _total = take_up_figures(request.user, Policy.objects.filter(pk=policy.pk))
    return render(
        request,
        "policies/policy_detail.html",
        {
            **_policy_context(policy),
            "figures": rows[0] if rows else None,
            "events": policy.events.select_related("actor"),
            "batches": batches_visible_to(request.user).filter(policy=policy),
            "may_edit": may_edit(request.user, policy),
            "explain_form": forms.ExplainForm(user=request.user),
        },
    )


def _rematch(user: User, policy: Policy):
    if not may_edit(user, policy):
        raise PermissionDenied(_("只有指挥部或该政策的联系部门可以执行此操作"))
    return services.policy_rematch(policy=policy, trigger="manual", actor=user)


POLICY_ACTIONS = {
    "publish": (
        lambda user, policy: services.policy_publish(actor=user, policy=policy),
        gettext_lazy("政策已发布，已与全区企业匹配，正在推送"),
    ),
    "expire": (
        lambda user, policy: services.policy_expire(actor=user, policy=policy),
        gettext_lazy("政策已设为到期"),
    ),
    "rematch": (_rematch, gettext_lazy("已重新匹配")),
    "payout": (
        lambda user, policy: services.payout_batch_create(actor=user, policy=policy),
        gettext_lazy("已生成兑现清单"),
    ),
}


@require_POST
@role_required(*EDITOR_ROLES)
def policy_action(request, pk: int, action: str):
    policy = _visible_policy(request, pk)
    if action not in POLICY_ACTIONS:
        raise Http404
    run, done = POLICY_ACTIONS[action]
    try:
        result = run(request.user, policy)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("policies:detail", pk=pk)
    messages.success(request, done)
    if isinstance(result, PayoutBatch):
        return redirect("policies:batch_detail", pk=result.pk)
    return redirect("policies:detail", pk=pk)


@role_required(*STAFF_ROLES)
@require_GET
def policy_explain(request, pk: int):
    """Why one enterprise meets the policy or not, condition by condition (HTMX fragment)."""
    policy = _visible_policy(request, pk)
    form = forms.ExplainForm(request.GET, user=request.user)
    explanation = enterprise = None
    if form.is_valid():
        enterprise = form.cleaned_data["enterprise"]
        explanation = services.eligibility(policy, enterprise)
    return render(
        request,
        "policies/explain.html",
        {"policy": policy, "form": form, "explanation": explanation, "enterprise": enterprise},
    )


@role_required(*STAFF_ROLES)
def policy_matches(request, pk: int):
    """The enterprises that meet the policy; `?state=not_applied`: those that have not applied
    (the officers' list to chase), within the user's scope."""
    policy = _visible_policy(request, pk)
    matches = _matches(request, policy)
    page = Paginator(matches, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "policies/matches.html",
        {
            "policy": policy,
            "page": page,
            "state": request.GET.get("state", ""),
            "querystring": querystring_without_page(request),
        },
    )


def _matches(request, policy: Policy):
    from fugong.policies.selectors import matches_visible_to

    if request.GET.get("state") == "not_applied":
        return not_applied(policy, request.user)
    return (
        matches_visible_to(request.user)
        .filter(policy=policy, ended_at__isnull=True)
        .select_related("enterprise", "enterprise__region", "enterprise__park")
        .order_by("enterprise__region__sort_order", "enterprise__name")
    )


@role_required(*STAFF_ROLES)
def policy_matches_export(request, pk: int):
    policy = _visible_policy(request, pk)
    matches = _matches(request, policy)
    unmasked = can_see_personal_data(request.user)
    if unmasked:
        personal_data_shown(request, what="政策匹配企业联系电话导出", count=matches.count())
    return xlsx_response(
        exports.matches_workbook(policy, matches, masked=not unmasked),
        f"policy-{policy.pk}-matches-{timezone.localtime():%Y%m%d}.xlsx",
    )


@role_required(*FIGURE_ROLES)
def figures(request):
    rows, total = take_up_figures(request.user)
    return render(request, "policies/figures.html", {"rows": rows, "total": total})


@role_required(*FIGURE_ROLES)
def figures_export(request):
    rows, total = take_up_figures(request.user)
    return xlsx_response(
        exports.figures_workbook(rows, total), f"policy-take-up-{timezone.localtime():%Y%m%d}.xlsx"
    )


@login_required
@require_GET
def attachment_file(request, pk: int):
    attachment = get_object_or_404(
        PolicyAttachment.objects.filter(policy__in=policies_visible_to(request.user)), pk=pk
    )
    return FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=attachment.content_type == "application/pdf",
        filename=attachment.original_name,
    )


@require_POST
@role_required(*EDITOR_ROLES)
def attachment_delete(request, pk: int):
    attachment = get_object_or_404(
        PolicyAttachment.objects.filter(
            policy__in=policies_visible_to(request.user)
        ).select_related("policy"),
        pk=pk,
    )
    if not may_edit(request.user, attachment.policy):
        raise PermissionDenied
    services.attachment_delete(actor=request.user, attachment=attachment)
    messages.success(request, _("附件已删除"))
    return redirect("policies:edit", pk=attachment.policy_id)


@require_GET
def public_attachment_file(request, pk: int):
    attachment = get_object_or_404(
        PolicyAttachment.objects.filter(policy__in=public_policies()), pk=pk
    )
    return FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=attachment.content_type == "application/pdf",
        filename=attachment.original_name,
    )


# Applications


APPLICATION_LIST_ROLES = (*STAFF_ROLES,)


@role_required(*APPLICATION_LIST_ROLES)
def application_list(request):
    applications = applications_visible_to(request.user).select_related("policy", "enterprise")
    status = request.GET.get("status", "")
    if status in Application.Status.values:
        applications = applications.filter(status=status)
    policy_id = record_id(request.GET.get("policy"))
    if policy_id:
        applications = applications.filter(policy_id=policy_id)
    page = Paginator(applications.order_by("due_at", "id"), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "policies/application_list.html",
        {
            "page": page,
            "status": status,
            "statuses": Application.Status.choices,
            "querystring": querystring_without_page(request),
            "now": timezone.now(),
        },
    )


def _visible_application(request, pk: int) -> Application:
    return get_object_or_404(
        applications_visible_to(request.user).select_related(
            "policy", "policy__department", "enterprise", "applicant"
        ),
        pk=pk,
    )


ACTION_FORMS = {
    "ask": forms.NoteForm,
    "resubmit": forms.ResubmitForm,
    "approve": forms.ApproveForm,
    "reject": forms.ReasonForm,
    "pay": forms.PayForm,
    "withdraw": None,
}


def _prefilled_for(application: Application, user: User) -> tuple[dict, bool]:
    """The register data carried by the application; the contact's phone masked for roles that
    need not see it."""
    data = dict(application.prefilled)
    unmasked = can_see_personal_data(user) or may_review(user, application.policy)
    if not unmasked:
        data["contact_phone"] = mask_phone(data.get("contact_phone", ""))
        data["contact_person"] = mask_name(data.get("contact_person", ""))
        data["legal_representative"] = mask_name(data.get("legal_representative", ""))
    return data, unmasked


@login_required
def application_detail(request, pk: int):
    application = _visible_application(request, pk)
    prefilled, unmasked = _prefilled_for(application, request.user)
    if unmasked and prefilled.get("contact_phone"):
        personal_data_shown(
            request,
            what="政策申请联系电话",
            object_id=application.pk,
            unmasked=request.user.role != Role.ENTERPRISE,
        )
    actions = services.actions_available(application, request.user)
    benefit = (
        services.computed_benefit(application)
        if application.status == Application.Status.SUBMITTED
        else None
    )
    return render(
        request,
        "policies/application_detail.html",
        {
            "a": application,
            "prefilled": prefilled,
            "steps": application.steps.select_related("actor"),
            "forms": {
                name: ACTION_FORMS[name]() if ACTION_FORMS[name] else None for name in actions
            },
            "benefit": benefit,
            "now": timezone.now(),
        },
    )


def _run_application_action(action: str, user: User, application: Application, data: dict):
    s = services
    runs = {
        "ask": lambda: s.application_ask(actor=user, application=application, note=data["note"]),
        "resubmit": lambda: s.application_resubmit(
            actor=user,
            application=application,
            note=data["note"],
            declared_base=data.get("declared_base"),
        ),
        "approve": lambda: s.application_approve(
            actor=user, application=application, amount=data["amount"], note=data["note"]
        ),
        "reject": lambda: s.application_reject(
            actor=user, application=application, reason=data["reason"]
        ),
        "pay": lambda: s.application_pay(
            actor=user, application=application, amount=data["amount"], paid_on=data["paid_on"]
        ),
        "withdraw": lambda: s.application_withdraw(actor=user, application=application),
    }
    return runs[action]()


APPLICATION_DONE = {
    "ask": gettext_lazy("已要求企业补充材料"),
    "resubmit": gettext_lazy("已补充材料，等待审核"),
    "approve": gettext_lazy("审核通过"),
    "reject": gettext_lazy("已退回申请"),
    "pay": gettext_lazy("已登记兑现"),
    "withdraw": gettext_lazy("申请已撤回"),
}


@require_POST
@login_required
def application_action(request, pk: int, action: str):
    application = _visible_application(request, pk)
    if action not in ACTION_FORMS:
        raise Http404
    form_class = ACTION_FORMS[action]
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        messages.error(request, _("未完成：%(errors)s") % {"errors": form_errors(form)})
        return redirect("policies:application_detail", pk=pk)
    try:
        _run_application_action(
            action, request.user, application, form.cleaned_data if form else {}
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, APPLICATION_DONE[action])
    return redirect("policies:application_detail", pk=pk)


# Payout lists (免申即享)


def _visible_batch(request, pk: int) -> PayoutBatch:
    return get_object_or_404(batches_visible_to(request.user).select_related("policy"), pk=pk)


@role_required(Role.LEADER, Role.COORDINATOR, Role.DEPARTMENT)
def batch_detail(request, pk: int):
    batch = _visible_batch(request, pk)
    lines = batch.lines.select_related("enterprise", "enterprise__region")
    objections = list(
        batch.objections.select_related("line__enterprise", "handled_by").prefetch_related(
            "steps__actor"
        )
    )
    unmasked = can_see_personal_data(request.user)
    for objection in objections:
        objection.shown_phone = objection.phone if unmasked else mask_phone(objection.phone)
    if unmasked and objections:
        personal_data_shown(
            request, what="公示异议人电话", object_id=batch.pk, count=len(objections)
        )
    page = Paginator(lines, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "policies/batch_detail.html",
        {
            "batch": batch,
            "page": page,
            "total": services.batch_total(batch),
            "included": batch.lines.filter(excluded=False).count(),
            "objections": objections,
            "actions": services.batch_actions_available(batch, request.user),
            "may_handle": may_review(request.user, batch.policy),
            "handle_form": forms.HandleObjectionForm(),
            "withdraw_form": forms.WithdrawObjectionForm(),
            "objections_open": batch.status
            in (PayoutBatch.Status.NOTICE, PayoutBatch.Status.DRAFT),
            "paid_form": forms.PaidOnForm(),
            "now": timezone.now(),
        },
    )


@require_POST
@role_required(Role.COORDINATOR, Role.DEPARTMENT)
def batch_action(request, pk: int, action: str):
    batch = _visible_batch(request, pk)
    user = request.user
    runs = {
        "notice": lambda: services.payout_notice_start(actor=user, batch=batch),
        "confirm": lambda: services.payout_confirm(actor=user, batch=batch),
        "pay": lambda: services.payout_mark_paid(
            actor=user, batch=batch, paid_on=_paid_on(request)
        ),
    }
    if action not in runs:
        raise Http404
    try:
        runs[action]()
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("清单状态已更新"))
    return redirect("policies:batch_detail", pk=pk)


def _paid_on(request):
    form = forms.PaidOnForm(request.POST)
    if not form.is_valid():
        raise ValidationError(form_errors(form))
    return form.cleaned_data["paid_on"]


@role_required(Role.LEADER, Role.COORDINATOR, Role.DEPARTMENT)
def batch_export(request, pk: int):
    """The list for finance: enterprise, USCC, amount, basis."""
    batch = _visible_batch(request, pk)
    return xlsx_response(
        exports.payout_workbook(batch),
        f"payout-{batch.policy_id}-{batch.pk}-{timezone.localtime(batch.created_at):%Y%m%d}.xlsx",
    )


@require_POST
@role_required(Role.COORDINATOR, Role.DEPARTMENT)
def objection_handle(request, pk: int):
    return _objection_step(
        request, pk, forms.HandleObjectionForm, services.objection_handle, _("异议已处理")
    )


@require_POST
@role_required(Role.COORDINATOR, Role.DEPARTMENT)
def objection_withdraw(request, pk: int):
    """The objector withdrew (by telephone or in person): the reviewer records it."""
    return _objection_step(
        request, pk, forms.WithdrawObjectionForm, services.objection_withdraw, _("已登记撤回异议")
    )


def _objection_step(request, pk: int, form_class, step, done: str):
    """A reviewer's step on an objection: the form's fields are the service's arguments."""
    objection = get_object_or_404(objections_visible_to(request.user), pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        try:
            step(actor=request.user, objection=objection, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, done)
    return redirect("policies:batch_detail", pk=objection.batch_id)


# The enterprise's portal


def _own_enterprise(request) -> Enterprise:
    return get_object_or_404(
        Enterprise.objects.select_related("region"), pk=request.user.enterprise_id
    )


@role_required(Role.ENTERPRISE)
def portal_policies(request):
    enterprise = _own_enterprise(request)
    applications = applications_visible_to(request.user).select_related("policy")
    return render(
        request,
        "policies/portal_policies.html",
        {
            "enterprise": enterprise,
            "eligible": eligible_policies(enterprise.pk),
            "received": received_by(enterprise.pk),
            "applications": applications,
        },
    )


@role_required(Role.ENTERPRISE)
def portal_policy(request, pk: int):
    policy = get_object_or_404(public_policies().select_related("department"), pk=pk)
    enterprise = _own_enterprise(request)
    services.match_mark_read(user=request.user, policy=policy)
    application = (
        applications_visible_to(request.user)
        .filter(policy=policy)
        .exclude(status=Application.Status.WITHDRAWN)
        .first()
    )
    return render(
        request,
        "policies/portal_policy.html",
        {
            **_policy_context(policy),
            "explanation": services.eligibility(policy, enterprise),
            "application": application,
        },
    )


@role_required(Role.ENTERPRISE)
@require_http_methods(["GET", "POST"])
def portal_apply(request, pk: int):
    policy = get_object_or_404(public_policies().select_related("department"), pk=pk)
    enterprise = _own_enterprise(request)
    form = forms.ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_submit(
                actor=request.user, policy=policy, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("申请已提交，编号 %(number)s，请留意审核进度。") % {"number": application.number},
            )
            return redirect("policies:application_detail", pk=application.pk)
    return render(
        request,
        "policies/portal_apply.html",
        {
            **_policy_context(policy),
            "form": form,
            "prefilled": services.prefilled_for(enterprise),
            "explanation": services.eligibility(policy, enterprise),
        },
    )


# Public pages (no login)


@require_GET
def public_list(request):
    form = forms.PolicyFilterForm(request.GET or None)
    policies = forms.filter_policies(public_policies(), form).select_related("department")
    page = Paginator(policies, 20).get_page(request.GET.get("page"))
    template = "policies/public_list_results.html" if request.htmx else "policies/public_list.html"
    return render(
        request,
        template,
        {"form": form, "page": page, "querystring": querystring_without_page(request)},
    )


@require_GET
def public_detail(request, pk: int):
    policy = get_object_or_404(public_policies().select_related("department"), pk=pk)
    notices = public_notices().filter(policy=policy)
    return render(
        request, "policies/public_detail.html", {**_policy_context(policy), "notices": notices}
    )


@require_GET
def public_notice_list(request):
    notices = public_notices().select_related("policy").order_by("-notice_starts_at")
    page = Paginator(notices, 20).get_page(request.GET.get("page"))
    return render(request, "policies/public_notices.html", {"page": page, "now": timezone.now()})


@require_http_methods(["GET", "POST"])
def public_notice(request, pk: int):
    """公示: the list's enterprises and amounts, and a form to object while the window is open."""
    batch = get_object_or_404(public_notices().select_related("policy"), pk=pk)
    form = forms.ObjectionForm(request.POST or None, batch=batch)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.objection_file(
                batch=batch,
                line=data["line"],
                name=data["name"],
                phone=data["phone"],
                content=data["content"],
                client=client_key(request),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("异议已收到，我们将核实处理并电话答复。"))
            return redirect("policies:public_notice", pk=pk)
    lines = batch.lines.filter(excluded=False).select_related("enterprise")
    page = Paginator(lines, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "policies/public_notice.html",
        {
            "batch": batch,
            "page": page,
            "form": form,
            "open": batch.status == PayoutBatch.Status.NOTICE
            and timezone.now() <= batch.notice_ends_at,
            "total": services.batch_total(batch),
        },
    )

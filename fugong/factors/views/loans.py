"""Loan applications: filed for an enterprise, followed through the bank's steps."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fugong.core.filters import querystring_without_page
from fugong.core.forms import apply_errors, form_errors
from fugong.core.permissions import has_role, role_required
from fugong.enterprises.models import Enterprise
from fugong.factors import forms, services
from fugong.factors.access import FOR_ENTERPRISE, SHUTTLE_READERS, Role
from fugong.factors.models import LoanApplication
from fugong.factors.selectors import loan_figures, loans_visible_to


@role_required(*SHUTTLE_READERS)
def loan_list(request):
    status = request.GET.get("status", "")
    loans = loans_visible_to(request.user).select_related("enterprise")
    if status in LoanApplication.Status.values:
        loans = loans.filter(status=status)
    page = Paginator(loans, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "factors/loan_list.html",
        {
            "page": page,
            "status": status,
            "statuses": LoanApplication.Status.choices,
            "querystring": querystring_without_page(request),
            "figures": loan_figures(request.user),
            "may_submit": has_role(request.user, *FOR_ENTERPRISE),
        },
    )


@role_required(*FOR_ENTERPRISE)
@require_http_methods(["GET", "POST"])
def loan_new(request):
    form = forms.LoanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        enterprise = form.cleaned_data.get("enterprise") or get_object_or_404(
            Enterprise, pk=request.user.enterprise_id
        )
        try:
            loan = services.loan_submit(actor=request.user, enterprise=enterprise, **form.values())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("贷款申请已申报"))
            return redirect("factors:loan_detail", pk=loan.pk)
    return render(request, "factors/loan_form.html", {"form": form})


@role_required(*SHUTTLE_READERS)
def loan_detail(request, pk: int):
    loan = get_object_or_404(
        loans_visible_to(request.user).select_related("enterprise", "subsidy_policy"), pk=pk
    )
    return render(
        request,
        "factors/loan_detail.html",
        {
            "loan": loan,
            "may_move": has_role(request.user, Role.COORDINATOR),
            "form": forms.LoanMoveForm(),
            "history": loan.history.select_related("history_user").order_by("history_date"),
        },
    )


MOVE_DONE = {
    "review": _("已转入银行审核"),
    "disburse": _("已登记放款"),
    "return": _("已退回"),
}


@require_POST
@role_required(*SHUTTLE_READERS)
def loan_move(request, pk: int, move: str):
    loan = get_object_or_404(loans_visible_to(request.user), pk=pk)
    if move not in MOVE_DONE or not has_role(request.user, Role.COORDINATOR):
        raise PermissionDenied
    form = forms.LoanMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("factors:loan_detail", pk=pk)
    try:
        services.loan_move(actor=request.user, loan=loan, move=move, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, MOVE_DONE[move])
    return redirect("factors:loan_detail", pk=pk)

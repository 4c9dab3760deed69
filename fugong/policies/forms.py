from django import forms
from django.utils.translation import gettext_lazy as _

from fugong.core.forms import BootstrapFormMixin, VersionedForm
from fugong.core.models import Department, User
from fugong.core.permissions import has_role
from fugong.enterprises.models import Enterprise
from fugong.enterprises.selectors import enterprises_visible_to
from fugong.enterprises.widgets import EnterprisePicker
from fugong.policies.models import Kind, Level, Mode, Objection, Policy
from fugong.services.forms import AttachmentsField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class PolicyForm(BootstrapFormMixin, VersionedForm):
    attachments = AttachmentsField(
        label=_("政策原文附件"), help_text=_("PDF 或图片，每个不超过 10 MB，最多 5 个")
    )

    class Meta:
        model = Policy
        fields = [
            "title",
            "document_number",
            "issuer",
            "level",
            "kind",
            "mode",
            "is_example",
            "department",
            "contact_phone",
            "effective_on",
            "expires_on",
            "summary",
            "full_text",
            "benefit_kind",
            "benefit_amount",
            "benefit_percent",
            "benefit_cap",
            "benefit_note",
            "situation_as_of",
            "review_days",
            "objection_days",
        ]
        widgets = {
            "effective_on": DATE,
            "expires_on": DATE,
            "situation_as_of": DATETIME,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "full_text": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Department.objects.filter(is_active=True)
        if has_role(user, User.Role.DEPARTMENT) and not has_role(user, User.Role.COORDINATOR):
            departments = departments.filter(pk=user.department_id)
            if not self.instance.department_id:
                self.initial["department"] = user.department_id
        self.fields["department"].queryset = departments
        self.fields["situation_as_of"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class PolicyFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "form-control form-control-sm",
                "placeholder": _("政策名称、文号或拼音首字母"),
                "autocomplete": "off",
            }
        ),
    )
    level = forms.ChoiceField(
        required=False,
        choices=[("", _("全部层级")), *Level.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    kind = forms.ChoiceField(
        required=False,
        choices=[("", _("全部类型")), *Kind.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    mode = forms.ChoiceField(
        required=False,
        choices=[("", _("全部兑现方式")), *Mode.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    status = forms.ChoiceField(
        required=False,
        choices=[("", _("全部状态")), *Policy.Status.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )


def filter_policies(policies, form: PolicyFilterForm):
    from fugong.policies.selectors import search_policies

    if not form.is_valid():
        return policies
    data = form.cleaned_data
    policies = search_policies(policies, data["q"])
    for name in ("level", "kind", "mode", "status"):
        if data.get(name):
            policies = policies.filter(**{name: data[name]})
    return policies


class ExplainForm(forms.Form):
    enterprise = forms.ModelChoiceField(
        label=_("企业"), queryset=Enterprise.objects.none(), widget=EnterprisePicker()
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises_visible_to(user)


class ApplicationForm(BootstrapFormMixin, forms.Form):
    statement = forms.CharField(
        label=_("申请说明"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("说明企业情况和申请理由"),
    )
    declared_base = forms.DecimalField(
        label=_("申报基数（元）"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("按比例兑现的政策填写，如实际支付的租金、贷款利息"),
    )
    requested_amount = forms.DecimalField(
        label=_("申请金额（元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )


class NoteForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(
        label=_("说明"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResubmitForm(NoteForm):
    declared_base = ApplicationForm.base_fields["declared_base"]


class ApproveForm(BootstrapFormMixin, forms.Form):
    amount = forms.DecimalField(
        label=_("核定金额（元）"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("留空按政策标准计算"),
    )
    note = forms.CharField(label=_("审核意见"), max_length=500, required=False)


class PayForm(BootstrapFormMixin, forms.Form):
    amount = forms.DecimalField(
        label=_("兑现金额（元）"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("留空按核定金额"),
    )
    paid_on = forms.DateField(label=_("兑现日期"), required=False, widget=DATE)


class PaidOnForm(BootstrapFormMixin, forms.Form):
    paid_on = forms.DateField(label=_("拨付日期"), required=False, widget=DATE)


class ObjectionForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Objection
        fields = ["line", "name", "phone", "content"]
        widgets = {"content": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, batch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = batch.lines.filter(excluded=False).select_related(
            "enterprise"
        )
        self.fields["line"].label_from_instance = lambda line: line.enterprise.name
        self.fields["line"].empty_label = _("（针对整份清单）")
        self.fields["phone"].validators = []  # the service checks and normalises it


class WithdrawObjectionForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("撤回情况"), max_length=500)


class HandleObjectionForm(BootstrapFormMixin, forms.Form):
    uphold = forms.TypedChoiceField(
        label=_("处理结果"),
        choices=[("1", _("异议成立（从清单剔除）")), ("0", _("异议不成立"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reply = forms.CharField(label=_("处理意见"), max_length=500)

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fugong.core.forms import BootstrapFormMixin
from fugong.core.models import Department
from fugong.enterprises.models import Enterprise
from fugong.enterprises.selectors import enterprises_visible_to
from fugong.enterprises.widgets import EnterprisePicker
from fugong.services.models import (
    CalendarDay,
    Category,
    Channel,
    DeadlinePolicy,
    Rating,
    RoutingRule,
    ServiceRequest,
    Stage,
    TaskForce,
    ThankYouLetter,
    Urgency,
    handler_key,
)
from fugong.services.selectors import requests_visible_to


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files in one input; each is checked by content in the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.pdf"})
        )
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("附件"))
        kwargs.setdefault("help_text", _("图片或 PDF，每个不超过 10 MB，最多 5 个"))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class HandlerField(forms.ChoiceField):
    """One select for a department or a task force: values "d<id>" or "t<id>"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("承办单位"))
        super().__init__(*args, choices=(), **kwargs)
        self.choices = handler_choices

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None, None
        kind, pk = value[0], value[1:]
        if kind == "d":
            return Department.objects.get(pk=pk), None
        return None, TaskForce.objects.get(pk=pk)


def handler_choices():
    departments = [
        (handler_key(d.pk, None), d.name) for d in Department.objects.filter(is_active=True)
    ]
    task_forces = [
        (handler_key(None, t.pk), t.name) for t in TaskForce.objects.filter(is_active=True)
    ]
    choices = [("", "—"), (_("部门"), departments)]
    if task_forces:
        choices.append((_("服务专班"), task_forces))
    return choices


def handler_value(instance) -> str:
    if instance.department_id or instance.task_force_id:
        return instance.handler_key
    return ""


class RequestForm(BootstrapFormMixin, forms.Form):
    """What an enterprise writes in the portal."""

    category = forms.ChoiceField(label=_("诉求类别"), choices=[("", "—"), *Category.choices])
    title = forms.CharField(label=_("标题"), max_length=60, help_text=_("一句话说明需要什么帮助"))
    description = forms.CharField(
        label=_("诉求内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial="normal")
    attachments = AttachmentsField()


STAFF_CHANNELS = [(c.value, c.label) for c in (Channel.HOTLINE, Channel.VISIT, Channel.PORTAL)]


class StaffRequestForm(RequestForm):
    """A hotline call or a visit entered by staff, for an enterprise they serve."""

    enterprise = forms.ModelChoiceField(
        label=_("企业"), queryset=Enterprise.objects.none(), widget=EnterprisePicker()
    )
    channel = forms.ChoiceField(label=_("来源"), choices=STAFF_CHANNELS, initial="hotline")
    caller_name = forms.CharField(label=_("来电人"), max_length=50, required=False)
    caller_phone = forms.CharField(
        label=_("来电号码"), max_length=20, required=False, help_text=_("热线来电必填")
    )
    field_order = ["enterprise", "channel", "caller_name", "caller_phone"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises_visible_to(user)


class ReplyForm(BootstrapFormMixin, forms.Form):
    reply = forms.CharField(
        label=_("答复内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachments = AttachmentsField()


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=300)


class TransferForm(ReasonForm):
    handler = HandlerField(label=_("转给"))
    field_order = ["handler", "reason"]


class CohandleForm(BootstrapFormMixin, forms.Form):
    handler = HandlerField(label=_("协办单位"))
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class RouteForm(BootstrapFormMixin, forms.Form):
    handler = HandlerField(label=_("主办单位"))
    co_departments = forms.ModelMultipleChoiceField(
        label=_("协办部门"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class NoteForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("说明"), max_length=300)


class ExtensionForm(BootstrapFormMixin, forms.Form):
    stage = forms.ChoiceField(
        label=_("延期环节"),
        choices=[
            (Stage.REPLY.value, Stage.REPLY.label),
            (Stage.RESOLVE.value, Stage.RESOLVE.label),
        ],
    )
    extra_days = forms.IntegerField(label=_("延长工作日"), min_value=1, max_value=30)
    reason = forms.CharField(label=_("延期理由"), max_length=500)


class DecisionForm(BootstrapFormMixin, forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审批"),
        choices=[("1", _("同意")), ("0", _("不同意"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("审批意见"), max_length=300, required=False)


class RateForm(BootstrapFormMixin, forms.Form):
    rating = forms.ChoiceField(label=_("评价"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("意见"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("不满意时必填，承办单位将据此重新办理"),
    )


class RequestFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("编号、标题或企业名称")}),
    )
    status = forms.ChoiceField(
        required=False, choices=[("", _("全部状态")), *ServiceRequest.Status.choices]
    )
    category = forms.ChoiceField(required=False, choices=[("", _("全部类别")), *Category.choices])
    handler = HandlerField(required=False, label=_("承办单位"))
    overdue = forms.BooleanField(required=False, label=_("只看逾期"))


class HandlerModelForm(BootstrapFormMixin, forms.ModelForm):
    handler = HandlerField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].initial = handler_value(self.instance)

    def clean(self):
        cleaned = super().clean()
        department, task_force = cleaned.get("handler") or (None, None)
        self.instance.department, self.instance.task_force = department, task_force
        return cleaned


class RoutingRuleForm(HandlerModelForm):
    class Meta:
        model = RoutingRule
        fields = ["category", "area"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from fugong.core.models import Region

        self.fields["area"].queryset = Region.objects.exclude(kind=Region.Kind.DISTRICT).exclude(
            kind=Region.Kind.COMMUNITY
        )


class DeadlinePolicyForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = DeadlinePolicy
        fields = ["category", "grade", "claim_days", "reply_days", "resolve_days"]


class CalendarDayForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "is_working_day", "name"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}


class LetterForm(BootstrapFormMixin, forms.ModelForm):
    request_number = forms.CharField(
        label=_("相关诉求编号"), max_length=20, required=False, help_text=_("可留空")
    )

    class Meta:
        model = ThankYouLetter
        fields = ["department", "sender", "received_on", "summary"]
        widgets = {
            "received_on": forms.DateInput(attrs={"type": "date"}),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.role == "department":
            self.fields["department"].queryset = Department.objects.filter(pk=user.department_id)
            self.fields["department"].initial = user.department_id

    def clean_request_number(self):
        number = self.cleaned_data["request_number"].strip()
        if not number:
            return None
        # Only among the requests the user sees: the error must not tell which numbers exist.
        request = requests_visible_to(self.user).filter(number=number).first()
        if request is None:
            raise ValidationError(_("没有编号为 %(number)s 的诉求") % {"number": number})
        return request


class VisitRequestForm(BootstrapFormMixin, forms.Form):
    """One request raised during a visit; a row left blank raises nothing."""

    category = forms.ChoiceField(
        label=_("诉求类别"), choices=[("", "—"), *Category.choices], required=False
    )
    title = forms.CharField(label=_("标题"), max_length=60, required=False)
    description = forms.CharField(
        label=_("诉求内容"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial="normal")

    def clean(self):
        data = super().clean()
        filled = [data.get(name) for name in ("category", "title", "description")]
        if any(filled) and not all(filled):
            for name in ("category", "title", "description"):
                if not data.get(name):
                    self.add_error(name, _("填写了这条诉求，就请把类别、标题和内容填完整"))
        return data

    @property
    def raises_request(self) -> bool:
        return bool(self.cleaned_data.get("title"))


VisitRequestFormSet = forms.formset_factory(VisitRequestForm, extra=2, max_num=5, validate_max=True)

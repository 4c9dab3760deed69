from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fugong.core.forms import BootstrapFormMixin, VersionedForm
from fugong.core.models import Region
from fugong.core.validators import normalize_phone, normalize_uscc
from fugong.enterprises.models import (
    ConstructionProject,
    Enterprise,
    GradeRule,
    LiaisonAssignment,
    Visit,
)
from fugong.enterprises.selectors import (
    COVERAGE_GROUPS,
    enterprises_visible_to,
    enterprises_visitable_by,
    liaison_officers,
    parks_choosable_by,
    regions_choosable_by,
)
from fugong.enterprises.services import ENTERPRISE_FIELDS, PROJECT_FIELDS
from fugong.enterprises.widgets import EnterprisePicker


class EnterpriseForm(BootstrapFormMixin, VersionedForm):
    """The fields shown are those the user may edit (an enterprise edits only its contacts)."""

    class Meta:
        model = Enterprise
        fields = ENTERPRISE_FIELDS
        widgets = {
            "founded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "longitude": forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
            "latitude": forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
        }
        help_texts = {"longitude": _("GCJ-02（国内网络地图）坐标，须与纬度同时填写")}

    def __init__(self, *args, user, editable_fields=ENTERPRISE_FIELDS, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in (*editable_fields, "version"):
                del self.fields[name]
        if "region" in self.fields:
            self.fields["region"].queryset = regions_choosable_by(user)
        if "park" in self.fields:
            self.fields["park"].queryset = parks_choosable_by(user)

    def clean_uscc(self):
        try:
            return normalize_uscc(self.cleaned_data["uscc"])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None

    def clean_contact_phone(self):
        phone = self.cleaned_data.get("contact_phone", "")
        return normalize_phone(phone) if phone else phone


class ProjectForm(BootstrapFormMixin, VersionedForm):
    class Meta:
        model = ConstructionProject
        fields = PROJECT_FIELDS
        widgets = {"planned_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_choosable_by(user)
        self.fields["park"].queryset = parks_choosable_by(user)
        self.fields["builder"].queryset = enterprises_visible_to(user)
        self.fields["builder"].widget = EnterprisePicker(
            allow_empty_label=_("不在企业名录中（填写下方建设单位名称）")
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("builder") and not cleaned.get("builder_name"):
            self.add_error("builder_name", _("请选择建设单位，或填写建设单位名称"))
        return cleaned


class ImportUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("名录文件"),
        help_text=_("支持 .xlsx 和 .csv，第一个工作表，第1行为表头，最大20MB"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise ValidationError(
                _("文件过大（%(size).1f MB），上限为 %(limit)d MB")
                % {"size": upload.size / 1024 / 1024, "limit": self.max_bytes // 1024 // 1024}
            )
        return upload


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TriState(forms.NullBooleanSelect):
    """Yes, no, or no condition at all."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("不限")), ("true", _("是")), ("false", _("否"))]


class GradeRuleForm(BootstrapFormMixin, forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label=_("企业类别（任一）"),
        choices=Enterprise.Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则不限类别"),
    )
    is_key = forms.NullBooleanField(label=_("重点企业"), widget=TriState, required=False)
    is_talent = forms.NullBooleanField(label=_("人才企业"), widget=TriState, required=False)

    class Meta:
        model = GradeRule
        fields = ["order", "grade", "categories", "is_key", "is_talent", "headcount_below", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The mixin gives every widget form-control; each checkbox needs its own class instead.
        self.fields["categories"].widget.attrs["class"] = "form-check-input"


class GradeOverrideForm(BootstrapFormMixin, forms.Form):
    grade = forms.ChoiceField(label=_("等级"), choices=Enterprise.Grade.choices)
    reason = forms.CharField(
        label=_("调整理由"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("必填，将记入评级历史"),
    )


class LiaisonAssignForm(BootstrapFormMixin, forms.Form):
    officer = forms.ModelChoiceField(label=_("服务专员"), queryset=liaison_officers())
    kind = forms.ChoiceField(label=_("类型"), choices=LiaisonAssignment.Kind.choices)
    started_on = forms.DateField(label=_("开始日期"), widget=DateInput)
    is_primary = forms.BooleanField(
        label=_("主责专员"), required=False, help_text=_("将替换该类型原主责专员")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].label_from_instance = lambda u: f"{u.name}（{u.username}）"
        self.fields["started_on"].initial = timezone.localdate()


class CoverageForm(forms.Form):
    """Which target enterprises, which kind of officer they lack, and where (for the drill-down)."""

    group = forms.ChoiceField(
        label=_("范围"),
        choices=[(key, label) for key, (label, _q) in COVERAGE_GROUPS.items()],
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("缺少的专员类型"),
        choices=[("", _("任何专员")), *LiaisonAssignment.Kind.choices],
        required=False,
    )
    area = forms.ModelChoiceField(
        label=_("区域"),
        queryset=Region.objects.filter(kind__in=[*Region.SUBDISTRICT_KINDS, Region.Kind.PARK]),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"

    def choice(self) -> dict:
        """The cleaned choice, or everything when the query string is wrong."""
        if not self.is_valid():
            return {"group": "all", "kind": "", "area": None}
        return {
            "group": self.cleaned_data["group"] or "all",
            "kind": self.cleaned_data["kind"],
            "area": self.cleaned_data["area"],
        }


class VisitForm(BootstrapFormMixin, forms.Form):
    enterprise = forms.ModelChoiceField(label=_("企业"), queryset=Enterprise.objects.none())
    visited_on = forms.DateField(label=_("走访日期"), widget=DateInput)
    kind = forms.ChoiceField(label=_("走访方式"), choices=Visit.Kind.choices)
    findings = forms.CharField(
        label=_("走访情况"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("企业复工情况、困难和诉求、已答复的事项"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises_visitable_by(user)
        self.fields["enterprise"].widget = EnterprisePicker()
        self.fields["visited_on"].initial = timezone.localdate()

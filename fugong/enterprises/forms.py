from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fugong.core.forms import BootstrapFormMixin
from fugong.core.validators import normalize_phone, normalize_uscc
from fugong.enterprises.models import ConstructionProject, Enterprise
from fugong.enterprises.selectors import (
    enterprises_visible_to,
    parks_choosable_by,
    regions_choosable_by,
)
from fugong.enterprises.services import ENTERPRISE_FIELDS, PROJECT_FIELDS
from fugong.enterprises.widgets import EnterprisePicker


class VersionedForm(forms.ModelForm):
    """Carries the version the editor started from, so a later save cannot overwrite someone
    else's change unseen."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class EnterpriseForm(BootstrapFormMixin, VersionedForm):
    """The fields shown are those the user may edit (an enterprise edits only its contacts)."""

    class Meta:
        model = Enterprise
        fields = ENTERPRISE_FIELDS

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

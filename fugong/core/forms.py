from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fugong.core.exceptions import StaleRecord
from fugong.core.models import ApiKey

# Before 2000 there is nothing to count, and moments before 1901 have no standard UTC offset.
EARLIEST_MOMENT = timezone.make_aware(datetime(2000, 1, 1))


class BootstrapFormMixin:
    """Gives every widget Bootstrap's classes, and marks fields with errors as invalid."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


class ApiKeyForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(
        label=_("名称"), max_length=60, help_text=_("用途，如“人事系统每日报送”")
    )
    scope = forms.ChoiceField(
        label=_("权限范围"), choices=ApiKey.Scope.choices, initial=ApiKey.Scope.REPORTS
    )
    days = forms.IntegerField(
        label=_("有效天数"),
        min_value=1,
        max_value=730,
        required=False,
        help_text=_("留空为长期有效，可随时吊销"),
    )


class AsOfForm(BootstrapFormMixin, forms.Form):
    """The "as of" picker of the figure pages: a moment between 2000 and now, now by default."""

    at = forms.DateTimeField(
        label=_("截至"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )

    def clean_at(self):
        moment = self.cleaned_data.get("at")
        if moment is not None and moment < EARLIEST_MOMENT:
            raise ValidationError(_("截至时点应在2000年1月1日以后"))
        return moment

    def moment(self):
        if self.is_valid() and self.cleaned_data.get("at"):
            return min(self.cleaned_data["at"], timezone.now())
        return timezone.now()


class VersionedForm(forms.ModelForm):
    """Carries the version the editor started from, so a later save cannot overwrite someone
    else's change unseen."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


def apply_errors(form, exc: ValidationError | StaleRecord) -> None:
    """Show a service's refusal on the form: on the field it names, or above the form."""
    if isinstance(exc, StaleRecord):
        form.add_error(None, str(exc))
    elif hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def form_errors(form) -> str:
    """A form's errors in one line for a flash message: 「字段：错误；…」."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.extend(f"{label}：{e}" if label else e for e in errors)
    return "；".join(parts)

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fugong.core.forms import BootstrapFormMixin
from fugong.resumption.models import Report
from fugong.resumption.services import REPORT_FIELDS

NUMERIC = {"inputmode": "numeric", "min": 0}


REPORT_WIDGETS = {
    "status": forms.RadioSelect,
    "workers_on_payroll": forms.NumberInput(attrs=NUMERIC),
    "workers_on_duty": forms.NumberInput(attrs=NUMERIC),
    "returned_from_outside": forms.NumberInput(attrs=NUMERIC),
    "in_quarantine": forms.NumberInput(attrs=NUMERIC),
    "capacity_percent": forms.NumberInput(attrs={**NUMERIC, "max": 100}),
    "difficulty": forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
}


class ReportForm(BootstrapFormMixin, forms.Form):
    """The daily report, as an enterprise fills it on a phone. A plain form with the model's
    fields: the report service checks the values, with messages that name the field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = Report._meta.get_field("status").choices
        self.fields["status"].widget.attrs["class"] = "form-check-input"
        for name in ("difficulty_category", "returned_from_outside", "in_quarantine"):
            self.fields[name].required = False

    def clean_returned_from_outside(self):
        return self.cleaned_data.get("returned_from_outside") or 0

    def clean_in_quarantine(self):
        return self.cleaned_data.get("in_quarantine") or 0


# The model's own fields and labels, without the model's validation (see ReportForm).
ReportForm.base_fields.update(
    forms.fields_for_model(Report, fields=REPORT_FIELDS, widgets=REPORT_WIDGETS)
)


class OfficerReportForm(ReportForm):
    """An officer may report a moment that has passed (a report phoned in, entered later)."""

    field_order = ["reported_at"]
    reported_at = forms.DateTimeField(
        label=_("填报时点"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("留空即为现在；补报过去的情况时填写"),
    )


class DayForm(forms.Form):
    day = forms.DateField(
        label=_("日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )

    def day_or_today(self):
        if self.is_valid() and self.cleaned_data.get("day"):
            return self.cleaned_data["day"]
        return timezone.localdate()

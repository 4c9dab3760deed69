from django import forms
from django.urls import reverse_lazy

from fugong.core.filters import record_id
from fugong.enterprises.models import Enterprise


class EnterprisePicker(forms.Widget):
    """Choose one enterprise out of tens of thousands: type a name or pinyin initials and pick
    from the matches the server sends back (HTMX), instead of a select with 27,000 options."""

    template_name = "enterprises/widgets/enterprise_picker.html"
    lookup_url = reverse_lazy("enterprises:picker_options")

    def __init__(self, *, allow_empty_label: str = "", attrs=None):
        super().__init__(attrs)
        self.allow_empty_label = allow_empty_label

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        pk = value.pk if isinstance(value, Enterprise) else record_id(value)
        selected = (
            Enterprise.objects.filter(pk=pk).values_list("name", flat=True).first()
            if pk is not None
            else None
        )
        context["widget"].update(
            selected=selected,
            lookup_url=str(self.lookup_url),
            allow_empty_label=self.allow_empty_label,
        )
        return context

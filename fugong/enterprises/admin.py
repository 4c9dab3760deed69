from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from fugong.core.admin import ShowsPersonalData
from fugong.enterprises.models import (
    ConstructionProject,
    Enterprise,
    GradeRule,
    LiaisonAssignment,
    Visit,
)


@admin.register(Enterprise)
class EnterpriseAdmin(ShowsPersonalData, SimpleHistoryAdmin):
    personal_data_label = _("企业联系电话（后台）")
    list_display = [
        "name",
        "uscc",
        "category",
        "region",
        "park",
        "grade",
        "grade_overridden",
        "status",
    ]
    list_filter = ["category", "grade", "grade_overridden", "status", "is_key", "is_talent", "park"]
    search_fields = ["name", "uscc", "name_initials"]
    list_select_related = ["region", "park"]
    raw_id_fields = ["region", "park"]
    show_full_result_count = False


@admin.register(ConstructionProject)
class ConstructionProjectAdmin(ShowsPersonalData, SimpleHistoryAdmin):
    personal_data_label = _("工程联系电话（后台）")
    list_display = ["name", "code", "region", "status", "total_investment"]
    list_filter = ["status", "park"]
    search_fields = ["name", "code", "name_initials"]
    raw_id_fields = ["builder", "region", "park"]
    list_select_related = ["region"]


@admin.register(LiaisonAssignment)
class LiaisonAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["enterprise", "officer", "kind", "is_primary", "started_on", "ended_on"]
    list_filter = ["kind", "is_primary"]
    raw_id_fields = ["enterprise", "officer"]


class GradeRuleAdminForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label=_("企业类别（任一）"),
        choices=Enterprise.Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = GradeRule
        fields = ["order", "grade", "categories", "is_key", "is_talent", "headcount_below", "note"]


@admin.register(GradeRule)
class GradeRuleAdmin(SimpleHistoryAdmin):
    form = GradeRuleAdminForm
    list_display = ["order", "grade", "describe", "note"]
    list_display_links = ["order", "grade"]
    ordering = ["order", "id"]

    @admin.display(description=_("条件"))
    def describe(self, rule):
        return rule.describe()


@admin.register(Visit)
class VisitAdmin(SimpleHistoryAdmin):
    list_display = ["visited_on", "enterprise", "officer", "kind", "recorded_by"]
    list_filter = ["kind"]
    raw_id_fields = ["enterprise", "officer", "recorded_by"]
    search_fields = ["enterprise__name", "officer__username", "officer__display_name"]
    date_hierarchy = "visited_on"

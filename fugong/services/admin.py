"""The back office for the services app. Task forces are kept here; the tables the coordinator
also edits in pages (routing, deadlines, calendar) keep their history either way. Requests and
everything that happens to them are read-only: their lifecycle is enforced by the services
module alone, so the admin can look but not write around it."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from fugong.core.admin import ShowsPersonalData
from fugong.services.models import (
    Assignment,
    CalendarDay,
    DeadlinePolicy,
    Escalation,
    Extension,
    RequestStep,
    RoutingRule,
    ServiceRequest,
    TaskForce,
    ThankYouLetter,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TaskForce)
class TaskForceAdmin(SimpleHistoryAdmin):
    list_display = ["name", "lead_department", "is_active"]
    list_filter = ["is_active", "lead_department"]
    search_fields = ["name"]
    filter_horizontal = ["members"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(SimpleHistoryAdmin):
    list_display = ["category", "area", "department", "task_force"]
    list_filter = ["category"]
    raw_id_fields = ["area"]


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(SimpleHistoryAdmin):
    list_display = ["category", "grade", "claim_days", "reply_days", "resolve_days"]
    list_filter = ["category", "grade"]


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    list_display = ["date", "is_working_day", "name"]
    date_hierarchy = "date"


class AssignmentInline(admin.TabularInline):
    model = Assignment
    fields = ["round", "role", "department", "task_force", "status", "claim_due", "reply_due"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class StepInline(admin.TabularInline):
    model = RequestStep
    fields = ["at", "action", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ShowsPersonalData, ReadOnlyAdmin):
    personal_data_label = _("诉求来电人电话（后台）")
    list_display = ["number", "enterprise", "category", "status", "created_at", "rating"]
    list_filter = ["status", "category", "channel", "rating", "grade"]
    search_fields = ["number", "title", "enterprise__name"]
    date_hierarchy = "created_at"
    list_select_related = ["enterprise"]
    inlines = [AssignmentInline, StepInline]
    show_full_result_count = False


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["request", "department", "task_force", "role", "status", "claim_due"]
    list_filter = ["status", "role", "department"]
    list_select_related = ["request", "department", "task_force"]
    show_full_result_count = False


@admin.register(Extension)
class ExtensionAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "stage", "extra_days", "status", "requested_at"]
    list_filter = ["status", "stage"]


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "stage", "level", "due", "at"]
    list_filter = ["level", "stage"]


@admin.register(ThankYouLetter)
class ThankYouLetterAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """Read-only: a letter is recorded through its page or API, which also adds the step to
    its request."""

    list_display = ["sender", "department", "request", "received_on"]
    list_filter = ["department"]
    raw_id_fields = ["request", "enterprise"]

"""The back office for the policy library: policies with their history (edited in the pages, where
the rule editor checks the conditions, so here they are read-only); matches, applications,
payout lists and objections are read-only too: their moves are the services' alone."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from fugong.policies.models import (
    Application,
    ApplicationStep,
    MatchingRun,
    Objection,
    ObjectionStep,
    PayoutBatch,
    PayoutLine,
    Policy,
    PolicyEvent,
    PolicyMatch,
)


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Policy)
class PolicyAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["title", "level", "kind", "mode", "status", "department", "effective_on"]
    list_filter = ["status", "level", "kind", "mode", "is_example"]
    search_fields = ["title", "document_number", "issuer"]


@admin.register(PolicyEvent)
class PolicyEventAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["policy", "action", "actor", "at", "note"]
    list_filter = ["action"]


@admin.register(MatchingRun)
class MatchingRunAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "trigger",
        "policy",
        "started_at",
        "finished_at",
        "enterprises",
        "added",
        "ended",
    ]
    list_filter = ["trigger"]


@admin.register(PolicyMatch)
class PolicyMatchAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["policy", "enterprise", "matched_at", "ended_at", "notified_at", "read_at"]
    list_filter = ["policy"]
    raw_id_fields = ["enterprise"]


class StepInline(ReadOnly, admin.TabularInline):
    model = ApplicationStep
    extra = 0


@admin.register(Application)
class ApplicationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["number", "policy", "enterprise", "status", "submitted_at", "due_at"]
    list_filter = ["status", "policy"]
    search_fields = ["number", "enterprise__name"]
    inlines = [StepInline]


class LineInline(ReadOnly, admin.TabularInline):
    model = PayoutLine
    extra = 0
    raw_id_fields = ["enterprise"]


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["policy", "status", "created_at", "notice_ends_at", "paid_on"]
    list_filter = ["status"]
    inlines = [LineInline]


class ObjectionStepInline(ReadOnly, admin.TabularInline):
    model = ObjectionStep
    extra = 0


@admin.register(Objection)
class ObjectionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["batch", "name", "status", "filed_at", "handled_at"]
    list_filter = ["status"]
    inlines = [ObjectionStepInline]

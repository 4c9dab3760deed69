"""The back office for 送要素: read-only. Openings, workers, trips and loans move through the
services module alone (their statuses and history), so the admin looks but does not write around
it; home counties outside the bundled table get their coordinates on the counties page."""

from django.contrib import admin

from fugong.factors.models import (
    County,
    Hotline,
    JobApplication,
    JobOpening,
    JobSeeker,
    LoanApplication,
    PlanningRun,
    ReturningWorker,
    ShuttleTrip,
    Vehicle,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(County)
class CountyAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "name",
        "prefecture",
        "province",
        "longitude",
        "latitude",
        "is_reference",
    ]
    list_filter = ["is_reference", "prefecture"]
    search_fields = ["code", "name"]


@admin.register(JobOpening)
class JobOpeningAdmin(ReadOnlyAdmin):
    list_display = ["title", "enterprise", "positions", "status", "published_at", "valid_until"]
    list_filter = ["status", "is_shortage"]
    search_fields = ["title", "enterprise__name"]
    raw_id_fields = ["enterprise"]


@admin.register(Hotline)
class HotlineAdmin(ReadOnlyAdmin):
    list_display = ["number", "topic", "department", "hours", "is_active"]


@admin.register(JobSeeker)
class JobSeekerAdmin(ReadOnlyAdmin):
    # ID numbers and phones are personal data: the admin list does not show them.
    list_display = ["name", "home_county", "wanted_job", "registered_at"]
    search_fields = ["name"]


@admin.register(JobApplication)
class JobApplicationAdmin(ReadOnlyAdmin):
    list_display = ["seeker", "opening", "status", "applied_at"]
    list_filter = ["status"]


@admin.register(ReturningWorker)
class ReturningWorkerAdmin(ReadOnlyAdmin):
    list_display = ["name", "home_county", "enterprise", "earliest_date", "cancelled_at"]
    list_filter = ["health_status"]
    raw_id_fields = ["enterprise"]


@admin.register(Vehicle)
class VehicleAdmin(ReadOnlyAdmin):
    list_display = ["plate", "seats", "operator", "status", "available_from", "available_until"]


@admin.register(PlanningRun)
class PlanningRunAdmin(ReadOnlyAdmin):
    list_display = ["first_day", "last_day", "status", "trigger", "planned", "trips", "vehicles"]


@admin.register(ShuttleTrip)
class ShuttleTripAdmin(ReadOnlyAdmin):
    list_display = ["date", "vehicle", "county", "status", "capacity", "distance_km"]
    list_filter = ["status"]
    date_hierarchy = "date"


@admin.register(LoanApplication)
class LoanApplicationAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "amount", "bank", "status", "submitted_on"]
    list_filter = ["status", "bank"]
    raw_id_fields = ["enterprise"]

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from fugong.core.audit import personal_data_shown
from fugong.core.filters import record_id
from fugong.core.models import (
    ApiKey,
    Department,
    ImportJob,
    Notification,
    PersonalDataAccess,
    Region,
    User,
)


class ShowsPersonalData:
    """A back-office form that shows phone or ID numbers in full: each look is recorded, as
    the pages' are. The back office is for coordinators and superusers, who may see them."""

    personal_data_label = ""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            personal_data_shown(
                request,
                what=str(self.personal_data_label),
                object_id=record_id(object_id),
                unmasked=True,
            )
        return response


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "kind", "parent", "sort_order", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    readonly_fields = ["path"]


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "short_name", "phone", "is_active"]
    search_fields = ["name", "code"]


@admin.register(User)
class UserAdmin(ShowsPersonalData, SimpleHistoryAdmin, DjangoUserAdmin):
    personal_data_label = _("账号手机号（后台）")
    list_display = ["username", "display_name", "role", "department", "enterprise", "is_active"]
    list_filter = ["role", "is_active", "department"]
    search_fields = ["username", "display_name", "phone"]
    autocomplete_fields = ["enterprise"]
    filter_horizontal = ["areas", "groups", "user_permissions"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (
            _("身份与范围"),
            {"fields": ["display_name", "phone", "role", "department", "areas", "enterprise"]},
        ),
        (
            _("权限"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("时间"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "password1",
                    "password2",
                    "display_name",
                    "role",
                    "department",
                    "enterprise",
                ],
            },
        ),
    ]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "created_at", "delivery_status", "read_at"]
    list_filter = ["delivery_status"]
    search_fields = ["title", "recipient__username"]
    raw_id_fields = ["recipient"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["original_name", "kind", "status", "uploaded_by", "created_at"]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """Read-only: the record of who saw personal data cannot be edited, even here."""

    list_display = ["at", "user", "what", "object_id", "count", "path"]
    list_filter = ["what"]
    search_fields = ["user__username", "path"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "scope", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["scope"]
    readonly_fields = [f.name for f in ApiKey._meta.fields]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # keys are created by their owners, who see them once

    @admin.action(description="吊销所选密钥")
    def revoke(self, request, queryset):
        from django.utils import timezone

        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from fugong.enterprises.models import ConstructionProject, Enterprise, LiaisonAssignment


@admin.register(Enterprise)
class EnterpriseAdmin(SimpleHistoryAdmin):
    list_display = ["name", "uscc", "category", "region", "park", "grade", "status"]
    list_filter = ["category", "grade", "status", "is_key", "is_talent", "park"]
    search_fields = ["name", "uscc", "name_initials"]
    list_select_related = ["region", "park"]
    raw_id_fields = ["region", "park"]
    show_full_result_count = False


@admin.register(ConstructionProject)
class ConstructionProjectAdmin(SimpleHistoryAdmin):
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

from django.urls import path

from fugong.core import api_views as core_api
from fugong.enterprises import api as enterprise_api

urlpatterns = [
    path("me/", core_api.MeView.as_view(), name="api_me"),
    path("regions/", core_api.RegionListView.as_view(), name="api_regions"),
    path("departments/", core_api.DepartmentListView.as_view(), name="api_departments"),
    path("enterprises/", enterprise_api.EnterpriseListCreate.as_view(), name="api_enterprises"),
    path("enterprises/<int:pk>/", enterprise_api.EnterpriseDetail.as_view(), name="api_enterprise"),
    path(
        "enterprises/<int:pk>/history/",
        enterprise_api.EnterpriseHistory.as_view(),
        name="api_enterprise_history",
    ),
    path(
        "enterprises/import/",
        enterprise_api.EnterpriseImport.as_view(),
        name="api_enterprise_import",
    ),
    path("projects/", enterprise_api.ProjectListCreate.as_view(), name="api_projects"),
    path("projects/<int:pk>/", enterprise_api.ProjectDetail.as_view(), name="api_project"),
]

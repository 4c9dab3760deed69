from django.urls import path, re_path

from fugong.resumption import views

app_name = "resumption"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export.xlsx", views.dashboard_export, name="dashboard_export"),
    path("dashboard/bulletin/", views.bulletin_download, name="bulletin"),
    path("dashboard/entities/", views.entities, name="entities"),
    re_path(
        r"^resumption/(?P<kind>enterprise|project)/(?P<pk>[0-9]+)/reports/$",
        views.subject_reports,
        name="subject_reports",
    ),
    path("resumption/reports/<int:pk>/correct/", views.report_correct, name="correct"),
    path("resumption/flags/", views.flags, name="flags"),
    path("resumption/flags/<int:pk>/review/", views.flag_review, name="flag_review"),
    path("resumption/missing/", views.missing, name="missing"),
    path("resumption/missing/remind/", views.missing_remind, name="remind"),
    path("resumption/upload/", views.upload, name="upload"),
    path("resumption/upload/template.xlsx", views.upload_template, name="upload_template"),
    path("resumption/upload/<int:pk>/", views.upload_job, name="upload_job"),
]

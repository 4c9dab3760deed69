from django.urls import path

from fugong.enterprises import views

app_name = "enterprises"

urlpatterns = [
    path("enterprises/", views.enterprise_list, name="list"),
    path("enterprises/export.xlsx", views.enterprise_export, name="export"),
    path("enterprises/new/", views.enterprise_create, name="create"),
    path("enterprises/picker/", views.picker_options, name="picker_options"),
    path("enterprises/import/", views.enterprise_import, name="import"),
    path("enterprises/import/template.xlsx", views.import_template, name="import_template"),
    path("enterprises/import/<int:pk>/", views.enterprise_import_job, name="import_job"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="detail"),
    path("enterprises/<int:pk>/edit/", views.enterprise_edit, name="edit"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/export.xlsx", views.project_export, name="project_export"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
]

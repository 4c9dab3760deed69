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
    path("enterprises/grades/", views.grade_rules_page, name="grade_rules"),
    path("enterprises/grades/rules/new/", views.grade_rule_create, name="grade_rule_create"),
    path("enterprises/grades/rules/<int:pk>/", views.grade_rule_edit, name="grade_rule_edit"),
    path(
        "enterprises/grades/rules/<int:pk>/delete/",
        views.grade_rule_delete,
        name="grade_rule_delete",
    ),
    path("enterprises/grades/recompute/", views.grades_recompute, name="grades_recompute"),
    path("enterprises/coverage/", views.coverage_page, name="coverage"),
    path("enterprises/coverage/export.xlsx", views.coverage_export, name="coverage_export"),
    path("enterprises/mine/", views.my_enterprises, name="my_enterprises"),
    path("enterprises/liaisons/import/", views.liaison_import, name="liaison_import"),
    path(
        "enterprises/liaisons/import/template.xlsx",
        views.liaison_import_template,
        name="liaison_import_template",
    ),
    path(
        "enterprises/liaisons/import/<int:pk>/",
        views.liaison_import_job,
        name="liaison_import_job",
    ),
    path("enterprises/liaisons/<int:pk>/end/", views.liaison_end, name="liaison_end"),
    path(
        "enterprises/liaisons/<int:pk>/primary/",
        views.liaison_make_primary,
        name="liaison_make_primary",
    ),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="detail"),
    path("enterprises/<int:pk>/edit/", views.enterprise_edit, name="edit"),
    path("enterprises/<int:pk>/grade/", views.grade_override, name="grade_override"),
    path(
        "enterprises/<int:pk>/grade/clear/",
        views.grade_override_clear,
        name="grade_override_clear",
    ),
    path("enterprises/<int:pk>/liaisons/new/", views.liaison_assign, name="liaison_assign"),
    path("visits/", views.visit_list, name="visits"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/export.xlsx", views.project_export, name="project_export"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
]

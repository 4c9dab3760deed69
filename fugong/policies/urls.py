from django.urls import path

from fugong.policies import views

app_name = "policies"

urlpatterns = [
    path("policies/", views.policy_list, name="list"),
    path("policies/new/", views.policy_new, name="new"),
    path("policies/figures/", views.figures, name="figures"),
    path("policies/figures/export.xlsx", views.figures_export, name="figures_export"),
    path("policies/applications/", views.application_list, name="applications"),
    path(
        "policies/applications/<int:pk>/",
        views.application_detail,
        name="application_detail",
    ),
    path(
        "policies/applications/<int:pk>/<slug:action>/",
        views.application_action,
        name="application_action",
    ),
    path("policies/payouts/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("policies/payouts/<int:pk>/export.xlsx", views.batch_export, name="batch_export"),
    path("policies/payouts/<int:pk>/<slug:action>/", views.batch_action, name="batch_action"),
    path("policies/objections/<int:pk>/handle/", views.objection_handle, name="objection_handle"),
    path(
        "policies/objections/<int:pk>/withdraw/",
        views.objection_withdraw,
        name="objection_withdraw",
    ),
    path("policies/attachments/<int:pk>/", views.attachment_file, name="attachment"),
    path(
        "policies/attachments/<int:pk>/delete/",
        views.attachment_delete,
        name="attachment_delete",
    ),
    path("policies/<int:pk>/", views.policy_detail, name="detail"),
    path("policies/<int:pk>/edit/", views.policy_edit, name="edit"),
    path("policies/<int:pk>/explain/", views.policy_explain, name="explain"),
    path("policies/<int:pk>/matches/", views.policy_matches, name="matches"),
    path(
        "policies/<int:pk>/matches/export.xlsx",
        views.policy_matches_export,
        name="matches_export",
    ),
    path("policies/<int:pk>/<slug:action>/", views.policy_action, name="action"),
    path("portal/policies/", views.portal_policies, name="portal_list"),
    path("portal/policies/<int:pk>/", views.portal_policy, name="portal_detail"),
    path("portal/policies/<int:pk>/apply/", views.portal_apply, name="portal_apply"),
    path("public/policies/", views.public_list, name="public_list"),
    path("public/policies/<int:pk>/", views.public_detail, name="public_detail"),
    path(
        "public/policies/attachments/<int:pk>/",
        views.public_attachment_file,
        name="public_attachment",
    ),
    path("public/notices/", views.public_notice_list, name="public_notices"),
    path("public/notices/<int:pk>/", views.public_notice, name="public_notice"),
]

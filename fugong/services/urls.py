from django.urls import path

from fugong.services import views

app_name = "services"

urlpatterns = [
    path("services/", views.request_list, name="list"),
    path("services/export.xlsx", views.request_export, name="export"),
    path("services/queue/", views.queue, name="queue"),
    path("services/new/", views.request_new, name="new"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("services/difficulties/", views.difficulties, name="difficulties"),
    path("services/from-report/<int:report_pk>/", views.from_report, name="from_report"),
    path("services/<int:pk>/", views.request_detail, name="detail"),
    path("services/<int:pk>/<slug:action>/", views.request_action, name="action"),
    path("services/attachments/<int:pk>/", views.attachment_file, name="attachment"),
    path("services/extensions/", views.extensions, name="extensions"),
    path("services/extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("services/figures/", views.figures, name="figures"),
    path("services/figures/export.xlsx", views.figures_export, name="figures_export"),
    path("services/letters/", views.letters, name="letters"),
    path("services/routing/", views.routing, name="routing"),
    path("services/routing/<int:pk>/delete/", views.routing_delete, name="routing_delete"),
    path("services/deadlines/", views.deadlines, name="deadlines"),
    path("services/calendar/", views.calendar_view, name="calendar"),
    path("services/calendar/<int:pk>/delete/", views.calendar_delete, name="calendar_delete"),
    path("portal/requests/", views.portal_requests, name="portal_requests"),
    path("portal/requests/new/", views.portal_request_new, name="portal_new"),
]

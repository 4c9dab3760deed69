from django.urls import path

from fugong.factors import views

app_name = "factors"

urlpatterns = [
    # Public: no login
    path("jobs/", views.job_board, name="job_board"),
    path("jobs/<int:pk>/", views.job_public, name="job_public"),
    path("jobs/hotlines/", views.hotlines_public, name="hotlines_public"),
    # Recruitment
    path("factors/", views.overview, name="overview"),
    path("factors/openings/", views.opening_list, name="openings"),
    path("factors/openings/new/", views.opening_new, name="opening_new"),
    path("factors/openings/<int:pk>/", views.opening_detail, name="opening_detail"),
    path("factors/openings/<int:pk>/edit/", views.opening_edit, name="opening_edit"),
    path("factors/openings/<int:pk>/<slug:action>/", views.opening_action, name="opening_action"),
    path("factors/seekers/", views.seeker_list, name="seekers"),
    path("factors/seekers/new/", views.seeker_new, name="seeker_new"),
    path("factors/seekers/<int:pk>/", views.seeker_detail, name="seeker_detail"),
    path(
        "factors/applications/<int:pk>/<slug:move>/",
        views.application_move,
        name="application_move",
    ),
    path("factors/hotlines/", views.hotlines, name="hotlines"),
    path("factors/hotlines/<int:pk>/retire/", views.hotline_retire, name="hotline_retire"),
    # 返岗直通车
    path("factors/workers/", views.worker_list, name="workers"),
    path("factors/workers/new/", views.worker_new, name="worker_new"),
    path("factors/workers/import/", views.worker_import, name="worker_import"),
    path(
        "factors/workers/import/template.xlsx",
        views.worker_import_template,
        name="worker_import_template",
    ),
    path("factors/workers/import/<int:pk>/", views.worker_import_job, name="worker_import_job"),
    path("factors/workers/<int:pk>/", views.worker_detail, name="worker_detail"),
    path("factors/workers/<int:pk>/cancel/", views.worker_cancel, name="worker_cancel"),
    path("factors/vehicles/", views.vehicle_list, name="vehicles"),
    path("factors/vehicles/<int:pk>/withdraw/", views.vehicle_withdraw, name="vehicle_withdraw"),
    path("factors/plans/", views.run_list, name="runs"),
    path("factors/plans/<int:pk>/", views.run_detail, name="run_detail"),
    path("factors/trips/", views.trip_list, name="trips"),
    path("factors/trips/<int:pk>/", views.trip_detail, name="trip_detail"),
    path("factors/trips/<int:pk>/manifest.xlsx", views.trip_manifest, name="trip_manifest"),
    path("factors/trips/<int:pk>/<slug:action>/", views.trip_action, name="trip_action"),
    path("factors/counties/", views.counties, name="counties"),
    # Loans
    path("factors/loans/", views.loan_list, name="loans"),
    path("factors/loans/new/", views.loan_new, name="loan_new"),
    path("factors/loans/<int:pk>/", views.loan_detail, name="loan_detail"),
    path("factors/loans/<int:pk>/<slug:move>/", views.loan_move, name="loan_move"),
]

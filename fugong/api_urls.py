from django.urls import path

from fugong.core import api_views as core_api
from fugong.enterprises import api as enterprise_api
from fugong.factors import api as factors_api
from fugong.policies import api as policies_api
from fugong.resumption import api as resumption_api
from fugong.services import api as services_api

urlpatterns = [
    path("me/", core_api.MeView.as_view(), name="api_me"),
    path("regions/", core_api.RegionListView.as_view(), name="api_regions"),
    path("departments/", core_api.DepartmentListView.as_view(), name="api_departments"),
    path("notifications/", core_api.NotificationList.as_view(), name="api_notifications"),
    path(
        "notifications/<int:pk>/read/",
        core_api.NotificationRead.as_view(),
        name="api_notification_read",
    ),
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
    path(
        "enterprises/<int:pk>/grade/",
        enterprise_api.EnterpriseGrade.as_view(),
        name="api_enterprise_grade",
    ),
    path("grade-rules/", enterprise_api.GradeRuleListCreate.as_view(), name="api_grade_rules"),
    path("grade-rules/<int:pk>/", enterprise_api.GradeRuleDetail.as_view(), name="api_grade_rule"),
    path(
        "grades/recompute/",
        enterprise_api.GradesRecompute.as_view(),
        name="api_grades_recompute",
    ),
    path(
        "liaison-assignments/",
        enterprise_api.AssignmentListCreate.as_view(),
        name="api_liaison_assignments",
    ),
    path(
        "liaison-assignments/import/",
        enterprise_api.AssignmentImport.as_view(),
        name="api_liaison_import",
    ),
    path(
        "liaison-assignments/<int:pk>/end/",
        enterprise_api.AssignmentEnd.as_view(),
        name="api_liaison_end",
    ),
    path(
        "liaison-assignments/<int:pk>/primary/",
        enterprise_api.AssignmentMakePrimary.as_view(),
        name="api_liaison_primary",
    ),
    path("coverage/", enterprise_api.CoverageView.as_view(), name="api_coverage"),
    path(
        "coverage/uncovered/",
        enterprise_api.UncoveredList.as_view(),
        name="api_coverage_uncovered",
    ),
    path("visits/", services_api.VisitListCreate.as_view(), name="api_visits"),
    path("visits/<int:pk>/", enterprise_api.VisitDetail.as_view(), name="api_visit"),
    path("projects/", enterprise_api.ProjectListCreate.as_view(), name="api_projects"),
    path("projects/<int:pk>/", enterprise_api.ProjectDetail.as_view(), name="api_project"),
    path("reports/", resumption_api.ReportListCreate.as_view(), name="api_reports"),
    path("reports/import/", resumption_api.ReportImportView.as_view(), name="api_report_import"),
    path(
        "reports/<int:pk>/correct/",
        resumption_api.ReportCorrect.as_view(),
        name="api_report_correct",
    ),
    path(
        "reports/<int:pk>/review/", resumption_api.FlagReviewView.as_view(), name="api_flag_review"
    ),
    path("figures/", resumption_api.FiguresView.as_view(), name="api_figures"),
    path("figures/series/", resumption_api.SeriesView.as_view(), name="api_series"),
    path("figures/entities/", resumption_api.EntitiesView.as_view(), name="api_figure_entities"),
    path("bulletin/", resumption_api.BulletinView.as_view(), name="api_bulletin"),
    path("missing-reports/", resumption_api.MissingReportsView.as_view(), name="api_missing"),
    path("reminders/", resumption_api.RemindersView.as_view(), name="api_reminders"),
    # Enterprises' requests (诉求): fugong/services/api.py
    path("requests/", services_api.RequestListCreate.as_view(), name="api_requests"),
    path("requests/<int:pk>/", services_api.RequestDetail.as_view(), name="api_request"),
    path("requests/<int:pk>/claim/", services_api.RequestClaim.as_view(), name="api_request_claim"),
    path("requests/<int:pk>/reply/", services_api.RequestReply.as_view(), name="api_request_reply"),
    path(
        "requests/<int:pk>/transfer/",
        services_api.RequestTransfer.as_view(),
        name="api_request_transfer",
    ),
    path(
        "requests/<int:pk>/return/", services_api.RequestReturn.as_view(), name="api_request_return"
    ),
    path(
        "requests/<int:pk>/extension/",
        services_api.RequestExtension.as_view(),
        name="api_request_extension",
    ),
    path(
        "requests/<int:pk>/cohandle/",
        services_api.RequestCohandle.as_view(),
        name="api_request_cohandle",
    ),
    path("requests/<int:pk>/route/", services_api.RequestRoute.as_view(), name="api_request_route"),
    path("requests/<int:pk>/close/", services_api.RequestClose.as_view(), name="api_request_close"),
    path(
        "requests/<int:pk>/reopen/", services_api.RequestReopen.as_view(), name="api_request_reopen"
    ),
    path(
        "requests/<int:pk>/escalate/",
        services_api.RequestEscalate.as_view(),
        name="api_request_escalate",
    ),
    path("requests/<int:pk>/rate/", services_api.RequestRate.as_view(), name="api_request_rate"),
    path(
        "requests/attachments/<int:pk>/",
        services_api.RequestAttachmentFile.as_view(),
        name="api_request_attachment",
    ),
    path("requests/queue/", services_api.RequestQueue.as_view(), name="api_request_queue"),
    path(
        "requests/difficulties/",
        services_api.DifficultyList.as_view(),
        name="api_request_difficulties",
    ),
    path(
        "requests/extensions/", services_api.ExtensionList.as_view(), name="api_request_extensions"
    ),
    path(
        "requests/extensions/<int:pk>/decide/",
        services_api.ExtensionDecide.as_view(),
        name="api_request_extension_decide",
    ),
    path("requests/figures/", services_api.RequestFigures.as_view(), name="api_request_figures"),
    path("requests/letters/", services_api.LetterListCreate.as_view(), name="api_request_letters"),
    path("routing-rules/", services_api.RoutingRuleListCreate.as_view(), name="api_routing_rules"),
    path(
        "routing-rules/<int:pk>/",
        services_api.RoutingRuleDetail.as_view(),
        name="api_routing_rule",
    ),
    path(
        "deadline-policies/",
        services_api.DeadlinePolicyListCreate.as_view(),
        name="api_deadline_policies",
    ),
    path(
        "deadline-policies/<int:pk>/",
        services_api.DeadlinePolicyDetail.as_view(),
        name="api_deadline_policy",
    ),
    path("calendar-days/", services_api.CalendarDayListCreate.as_view(), name="api_calendar_days"),
    path(
        "calendar-days/<int:pk>/",
        services_api.CalendarDayDetail.as_view(),
        name="api_calendar_day",
    ),
    # 送要素: fugong/factors/api.py
    path("jobs/", factors_api.PublicJobList.as_view(), name="api_jobs"),
    path("jobs/<int:pk>/", factors_api.PublicJobDetail.as_view(), name="api_job"),
    path("hotlines/", factors_api.HotlineListCreate.as_view(), name="api_hotlines"),
    path("job-openings/", factors_api.OpeningListCreate.as_view(), name="api_job_openings"),
    path("job-openings/<int:pk>/", factors_api.OpeningDetail.as_view(), name="api_job_opening"),
    path(
        "job-openings/<int:pk>/review/",
        factors_api.OpeningReview.as_view(),
        name="api_job_opening_review",
    ),
    path(
        "job-openings/<int:pk>/close/",
        factors_api.OpeningClose.as_view(),
        name="api_job_opening_close",
    ),
    path("job-seekers/", factors_api.SeekerListCreate.as_view(), name="api_job_seekers"),
    path("job-seekers/<int:pk>/", factors_api.SeekerDetail.as_view(), name="api_job_seeker"),
    path(
        "job-applications/",
        factors_api.ApplicationListCreate.as_view(),
        name="api_job_applications",
    ),
    path(
        "job-applications/<int:pk>/move/",
        factors_api.ApplicationMove.as_view(),
        name="api_job_application_move",
    ),
    path(
        "returning-workers/",
        factors_api.WorkerListCreate.as_view(),
        name="api_returning_workers",
    ),
    path(
        "returning-workers/import/",
        factors_api.WorkerImport.as_view(),
        name="api_returning_worker_import",
    ),
    path(
        "returning-workers/<int:pk>/",
        factors_api.WorkerDetail.as_view(),
        name="api_returning_worker",
    ),
    path(
        "returning-workers/<int:pk>/cancel/",
        factors_api.WorkerCancel.as_view(),
        name="api_returning_worker_cancel",
    ),
    path("vehicles/", factors_api.VehicleListCreate.as_view(), name="api_vehicles"),
    path(
        "vehicles/<int:pk>/withdraw/",
        factors_api.VehicleWithdraw.as_view(),
        name="api_vehicle_withdraw",
    ),
    path("shuttle-plans/", factors_api.RunListCreate.as_view(), name="api_shuttle_plans"),
    path("shuttle-plans/<int:pk>/", factors_api.RunDetail.as_view(), name="api_shuttle_plan"),
    path("shuttle-trips/", factors_api.TripList.as_view(), name="api_shuttle_trips"),
    path("shuttle-trips/<int:pk>/", factors_api.TripDetail.as_view(), name="api_shuttle_trip"),
    path(
        "shuttle-trips/<int:pk>/manifest/",
        factors_api.TripManifest.as_view(),
        name="api_shuttle_trip_manifest",
    ),
    path(
        "shuttle-trips/<int:pk>/<slug:action>/",
        factors_api.TripAction.as_view(),
        name="api_shuttle_trip_action",
    ),
    path("loans/", factors_api.LoanListCreate.as_view(), name="api_loans"),
    path("loans/<int:pk>/", factors_api.LoanDetail.as_view(), name="api_loan"),
    path("loans/<int:pk>/move/", factors_api.LoanMove.as_view(), name="api_loan_move"),
    path("factors/figures/", factors_api.FactorFigures.as_view(), name="api_factor_figures"),
    path("counties/", factors_api.CountyList.as_view(), name="api_counties"),
    path("counties/<int:pk>/", factors_api.CountyDetail.as_view(), name="api_county"),
    # The policy library (惠企政策): fugong/policies/api.py
    path("policies/", policies_api.PolicyListCreate.as_view(), name="api_policies"),
    path("policies/<int:pk>/", policies_api.PolicyDetail.as_view(), name="api_policy"),
    path(
        "policies/<int:pk>/publish/",
        policies_api.PolicyPublish.as_view(),
        name="api_policy_publish",
    ),
    path(
        "policies/<int:pk>/expire/", policies_api.PolicyExpire.as_view(), name="api_policy_expire"
    ),
    path(
        "policies/<int:pk>/rematch/",
        policies_api.PolicyRematch.as_view(),
        name="api_policy_rematch",
    ),
    path(
        "policies/<int:pk>/matches/",
        policies_api.PolicyMatches.as_view(),
        name="api_policy_matches",
    ),
    path(
        "policies/<int:pk>/explain/",
        policies_api.PolicyExplain.as_view(),
        name="api_policy_explain",
    ),
    path(
        "policy-rule-attributes/",
        policies_api.RuleAttributes.as_view(),
        name="api_policy_rule_attributes",
    ),
    path("policy-figures/", policies_api.PolicyFigures.as_view(), name="api_policy_figures"),
    path(
        "policy-applications/",
        policies_api.ApplicationListCreate.as_view(),
        name="api_policy_applications",
    ),
    path(
        "policy-applications/<int:pk>/",
        policies_api.ApplicationDetail.as_view(),
        name="api_policy_application",
    ),
    *[
        path(
            f"policy-applications/<int:pk>/{action}/",
            view.as_view(),
            name=f"api_policy_application_{action}",
        )
        for action, view in policies_api.APPLICATION_ACTION_VIEWS.items()
    ],
    path("payout-batches/", policies_api.BatchListCreate.as_view(), name="api_payout_batches"),
    path("payout-batches/<int:pk>/", policies_api.BatchDetail.as_view(), name="api_payout_batch"),
    path(
        "payout-batches/<int:pk>/lines/",
        policies_api.BatchLines.as_view(),
        name="api_payout_batch_lines",
    ),
    *[
        path(
            f"payout-batches/<int:pk>/{action}/",
            view.as_view(),
            name=f"api_payout_batch_{action}",
        )
        for action, view in policies_api.BATCH_ACTION_VIEWS.items()
    ],
    path(
        "objections/<int:pk>/handle/",
        policies_api.ObjectionHandle.as_view(),
        name="api_objection_handle",
    ),
    path(
        "objections/<int:pk>/withdraw/",
        policies_api.ObjectionWithdraw.as_view(),
        name="api_objection_withdraw",
    ),
    path(
        "public/policies/",
        policies_api.PublicPolicyList.as_view(),
        name="api_public_policies",
    ),
    path(
        "enterprises/<int:pk>/policies/",
        policies_api.EnterprisePolicies.as_view(),
        name="api_enterprise_policies",
    ),
    path("public/notices/", policies_api.PublicNoticeList.as_view(), name="api_public_notices"),
    path(
        "public/notices/<int:pk>/",
        policies_api.PublicNoticeDetail.as_view(),
        name="api_public_notice",
    ),
    path(
        "public/notices/<int:pk>/lines/",
        policies_api.PublicNoticeLines.as_view(),
        name="api_public_notice_lines",
    ),
    path(
        "public/notices/<int:pk>/objections/",
        policies_api.PublicObjection.as_view(),
        name="api_public_objection",
    ),
]

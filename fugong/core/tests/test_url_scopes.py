"""Every URL the project serves has a test that someone outside its scope is refused.

`test_every_url_pattern_has_a_scope_case` fails when a new URL pattern has no entry below: add one
(who must be refused, and with which status) or, for a public URL, say why it is public."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from fugong.conftest import at
from fugong.core.models import ImportJob
from fugong.core.services import notify
from fugong.enterprises.models import GradeRule, Visit
from fugong.enterprises.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

REDIRECT_TO_LOGIN, FORBIDDEN, NOT_FOUND, UNAUTHENTICATED = {302}, {403}, {404}, {401}

PUBLIC = {
    "login": "the login page",
    "logout": "logging out only ends one's own session",
    "set_language": "choosing the interface language",
    "admin_login": "sends the back office's login to the site's own (password, then TOTP code)",
    "healthz": "liveness probe for load balancers; says only ok / database unavailable",
    "factors:job_board": "the public job board (云招聘): published openings only",
    "factors:job_public": "one published opening on the public job board",
    "factors:hotlines_public": "the job and recruitment hotlines, listed for the public",
    "api_jobs": "the public job board's API: published openings only",
    "api_job": "one published opening, public",
    "api_hotlines": "the hotlines, public to read (adding one needs the coordinator: tested in factors)",
    "policies:public_list": "惠企政策 are published for everyone to read",
    "policies:public_detail": "one published policy, for everyone (drafts answer 404)",
    "policies:public_attachment": "a published policy's document (drafts' answer 404)",
    "policies:public_notices": "公示: payout lists are noticed publicly",
    "policies:public_notice": "one noticed payout list, where anyone may object",
    "api_public_policies": "the public policy list, for machines",
    "api_public_objection": "anyone may object to a noticed payout list (the page allows it too)",
    "api_public_notices": "公示: the noticed payout lists, for machines (the page is public too)",
    "api_public_notice": "one noticed payout list's total and window, public like its page",
    "api_public_notice_lines": "a noticed list's enterprises and amounts, public like its page",
}


@dataclass
class Case:
    persona: str | None  # None: not logged in
    expected: set[int]
    method: str = "get"
    kwargs: Callable[[dict], dict] = field(default=lambda world: {})
    data: Callable[[dict], dict] = field(default=lambda world: {})


def pk(key):
    return lambda world: {"pk": world[key].pk}


CASES = {
    "home": Case(None, REDIRECT_TO_LOGIN),
    "two_factor": Case(None, REDIRECT_TO_LOGIN),
    "api_keys": Case(None, REDIRECT_TO_LOGIN),
    "password_change": Case(None, REDIRECT_TO_LOGIN),
    "password_change_done": Case(None, REDIRECT_TO_LOGIN),
    "notifications": Case(None, REDIRECT_TO_LOGIN),
    "import_file": Case("coordinator", NOT_FOUND, "get", pk("report_job")),
    "notification_read": Case("leader", NOT_FOUND, "post", pk("notification")),
    "portal": Case("leader", FORBIDDEN),
    "portal_report": Case("street_officer", FORBIDDEN),
    "enterprises:list": Case("enforcement", FORBIDDEN),
    "enterprises:export": Case("enterprise_a", FORBIDDEN),
    "enterprises:create": Case("leader", FORBIDDEN),
    "enterprises:picker_options": Case(None, REDIRECT_TO_LOGIN),
    "enterprises:import": Case("street_officer", FORBIDDEN),
    "enterprises:import_template": Case("leader", FORBIDDEN),
    "enterprises:import_job": Case("leader", FORBIDDEN, "get", pk("enterprise_job")),
    "enterprises:detail": Case("enterprise_b", NOT_FOUND, "get", pk("a")),
    "enterprises:edit": Case("park_officer", NOT_FOUND, "get", pk("a")),
    "enterprises:project_list": Case("nobody", FORBIDDEN),
    "enterprises:project_export": Case("nobody", FORBIDDEN),
    "enterprises:project_create": Case("enforcement", FORBIDDEN),
    "enterprises:project_detail": Case("street_officer", NOT_FOUND, "get", pk("park_project")),
    "enterprises:project_edit": Case("enterprise_b", NOT_FOUND, "get", pk("park_project")),
    "enterprises:grade_rules": Case("street_officer", FORBIDDEN),
    "enterprises:grade_rule_create": Case("leader", FORBIDDEN),
    "enterprises:grade_rule_edit": Case("leader", FORBIDDEN, "get", pk("rule")),
    "enterprises:grade_rule_delete": Case("street_officer", FORBIDDEN, "post", pk("rule")),
    "enterprises:grades_recompute": Case("leader", FORBIDDEN, "post"),
    "enterprises:grade_override": Case("enterprise_b", NOT_FOUND, "get", pk("a")),
    "enterprises:grade_override_clear": Case("enterprise_a", FORBIDDEN, "post", pk("a")),
    "enterprises:coverage": Case("liaison", FORBIDDEN),
    "enterprises:coverage_export": Case("enterprise_a", FORBIDDEN),
    "enterprises:my_enterprises": Case("coordinator", FORBIDDEN),
    "enterprises:liaison_assign": Case("park_officer", NOT_FOUND, "get", pk("a")),
    "enterprises:liaison_end": Case("park_officer", NOT_FOUND, "post", pk("assignment")),
    "enterprises:liaison_make_primary": Case("liaison", FORBIDDEN, "post", pk("assignment")),
    "enterprises:liaison_import": Case("leader", FORBIDDEN),
    "enterprises:liaison_import_template": Case("liaison", FORBIDDEN),
    "enterprises:liaison_import_job": Case("street_officer", NOT_FOUND, "get", pk("liaison_job")),
    "enterprises:visits": Case("enterprise_a", FORBIDDEN),
    "services:visit_new": Case("leader", FORBIDDEN),
    "enterprises:visit_detail": Case("enterprise_a", NOT_FOUND, "get", pk("visit")),
    "resumption:dashboard": Case("enterprise_a", FORBIDDEN),
    "resumption:dashboard_export": Case("enforcement", FORBIDDEN),
    "resumption:bulletin": Case("enterprise_b", FORBIDDEN),
    "resumption:entities": Case("nobody", FORBIDDEN),
    "resumption:subject_reports": Case(
        "enterprise_b", NOT_FOUND, "get", lambda w: {"kind": "enterprise", "pk": w["a"].pk}
    ),
    "resumption:correct": Case("enterprise_b", NOT_FOUND, "get", pk("report")),
    "resumption:flags": Case("leader", FORBIDDEN),
    "resumption:flag_review": Case("park_officer", NOT_FOUND, "post", pk("flagged")),
    "resumption:missing": Case("liaison", FORBIDDEN),
    "resumption:remind": Case("leader", FORBIDDEN, "post"),
    "resumption:upload": Case("clerk", FORBIDDEN),
    "resumption:upload_template": Case("enterprise_a", FORBIDDEN),
    "resumption:upload_job": Case("coordinator", NOT_FOUND, "get", pk("report_job")),
    "services:list": Case("enterprise_a", FORBIDDEN),
    "services:export": Case("enforcement", FORBIDDEN),
    "services:queue": Case("coordinator", FORBIDDEN),
    "services:new": Case("clerk", FORBIDDEN),
    "services:difficulties": Case("leader", FORBIDDEN),
    "services:from_report": Case(
        "park_officer", NOT_FOUND, "get", lambda w: {"report_pk": w["difficulty"].pk}
    ),
    "services:detail": Case("enterprise_b", NOT_FOUND, "get", pk("service_request")),
    "services:action": Case(
        "enterprise_b",
        NOT_FOUND,
        "post",
        lambda w: {"pk": w["service_request"].pk, "action": "claim"},
    ),
    "services:attachment": Case("park_officer", NOT_FOUND, "get", pk("attachment")),
    "services:extensions": Case("clerk", FORBIDDEN),
    "services:extension_decide": Case("clerk", FORBIDDEN, "post", pk("extension")),
    "services:figures": Case("enterprise_a", FORBIDDEN),
    "services:figures_export": Case("liaison", FORBIDDEN),
    "services:letters": Case("street_officer", FORBIDDEN),
    "services:routing": Case("clerk", FORBIDDEN),
    "services:routing_delete": Case("leader", FORBIDDEN, "post", pk("routing_rule")),
    "services:deadlines": Case("enterprise_a", FORBIDDEN),
    "services:calendar": Case("enterprise_b", FORBIDDEN),
    "services:calendar_delete": Case("leader", FORBIDDEN, "post", pk("calendar_day")),
    "services:portal_requests": Case("coordinator", FORBIDDEN),
    "services:portal_new": Case("clerk", FORBIDDEN),
    "api_me": Case(None, UNAUTHENTICATED),
    "api_regions": Case(None, UNAUTHENTICATED),
    "api_departments": Case(None, UNAUTHENTICATED),
    "api_enterprises": Case("enterprise_a", FORBIDDEN),
    "api_enterprise": Case("enterprise_b", NOT_FOUND, "get", pk("a")),
    "api_enterprise_history": Case("liaison", NOT_FOUND, "get", pk("b")),
    "api_enterprise_import": Case("street_officer", FORBIDDEN, "post"),
    "api_enterprise_grade": Case("enterprise_b", NOT_FOUND, "post", pk("a")),
    "api_grade_rules": Case("street_officer", FORBIDDEN),
    "api_grade_rule": Case("enterprise_a", FORBIDDEN, "get", pk("rule")),
    "api_grades_recompute": Case("leader", FORBIDDEN, "post"),
    "api_liaison_assignments": Case("enforcement", FORBIDDEN),
    "api_liaison_import": Case("liaison", FORBIDDEN, "post"),
    "api_liaison_end": Case("enterprise_b", NOT_FOUND, "post", pk("assignment")),
    "api_liaison_primary": Case("enterprise_b", NOT_FOUND, "post", pk("assignment")),
    "api_coverage": Case("liaison", FORBIDDEN),
    "api_coverage_uncovered": Case("enterprise_a", FORBIDDEN),
    "api_visits": Case("enterprise_b", FORBIDDEN),
    "api_visit": Case("enterprise_b", NOT_FOUND, "get", pk("visit")),
    "api_projects": Case("nobody", FORBIDDEN),
    "api_project": Case("street_officer", NOT_FOUND, "get", pk("park_project")),
    "api_reports": Case("enforcement", FORBIDDEN),
    "api_report_import": Case("leader", FORBIDDEN, "post"),
    "api_report_correct": Case("enterprise_b", NOT_FOUND, "post", pk("report")),
    "api_flag_review": Case("park_officer", NOT_FOUND, "post", pk("flagged")),
    "api_figures": Case("enterprise_a", FORBIDDEN),
    "api_series": Case("enforcement", FORBIDDEN),
    "api_figure_entities": Case("enterprise_b", FORBIDDEN),
    "api_bulletin": Case("nobody", FORBIDDEN),
    "api_missing": Case("liaison", FORBIDDEN),
    "api_reminders": Case("leader", FORBIDDEN, "post"),
    "api_notifications": Case(None, UNAUTHENTICATED),
    "api_notification_read": Case("leader", NOT_FOUND, "post", pk("notification")),
    "schema": Case(None, UNAUTHENTICATED),
    "api_docs": Case(None, UNAUTHENTICATED),
    "api_redoc": Case(None, UNAUTHENTICATED),
    "admin:index": Case("leader", REDIRECT_TO_LOGIN),
    "api_requests": Case("enforcement", FORBIDDEN),
    "api_request": Case("enterprise_b", NOT_FOUND, "get", pk("service_request")),
    "api_request_claim": Case("street_officer", FORBIDDEN, "post", pk("service_request")),
    "api_request_reply": Case("park_officer", FORBIDDEN, "post", pk("service_request")),
    "api_request_transfer": Case("liaison", FORBIDDEN, "post", pk("service_request")),
    "api_request_return": Case("enterprise_a", FORBIDDEN, "post", pk("service_request")),
    "api_request_extension": Case("leader", FORBIDDEN, "post", pk("service_request")),
    "api_request_cohandle": Case("street_officer", FORBIDDEN, "post", pk("service_request")),
    "api_request_route": Case("leader", FORBIDDEN, "post", pk("service_request")),
    "api_request_close": Case("clerk", FORBIDDEN, "post", pk("service_request")),
    "api_request_reopen": Case("enterprise_a", FORBIDDEN, "post", pk("service_request")),
    "api_request_escalate": Case("street_officer", FORBIDDEN, "post", pk("service_request")),
    "api_request_rate": Case("enterprise_b", NOT_FOUND, "post", pk("service_request")),
    "api_request_attachment": Case("park_officer", NOT_FOUND, "get", pk("attachment")),
    "api_request_queue": Case("coordinator", FORBIDDEN),
    "api_request_difficulties": Case("leader", FORBIDDEN),
    "api_request_extensions": Case("clerk", FORBIDDEN),
    "api_request_extension_decide": Case("clerk", FORBIDDEN, "post", pk("extension")),
    "api_request_figures": Case("enterprise_a", FORBIDDEN),
    "api_request_letters": Case("street_officer", FORBIDDEN),
    "api_routing_rules": Case("clerk", FORBIDDEN),
    "api_routing_rule": Case("leader", FORBIDDEN, "delete", pk("routing_rule")),
    "api_deadline_policies": Case("liaison", FORBIDDEN),
    "api_deadline_policy": Case("enterprise_a", FORBIDDEN, "get", pk("deadline_policy")),
    "api_calendar_days": Case("enterprise_b", FORBIDDEN),
    "api_calendar_day": Case("leader", FORBIDDEN, "delete", pk("calendar_day")),
    "factors:overview": Case("enterprise_a", FORBIDDEN),
    "factors:openings": Case("enforcement", FORBIDDEN),
    "factors:opening_new": Case("leader", FORBIDDEN),
    "factors:opening_detail": Case("enterprise_b", NOT_FOUND, "get", pk("opening")),
    "factors:opening_edit": Case("enterprise_b", NOT_FOUND, "get", pk("opening")),
    "factors:opening_action": Case(
        "enterprise_b", NOT_FOUND, "post", lambda w: {"pk": w["opening"].pk, "action": "close"}
    ),
    "factors:seekers": Case("enforcement", FORBIDDEN),
    "factors:seeker_new": Case("leader", FORBIDDEN),
    "factors:seeker_detail": Case("enterprise_b", NOT_FOUND, "get", pk("seeker")),
    "factors:application_move": Case(
        "enterprise_b", NOT_FOUND, "post", lambda w: {"pk": w["application"].pk, "move": "hire"}
    ),
    "factors:hotlines": Case("enterprise_a", FORBIDDEN),
    "factors:hotline_retire": Case("leader", FORBIDDEN, "post", pk("hotline")),
    "factors:workers": Case("enforcement", FORBIDDEN),
    "factors:worker_new": Case("leader", FORBIDDEN),
    "factors:worker_import": Case("leader", FORBIDDEN),
    "factors:worker_import_template": Case("clerk", FORBIDDEN),
    "factors:worker_import_job": Case("coordinator", NOT_FOUND, "get", pk("worker_job")),
    "factors:worker_detail": Case("enterprise_b", NOT_FOUND, "get", pk("worker")),
    "factors:worker_cancel": Case("enterprise_b", NOT_FOUND, "post", pk("worker")),
    "factors:vehicles": Case("enterprise_a", FORBIDDEN),
    "factors:vehicle_withdraw": Case("leader", FORBIDDEN, "post", pk("vehicle")),
    "factors:runs": Case("street_officer", FORBIDDEN),
    "factors:run_detail": Case("liaison", FORBIDDEN, "get", pk("run")),
    "factors:trips": Case("enforcement", FORBIDDEN),
    "factors:trip_detail": Case("enterprise_b", NOT_FOUND, "get", pk("trip")),
    "factors:trip_manifest": Case("enterprise_b", NOT_FOUND, "get", pk("trip")),
    "factors:trip_action": Case(
        "enterprise_b", NOT_FOUND, "post", lambda w: {"pk": w["trip"].pk, "action": "confirm"}
    ),
    "factors:counties": Case("enterprise_a", FORBIDDEN),
    "factors:loans": Case("enforcement", FORBIDDEN),
    "factors:loan_new": Case("leader", FORBIDDEN),
    "factors:loan_detail": Case("enterprise_b", NOT_FOUND, "get", pk("loan")),
    "factors:loan_move": Case(
        "enterprise_b", NOT_FOUND, "post", lambda w: {"pk": w["loan"].pk, "move": "review"}
    ),
    "api_job_openings": Case("enforcement", FORBIDDEN),
    "api_job_opening": Case("enterprise_b", NOT_FOUND, "get", pk("opening")),
    "api_job_opening_review": Case("enterprise_a", FORBIDDEN, "post", pk("opening")),
    "api_job_opening_close": Case("enterprise_b", NOT_FOUND, "post", pk("opening")),
    "api_job_seekers": Case("enforcement", FORBIDDEN),
    "api_job_seeker": Case("enterprise_b", NOT_FOUND, "get", pk("seeker")),
    "api_job_applications": Case("enforcement", FORBIDDEN),
    "api_job_application_move": Case("enterprise_b", NOT_FOUND, "post", pk("application")),
    "api_returning_workers": Case("enforcement", FORBIDDEN),
    "api_returning_worker_import": Case("leader", FORBIDDEN, "post"),
    "api_returning_worker": Case("enterprise_b", NOT_FOUND, "get", pk("worker")),
    "api_returning_worker_cancel": Case("enterprise_b", NOT_FOUND, "post", pk("worker")),
    "api_vehicles": Case("enterprise_a", FORBIDDEN),
    "api_vehicle_withdraw": Case("leader", FORBIDDEN, "post", pk("vehicle")),
    "api_shuttle_plans": Case("street_officer", FORBIDDEN),
    "api_shuttle_plan": Case("liaison", FORBIDDEN, "get", pk("run")),
    "api_shuttle_trips": Case("enforcement", FORBIDDEN),
    "api_shuttle_trip": Case("enterprise_b", NOT_FOUND, "get", pk("trip")),
    "api_shuttle_trip_manifest": Case("enterprise_b", NOT_FOUND, "get", pk("trip")),
    "api_shuttle_trip_action": Case(
        "enterprise_b", NOT_FOUND, "post", lambda w: {"pk": w["trip"].pk, "action": "confirm"}
    ),
    "api_loans": Case("enforcement", FORBIDDEN),
    "api_loan": Case("enterprise_b", NOT_FOUND, "get", pk("loan")),
    "api_loan_move": Case("enterprise_a", FORBIDDEN, "post", pk("loan")),
    "api_factor_figures": Case("enterprise_a", FORBIDDEN),
    "api_counties": Case(None, UNAUTHENTICATED),
    "api_county": Case("nobody", FORBIDDEN, "get", pk("county")),
    "policies:list": Case("enterprise_a", FORBIDDEN),
    "policies:new": Case("street_officer", FORBIDDEN),
    "policies:figures": Case("enterprise_b", FORBIDDEN),
    "policies:figures_export": Case("enforcement", FORBIDDEN),
    "policies:applications": Case("enterprise_b", FORBIDDEN),
    "policies:application_detail": Case("enterprise_b", NOT_FOUND, "get", pk("application")),
    "policies:application_action": Case(
        "clerk", NOT_FOUND, "post", lambda w: {"pk": w["application"].pk, "action": "approve"}
    ),
    "policies:batch_detail": Case("clerk", NOT_FOUND, "get", pk("batch")),
    "policies:batch_export": Case("enterprise_a", FORBIDDEN, "get", pk("batch")),
    "policies:batch_action": Case(
        "leader", FORBIDDEN, "post", lambda w: {"pk": w["batch"].pk, "action": "confirm"}
    ),
    "policies:objection_handle": Case("clerk", NOT_FOUND, "post", pk("objection")),
    "policies:objection_withdraw": Case("clerk", NOT_FOUND, "post", pk("objection")),
    "policies:attachment": Case("enterprise_b", NOT_FOUND, "get", pk("draft_attachment")),
    "policies:attachment_delete": Case("clerk", NOT_FOUND, "post", pk("draft_attachment")),
    "policies:detail": Case("clerk", NOT_FOUND, "get", pk("draft")),
    "policies:edit": Case("clerk", FORBIDDEN, "get", pk("grant")),
    "policies:explain": Case("enterprise_a", FORBIDDEN, "get", pk("grant")),
    "policies:matches": Case("nobody", FORBIDDEN, "get", pk("grant")),
    "policies:matches_export": Case("enforcement", FORBIDDEN, "get", pk("grant")),
    "policies:action": Case(
        "clerk", FORBIDDEN, "post", lambda w: {"pk": w["grant"].pk, "action": "expire"}
    ),
    "policies:portal_list": Case("coordinator", FORBIDDEN),
    "policies:portal_detail": Case("enterprise_b", NOT_FOUND, "get", pk("draft")),
    "policies:portal_apply": Case("leader", FORBIDDEN, "get", pk("grant")),
    "api_policies": Case("enforcement", FORBIDDEN),
    "api_policy": Case("clerk", NOT_FOUND, "get", pk("draft")),
    "api_policy_publish": Case("clerk", NOT_FOUND, "post", pk("draft")),
    "api_policy_expire": Case("clerk", FORBIDDEN, "post", pk("grant")),
    "api_policy_rematch": Case("clerk", FORBIDDEN, "post", pk("grant")),
    "api_policy_matches": Case("enterprise_a", FORBIDDEN, "get", pk("grant")),
    "api_policy_explain": Case(
        "enterprise_b", NOT_FOUND, "get", pk("grant"), lambda w: {"enterprise": w["a"].pk}
    ),
    "api_policy_rule_attributes": Case("enterprise_a", FORBIDDEN),
    "api_policy_figures": Case("enterprise_b", FORBIDDEN),
    "api_policy_applications": Case("enforcement", FORBIDDEN),
    "api_policy_application": Case("enterprise_b", NOT_FOUND, "get", pk("application")),
    **{
        f"api_policy_application_{action}": Case(
            "enterprise_b" if action in ("resubmit", "withdraw") else "clerk",
            NOT_FOUND,
            "post",
            pk("application"),
        )
        for action in ("ask", "resubmit", "approve", "reject", "pay", "withdraw")
    },
    "api_payout_batches": Case("street_officer", FORBIDDEN),
    "api_payout_batch": Case("clerk", NOT_FOUND, "get", pk("batch")),
    "api_payout_batch_lines": Case("clerk", NOT_FOUND, "get", pk("batch")),
    **{
        f"api_payout_batch_{action}": Case("clerk", NOT_FOUND, "post", pk("batch"))
        for action in ("notice", "confirm", "pay")
    },
    "api_objection_handle": Case("clerk", NOT_FOUND, "post", pk("objection")),
    "api_objection_withdraw": Case("clerk", NOT_FOUND, "post", pk("objection")),
    "api_enterprise_policies": Case("enterprise_b", NOT_FOUND, "get", pk("a")),
}


def url_names(resolver=None, namespace=None) -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                names.add("admin:index")  # the back office: one door, checked below
                continue
            names |= url_names(pattern, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


# More attempts on URLs that take several methods or actions: each is refused too.
MORE_CASES = [
    *(
        (
            "services:action",
            Case(
                "enterprise_b",
                NOT_FOUND,
                "post",
                lambda w, action=action: {"pk": w["service_request"].pk, "action": action},
            ),
        )
        for action in (
            "reply",
            "rate",
            "transfer",
            "return",
            "extension",
            "cohandle",
            "route",
            "escalate",
            "close",
            "reopen",
        )
    ),
    *(
        ("services:action", Case(persona, expected, "post", kwargs))
        for persona, expected, kwargs in [
            # Who does not handle the request, nor serve its enterprise, does not see it.
            (
                "enforcement",
                NOT_FOUND,
                lambda w: {"pk": w["service_request"].pk, "action": "route"},
            ),
            (
                "park_officer",
                NOT_FOUND,
                lambda w: {"pk": w["service_request"].pk, "action": "close"},
            ),
        ]
    ),
    ("api_enterprise", Case("park_officer", NOT_FOUND, "patch", pk("a"))),
    ("api_enterprise", Case("leader", FORBIDDEN, "patch", pk("a"))),
    ("api_project", Case("enterprise_b", NOT_FOUND, "patch", pk("park_project"))),
    ("api_routing_rule", Case("leader", FORBIDDEN, "patch", pk("routing_rule"))),
    ("api_deadline_policy", Case("leader", FORBIDDEN, "patch", pk("deadline_policy"))),
    ("api_calendar_day", Case("clerk", FORBIDDEN, "patch", pk("calendar_day"))),
    ("api_grade_rule", Case("leader", FORBIDDEN, "patch", pk("rule"))),
    ("api_grade_rule", Case("street_officer", FORBIDDEN, "delete", pk("rule"))),
]


def test_every_url_pattern_has_a_scope_case():
    missing = url_names() - set(CASES) - set(PUBLIC)
    assert not missing, f"add a scope case (or a public reason) for: {sorted(missing)}"
    assert not (set(CASES) | set(PUBLIC)) - url_names(), "cases for URLs that no longer exist"


@pytest.fixture
def world(people, district, submit):
    a, b = people.enterprise_a.enterprise, people.enterprise_b.enterprise
    report = submit(a, "2020-03-01 10:00", "partly", duty=12)
    flagged = submit(a, "2020-03-02 10:00", "partly", duty=2)
    park_project = ProjectFactory(
        region=district.region("410103100"), park=district.region("P410103001")
    )
    [notification] = notify(recipients=[people.coordinator], title="t", body="b")
    upload = SimpleUploadedFile("x.csv", b"a,b\n1,2\n")
    enterprise_job = ImportJob.objects.create(
        kind="enterprises",
        file=upload,
        original_name="x.csv",
        uploaded_by=people.coordinator,
        status="refused",
    )
    report_job = ImportJob.objects.create(
        kind="reports",
        file=upload,
        original_name="x.csv",
        uploaded_by=people.street_officer,
        status="refused",
    )
    assert at("2020-03-01 10:00")
    liaison_job = ImportJob.objects.create(
        kind="liaisons",
        file=upload,
        original_name="x.csv",
        uploaded_by=people.coordinator,
        status="refused",
    )
    visit = Visit.objects.create(
        enterprise=a,
        officer=people.liaison,
        visited_on=date(2020, 3, 1),
        kind=Visit.Kind.ON_SITE,
        findings="已复工",
        recorded_by=people.liaison,
    )
    services_world = _services_world(people, district, submit, a)
    return {
        **services_world,
        **_factors_world(people, district, a, upload),
        **_policies_world(people, district),
        "rule": GradeRule.objects.create(order=1, grade="A", is_key=True),
        "assignment": a.liaison_assignments.get(),
        "liaison_job": liaison_job,
        "visit": visit,
        "a": a,
        "b": b,
        "report": report,
        "flagged": flagged,
        "park_project": park_project,
        "notification": notification,
        "enterprise_job": enterprise_job,
        "report_job": report_job,
    }


@pytest.mark.parametrize(
    "name, case",
    [*sorted(CASES.items()), *MORE_CASES],
    ids=[
        *sorted(CASES),
        *(f"{n}-{c.persona}-{c.method}-{i}" for i, (n, c) in enumerate(MORE_CASES)),
    ],
)
def test_outsiders_are_refused(name, case, people, world):
    client = Client()
    if case.persona:
        client.force_login(getattr(people, case.persona))
    url = reverse(name, kwargs=case.kwargs(world))
    if case.method in ("patch", "put"):  # an API body, as clients send it
        response = getattr(client, case.method)(
            url, json.dumps(case.data(world)), content_type="application/json"
        )
    else:
        response = getattr(client, case.method)(url, case.data(world))
    assert response.status_code in case.expected, (name, response.status_code)
    if case.expected == REDIRECT_TO_LOGIN:
        assert "login" in response.url


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
    b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05"
    b"\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _services_world(people, district, submit, a) -> dict:
    from fugong.services import services
    from fugong.services.models import CalendarDay, Channel, DeadlinePolicy, RoutingRule

    routing_rule = RoutingRule.objects.create(
        category="permits", department=district.departments["scjg"]
    )
    service_request = services.request_submit(
        actor=people.enterprise_a,
        enterprise=a,
        category="permits",
        title="执照变更",
        description="地址变更",
        channel=Channel.PORTAL,
        attachments=[SimpleUploadedFile("p.png", PNG)],
    )
    assignment = service_request.assignments.get()
    extension = services.extension_request(
        actor=people.clerk, assignment=assignment, stage="reply", extra_days=1, reason="调档"
    )
    difficulty = submit(
        a, "2020-03-03 10:00", "partly", duty=12, difficulty_category="labour", difficulty="缺工"
    )
    return {
        "routing_rule": routing_rule,
        "service_request": service_request,
        "attachment": service_request.attachments.get(),
        "extension": extension,
        "difficulty": difficulty,
        "calendar_day": CalendarDay.objects.create(
            date=date(2020, 3, 21), is_working_day=True, name="补班"
        ),
        "deadline_policy": DeadlinePolicy.objects.first(),  # the table comes with defaults
    }


def _factors_world(people, district, a, upload) -> dict:
    """An opening of A with an application, a hotline, a worker of A on a planned trip, a loan."""
    from decimal import Decimal

    from fugong.factors import services
    from fugong.factors.counties import counties_ensure_loaded
    from fugong.factors.models import County

    counties_ensure_loaded()  # a transactional test's flush may have emptied the table
    coordinator = people.coordinator
    opening = services.opening_submit(
        actor=coordinator,
        enterprise=a,
        title="普工",
        positions=10,
        salary_min=4000,
        salary_max=5000,
        work_place="马寨",
        contact_person="王",
        contact_phone="13812345678",
        valid_until=date(2099, 1, 1),
    )
    shenqiu = County.objects.get(code="411624")
    seeker = services.seeker_register(
        actor=people.clerk,
        name="求职者",
        id_number="411624199001011239",
        phone="13900000001",
        home_county=shenqiu,
    )
    worker = services.worker_register(
        actor=people.enterprise_a,
        enterprise=a,
        name="返岗员工",
        id_number="411624199002021232",
        phone="13900000002",
        home_county=shenqiu,
        earliest_date=date(2020, 2, 20),
    )
    vehicle = services.vehicle_register(
        actor=coordinator,
        plate="豫A12345",
        seats=45,
        operator="公交",
        driver_name="司机",
        driver_phone="13700000001",
        available_from=date(2020, 2, 20),
    )
    run = services.planning_request(
        actor=coordinator, first_day=date(2020, 2, 20), last_day=date(2020, 2, 20)
    )
    services.execute_run(run.pk)
    return {
        "opening": opening,
        "seeker": seeker,
        "application": services.application_create(
            actor=people.clerk, opening=opening, seeker=seeker
        ),
        "hotline": services.hotline_save(
            actor=coordinator,
            number="0371-68186000",
            department=district.departments["rs"],
            topic="招工",
            hours="8:30–17:30",
            opened_on=date(2020, 2, 10),
        ),
        "worker": worker,
        "vehicle": vehicle,
        "run": run,
        "trip": worker.seats.get().trip,
        "loan": services.loan_submit(
            actor=coordinator,
            enterprise=a,
            amount=Decimal(300),
            purpose="流动资金",
            bank="中原银行",
            term_months=12,
        ),
        "worker_job": ImportJob.objects.create(
            kind="returning_workers",
            file=upload,
            original_name="x.csv",
            uploaded_by=people.enterprise_a,
            status="refused",
        ),
        "county": shenqiu,
    }


def _policies_world(people, district) -> dict:
    from decimal import Decimal

    from fugong.policies import services
    from fugong.policies.models import Policy

    def policy(**values):
        return services.policy_create(
            actor=people.coordinator,
            policy=Policy(
                issuer="二七区人社局",
                level="district",
                kind="subsidy",
                summary="示例",
                department=district.departments["rs"],
                effective_on=date(2020, 2, 1),
                benefit_kind="fixed",
                benefit_amount=Decimal(1000),
                **values,
            ),
            attachments=[SimpleUploadedFile("原文.png", PNG)],
        )

    draft = policy(title="草稿政策", mode="apply")
    grant = policy(title="免申即享政策", mode="auto_grant")
    applying = policy(title="申请政策", mode="apply")
    services.policy_publish(actor=people.coordinator, policy=grant)
    services.policy_publish(actor=people.coordinator, policy=applying)
    application = services.application_submit(
        actor=people.enterprise_a, policy=applying, statement="申请"
    )
    batch = services.payout_batch_create(actor=people.coordinator, policy=grant)
    services.payout_notice_start(actor=people.coordinator, batch=batch)
    objection = services.objection_file(
        batch=batch, name="张三", phone="13812345678", content="异议"
    )
    return {
        "draft": draft,
        "draft_attachment": draft.attachments.get(),
        "grant": grant,
        "application": application,
        "batch": batch,
        "objection": objection,
    }

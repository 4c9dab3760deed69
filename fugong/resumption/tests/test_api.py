import pytest
from django.urls import reverse

from fugong.core.models import PersonalDataAccess
from fugong.resumption.models import Report

pytestmark = pytest.mark.django_db


def post_report(client, data, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(reverse("api_reports"), data, content_type="application/json", **headers)


def a_report(people, **changes):
    return {
        "enterprise": people.enterprise_a.enterprise_id,
        "status": "partly",
        "workers_on_payroll": 20,
        "workers_on_duty": 9,
        **changes,
    }


def test_an_hr_system_posts_a_report_and_a_retry_is_stored_once(people, login):
    client = login(people.enterprise_a)
    first = post_report(client, a_report(people), key="2020-03-01-morning")
    retry = post_report(client, a_report(people), key="2020-03-01-morning")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry["Idempotent-Replay"] == "true"
    assert Report.objects.count() == 1
    assert first.json()["source"] == "api" and first.json()["reported_at"].endswith("+08:00")


def test_a_different_body_under_the_same_key_is_refused(people, login):
    client = login(people.enterprise_a)
    post_report(client, a_report(people), key="k1")
    response = post_report(client, a_report(people, workers_on_duty=10), key="k1")
    assert response.status_code == 409 and Report.objects.count() == 1


def test_a_refused_report_comes_back_in_the_error_shape(people, login):
    response = post_report(login(people.enterprise_a), a_report(people, workers_on_duty=25))
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "workers_on_duty" and "不能超过在册职工人数" in body["message"]
    assert not Report.objects.exists()


def test_enterprise_b_cannot_report_for_a(people, login):
    response = post_report(login(people.enterprise_b), a_report(people))
    assert response.status_code == 404 and not Report.objects.exists()


def test_a_report_needs_exactly_one_subject(people, login):
    response = post_report(login(people.coordinator), a_report(people, enterprise=None))
    assert response.status_code == 400 and response.json()["field"] == "enterprise"


def test_the_list_holds_only_visible_reports(people, login, submit):
    submit(people.enterprise_a.enterprise, "2020-03-01 10:00", "partly", duty=5)
    submit(people.enterprise_b.enterprise, "2020-03-01 10:00", "partly", duty=5)
    mine = login(people.enterprise_a).get(reverse("api_reports")).json()
    assert [r["enterprise"] for r in mine["results"]] == [people.enterprise_a.enterprise_id]
    assert login(people.leader).get(reverse("api_reports")).json()["count"] == 2


def test_a_correction_through_the_api(people, login, submit):
    report = submit(people.enterprise_a.enterprise, "2020-03-01 10:00", "partly", duty=5)
    response = login(people.enterprise_a).post(
        reverse("api_report_correct", args=[report.pk]),
        {"workers_on_duty": 6},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["supersedes"] == report.pk


def test_figures_series_entities_and_bulletin_agree(people, login, submit):
    submit(people.enterprise_a.enterprise, "2020-03-01 10:00", "partly", duty=5)
    client = login(people.leader)
    params = {"at": "2020-03-02T12:00:00+08:00"}
    figures = client.get(reverse("api_figures"), params).json()
    assert figures["total"]["entities"] == 2 and figures["total"]["resumed"] == 1
    assert figures["total"]["resumption_rate"] == 50.0
    entities = client.get(reverse("api_figure_entities"), {**params, "state": "resumed"}).json()
    assert entities["count"] == figures["total"]["resumed"]
    behind_a = client.get(
        reverse("api_figure_entities"), {**params, "grade": "A", "state": "behind"}
    )
    assert behind_a.json()["count"] == 0  # nobody is graded A here
    series = client.get(reverse("api_series"), {**params, "start": "2020-03-01"}).json()
    assert [p["total"]["resumed"] for p in series] == [1, 1]
    text = client.get(reverse("api_bulletin"), params).json()["text"]
    assert text.startswith("截至3月2日12时，全区")


def test_a_street_officers_figures_are_their_streets(people, login):
    figures = login(people.street_officer).get(reverse("api_figures")).json()
    assert figures["total"]["entities"] == 1
    assert [a["name"] for a in figures["by_area"]] == ["淮河路街道"]


def test_bad_parameters_are_4xx_in_the_error_shape(people, login):
    client = login(people.leader)
    future = client.get(reverse("api_figures"), {"at": "2999-01-01T00:00:00+08:00"})
    assert future.status_code == 400 and future.json()["field"] == "at"
    bad_state = client.get(reverse("api_figure_entities"), {"state": "maybe"})
    assert bad_state.status_code == 400 and bad_state.json()["field"] == "state"
    bad_grade = client.get(reverse("api_figure_entities"), {"grade": "D"})
    assert bad_grade.status_code == 400 and bad_grade.json()["field"] == "grade"
    not_a_time = client.get(reverse("api_figures"), {"at": "yesterday"})
    assert not_a_time.status_code == 400


def test_missing_reports_and_reminders(people, login):
    client = login(people.street_officer)
    missing = client.get(reverse("api_missing"), {"day": "2020-03-01"}).json()
    assert [e["name"] for e in missing["enterprises"]] == ["郑州甲方机械有限公司"]
    # Whom to call, as the page lists them; the number shown in full is recorded.
    assert missing["enterprises"][0]["contact_phone"] == "13812345678"
    assert PersonalDataAccess.objects.filter(user=people.street_officer).exists()
    queued = client.post(
        reverse("api_reminders"), {"day": "2020-03-01"}, content_type="application/json"
    )
    assert queued.status_code == 202


@pytest.mark.parametrize("persona", ["enterprise_a", "enforcement"])
def test_figures_are_closed_to_enterprises_and_enforcement(people, login, persona):
    assert login(getattr(people, persona)).get(reverse("api_figures")).status_code == 403


def test_flagged_reports_and_missing_counts_through_the_api(people, login, submit):
    a = people.enterprise_a.enterprise
    submit(a, "2020-03-01 10:00", "partly", duty=12)
    dip = submit(a, "2020-03-02 10:00", "partly", duty=2)
    client = login(people.street_officer)
    flagged = client.get(reverse("api_reports"), {"flagged": "true"}).json()
    assert [r["id"] for r in flagged["results"]] == [dip.pk]
    client.post(reverse("api_flag_review", args=[dip.pk]), {}, content_type="application/json")
    assert client.get(reverse("api_reports"), {"flagged": "true"}).json()["count"] == 0
    missing = client.get(reverse("api_missing"), {"day": "2020-03-03"}).json()
    assert missing["by_area"] == [{"region": a.region_id, "name": "淮河路街道", "count": 1}]

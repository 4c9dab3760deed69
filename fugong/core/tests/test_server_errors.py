"""When the database is out of reach (a restart, a failover) a request is refused with a 503 the
client may retry, in the API's error shape; any other crash stays a 500 without details."""

import pytest
from django.db import OperationalError
from django.urls import reverse

from fugong.resumption import api as resumption_api

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_reports(monkeypatch):
    def fail_with(exc):
        def get_queryset(self):
            raise exc

        monkeypatch.setattr(resumption_api.ReportListCreate, "get_queryset", get_queryset)

    return fail_with


def test_the_api_answers_503_in_its_error_shape_while_the_database_is_down(
    people, login, failing_reports
):
    failing_reports(OperationalError("server closed the connection unexpectedly"))
    client = login(people.coordinator)
    client.raise_request_exception = False
    response = client.get(reverse("api_reports"))
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json() == {
        "code": "database_unavailable",
        "message": "数据库暂时不可用，本次提交未保存，请稍后重试",
        "field": None,
    }


def test_another_crash_is_a_500_that_shows_nothing_of_it(people, login, failing_reports):
    failing_reports(RuntimeError("secret detail"))
    client = login(people.coordinator)
    client.raise_request_exception = False
    response = client.get(reverse("api_reports"))
    assert response.status_code == 500 and "Retry-After" not in response
    assert response.json()["code"] == "server_error"
    assert "secret detail" not in response.content.decode()


def test_a_page_says_so_in_chinese_while_the_database_is_down(people, login, monkeypatch):
    from fugong.resumption import views

    def down(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(views, "figures_as_of", down)
    client = login(people.leader)
    client.raise_request_exception = False
    response = client.get("/dashboard/")
    assert response.status_code == 503
    assert "暂时无法访问" in response.content.decode()

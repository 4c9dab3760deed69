import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from fugong.core.models import ApiKey, User
from fugong.core.queries import CompiledQuery
from fugong.resumption.models import CurrentState

pytestmark = pytest.mark.django_db

BY_USERNAME = CompiledQuery(lambda name: User.objects.filter(username=name)[:1], "?")


def test_it_returns_the_same_instance_as_the_orm(people):
    found = BY_USERNAME.first("company_a")
    expected = User.objects.get(username="company_a")
    assert found == expected and found.enterprise_id == expected.enterprise_id
    # SQLite hands datetimes and booleans back as text and 0/1: the ORM's converters ran.
    assert found.date_joined == expected.date_joined and found.date_joined.tzinfo is not None
    assert found.is_active is True
    assert BY_USERNAME.first("no-such-person") is None


def test_each_call_runs_with_its_own_values(people):
    assert BY_USERNAME.first("company_a").pk == people.enterprise_a.pk
    assert BY_USERNAME.first("company_b").pk == people.enterprise_b.pk


def test_a_query_whose_parameters_are_not_the_placeholders_is_refused():
    # filter(**kwargs) orders its conditions by name: the parameters come out as (key, prefix).
    swapped = CompiledQuery(
        lambda prefix, name: ApiKey.objects.filter(prefix=prefix, name=name)[:1], "?p", "?n"
    )
    with pytest.raises(ValueError, match="placeholders"):
        swapped.first("abc", "k")


def test_a_locking_query_locks_where_the_database_can():
    locked = CompiledQuery(
        lambda pk: CurrentState.objects.select_for_update().filter(enterprise_id=pk)[:1], -1
    )
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert locked.first(1) is None
    [select] = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert select.endswith("FOR UPDATE") == connection.features.has_select_for_update


def test_a_query_of_part_of_a_row_is_refused():
    partial = CompiledQuery(lambda name: User.objects.only("id").filter(username=name)[:1], "?")
    with pytest.raises(ValueError, match="whole rows"):
        partial.first("company_a")

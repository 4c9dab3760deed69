import gc
import threading
import weakref

import pytest
from django.db import connection, connections, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from fugong.core.models import ApiKey, IdempotencyRecord, User
from fugong.core.queries import CompiledQuery
from fugong.enterprises.models import Enterprise
from fugong.resumption.models import CurrentState

pytestmark = pytest.mark.django_db

BY_USERNAME = CompiledQuery(lambda name: User.objects.filter(username=name)[:1], "?")
ENTERPRISE_BY_ID = CompiledQuery(lambda pk: Enterprise.objects.filter(pk=pk)[:1], -1)
RECORD_BY_KEY = CompiledQuery(lambda key: IdempotencyRecord.objects.filter(key=key)[:1], "?")
LOCKED_STATE = CompiledQuery(
    lambda pk: CurrentState.objects.select_for_update().filter(enterprise_id=pk)[:1], -1
)


def same_fields(found, expected) -> bool:
    names = [field.attname for field in type(expected)._meta.concrete_fields]
    return [getattr(found, n) for n in names] == [getattr(expected, n) for n in names]


def test_it_returns_the_same_instance_as_the_orm(people):
    # SQLite hands times, booleans, decimals and JSON back as text and numbers: the ORM's
    # converters must have run for every field to come out equal.
    found = BY_USERNAME.first("company_a")
    assert same_fields(found, User.objects.get(username="company_a"))
    assert found.date_joined.tzinfo is not None and found.is_active is True
    enterprise = Enterprise.objects.get(pk=people.enterprise_a.enterprise_id)
    assert same_fields(ENTERPRISE_BY_ID.first(enterprise.pk), enterprise)
    record = IdempotencyRecord.objects.create(
        user=people.enterprise_a,
        scope="/api/v1/reports/",
        key="k1",
        fingerprint="f",
        status_code=201,
        body={"id": 7, "flags": ["duty_halved"], "名称": "康师傅"},
    )
    found = RECORD_BY_KEY.first("k1")
    assert same_fields(found, IdempotencyRecord.objects.get(pk=record.pk))
    assert found.body["flags"] == ["duty_halved"]
    assert BY_USERNAME.first("no-such-person") is None


def test_each_call_runs_with_its_own_values(people):
    assert BY_USERNAME.first("company_a").pk == people.enterprise_a.pk
    assert BY_USERNAME.first("company_b").pk == people.enterprise_b.pk


def test_a_query_whose_parameters_are_not_the_placeholders_is_refused():
    # filter(**kwargs) orders its conditions by name: the parameters come out as (name, prefix).
    swapped = CompiledQuery(
        lambda prefix, name: ApiKey.objects.filter(prefix=prefix, name=name)[:1], "?p", "?n"
    )
    with pytest.raises(ValueError, match="placeholders"):
        swapped.first("abc", "k")
    with pytest.raises(ValueError, match="differ"):
        CompiledQuery(lambda a, b: ApiKey.objects.filter(pk=a, user_id=b)[:1], -1, -1)


def test_a_query_of_part_of_a_row_is_refused():
    partial = CompiledQuery(lambda name: User.objects.only("id").filter(username=name)[:1], "?")
    with pytest.raises(ValueError, match="whole rows"):
        partial.first("company_a")


def test_a_locking_query_locks_where_the_database_can():
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert LOCKED_STATE.first(1) is None
    [select] = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    if connection.vendor == "postgresql":
        assert select.endswith("FOR UPDATE")
    else:
        assert "FOR UPDATE" not in select and not connection.features.has_select_for_update


@pytest.mark.skipif(
    not connection.features.has_select_for_update, reason="SQLite has no FOR UPDATE to misuse"
)
@pytest.mark.django_db(transaction=True)
def test_a_locking_query_outside_a_transaction_is_refused_every_time():
    with transaction.atomic():
        LOCKED_STATE.first(1)  # compiled inside a transaction
    with pytest.raises(TransactionManagementError):  # and now in autocommit, as a bare view
        LOCKED_STATE.first(1)


@pytest.mark.django_db(transaction=True)
def test_what_a_thread_kept_goes_with_its_connection(people):
    kept = []

    def in_a_thread():
        assert BY_USERNAME.first("company_a") is not None  # converters kept on this connection
        kept.append(weakref.ref(connections["default"]))
        connections.close_all()

    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join()
    del thread
    gc.collect()
    assert kept and kept[0]() is None

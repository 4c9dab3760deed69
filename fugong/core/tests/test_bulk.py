import pytest
from simple_history.utils import bulk_create_with_history

from fugong.core.bulk import create_rows_with_history, create_with_history
from fugong.enterprises.models import Enterprise
from fugong.enterprises.tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

SKIP = {
    "id",
    "history_id",
    "history_date",
    "created_at",
    "updated_at",
    "uscc",
    "name",
    "name_pinyin",
    "name_initials",
}


def values(queryset):
    return [{k: v for k, v in row.items() if k not in SKIP} for row in queryset.values()]


def test_fast_inserts_write_what_django_and_simple_history_write(people):
    template = EnterpriseFactory.build(region=people.enterprise_a.enterprise.region)
    fields = {
        f.attname: getattr(template, f.attname)
        for f in Enterprise._meta.concrete_fields
        if f.attname not in ("id", "name", "uscc")
    }

    def make(prefix, n):
        return [
            Enterprise(name=f"{prefix}{i}", uscc=f"{prefix}{i:016d}"[:18], **fields)
            for i in range(n)
        ]

    bulk_create_with_history(
        make("A", 3), Enterprise, default_user=people.coordinator, default_change_reason="导入"
    )
    create_with_history(make("B", 3), key="uscc", actor=people.coordinator, reason="导入")

    history = Enterprise.history.model.objects
    assert values(Enterprise.objects.filter(name__startswith="B")) == values(
        Enterprise.objects.filter(name__startswith="A")
    )
    assert values(history.filter(name__startswith="B")) == values(
        history.filter(name__startswith="A")
    )
    created = Enterprise.objects.get(name="B0")
    assert created.created_at is not None
    assert created.history.get().history_user == people.coordinator


def test_nothing_to_insert_is_a_no_op(db):
    create_with_history([], key="uscc")
    create_rows_with_history(Enterprise, [], key="uscc")

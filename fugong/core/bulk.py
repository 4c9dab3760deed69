"""Inserting tens of thousands of rows, with their history, in a few statements.

Django's bulk_create prepares every value of every object in Python, and simple-history's bulk
helper builds a second model instance per row; for a district's whole register that overhead is
most of an import's time. Here a row goes to the driver as a plain list (COPY on PostgreSQL,
executemany on SQLite), and only values whose database form differs from the Python one
(datetimes, decimals, JSON) go through the field's own preparation. The rows written are exactly
what those two helpers would write (a test compares them).
"""

from collections.abc import Iterable, Sequence

from django.db import connection, models
from django.utils import timezone

# Field types whose Python values the drivers take as they are.
_PASS_THROUGH = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.AutoField,
)


def insert_rows(model: type[models.Model], rows: list[dict]) -> None:
    """Insert rows of a model that keeps no history (a missing field takes its default)."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    _fill_defaults(fields, rows)
    _insert(model, fields, ([row[f.attname] for f in fields] for row in rows))


def create_rows_with_history(
    model: type[models.Model],
    rows: list[dict],
    *,
    key: str,
    actor=None,
    reason: str = "",
    at=None,
) -> None:
    """Insert new rows of `model` and their creation records. A row maps field attnames to values
    (a missing field takes its default); `key` names a unique field, used to learn the primary
    keys the database gave the rows, which are then stored in each row under "id"."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    _fill_defaults(fields, rows)
    _insert(model, fields, ([row[f.attname] for f in fields] for row in rows))
    ids = {}
    keys = [row[key] for row in rows]
    for start in range(0, len(keys), 5000):
        chunk = keys[start : start + 5000]
        ids.update(model.objects.filter(**{f"{key}__in": chunk}).values_list(key, "pk"))
    for row in rows:
        row["id"] = ids[row[key]]
    _insert_history(model, rows, user=actor, reason=reason, at=at)


def create_with_history(
    objects: Sequence[models.Model], *, key: str, actor=None, reason: str = "", at=None
) -> None:
    """The same for unsaved instances; their primary keys are set afterwards."""
    if not objects:
        return
    model = type(objects[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    for obj in objects:
        # Related objects saved after being assigned (a builder saved just before its projects)
        # have their keys copied now, exactly as bulk_create does.
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    rows = [{f.attname: getattr(obj, f.attname) for f in fields} for obj in objects]
    create_rows_with_history(model, rows, key=key, actor=actor, reason=reason, at=at)
    for obj, row in zip(objects, rows, strict=True):
        obj.pk = row["id"]
        obj._state.adding = False


def _fill_defaults(fields: list[models.Field], rows: list[dict]) -> None:
    now = timezone.now()
    for f in fields:
        stamped = isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add)
        for row in rows:
            if stamped and (f.auto_now or row.get(f.attname) is None):
                row[f.attname] = now
            elif f.attname not in row:
                row[f.attname] = f.get_default()


def _insert_history(model, rows: list[dict], *, user, reason: str, at=None) -> None:
    """One historical record per new row, as simple-history writes it (dated `at`, or now)."""
    historical = model.history.model
    tracked = [f for f in historical._meta.concrete_fields if not f.name.startswith("history_")]
    extra = {
        "history_date": at or timezone.now(),
        "history_change_reason": reason or None,
        "history_type": "+",
        "history_user_id": user.pk if user else None,
    }
    fields = tracked + [historical._meta.get_field(name) for name in extra]
    values = list(extra.values())
    _insert(historical, fields, ([*(row[f.attname] for f in tracked), *values] for row in rows))


def _insert(
    model, fields: list[models.Field], rows: Iterable[list], batch_size: int = 5000
) -> None:
    converted = [i for i, f in enumerate(fields) if not isinstance(f, _PASS_THROUGH)]
    # A bulk write stamps every row with the same few datetimes: prepare each distinct value once.
    prepared: dict[tuple[int, object], object] = {}

    def prepare(row: list) -> list:
        for i in converted:
            value = row[i]
            try:
                row[i] = prepared[(i, value)]
            except KeyError:
                row[i] = prepared[(i, value)] = fields[i].get_db_prep_save(value, connection)
            except TypeError:  # an unhashable value (a JSON list): prepare it every time
                row[i] = fields[i].get_db_prep_save(value, connection)
        return row

    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is PostgreSQL's bulk path: one stream instead of a statement per row.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(prepare(row))
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        batch = []
        for row in rows:
            batch.append(prepare(row))
            if len(batch) >= batch_size:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)

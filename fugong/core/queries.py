"""ORM queries compiled to SQL once per process, for the few lookups every report submission makes.

Building and compiling a query through the ORM costs more than running it: 0.4–0.8 ms against
0.1 ms for the same lookup on a cursor, on the development machine (docs/benchmarks.md, issue 7).
On the morning every enterprise reports at once, that was a third of the server's time per
report. The SQL still comes from the ORM, so it is right for each database (quoting, `FOR UPDATE`
only where the database has it), and rows become instances through the ORM's own converters
(SQLite returns times as text and booleans as 0/1); only the parameters change per call."""

from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.transaction import TransactionManagementError


class CompiledQuery:
    """`build(*placeholders)` returns the queryset, which must select whole rows of its model;
    its compiled SQL must take exactly the placeholders, in that order, as its parameters
    (checked when it is first compiled), so that `first(*values)` can run it with the caller's
    values in their place. The values go to the database as they are, without the ORM's
    preparation: pass what the column holds (an id, not a model instance)."""

    def __init__(self, build: Callable[..., QuerySet], *placeholders):
        if len(set(placeholders)) != len(placeholders):
            raise ValueError("each placeholder must differ, so that their order can be checked")
        self._build = build
        self._placeholders = placeholders
        self._compiled: dict[str, tuple[type[Model], str, list, list[str], bool]] = {}

    def first(self, *values, using: str = DEFAULT_DB_ALIAS) -> Model | None:
        model, sql, fields, names, locks = self._compiled.get(using) or self._compile(using)
        connection = connections[using]
        if locks and connection.get_autocommit():
            # The ORM checks this when it compiles, which here is only the first call.
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            row = cursor.fetchone()
        if row is None:
            return None
        converters = self._converters(connection, fields)
        row = [
            _converted(value, convert, connection)
            for value, convert in zip(row, converters, strict=True)
        ]
        return model.from_db(using, names, row)

    def _compile(self, using: str) -> tuple[type[Model], str, list, list[str], bool]:
        queryset = self._build(*self._placeholders)
        compiler = queryset.query.get_compiler(using)
        sql, params = compiler.as_sql()
        if tuple(params) != self._placeholders:
            raise ValueError(
                f"compiled parameters {params!r} are not the placeholders {self._placeholders!r}"
            )
        fields = [expression.target for expression, _sql, _alias in compiler.select]
        if fields != list(queryset.model._meta.concrete_fields):
            raise ValueError("a compiled query selects whole rows of its model")
        locks = (
            queryset.query.select_for_update and connections[using].features.has_select_for_update
        )
        names = [field.attname for field in fields]
        self._compiled[using] = (queryset.model, sql, fields, names, locks)
        return self._compiled[using]

    def _converters(self, connection, fields) -> list:
        """The converters are methods of one connection's operations, so they are kept on that
        connection (one per thread) and go when it goes."""
        kept = connection.__dict__.setdefault("_compiled_query_converters", {})
        if self not in kept:
            kept[self] = [_column_converters(connection, field) for field in fields]
        return kept[self]


def _column_converters(connection, field) -> tuple[list, object]:
    column = field.get_col(field.model._meta.db_table)
    functions = [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]
    return functions, column


def _converted(value, convert, connection):
    functions, column = convert
    for function in functions:
        value = function(value, column, connection)
    return value

"""ORM queries compiled to SQL once per process, for the few lookups every report submission makes.

Building and compiling a query through the ORM costs more than running it: 0.4–0.8 ms against
0.1 ms for the same lookup on a cursor, on the development machine (docs/benchmarks.md, issue 7).
On the morning every enterprise reports at once, that was a third of the server's time per
report. The SQL still comes from the ORM, so it is right for each database (quoting, `FOR UPDATE`
only where the database has it), and rows become instances through the ORM's own converters
(SQLite returns times as text and booleans as 0/1); only the parameters change per call."""

import weakref
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet


class CompiledQuery:
    """`build(*placeholders)` returns the queryset, which must select whole rows of its model;
    its compiled SQL must take exactly the placeholders, in that order, as its parameters
    (checked when it is first compiled), so that `first(*values)` can run it with the caller's
    values in their place."""

    def __init__(self, build: Callable[..., QuerySet], *placeholders):
        self._build = build
        self._placeholders = placeholders
        self._compiled: dict[str, tuple[type[Model], str, list]] = {}
        # Converters are methods of one connection's operations: kept per connection (thread).
        self._converters = weakref.WeakKeyDictionary()

    def first(self, *values, using: str = DEFAULT_DB_ALIAS) -> Model | None:
        model, sql, fields = self._compiled.get(using) or self._compile(using)
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            row = cursor.fetchone()
        if row is None:
            return None
        converters = self._converters.get(connection) or self._converters_for(connection, fields)
        row = [
            _converted(value, convert, connection)
            for value, convert in zip(row, converters, strict=True)
        ]
        return model.from_db(using, [field.attname for field in fields], row)

    def _compile(self, using: str) -> tuple[type[Model], str, list]:
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
        self._compiled[using] = (queryset.model, sql, fields)
        return self._compiled[using]

    def _converters_for(self, connection, fields) -> list:
        converters = []
        for field in fields:
            column = field.get_col(field.model._meta.db_table)
            converters.append(
                (
                    [
                        *connection.ops.get_db_converters(column),
                        *column.get_db_converters(connection),
                    ],
                    column,
                )
            )
        self._converters[connection] = converters
        return converters


def _converted(value, convert, connection):
    functions, column = convert
    for function in functions:
        value = function(value, column, connection)
    return value

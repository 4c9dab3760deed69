"""ORM queries compiled to SQL once per process, for the few lookups every report submission makes.

Building and compiling a query through the ORM costs more than running it: about 0.5–0.8 ms
against 0.2 ms for the same lookup through `Model.objects.raw()` on the development machine
(docs/benchmarks.md, issue 7). On the morning every enterprise reports at once, that is a third of
the server's time per report. The SQL still comes from the ORM, so it is right for each database
(quoting, `FOR UPDATE` only where the database has it); only the parameters change per call."""

from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model, QuerySet


class CompiledQuery:
    """`build(*placeholders)` returns the queryset; its compiled SQL must take exactly the
    placeholders, in that order, as its parameters (checked when it is first compiled), so that
    `first(*values)` can run it with the caller's values in their place."""

    def __init__(self, build: Callable[..., QuerySet], *placeholders):
        self._build = build
        self._placeholders = placeholders
        self._compiled: dict[str, tuple[type[Model], str]] = {}

    def first(self, *values, using: str = DEFAULT_DB_ALIAS) -> Model | None:
        model, sql = self._compiled.get(using) or self._compile(using)
        return next(iter(model.objects.raw(sql, values, using=using)), None)

    def _compile(self, using: str) -> tuple[type[Model], str]:
        queryset = self._build(*self._placeholders)
        sql, params = queryset.query.get_compiler(using).as_sql()
        if tuple(params) != self._placeholders:
            raise ValueError(
                f"compiled parameters {params!r} are not the placeholders {self._placeholders!r}"
            )
        self._compiled[using] = (queryset.model, sql)
        return self._compiled[using]

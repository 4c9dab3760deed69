"""Readable change history of a record (who, when, before → after) from django-simple-history."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

Masker = Callable[[str], str]


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    action: str
    reason: str
    changes: list[Change] = field(default_factory=list)


ACTIONS = {
    "+": pgettext_lazy("history action", "创建"),
    "~": pgettext_lazy("history action", "修改"),
    "-": pgettext_lazy("history action", "删除"),
}


def history_entries(
    instance, *, maskers: dict[str, Masker] | None = None, limit: int = 50
) -> list[HistoryEntry]:
    """The newest `limit` changes of `instance`, each compared with the version before it.

    `maskers` maps a field name to a function applied to its old and new values, so a viewer who
    may not see personal data does not see it in the history either.
    """
    maskers = maskers or {}
    records = list(
        instance.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    model = instance._meta.model
    deltas = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = record.diff_against(previous).changes if previous is not None else []
        deltas.append((record, changes))
    labels = _display_lookup(model, [c for _, changes in deltas for c in changes])
    entries = []
    for record, changes in deltas:
        entry = HistoryEntry(
            when=record.history_date,
            who=str(record.history_user) if record.history_user else _("系统"),
            action=str(ACTIONS.get(record.history_type, record.history_type)),
            reason=record.history_change_reason or "",
        )
        for change in changes:
            mask = maskers.get(change.field, lambda v: v)
            field_obj = model._meta.get_field(change.field)
            entry.changes.append(
                Change(
                    label=str(field_obj.verbose_name),
                    old=mask(labels(field_obj, change.old)),
                    new=mask(labels(field_obj, change.new)),
                )
            )
        entries.append(entry)
    return entries


def _display_lookup(model, changes) -> Callable[[models.Field, object], str]:
    """Resolve foreign keys of all changes with one query per related model."""
    wanted = defaultdict(set)
    for change in changes:
        field_obj = model._meta.get_field(change.field)
        if field_obj.is_relation and field_obj.many_to_one:
            wanted[field_obj.related_model].update(v for v in (change.old, change.new) if v)
    names = {
        related: {obj.pk: str(obj) for obj in related._default_manager.filter(pk__in=ids)}
        for related, ids in wanted.items()
    }

    def display(field_obj, value) -> str:
        if value is None or value == "":
            return "—"
        if field_obj.is_relation and field_obj.many_to_one:
            return names[field_obj.related_model].get(value, f"#{value}")
        if field_obj.choices:
            return str(dict(field_obj.flatchoices).get(value, value))
        if isinstance(value, bool):
            return _("是") if value else _("否")
        return str(value)

    return display

"""Every write to the register: one function per operation, in a transaction, with history."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from fugong.core.bulk import create_rows_with_history
from fugong.core.excel import RowError, SpreadsheetError, read_table
from fugong.core.exceptions import StaleRecord
from fugong.core.importing import ImportResult, parse_rows
from fugong.core.models import User
from fugong.core.permissions import has_role
from fugong.core.pinyin import pinyin_keys
from fugong.core.validators import normalize_phone, normalize_uscc
from fugong.enterprises import importing
from fugong.enterprises.models import ConstructionProject, Enterprise
from fugong.enterprises.selectors import (
    enterprises_editable_by,
    enterprises_visible_to,
    projects_editable_by,
    projects_visible_to,
)

Role = User.Role

ENTERPRISE_FIELDS = (
    "name",
    "uscc",
    "legal_representative",
    "contact_person",
    "contact_phone",
    "address",
    "region",
    "park",
    "category",
    "industry_section",
    "payroll_headcount",
    "is_key",
    "is_talent",
    "is_epidemic_supplies",
    "grade",
    "status",
)
# What an enterprise may change about itself; the rest is the government's register.
SELF_SERVICE_FIELDS = (
    "legal_representative",
    "contact_person",
    "contact_phone",
    "address",
    "payroll_headcount",
)
PROJECT_FIELDS = (
    "name",
    "code",
    "builder",
    "builder_name",
    "site_address",
    "region",
    "park",
    "total_investment",
    "planned_start",
    "contact_person",
    "contact_phone",
    "payroll_headcount",
    "status",
)


def enterprise_fields_editable_by(user: User) -> tuple[str, ...]:
    if has_role(user, Role.COORDINATOR, Role.AREA_OFFICER):
        return ENTERPRISE_FIELDS
    if has_role(user, Role.ENTERPRISE):
        return SELF_SERVICE_FIELDS
    return ()


def _normalise(enterprise: Enterprise) -> None:
    try:
        enterprise.uscc = normalize_uscc(enterprise.uscc)
    except ValidationError as exc:
        raise ValidationError({"uscc": exc.messages}) from None
    _normalise_common(enterprise)


def _normalise_common(record: Enterprise | ConstructionProject) -> None:
    """Trimmed name with its pinyin keys, and the contact phone in its standard form."""
    record.name = record.name.strip()
    if record.contact_phone:
        try:
            record.contact_phone = normalize_phone(record.contact_phone)
        except ValidationError as exc:
            raise ValidationError({"contact_phone": exc.messages}) from None
    record.refresh_name_keys()


def _save(record, *, actor: User, reason: str = "") -> None:
    record._history_user = actor
    if reason:
        record._change_reason = reason
    record.full_clean()
    record.save()


def _check_area(actor: User, record, visible) -> None:
    if not visible(actor).filter(pk=record.pk).exists():
        field_name = "park" if record.park_id else "region"
        raise ValidationError({field_name: [_("该记录不在您负责的区域内")]})


@transaction.atomic
def enterprise_create(*, actor: User, **values) -> Enterprise:
    if not has_role(actor, Role.COORDINATOR, Role.AREA_OFFICER):
        raise PermissionDenied
    enterprise = Enterprise(**{k: v for k, v in values.items() if k in ENTERPRISE_FIELDS})
    _normalise(enterprise)
    _save(enterprise, actor=actor)
    _check_area(actor, enterprise, enterprises_visible_to)
    return enterprise


@transaction.atomic
def enterprise_update(
    *, actor: User, enterprise: Enterprise, expected_version: int | None = None, **values
) -> Enterprise:
    """Change an enterprise. With `expected_version` (the version the editor started from), a
    change someone else saved in between is refused instead of silently overwritten."""
    return _update(
        actor=actor,
        record=enterprise,
        values=values,
        expected_version=expected_version,
        allowed=enterprise_fields_editable_by(actor),
        normalise=_normalise,
        editable=enterprises_editable_by,
        visible=enterprises_visible_to,
    )


def _update(*, actor, record, values, expected_version, allowed, normalise, editable, visible):
    if not editable(actor).filter(pk=record.pk).exists():
        raise PermissionDenied
    refused = sorted(set(values) - set(allowed))
    if refused:
        raise ValidationError({refused[0]: [_("您不能修改此项")]})
    current = type(record).objects.select_for_update().get(pk=record.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleRecord(current)
    before = {f.attname: getattr(current, f.attname) for f in current._meta.concrete_fields}
    for name, value in values.items():
        setattr(current, name, value)
    normalise(current)
    if all(getattr(current, name) == value for name, value in before.items()):
        return current  # nothing changed: no new version, no history
    current.version += 1
    _save(current, actor=actor)
    _check_area(actor, current, visible)
    return current


@transaction.atomic
def project_create(*, actor: User, **values) -> ConstructionProject:
    if not has_role(actor, Role.COORDINATOR, Role.AREA_OFFICER):
        raise PermissionDenied
    project = ConstructionProject(**{k: v for k, v in values.items() if k in PROJECT_FIELDS})
    _normalise_common(project)
    _save(project, actor=actor)
    _check_area(actor, project, projects_visible_to)
    return project


@transaction.atomic
def project_update(
    *, actor: User, project: ConstructionProject, expected_version: int | None = None, **values
) -> ConstructionProject:
    return _update(
        actor=actor,
        record=project,
        values=values,
        expected_version=expected_version,
        allowed=PROJECT_FIELDS,
        normalise=_normalise_common,
        editable=projects_editable_by,
        visible=projects_visible_to,
    )


IMPORT_BATCH_SIZE = 2000


def enterprises_import(*, actor: User, file, dry_run: bool = False) -> ImportResult:
    """Create or update enterprises from a spreadsheet, keyed by USCC. All rows or none: any
    error in any row refuses the whole file and nothing is written."""
    if not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied
    result = ImportResult(dry_run=dry_run)
    try:
        table = read_table(file)
        parsed = parse_rows(table, importing.columns(importing.RegionLookup()))
    except SpreadsheetError as exc:
        result.file_error = str(exc)
        return result
    result.ignored_headers = parsed.ignored_headers
    result.errors = list(parsed.errors)
    result.errors += _duplicate_uscc_errors(parsed.rows)
    if not parsed.rows and not result.errors:
        result.file_error = _("文件中没有数据行（数据应从第2行开始）")
        return result
    try:
        with transaction.atomic():
            creates, updates = _plan(parsed, result)
            if result.errors:
                result.sort_errors(table.headers)
                return result
            result.created, result.updated = len(creates), len(updates)
            if dry_run:
                return result
            create_rows_with_history(
                Enterprise, creates, key="uscc", actor=actor, reason=_("批量导入")
            )
            if updates:
                bulk_update_with_history(
                    updates,
                    Enterprise,
                    fields=[*ENTERPRISE_FIELDS, "name_pinyin", "name_initials"],
                    batch_size=IMPORT_BATCH_SIZE,
                    default_user=actor,
                    default_change_reason=_("批量导入"),
                )
    except IntegrityError:
        # Someone registered one of these codes while the file was being read.
        result.created = result.updated = 0
        result.file_error = _("导入时有企业被同时登记，请重新导入")
    return result


def _duplicate_uscc_errors(rows) -> list[RowError]:
    first_row, errors = {}, []
    for row_number, values in rows:
        code = values["uscc"]
        if code in first_row:
            errors.append(
                RowError(
                    row_number,
                    "统一社会信用代码",
                    _("与第%(row)d行重复：%(code)s") % {"row": first_row[code], "code": code},
                )
            )
        else:
            first_row[code] = row_number
    return errors


def _plan(parsed, result: ImportResult) -> tuple[list[dict], list[Enterprise]]:
    """New enterprises as rows for a bulk insert, and changed existing ones as instances."""
    codes = [values["uscc"] for _row, values in parsed.rows]
    existing = {
        e.uscc: e
        for batch in _chunks(codes, 5000)
        for e in Enterprise.objects.filter(uscc__in=batch)
    }
    creates, updates = [], []
    for _row_number, values in parsed.rows:
        current = existing.get(values["uscc"])
        if current is None:
            row = {_ATTNAMES.get(k, k): _as_stored(v) for k, v in values.items()}
            row["name_pinyin"], row["name_initials"] = pinyin_keys(row["name"])
            creates.append(row)
            continue
        changed = {k: v for k, v in values.items() if _field_value(current, k) != _as_stored(v)}
        if not changed:
            result.unchanged += 1
            continue
        if "name" in changed:
            current.name = values["name"]
            current.refresh_name_keys()
        for name, value in changed.items():
            setattr(current, name, value)
        updates.append(current)
    return creates, updates


_ATTNAMES = {"region": "region_id", "park": "park_id"}


def _field_value(enterprise: Enterprise, name: str):
    if name in ("region", "park"):
        return getattr(enterprise, f"{name}_id")
    return getattr(enterprise, name)


def _as_stored(value):
    return value.pk if hasattr(value, "pk") else value


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]

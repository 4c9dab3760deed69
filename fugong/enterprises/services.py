"""Every write to the register: one function per operation, in a transaction, with history."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from fugong.core.bulk import create_rows_with_history
from fugong.core.excel import RowError, SpreadsheetError, read_table
from fugong.core.exceptions import StaleRecord
from fugong.core.importing import ImportResult, parse_rows
from fugong.core.models import User
from fugong.core.permissions import has_role
from fugong.core.pinyin import pinyin_keys
from fugong.core.validators import normalize_phone, normalize_uscc
from fugong.enterprises import importing
from fugong.enterprises.models import (
    ConstructionProject,
    Enterprise,
    GradeRule,
    LiaisonAssignment,
    Visit,
)
from fugong.enterprises.selectors import (
    DEFAULT_GRADE,
    active_assignments,
    enterprises_editable_by,
    enterprises_managed_by,
    enterprises_visible_to,
    enterprises_visitable_by,
    grade_changes,
    grade_counts,
    grade_for,
    grade_rules,
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
    "longitude",
    "latitude",
    "region",
    "park",
    "category",
    "industry_section",
    "payroll_headcount",
    "founded_on",
    "is_key",
    "is_talent",
    "is_epidemic_supplies",
    "status",
)
# The grade is not edited with the rest: the rules set it, or an override with a reason does.
# Only the register import still carries it as a column (export → import is lossless).
IMPORT_FIELDS = (*ENTERPRISE_FIELDS, "grade")
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


def _normalise_and_regrade(enterprise: Enterprise) -> None:
    """An edit that changes what the rules read (made 规上, key or talent, more workers)
    regrades the enterprise at once, unless it is graded by hand."""
    _normalise(enterprise)
    if enterprise.grade_overridden:
        return
    before = Enterprise.objects.filter(pk=enterprise.pk).values(*GRADING_FIELDS).first()
    if before != {name: getattr(enterprise, name) for name in GRADING_FIELDS}:
        enterprise.grade = grade_for(enterprise, grade_rules())


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
    enterprise.grade = grade_for(enterprise, grade_rules())
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
        normalise=_normalise_and_regrade,
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
    result.errors += _coordinate_pair_errors(parsed.rows)
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
                    fields=[
                        *IMPORT_FIELDS,
                        "grade_overridden",
                        "grade_reason",
                        "name_pinyin",
                        "name_initials",
                        "updated_at",
                        "version",
                    ],
                    batch_size=IMPORT_BATCH_SIZE,
                    default_user=actor,
                    default_change_reason=_("批量导入"),
                )
    except IntegrityError:
        # Someone registered one of these codes while the file was being read.
        result.created = result.updated = 0
        result.file_error = _("导入时有企业被同时登记，请重新导入")
    return result


def _coordinate_pair_errors(rows) -> list[RowError]:
    """A point needs both halves: a longitude without its latitude (or the reverse) is refused."""
    errors = []
    for row_number, values in rows:
        if "longitude" not in values and "latitude" not in values:
            continue
        longitude, latitude = values.get("longitude"), values.get("latitude")
        if (longitude is None) != (latitude is None):
            column = "纬度" if latitude is None else "经度"
            errors.append(RowError(row_number, column, _("经度和纬度须同时填写")))
    return errors


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
    # Without the 企业等级 column the rules grade every row. With it, a grade in the file is
    # taken as is (so that export → import is lossless); one the rules would not give is an
    # override, with the file as its reason, which a later recompute leaves alone.
    rules, graded_by_file = grade_rules(), "grade" in parsed.present_keys
    now = timezone.now()
    for _row_number, values in parsed.rows:
        current = existing.get(values["uscc"])
        if current is None:
            row = {_ATTNAMES.get(k, k): _as_stored(v) for k, v in values.items()}
            row["name_pinyin"], row["name_initials"] = pinyin_keys(row["name"])
            rule_grade = grade_for(_GradingInputs(row), rules)
            if not graded_by_file:
                row["grade"] = rule_grade
            elif row["grade"] and row["grade"] != rule_grade:
                row["grade_overridden"], row["grade_reason"] = True, IMPORT_GRADE_REASON
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
        if "grade" in changed and current.grade:
            if current.grade != grade_for(current, rules):
                current.grade_overridden, current.grade_reason = True, IMPORT_GRADE_REASON
        elif not current.grade_overridden and changed.keys() & GRADING_FIELDS:
            current.grade = grade_for(current, rules)
        # bulk_update sets no auto_now field: stamp the change as save() would, and raise the
        # version, so an editor holding the old one is refused and the change is seen as new.
        current.updated_at, current.version = now, current.version + 1
        updates.append(current)
    return creates, updates


# What the grading rules read: a change to one of these regrades the enterprise at once.
GRADING_FIELDS = {"category", "is_key", "is_talent", "payroll_headcount"}
IMPORT_GRADE_REASON = _("导入文件指定的等级")


_ATTNAMES = {"region": "region_id", "park": "park_id"}


class _GradingInputs:
    """What the grading rules look at, read from an import row (absent columns at defaults)."""

    def __init__(self, row: dict):
        self.category = row["category"]
        self.is_key = row.get("is_key", False)
        self.is_talent = row.get("is_talent", False)
        self.payroll_headcount = row.get("payroll_headcount", 0)


def _field_value(enterprise: Enterprise, name: str):
    if name in ("region", "park"):
        return getattr(enterprise, f"{name}_id")
    return getattr(enterprise, name)


def _as_stored(value):
    return value.pk if hasattr(value, "pk") else value


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Grading (ABC等级划定)

GRADE_RULE_FIELDS = (
    "order",
    "grade",
    "categories",
    "is_key",
    "is_talent",
    "headcount_below",
    "note",
)
ABOVE, BELOW = ["industry_above", "services_above"], ["industry_below", "services_below"]
# Issue 4's default, as migration 0003 stores it: A = 规上 or key or talent enterprise; C = 规下
# with fewer than 10 workers; else B.
DEFAULT_GRADE_RULES = [
    {"order": 10, "grade": "A", "categories": ABOVE, "note": "规模以上企业"},
    {"order": 20, "grade": "A", "is_key": True, "note": "重点企业"},
    {"order": 30, "grade": "A", "is_talent": True, "note": "人才企业"},
    {
        "order": 40,
        "grade": "C",
        "categories": BELOW,
        "headcount_below": 10,
        "note": "10人以下规下企业",
    },
    {"order": 100, "grade": "B", "note": "其余企业"},
]


def grade_rules_ensure_defaults() -> None:
    """Store the default rules when there are none at all (a database emptied by a flush)."""
    if not GradeRule.objects.exists():
        GradeRule.objects.bulk_create(GradeRule(**values) for values in DEFAULT_GRADE_RULES)


def _check_coordinator(actor: User) -> None:
    if not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied


def _check_managed(actor: User, enterprise: Enterprise) -> None:
    """The coordinator manages every enterprise, an area officer those of their area."""
    if not enterprises_managed_by(actor).filter(pk=enterprise.pk).exists():
        raise PermissionDenied


@transaction.atomic
def grade_rule_create(*, actor: User, **values) -> GradeRule:
    _check_coordinator(actor)
    rule = GradeRule(**{k: v for k, v in values.items() if k in GRADE_RULE_FIELDS})
    _clean_rule(rule)
    _save(rule, actor=actor)
    return rule


@transaction.atomic
def grade_rule_update(*, actor: User, rule: GradeRule, **values) -> GradeRule:
    _check_coordinator(actor)
    rule = GradeRule.objects.select_for_update().get(pk=rule.pk)
    for name, value in values.items():
        if name in GRADE_RULE_FIELDS:
            setattr(rule, name, value)
    _clean_rule(rule)
    _save(rule, actor=actor)
    return rule


@transaction.atomic
def grade_rule_delete(*, actor: User, rule: GradeRule) -> None:
    _check_coordinator(actor)
    rule._history_user = actor
    rule.delete()


def _clean_rule(rule: GradeRule) -> None:
    known = set(Enterprise.Category.values)
    categories = rule.categories if isinstance(rule.categories, list) else None
    if categories is None or not set(categories) <= known:
        raise ValidationError({"categories": [_("企业类别只能从四类企业中选择")]})
    # Stored in the order of the category list, without repeats, whatever order they came in.
    rule.categories = [c for c in Enterprise.Category.values if c in categories]


@transaction.atomic
def grade_override(*, actor: User, enterprise: Enterprise, grade: str, reason: str) -> Enterprise:
    """Set the grade by hand. The reason is required and kept; the rules then leave the
    enterprise alone until the override is cleared."""
    _check_managed(actor, enterprise)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写调整等级的理由")]})
    if grade not in Enterprise.Grade.values:
        raise ValidationError({"grade": [_("等级应为 A、B 或 C")]})
    current = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    if (current.grade, current.grade_overridden, current.grade_reason) == (grade, True, reason):
        return current
    current.grade, current.grade_overridden, current.grade_reason = grade, True, reason
    current.version += 1
    _save(current, actor=actor, reason=reason)
    return current


@transaction.atomic
def grade_override_clear(*, actor: User, enterprise: Enterprise) -> Enterprise:
    """Hand the enterprise back to the rules, which grade it at once."""
    _check_managed(actor, enterprise)
    current = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    if not current.grade_overridden:
        return current
    current.grade = grade_for(current, grade_rules())
    current.grade_overridden, current.grade_reason = False, ""
    current.version += 1
    _save(current, actor=actor, reason=_("恢复按规则评级"))
    return current


@dataclass
class GradeRecount:
    dry_run: bool
    changed: int = 0  # enterprises whose grade the rules changed (or would change)
    overridden: int = 0  # graded by hand, left alone
    by_grade: dict[str, int] = field(default_factory=dict)  # effective grades afterwards
    moves: dict[tuple[str, str], int] = field(default_factory=dict)  # (old, new) → count

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "changed": self.changed,
            "overridden": self.overridden,
            "by_grade": self.by_grade,
            "moves": [
                {"old": old, "new": new, "count": n} for (old, new), n in sorted(self.moves.items())
            ],
        }


RECOMPUTE_BATCH = 2000


def grades_recompute(*, actor: User, dry_run: bool = False) -> GradeRecount:
    """Apply the rules to every enterprise not graded by hand. Only the enterprises whose grade
    changes are written, each with a history row, a batch at a time: each batch in its own
    transaction, so the register stays writable for everyone else meanwhile (SQLite has one
    writer for the whole file). A batch re-reads its rows under lock, so an override made
    meanwhile is respected; a run that stops half-way is finished by the next one."""
    _check_coordinator(actor)
    rules = grade_rules()
    pending = list(grade_changes(rules).order_by("pk").values_list("pk", flat=True))
    result = GradeRecount(dry_run=dry_run)
    moves = defaultdict(int)
    for batch in _chunks(pending, RECOMPUTE_BATCH):
        with transaction.atomic():
            changed = list(
                grade_changes(rules).filter(pk__in=batch).select_for_update().order_by("pk")
            )
            for enterprise in changed:
                moves[(enterprise.grade, enterprise.rule_grade)] += 1
            if not dry_run:
                _write_grades(changed, actor=actor)
    # An ungraded enterprise given B is written, but its grade that counts (B) did not change.
    result.changed = sum(n for (old, new), n in moves.items() if (old or DEFAULT_GRADE) != new)
    result.moves = dict(moves)
    result.overridden = Enterprise.objects.filter(grade_overridden=True).count()
    result.by_grade = grade_counts(Enterprise.objects.all())
    if dry_run:
        for (old, new), n in moves.items():
            result.by_grade[old or Enterprise.Grade.B] -= n
            result.by_grade[new] += n
    return result


def _write_grades(changed: list[Enterprise], *, actor: User) -> None:
    # One UPDATE per grade (and batch) instead of bulk_update's CASE per row; the history rows
    # are written by simple-history's own bulk path, as bulk_update_with_history would.
    now, ids_by_grade = timezone.now(), defaultdict(list)
    for enterprise in changed:
        enterprise.grade = enterprise.rule_grade
        enterprise.version += 1
        enterprise.updated_at = now
        ids_by_grade[enterprise.grade].append(enterprise.pk)
    for grade, ids in ids_by_grade.items():
        for batch in _chunks(ids, RECOMPUTE_BATCH):
            Enterprise.objects.filter(pk__in=batch).update(
                grade=grade, version=F("version") + 1, updated_at=now
            )
    Enterprise.history.bulk_history_create(
        changed,
        update=True,
        default_user=actor,
        default_change_reason=_("按规则重新评级"),
        default_date=now,
        batch_size=RECOMPUTE_BATCH,
    )


# Service officers (服务专员)


def _check_officer(officer: User) -> None:
    if officer.role != Role.LIAISON or not officer.is_active:
        raise ValidationError(
            {"officer": [_("「%(name)s」不是服务专员账号") % {"name": officer.username}]}
        )


def _check_day(value: date, field_name: str) -> None:
    if value > timezone.localdate():
        raise ValidationError({field_name: [_("日期不能晚于今天")]})


@transaction.atomic
def liaison_assign(
    *,
    actor: User,
    enterprise: Enterprise,
    officer: User,
    kind: str,
    is_primary: bool = False,
    started_on: date | None = None,
) -> LiaisonAssignment:
    """Station an officer with an enterprise. A new primary officer replaces the current primary
    of that kind, who stays assigned."""
    _check_managed(actor, enterprise)
    _check_officer(officer)
    started_on = started_on or timezone.localdate()
    _check_day(started_on, "started_on")
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()  # one at a time
    if active_assignments().filter(enterprise=enterprise, officer=officer, kind=kind).exists():
        raise ValidationError(
            {"officer": [_("%(name)s已是这家企业的%(kind)s") % _officer_words(officer, kind)]}
        )
    if is_primary:
        _demote_primary(enterprise=enterprise, kind=kind, actor=actor)
    assignment = LiaisonAssignment(
        enterprise=enterprise,
        officer=officer,
        kind=kind,
        is_primary=is_primary,
        started_on=started_on,
    )
    _save(assignment, actor=actor)
    return assignment


def _officer_words(officer: User, kind: str) -> dict:
    return {"name": officer.name, "kind": LiaisonAssignment.Kind(kind).label}


def _demote_primary(*, enterprise: Enterprise, kind: str, actor: User) -> None:
    current = active_assignments().filter(enterprise=enterprise, kind=kind, is_primary=True)
    for assignment in current.select_for_update():
        assignment.is_primary = False
        _save(assignment, actor=actor, reason=_("主责专员变更"))


@transaction.atomic
def liaison_assignment_make_primary(
    *, actor: User, assignment: LiaisonAssignment
) -> LiaisonAssignment:
    _check_managed(actor, assignment.enterprise)
    current = LiaisonAssignment.objects.select_for_update().get(pk=assignment.pk)
    if current.ended_on is not None:
        raise ValidationError(_("这项分配已结束"))
    if current.is_primary:
        return current
    _demote_primary(enterprise=current.enterprise, kind=current.kind, actor=actor)
    current.is_primary = True
    _save(current, actor=actor, reason=_("主责专员变更"))
    return current


@transaction.atomic
def liaison_assignment_end(
    *, actor: User, assignment: LiaisonAssignment, ended_on: date | None = None
) -> LiaisonAssignment:
    """End an assignment; it is kept, with its dates, in the enterprise's list of officers."""
    _check_managed(actor, assignment.enterprise)
    current = LiaisonAssignment.objects.select_for_update().get(pk=assignment.pk)
    if current.ended_on is not None:
        raise ValidationError(_("这项分配已结束"))
    ended_on = ended_on or timezone.localdate()
    _check_day(ended_on, "ended_on")
    if ended_on < current.started_on:
        raise ValidationError({"ended_on": [_("结束日期不能早于开始日期")]})
    current.ended_on = ended_on
    _save(current, actor=actor)
    return current


def liaison_assignments_import(*, actor: User, file, dry_run: bool = False) -> ImportResult:
    """Assign officers from a spreadsheet (统一社会信用代码, 专员账号, 类型, 是否主责, 开始日期).
    All rows or none: any error in any row refuses the whole file and nothing is written. A row
    already in force is unchanged; one that changes only 是否主责 updates the assignment."""
    if not has_role(actor, Role.COORDINATOR, Role.AREA_OFFICER):
        raise PermissionDenied
    result = ImportResult(dry_run=dry_run)
    try:
        table = read_table(file)
        parsed = parse_rows(table, importing.liaison_columns())
    except SpreadsheetError as exc:
        result.file_error = str(exc)
        return result
    result.ignored_headers = parsed.ignored_headers
    result.errors = list(parsed.errors)
    if not parsed.rows and not result.errors:
        result.file_error = _("文件中没有数据行（数据应从第2行开始）")
        return result
    try:
        with transaction.atomic():
            plan = _AssignmentPlan(actor, parsed.rows, result.errors)
            if result.errors:
                result.sort_errors(table.headers)
                return result
            result.created, result.updated = len(plan.creates), len(plan.updates)
            result.unchanged = plan.unchanged
            if not dry_run:
                plan.write(actor)
    except IntegrityError:
        result.created = result.updated = result.unchanged = 0
        result.file_error = _("导入时有专员分配被同时修改，请重新导入")
    return result


class _AssignmentPlan:
    """What a file of assignments changes: new assignments, primary flags to set or clear."""

    def __init__(self, actor: User, rows, errors: list[RowError]):
        self.creates: list[LiaisonAssignment] = []
        self.updates: dict[int, LiaisonAssignment] = {}
        self.unchanged = 0
        self.today = timezone.localdate()
        codes = {v["uscc"] for _n, v in rows}
        self.enterprises = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=codes)}
        self.managed = set(
            enterprises_managed_by(actor).filter(uscc__in=codes).values_list("pk", flat=True)
        )
        usernames = {v["username"] for _n, v in rows}
        self.officers = {u.username: u for u in User.objects.filter(username__in=usernames)}
        self.current = list(
            active_assignments()
            .filter(enterprise__uscc__in=codes)
            .select_for_update()
            .order_by("pk")
        )
        self._plan(rows, errors)

    def _plan(self, rows, errors: list[RowError]) -> None:
        seen, primaries = {}, {}
        for row_number, values in rows:
            enterprise = self._enterprise(row_number, values["uscc"], errors)
            officer = self._officer(row_number, values["username"], errors)
            if enterprise is None or officer is None:
                continue
            kind, is_primary = values["kind"], values.get("is_primary", False)
            key = (enterprise.pk, officer.pk, kind)
            if key in seen:
                errors.append(
                    RowError(
                        row_number,
                        importing.OFFICER,
                        _("与第%(row)d行重复：同一企业、同一专员、同一类型") % {"row": seen[key]},
                    )
                )
                continue
            seen[key] = row_number
            if is_primary:
                first = primaries.setdefault((enterprise.pk, kind), row_number)
                if first != row_number:
                    errors.append(
                        RowError(
                            row_number,
                            importing.PRIMARY,
                            _("与第%(row)d行同为这家企业的主责%(kind)s，每类只能有一名主责专员")
                            % {"row": first, "kind": LiaisonAssignment.Kind(kind).label},
                        )
                    )
                    continue
            self._add(enterprise, officer, kind, is_primary, values.get("started_on"))

    def _enterprise(self, row_number: int, code: str, errors) -> Enterprise | None:
        enterprise = self.enterprises.get(code)
        if enterprise is None:
            message = _("企业名录中没有这个统一社会信用代码：%(code)s") % {"code": code}
        elif enterprise.pk not in self.managed:
            message = _("%(name)s不在您负责的区域内") % {"name": enterprise.name}
        else:
            return enterprise
        errors.append(RowError(row_number, importing.USCC, message))
        return None

    def _officer(self, row_number: int, username: str, errors) -> User | None:
        officer = self.officers.get(username)
        if officer is None:
            message = _("没有账号「%(name)s」") % {"name": username}
        elif officer.role != Role.LIAISON:
            message = _("账号「%(name)s」不是服务专员账号（角色：%(role)s）") % {
                "name": username,
                "role": officer.get_role_display() or _("无"),
            }
        elif not officer.is_active:
            message = _("账号「%(name)s」已停用") % {"name": username}
        else:
            return officer
        errors.append(RowError(row_number, importing.OFFICER, message))
        return None

    def _add(self, enterprise, officer, kind: str, is_primary: bool, started_on) -> None:
        existing = next(
            (
                a
                for a in self.current
                if (a.enterprise_id, a.officer_id, a.kind) == (enterprise.pk, officer.pk, kind)
            ),
            None,
        )
        if is_primary:  # the new primary replaces whoever holds that role now
            for other in self.current:
                if (other.enterprise_id, other.kind, other.is_primary) == (
                    enterprise.pk,
                    kind,
                    True,
                ) and other is not existing:
                    other.is_primary = False
                    self.updates[other.pk] = other
        if existing is None:
            self.creates.append(
                LiaisonAssignment(
                    enterprise=enterprise,
                    officer=officer,
                    kind=kind,
                    is_primary=is_primary,
                    started_on=started_on or self.today,
                )
            )
        elif existing.is_primary != is_primary:
            existing.is_primary = is_primary
            self.updates[existing.pk] = existing
        else:
            self.unchanged += 1

    def write(self, actor: User) -> None:
        reason = _("批量分配服务专员")
        updates = sorted(self.updates.values(), key=lambda a: a.is_primary)
        # Clear primaries before setting new ones: the database allows one primary at a time.
        for group in (
            [a for a in updates if not a.is_primary],
            [a for a in updates if a.is_primary],
        ):
            if group:
                bulk_update_with_history(
                    group,
                    LiaisonAssignment,
                    fields=["is_primary"],
                    default_user=actor,
                    default_change_reason=reason,
                )
        bulk_create_with_history(
            self.creates, LiaisonAssignment, default_user=actor, default_change_reason=reason
        )


# Visits (走访)

VISITOR_ROLES = (Role.COORDINATOR, Role.AREA_OFFICER, Role.LIAISON, Role.DEPARTMENT)


@transaction.atomic
def visit_record(
    *,
    actor: User,
    enterprise: Enterprise,
    visited_on: date,
    kind: str,
    findings: str,
    officer: User | None = None,
) -> Visit:
    """Record a visit made by `officer` (the actor by default). Safe to call inside a caller's
    own transaction: the requests raised during the visit are written in the same one (the
    visit form of `fugong/services` does that)."""
    if not enterprises_visitable_by(actor).filter(pk=enterprise.pk).exists():
        raise PermissionDenied
    officer = officer or actor
    if officer != actor:
        if not has_role(actor, Role.COORDINATOR, Role.AREA_OFFICER):
            raise PermissionDenied
        if officer.role not in VISITOR_ROLES or not officer.is_active:
            raise ValidationError({"officer": [_("走访人应为服务专员或工作人员账号")]})
    _check_visit_day(visited_on)
    if not (findings or "").strip():
        raise ValidationError({"findings": [_("请填写走访情况")]})
    visit = Visit(
        enterprise=enterprise,
        officer=officer,
        visited_on=visited_on,
        kind=kind,
        findings=(findings or "").strip(),
        recorded_by=actor,
    )
    _save(visit, actor=actor)
    return visit


def _check_visit_day(visited_on: date) -> None:
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": [_("走访日期不能晚于今天")]})

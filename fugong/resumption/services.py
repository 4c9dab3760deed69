"""Every write of the resumption app: reports, corrections, flag reviews, reminders."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.core.api import request_atomic
from fugong.core.models import User
from fugong.core.permissions import has_role
from fugong.core.queries import CompiledQuery
from fugong.core.services import notify, text_message
from fugong.enterprises.models import ConstructionProject, Enterprise
from fugong.enterprises.selectors import enterprises_visible_to, projects_visible_to
from fugong.resumption.models import (
    RESUMED_STATUSES,
    CurrentState,
    Flag,
    FlagReview,
    Reminder,
    Report,
    Source,
    Status,
)

Role = User.Role
REPORTER_ROLES = (Role.ENTERPRISE, Role.AREA_OFFICER, Role.LIAISON, Role.COORDINATOR)
SOURCE_OF_ROLE = {
    Role.ENTERPRISE: Source.ENTERPRISE,
    Role.AREA_OFFICER: Source.AREA_OFFICER,
    Role.LIAISON: Source.LIAISON,
    Role.COORDINATOR: Source.COORDINATOR,
}
REPORT_FIELDS = (
    "status",
    "workers_on_payroll",
    "workers_on_duty",
    "returned_from_outside",
    "in_quarantine",
    "capacity_percent",
    "difficulty_category",
    "difficulty",
)


def may_report_for(user: User, subject) -> bool:
    if not has_role(user, *REPORTER_ROLES):
        return False
    if user.role == Role.ENTERPRISE and isinstance(subject, Enterprise):
        return subject.pk == user.enterprise_id  # its own record: no query needed
    visible = enterprises_visible_to if isinstance(subject, Enterprise) else projects_visible_to
    return visible(user).filter(pk=subject.pk).exists()


# Read by every report: compiled once (fugong.core.queries), and only inside the transaction.
_LOCKED_STATE = {
    Enterprise: CompiledQuery(
        lambda pk: CurrentState.objects.select_for_update().filter(enterprise_id=pk)[:1], -1
    ),
    ConstructionProject: CompiledQuery(
        lambda pk: CurrentState.objects.select_for_update().filter(project_id=pk)[:1], -1
    ),
}


@request_atomic
def report_submit(
    *,
    actor: User,
    subject: Enterprise | ConstructionProject,
    reported_at=None,
    source: str = "",
    **values,
) -> Report:
    """Record an entity's situation. Refused: workers on duty above payroll, a time in the future
    or before the entity was registered. Accepted but flagged for the area officer: on-duty
    workers down by more than half since the previous report, or a resumed entity back to not
    resumed."""
    if not may_report_for(actor, subject):
        raise PermissionDenied
    key = _subject_key(subject)
    # Reports of one entity are applied one after the other: lock its current state, or before
    # its first report the entity itself (and look again: another report may just have made it).
    state = _LOCKED_STATE[type(subject)].first(subject.pk)
    if state is None:
        subject = _lock(subject)
        state = CurrentState.objects.filter(**key).first()
    report = _new_report(
        subject,
        actor=actor,
        reported_at=reported_at or timezone.now(),
        source=source or SOURCE_OF_ROLE.get(actor.role, Source.COORDINATOR),
        values=values,
    )
    is_latest = state is None or report.reported_at >= state.reported_at
    # The common case, a report of now, follows the current state: compare with it and replace
    # it. A late report of an earlier moment is compared with the report before it instead.
    previous = state if is_latest else previous_report(subject, report.reported_at)
    report.flags = flags_against(previous, report)
    report.save()
    if is_latest:
        if state is None:
            CurrentState.objects.create(**key, **_state_values(report))
        else:
            for name, value in _state_values(report).items():
                setattr(state, name, value)
            state.save()
    return report


def _subject_key(subject) -> dict:
    return {"enterprise": subject} if isinstance(subject, Enterprise) else {"project": subject}


@transaction.atomic
def report_correct(*, actor: User, report: Report, **values) -> Report:
    """A correction: a new version of the report that supersedes it; both are kept."""
    subject = report.subject
    if not may_report_for(actor, subject):
        raise PermissionDenied
    subject = _lock(subject)
    original = Report.objects.select_for_update().get(pk=report.pk)
    if original.superseded_at is not None:
        raise ValidationError(_("这份报告已被更正过，请更正最新的版本"))
    merged = {name: getattr(original, name) for name in REPORT_FIELDS} | values
    correction = _new_report(
        subject,
        actor=actor,
        reported_at=original.reported_at,
        source=SOURCE_OF_ROLE.get(actor.role, Source.COORDINATOR),
        values=merged,
    )
    correction.supersedes = original
    previous = previous_report(subject, original.reported_at, excluding=original.pk)
    correction.flags = flags_against(previous, correction)
    correction.save()
    original.superseded_at = timezone.now()
    original.save(update_fields=["superseded_at"])
    refresh_current_state(subject)
    return correction


def _lock(subject):
    """Serialise report writes per entity, so the current state stays the latest report."""
    return type(subject).objects.select_for_update().only("id", "created_at").get(pk=subject.pk)


def _new_report(subject, *, actor, reported_at, source, values) -> Report:
    unknown = set(values) - set(REPORT_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("不能填写此项")]})
    report = Report(
        enterprise=subject if isinstance(subject, Enterprise) else None,
        project=subject if isinstance(subject, ConstructionProject) else None,
        reported_at=reported_at,
        source=source,
        submitted_by=actor,
        **{k: v for k, v in values.items() if v is not None or k == "capacity_percent"},
    )
    report.difficulty_category = report.difficulty_category or ""
    report.difficulty = (report.difficulty or "").strip()
    check_report(report, registered_at=subject.created_at)
    return report


def check_report(report: Report, *, registered_at, now=None) -> None:
    """The rules a report must pass, with the field each problem belongs to."""
    try:
        # The database's own checks (duty within payroll) stand behind the clearer ones below.
        report.full_clean(
            exclude=["enterprise", "project", "submitted_by", "supersedes", "flags"],
            validate_constraints=False,
        )
        errors = {}
    except ValidationError as exc:
        errors = {name: messages[0] for name, messages in exc.message_dict.items()}
    now = now or timezone.now()
    duty, payroll = report.workers_on_duty or 0, report.workers_on_payroll or 0
    if duty > payroll:
        errors["workers_on_duty"] = _("在岗人数（%(duty)d）不能超过在册职工人数（%(payroll)d）") % {
            "duty": duty,
            "payroll": payroll,
        }
    for name, label in (
        ("returned_from_outside", _("外地返岗人数")),
        ("in_quarantine", _("隔离观察人数")),
    ):
        if (getattr(report, name) or 0) > payroll:
            errors[name] = _("%(label)s（%(n)d）不能超过在册职工人数（%(payroll)d）") % {
                "label": label,
                "n": getattr(report, name),
                "payroll": payroll,
            }
    if report.status in RESUMED_STATUSES and duty == 0:
        errors["workers_on_duty"] = _("已复工或部分复工时，在岗人数应大于0")
    if report.status == Status.CLOSED and duty:
        errors["workers_on_duty"] = _("停业时在岗人数应为0")
    if report.reported_at is not None:
        if report.reported_at > now:
            errors["reported_at"] = _("填报时点不能晚于现在（%(now)s）") % {
                "now": timezone.localtime(now).strftime("%Y-%m-%d %H:%M")
            }
        elif report.reported_at < registered_at:
            errors["reported_at"] = _("填报时点早于该单位的登记时间（%(at)s）") % {
                "at": timezone.localtime(registered_at).strftime("%Y-%m-%d %H:%M")
            }
    if errors:
        raise ValidationError(errors)


def previous_report(subject, at, *, excluding: int | None = None) -> Report | None:
    reports = _reports_of(subject).filter(superseded_at__isnull=True, reported_at__lte=at)
    if excluding:
        reports = reports.exclude(pk=excluding)
    return reports.order_by("-reported_at", "-id").first()


def _reports_of(subject):
    if isinstance(subject, Enterprise):
        return Report.objects.filter(enterprise=subject)
    return Report.objects.filter(project=subject)


def flags_against(previous: Report | CurrentState | None, report: Report) -> list[str]:
    if previous is None:
        return []
    flags = []
    if previous.workers_on_duty and report.workers_on_duty * 2 < previous.workers_on_duty:
        flags.append(Flag.DUTY_HALVED.value)
    if previous.status in RESUMED_STATUSES and report.status == Status.NOT_RESUMED:
        flags.append(Flag.BACK_TO_NOT_RESUMED.value)
    return flags


def refresh_current_state(subject) -> None:
    latest = (
        _reports_of(subject)
        .filter(superseded_at__isnull=True)
        .order_by("-reported_at", "-id")
        .first()
    )
    key = _subject_key(subject)
    if latest is None:
        CurrentState.objects.filter(**key).delete()
        return
    CurrentState.objects.update_or_create(**key, defaults=_state_values(latest))


def _state_values(report: Report) -> dict:
    return {
        "report": report,
        "reported_at": report.reported_at,
        "status": report.status,
        "workers_on_payroll": report.workers_on_payroll,
        "workers_on_duty": report.workers_on_duty,
    }


def refresh_current_states(*, enterprise_ids=None, project_ids=None) -> None:
    """The bulk form, after a batch upload or the demo: one query per kind, then bulk writes."""
    for model, subject, ids in (
        (Enterprise, "enterprise", enterprise_ids),
        (ConstructionProject, "project", project_ids),
    ):
        entities = model.objects.all() if ids is None else model.objects.filter(pk__in=ids)
        latest = Report.objects.filter(**{subject: OuterRef("pk")}, superseded_at__isnull=True)
        pairs = dict(
            entities.annotate(
                latest=Subquery(latest.order_by("-reported_at", "-id").values("pk")[:1])
            ).values_list("pk", "latest")
        )
        reports = Report.objects.in_bulk([r for r in pairs.values() if r])
        CurrentState.objects.filter(**{f"{subject}_id__in": list(pairs)}).delete()
        CurrentState.objects.bulk_create(
            [
                CurrentState(**{f"{subject}_id": pk}, **_state_values(reports[report_id]))
                for pk, report_id in pairs.items()
                if report_id
            ],
            batch_size=2000,
        )


@transaction.atomic
def flag_review(*, actor: User, report: Report, note: str = "") -> FlagReview:
    if not report.flags:
        raise ValidationError(_("这份报告没有需要处理的提示"))
    if not may_report_for(actor, report.subject) or actor.role == Role.ENTERPRISE:
        raise PermissionDenied
    review, _created = FlagReview.objects.get_or_create(
        report=report, defaults={"reviewed_by": actor, "note": note.strip()[:300]}
    )
    return review


def reminders_request(*, actor: User, day) -> None:
    """Queue reminders for every entity in the actor's scope that has not reported on `day`."""
    from fugong.resumption.tasks import remind_missing_reports

    if not has_role(actor, Role.COORDINATOR, Role.AREA_OFFICER):
        raise PermissionDenied
    if day > timezone.localdate():
        raise ValidationError({"day": [_("不能为将来的日期发送提醒")]})
    transaction.on_commit(
        lambda: remind_missing_reports.enqueue(day=day.isoformat(), requested_by=actor.pk)
    )


def reminder_send(*, subject, day, requested_by: User | None) -> Reminder | None:
    """Remind one entity, once per day: its accounts in their inbox and by text, or failing
    those its contact phone by text. Returns None if it was already reminded that day."""
    key = _subject_key(subject)
    with transaction.atomic():
        if Reminder.objects.filter(day=day, **key).exists():
            return None
        accounts = list(_accounts_of(subject))
        title = _("请填报复工情况")
        body = _("%(name)s：%(day)s的复工情况尚未填报，请登录复工通“企业服务”填报。") % {
            "name": subject.name,
            "day": f"{day:%m月%d日}",
        }
        if accounts:
            notify(recipients=accounts, title=title, body=body, link="/portal/")
        elif subject.contact_phone:
            text_message(
                to=subject.contact_phone,
                name=subject.contact_person or subject.name,
                title=title,
                body=body,
            )
        return Reminder.objects.create(
            day=day, recipients=len(accounts) or 1, requested_by=requested_by, **key
        )


def _accounts_of(subject):
    enterprise_id = subject.pk if isinstance(subject, Enterprise) else subject.builder_id
    return User.objects.filter(role=Role.ENTERPRISE, enterprise_id=enterprise_id, is_active=True)

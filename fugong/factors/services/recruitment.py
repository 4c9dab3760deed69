"""云招聘: openings an enterprise (or an officer for it) submits and the coordinator checks
before they are published; job seekers and their applications (投递 → 面试 → 录用 / 未录用);
the public hotlines.

    opening: 待审核 → 已发布 → 已下架, or 待审核 → 已退回 → (edited) 待审核
"""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.core.models import Department, User
from fugong.core.permissions import has_role
from fugong.core.validators import normalize_id_number, normalize_phone
from fugong.enterprises.models import Enterprise
from fugong.factors.access import FOR_ENTERPRISE, RECRUITERS
from fugong.factors.models import County, Hotline, JobApplication, JobOpening, JobSeeker
from fugong.factors.services.base import (
    Role,
    locked,
    now_or,
    require_for_enterprise,
    require_role,
    require_status,
    saved,
)

OS = JobOpening.Status
A = JobApplication.Status

OPENING_FIELDS = (
    "title",
    "positions",
    "salary_min",
    "salary_max",
    "requirements",
    "work_place",
    "contact_person",
    "contact_phone",
    "valid_until",
    "is_shortage",
)


def _check_opening(opening: JobOpening, today: date) -> None:
    if opening.valid_until and opening.valid_until < today:
        raise ValidationError({"valid_until": [_("有效期不能早于今天")]})
    if opening.contact_phone:
        try:
            opening.contact_phone = normalize_phone(opening.contact_phone)
        except ValidationError as exc:
            raise ValidationError({"contact_phone": exc.messages}) from None


@transaction.atomic
def opening_submit(
    *, actor: User, enterprise: Enterprise, at: datetime | None = None, **values
) -> JobOpening:
    """An opening waits for the coordinator's check; a coordinator's own is published at once."""
    require_for_enterprise(actor, enterprise, *FOR_ENTERPRISE)
    at = now_or(at)
    opening = JobOpening(
        enterprise=enterprise,
        submitted_by=actor,
        submitted_at=at,
        **{k: v for k, v in values.items() if k in OPENING_FIELDS},
    )
    _check_opening(opening, timezone.localtime(at).date())
    if has_role(actor, Role.COORDINATOR):
        opening.status = OS.PUBLISHED
        opening.reviewed_by, opening.reviewed_at, opening.published_at = actor, at, at
    return saved(opening, actor=actor)


@transaction.atomic
def opening_update(*, actor: User, opening: JobOpening, **values) -> JobOpening:
    """Edit an opening: a published one goes back to the coordinator for a new check, unless the
    coordinator edits it."""
    opening = locked(opening)
    require_for_enterprise(actor, opening.enterprise, *FOR_ENTERPRISE)
    require_status(opening, (OS.PENDING, OS.RETURNED, OS.PUBLISHED), _("修改"))
    for name, value in values.items():
        if name in OPENING_FIELDS:
            setattr(opening, name, value)
    _check_opening(opening, timezone.localdate())
    if not has_role(actor, Role.COORDINATOR) and opening.status != OS.PENDING:
        opening.status = OS.PENDING
    return saved(opening, actor=actor)


@transaction.atomic
def opening_review(
    *, actor: User, opening: JobOpening, approve: bool, note: str = "", at=None
) -> JobOpening:
    require_role(actor, Role.COORDINATOR, message=_("只有指挥部可以审核招聘岗位"))
    opening = locked(opening)
    require_status(opening, (OS.PENDING,), _("审核"))
    at = now_or(at)
    note = note.strip()
    if not approve and not note:
        raise ValidationError({"note": [_("退回时请写明原因")]})
    opening.reviewed_by, opening.reviewed_at, opening.review_note = actor, at, note
    if approve:
        opening.status = OS.PUBLISHED
        opening.published_at = opening.published_at or at
    else:
        opening.status = OS.RETURNED
    return saved(opening, actor=actor)


@transaction.atomic
def opening_close(*, actor: User, opening: JobOpening, at=None) -> JobOpening:
    opening = locked(opening)
    require_for_enterprise(actor, opening.enterprise, *FOR_ENTERPRISE)
    require_status(opening, (OS.PENDING, OS.RETURNED, OS.PUBLISHED), _("下架"))
    opening.status, opening.closed_at = OS.CLOSED, now_or(at)
    return saved(opening, actor=actor)


# Job seekers and applications


def _save_county(county: County) -> County:
    """A county met for the first time (outside the bundled table) is stored without
    coordinates."""
    if county.pk is None:
        existing = County.objects.filter(code=county.code).first()
        if existing is not None:
            return existing
        county.full_clean()
        county.save()
    return county


@transaction.atomic
def seeker_register(
    *,
    actor: User,
    name: str,
    id_number: str,
    phone: str,
    home_county: County,
    skills: str = "",
    wanted_job: str = "",
    at=None,
) -> JobSeeker:
    require_role(
        actor, *RECRUITERS, Role.ENTERPRISE, message=_("只有招聘服务人员或企业可以登记求职者")
    )
    seeker = JobSeeker(
        name=name.strip(),
        id_number=_field(normalize_id_number, id_number, "id_number"),
        phone=_field(lambda v: normalize_phone(v, mobile_only=True), phone, "phone"),
        home_county=_save_county(home_county),
        skills=skills.strip(),
        wanted_job=wanted_job.strip(),
        registered_by=actor,
        registered_at=now_or(at),
    )
    return saved(seeker, actor=actor)


def _field(normalise, value, name):
    try:
        return normalise(value)
    except ValidationError as exc:
        raise ValidationError({name: exc.messages}) from None


@transaction.atomic
def application_create(
    *, actor: User, opening: JobOpening, seeker: JobSeeker, note: str = "", at=None
) -> JobApplication:
    """A seeker applies to a published opening (recorded by the recruitment service, or by the
    enterprise for its own opening)."""
    opening = locked(opening)
    if has_role(actor, Role.ENTERPRISE):
        if opening.enterprise_id != actor.enterprise_id:
            raise PermissionDenied(_("只能为本企业的岗位登记投递"))
    else:
        require_role(actor, *RECRUITERS, message=_("只有招聘服务人员或企业可以登记投递"))
    if opening.status != OS.PUBLISHED:
        raise ValidationError({"opening": [_("该岗位未发布或已下架，不能投递")]})
    if JobApplication.objects.filter(opening=opening, seeker=seeker).exists():
        raise ValidationError({"seeker": [_("该求职者已投递过这个岗位")]})
    application = JobApplication(
        opening=opening, seeker=seeker, applied_at=now_or(at), note=note.strip(), created_by=actor
    )
    return saved(application, actor=actor)


# move → (statuses it starts from, status it leaves)
APPLICATION_MOVES = {
    "interview": ({A.SUBMITTED}, A.INTERVIEW),
    "hire": ({A.SUBMITTED, A.INTERVIEW}, A.HIRED),
    "reject": ({A.SUBMITTED, A.INTERVIEW}, A.REJECTED),
}
MOVE_WORDS = {"interview": _("安排面试"), "hire": _("录用"), "reject": _("标记未录用")}


@transaction.atomic
def application_move(
    *, actor: User, application: JobApplication, move: str, note: str = "", at=None
) -> JobApplication:
    """The enterprise (or the coordinator) records an interview, a hire or a refusal."""
    application = locked(application)
    opening = application.opening
    may = has_role(actor, Role.COORDINATOR) or (
        has_role(actor, Role.ENTERPRISE) and opening.enterprise_id == actor.enterprise_id
    )
    if not may:
        raise PermissionDenied(_("只有招聘企业或指挥部可以更新投递状态"))
    if move not in APPLICATION_MOVES:
        raise ValidationError({"move": [_("未知的操作")]})
    allowed, target = APPLICATION_MOVES[move]
    require_status(application, allowed, MOVE_WORDS[move])
    at = now_or(at)
    application.status = target
    if target == A.INTERVIEW:
        application.interview_at = at
    else:
        application.decided_at = at
    if note.strip():
        application.note = note.strip()[:300]
    return saved(application, actor=actor)


# Hotlines


@transaction.atomic
def hotline_save(
    *,
    actor: User,
    hotline: Hotline | None = None,
    number: str,
    department: Department,
    topic: str,
    hours: str,
    opened_on: date,
    sort_order: int = 0,
) -> Hotline:
    require_role(actor, Role.COORDINATOR, message=_("只有指挥部可以维护服务热线"))
    hotline = hotline or Hotline()
    hotline.number = _field(normalize_phone, number, "number")
    hotline.department = department
    hotline.topic, hotline.hours = topic.strip(), hours.strip()
    hotline.opened_on, hotline.sort_order = opened_on, sort_order
    return saved(hotline, actor=actor)


@transaction.atomic
def hotline_retire(*, actor: User, hotline: Hotline) -> Hotline:
    require_role(actor, Role.COORDINATOR, message=_("只有指挥部可以维护服务热线"))
    hotline = locked(hotline)
    hotline.is_active = False
    return saved(hotline, actor=actor)

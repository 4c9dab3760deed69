"""Daily resumption reports. A report is never changed: a correction is a new report that
supersedes the old one, and both stay. "As of T" an entity's situation is its latest report with
reported_at ≤ T that no correction has superseded; an entity with none has not resumed."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fugong.enterprises.models import ConstructionProject, Enterprise


class Status(models.TextChoices):
    NOT_RESUMED = "not_resumed", _("未复工")
    PARTLY = "partly", _("部分复工")
    RESUMED = "resumed", _("已复工")
    CLOSED = "closed", _("停业")


# 复工 counts partial resumption: the enterprise is back at work, if not yet at full strength.
RESUMED_STATUSES = (Status.PARTLY, Status.RESUMED)


class Difficulty(models.TextChoices):
    """The categories of 诉求 (requests); a report's main difficulty becomes a request later."""

    POLICY = "policy", _("政策咨询")
    LABOUR = "labour", _("用工招工")
    FINANCE = "finance", _("资金融资")
    MATERIALS = "materials", _("原材料供应")
    LOGISTICS = "logistics", _("物流运输")
    EPIDEMIC_SUPPLIES = "epidemic_supplies", _("防疫物资")
    PERMITS = "permits", _("审批证照")
    UTILITIES = "utilities", _("水电气暖")
    OTHER = "other", _("其他")


class Source(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业自报")
    AREA_OFFICER = "area_officer", _("街道代报")
    LIAISON = "liaison", _("专员代报")
    COORDINATOR = "coordinator", _("指挥部代报")
    BATCH = "batch", _("批量导入")
    API = "api", _("接口")
    DEMO = "demo", _("演示数据")


class Flag(models.TextChoices):
    DUTY_HALVED = "duty_halved", _("在岗人数较上次下降超过一半")
    BACK_TO_NOT_RESUMED = "back_to_not_resumed", _("已复工企业退回未复工")


class Report(models.Model):
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    project = models.ForeignKey(
        ConstructionProject,
        verbose_name=_("建设工程"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    reported_at = models.DateTimeField(_("填报时点"))
    status = models.CharField(_("复工状态"), max_length=12, choices=Status.choices)
    workers_on_payroll = models.PositiveIntegerField(_("在册职工人数"))
    workers_on_duty = models.PositiveIntegerField(_("在岗人数"))
    returned_from_outside = models.PositiveIntegerField(_("其中外地返岗"), default=0)
    in_quarantine = models.PositiveIntegerField(_("其中隔离观察"), default=0)
    capacity_percent = models.PositiveSmallIntegerField(
        _("产能利用率（%）"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    difficulty_category = models.CharField(
        _("主要困难类别"), max_length=20, choices=Difficulty.choices, blank=True
    )
    difficulty = models.TextField(_("主要困难"), blank=True, max_length=1000)
    source = models.CharField(_("填报方式"), max_length=12, choices=Source.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("更正的报告"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    # Set once, when a correction arrives; the report's content itself is never changed.
    superseded_at = models.DateTimeField(_("被更正时间"), null=True, blank=True)
    flags = models.JSONField(_("提示"), default=list, blank=True)

    class Meta:
        verbose_name = _("复工填报")
        verbose_name_plural = _("复工填报")
        constraints = [
            models.CheckConstraint(
                condition=Q(enterprise__isnull=False, project__isnull=True)
                | Q(enterprise__isnull=True, project__isnull=False),
                name="report_has_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(workers_on_duty__lte=F("workers_on_payroll")),
                name="report_duty_within_payroll",
            ),
        ]
        indexes = [
            # "Latest report of this entity at or before T": one index seek per entity.
            models.Index(
                fields=["enterprise", "reported_at", "id"],
                name="report_enterprise_asof",
                condition=Q(superseded_at__isnull=True, enterprise__isnull=False),
            ),
            models.Index(
                fields=["project", "reported_at", "id"],
                name="report_project_asof",
                condition=Q(superseded_at__isnull=True, project__isnull=False),
            ),
            models.Index(fields=["reported_at"], name="report_reported_at"),
            # "Which moments did reports recorded since T concern?", answered from the index alone.
            models.Index(fields=["recorded_at", "reported_at"], name="report_recorded"),
        ]

    def __str__(self):
        return f"{self.subject} {self.reported_at:%Y-%m-%d %H:%M} {self.get_status_display()}"

    @property
    def subject(self):
        return self.enterprise or self.project

    @property
    def is_resumed(self) -> bool:
        return self.status in RESUMED_STATUSES


class CurrentState(models.Model):
    """Each entity's latest report, kept exact in the same transaction as every report write,
    so figures "as of now" read 27,000 rows instead of searching a million."""

    enterprise = models.OneToOneField(
        Enterprise, null=True, on_delete=models.CASCADE, related_name="current_state"
    )
    project = models.OneToOneField(
        ConstructionProject, null=True, on_delete=models.CASCADE, related_name="current_state"
    )
    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="+")
    reported_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices)
    workers_on_payroll = models.PositiveIntegerField()
    workers_on_duty = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(enterprise__isnull=False, project__isnull=True)
                | Q(enterprise__isnull=True, project__isnull=False),
                name="current_state_has_one_subject",
            ),
        ]

    def __str__(self):
        return f"{self.enterprise_id or self.project_id}: {self.status}"


class FlagReview(models.Model):
    """An area officer's look at a flagged report (the report itself stays as it was)."""

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="review")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    reviewed_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(_("处理说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("提示处理")
        verbose_name_plural = _("提示处理")

    def __str__(self):
        return f"{self.report_id} ✓"


class Reminder(models.Model):
    """A reminder to report, sent to an entity for one day. Sent at most once per entity and day."""

    day = models.DateField(_("日期"))
    enterprise = models.ForeignKey(
        Enterprise, null=True, on_delete=models.CASCADE, related_name="+"
    )
    project = models.ForeignKey(
        ConstructionProject, null=True, on_delete=models.CASCADE, related_name="+"
    )
    recipients = models.PositiveSmallIntegerField(_("接收人数"))
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("填报提醒")
        verbose_name_plural = _("填报提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "enterprise"],
                name="reminder_once_enterprise",
                condition=Q(enterprise__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["day", "project"],
                name="reminder_once_project",
                condition=Q(project__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.enterprise_id or self.project_id}"


class DailySnapshot(models.Model):
    """The figure cube at the end of one past day (Beijing time), so a trend over weeks reads a
    few hundred rows per day. A snapshot is recomputed when a report recorded after it concerns
    its day or an earlier one; see selectors.daily_series."""

    day = models.DateField(unique=True)
    computed_at = models.DateTimeField()
    cube = models.JSONField()
    totals = models.JSONField(default=dict)  # by category: what the district's trend reads

    def __str__(self):
        return f"{self.day}"

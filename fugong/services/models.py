"""Enterprises' requests (诉求) as tickets. A request is handled by one or more departments or
task forces; each handling unit has its own clock (an `Assignment`), so a request passed from one
department to another is judged fairly for both. Every step is appended to `RequestStep` and
never changed, so any figure can be recomputed as of any moment."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fugong.core.models import Department, Region, StoredFile
from fugong.core.validators import validate_phone
from fugong.enterprises.models import Enterprise
from fugong.resumption.models import Difficulty

# A request's category is the same list an enterprise picks its main difficulty from when it
# reports, so a reported difficulty becomes a request without translation.
Category = Difficulty


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    CRITICAL = "critical", _("特急")


class Channel(models.TextChoices):
    PORTAL = "portal", _("企业网上提交")
    HOTLINE = "hotline", _("热线电话")
    VISIT = "visit", _("走访发现")
    REPORT = "report", _("复工填报困难")
    API = "api", _("接口")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


SATISFIED_RATINGS = (Rating.SATISFIED, Rating.BASIC)


class Stage(models.TextChoices):
    """The clocks each handling unit runs against."""

    CLAIM = "claim", _("签收")
    REPLY = "reply", _("答复")
    RESOLVE = "resolve", _("办结")


class TaskForce(models.Model):
    """服务专班: people from several departments working one kind of request together."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    lead_department = models.ForeignKey(
        Department, verbose_name=_("牵头部门"), on_delete=models.PROTECT, related_name="+"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("成员"),
        blank=True,
        related_name="task_forces",
        limit_choices_to={"role": "department"},
    )
    description = models.CharField(_("职责"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        verbose_name = _("服务专班")
        verbose_name_plural = _("服务专班")
        ordering = ["name"]

    def __str__(self):
        return self.name


class HandlerMixin(models.Model):
    """A department or a task force: whoever receives a request. Exactly one is set."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("承办部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    task_force = models.ForeignKey(
        TaskForce,
        verbose_name=_("承办专班"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def handler(self):
        return self.department or self.task_force

    @property
    def handler_key(self) -> str:
        return handler_key(self.department_id, self.task_force_id)

    @property
    def handler_name(self) -> str:
        handler = self.handler
        return handler.name if handler else ""


def handler_key(department_id: int | None, task_force_id: int | None) -> str:
    """One string for a handling unit ("d3" a department, "t1" a task force), as forms and
    figures name it."""
    return f"d{department_id}" if department_id else f"t{task_force_id}"


def one_handler(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(department__isnull=False, task_force__isnull=True)
        | Q(department__isnull=True, task_force__isnull=False),
        name=name,
    )


class RoutingRule(HandlerMixin):
    """Category × area → who receives a request. The rule for the enterprise's own street or park
    wins over the district-wide one (no area); a request no rule covers waits for the
    coordinator."""

    category = models.CharField(_("诉求类别"), max_length=20, choices=Category.choices)
    area = models.ForeignKey(
        Region,
        verbose_name=_("区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("留空表示全区"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("分派规则")
        verbose_name_plural = _("分派规则")
        ordering = ["category", "area__sort_order"]
        constraints = [
            one_handler("routing_rule_one_handler"),
            models.UniqueConstraint(
                fields=["category", "area"],
                name="routing_rule_unique_area",
                violation_error_message=_("这个类别在这个区域已有分派规则"),
            ),
            models.UniqueConstraint(
                fields=["category"],
                condition=Q(area__isnull=True),
                name="routing_rule_unique_district",
                violation_error_message=_("这个类别已有全区分派规则"),
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()} · {self.area or _('全区')} → {self.handler_name}"


class DeadlinePolicy(models.Model):
    """Working days allowed to claim, reply to and resolve a request of one category; a row for
    a grade overrides the category's general row (A-grade enterprises get shorter deadlines)."""

    category = models.CharField(_("诉求类别"), max_length=20, choices=Category.choices)
    grade = models.CharField(
        _("企业等级"),
        max_length=1,
        choices=Enterprise.Grade.choices,
        blank=True,
        help_text=_("留空表示所有等级"),
    )
    claim_days = models.PositiveSmallIntegerField(
        _("签收时限（工作日）"), validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    reply_days = models.PositiveSmallIntegerField(
        _("答复时限（工作日）"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    resolve_days = models.PositiveSmallIntegerField(
        _("办结时限（工作日）"), validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        ordering = ["category", "grade"]
        constraints = [
            models.UniqueConstraint(fields=["category", "grade"], name="deadline_policy_unique"),
            models.CheckConstraint(
                condition=Q(claim_days__lte=models.F("reply_days"))
                & Q(reply_days__lte=models.F("resolve_days")),
                name="deadline_policy_ordered",
                violation_error_message=_("时限应满足：签收 ≤ 答复 ≤ 办结"),
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()} {self.grade or _('所有等级')}"


class CalendarDay(models.Model):
    """A local exception to the national calendar: a holiday or a make-up working day (调休) the
    official list does not have, or a year it does not cover yet."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否上班"))
    name = models.CharField(_("说明"), max_length=50, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"


class ServiceRequest(models.Model):
    class Status(models.TextChoices):
        UNASSIGNED = "unassigned", _("待分派")
        PENDING = "pending", _("待签收")
        IN_PROGRESS = "in_progress", _("办理中")
        REPLIED = "replied", _("已答复")
        CLOSED = "closed", _("已办结")

    OPEN_STATUSES = (Status.UNASSIGNED, Status.PENDING, Status.IN_PROGRESS, Status.REPLIED)

    number = models.CharField(_("诉求编号"), max_length=20, unique=True, editable=False)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="requests"
    )
    category = models.CharField(_("诉求类别"), max_length=20, choices=Category.choices)
    title = models.CharField(_("标题"), max_length=60)
    description = models.TextField(_("诉求内容"), max_length=2000)
    urgency = models.CharField(
        _("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    channel = models.CharField(_("来源"), max_length=10, choices=Channel.choices)
    caller_name = models.CharField(_("来电人"), max_length=50, blank=True)
    caller_phone = models.CharField(
        _("来电号码"), max_length=20, blank=True, validators=[validate_phone]
    )
    report = models.ForeignKey(
        "resumption.Report",
        verbose_name=_("来源填报"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    visit = models.ForeignKey(
        "enterprises.Visit",
        verbose_name=_("来源走访"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The grade when the request arrived: it set the deadlines, whatever the grade is later.
    grade = models.CharField(_("企业等级"), max_length=1, choices=Enterprise.Grade.choices)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices)
    created_at = models.DateTimeField(_("受理时间"), db_index=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # When the coordinator last reopened it after a closing: the figures of an earlier moment
    # read whether it was closed then from its steps, the others read `closed_at`.
    last_reopened_at = models.DateTimeField(_("最近重新打开时间"), null=True, blank=True)
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    # Raised when a request is reopened; its assignments carry the round they belong to.
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    # Reopenings after an unsatisfied rating: only the first one sends the request back.
    reopen_count = models.PositiveSmallIntegerField(_("不满意重办次数"), default=0)

    class Meta:
        verbose_name = _("企业诉求")
        verbose_name_plural = _("企业诉求")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["enterprise", "created_at"]),
            # Holds every column the figures' request counts read, in their group order, so
            # they are counted from the index alone (selectors._request_counts).
            models.Index(
                fields=["category", "created_at", "closed_at", "last_reopened_at"],
                name="request_figures_cover",
            ),
            models.Index(
                fields=["last_reopened_at"],
                condition=Q(last_reopened_at__isnull=False),
                name="request_reopened",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


FIGURE_COLUMNS = [
    "department",
    "task_force",
    "category",
    "assigned_at",
    "claimed_at",
    "ended_at",
    "claim_due",
    "replied_at",
    "reply_due",
    "completed_at",
    "resolve_due",
    "rated_at",
    "rating",
    "status",
    "last_extended_at",
]


class Assignment(HandlerMixin):
    """One handling unit's part in a request, with its own clock. A transfer ends it and starts
    a new one for the receiving unit; a reopened request starts a new round."""

    class Role(models.TextChoices):
        LEAD = "lead", _("主办")
        CO = "co", _("协办")

    class Status(models.TextChoices):
        PENDING = "pending", _("待签收")
        IN_PROGRESS = "in_progress", _("办理中")
        REPLIED = "replied", _("已答复")
        DONE = "done", _("已办结")
        REOPENED = "reopened", _("不满意重办")
        TRANSFERRED = "transferred", _("已转办")
        RETURNED = "returned", _("已退回")
        CANCELLED = "cancelled", _("已撤回")

    ACTIVE_STATUSES = (Status.PENDING, Status.IN_PROGRESS, Status.REPLIED)

    request = models.ForeignKey(
        ServiceRequest,
        verbose_name=_("诉求"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    role = models.CharField(_("承办方式"), max_length=4, choices=Role.choices, default=Role.LEAD)
    # The request's category, copied when the clock starts (a request's category never changes):
    # the figures group clocks by it without reading the requests.
    category = models.CharField(
        _("诉求类别"), max_length=20, choices=Category.choices, editable=False
    )
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices)
    assigned_at = models.DateTimeField(_("分派时间"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    claim_due = models.DateTimeField(_("签收期限"))
    reply_due = models.DateTimeField(_("答复期限"))
    resolve_due = models.DateTimeField(_("办结期限"))
    claimed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply = models.TextField(_("答复内容"), blank=True, max_length=2000)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=300, blank=True)
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    # When an approved extension last moved a deadline: the figures as of an earlier moment read
    # the deadlines as they stood then (from the extension), the others read the columns.
    last_extended_at = models.DateTimeField(_("最近延期时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("承办记录")
        verbose_name_plural = _("承办记录")
        ordering = ["assigned_at", "id"]
        constraints = [one_handler("assignment_one_handler")]
        indexes = [
            models.Index(fields=["department", "status"]),
            models.Index(fields=["task_force", "status"]),
            models.Index(fields=["assigned_at"]),
            # Every column the figures read, in their group order: the one pass over all clocks
            # (selectors._clock_aggregates) reads this index, not the rows with their replies.
            models.Index(fields=FIGURE_COLUMNS, name="assignment_figures_cover"),
            # The few clocks an extension moved, found at once by the figures of earlier moments.
            models.Index(
                fields=["last_extended_at"],
                condition=Q(last_extended_at__isnull=False),
                name="assignment_extended",
            ),
        ]

    def __str__(self):
        return f"{self.request.number} → {self.handler_name}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    def due_for(self, stage: str):
        return {
            Stage.CLAIM: self.claim_due,
            Stage.REPLY: self.reply_due,
            Stage.RESOLVE: self.resolve_due,
        }[stage]

    @property
    def current_stage(self) -> str | None:
        """The clock that is running now, if any."""
        if self.status == self.Status.PENDING:
            return Stage.CLAIM
        if self.status == self.Status.IN_PROGRESS:
            return Stage.REPLY
        return None

    @property
    def current_due(self):
        stage = self.current_stage
        return self.due_for(stage) if stage else None


class UnassignedPeriod(models.Model):
    """A time a request waited with no unit handling it (待分派): filed with no routing rule,
    returned by its last unit, reopened with no one to reopen it to. Kept so that the figures
    count the requests waiting as of any moment, not only now."""

    request = models.ForeignKey(
        ServiceRequest,
        verbose_name=_("诉求"),
        on_delete=models.CASCADE,
        related_name="unassigned_periods",
    )
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("待分派时段")
        verbose_name_plural = _("待分派时段")
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["started_at", "ended_at"])]

    def __str__(self):
        return f"{self.request_id} {self.started_at:%Y-%m-%d %H:%M}"


class RequestStep(models.Model):
    """One thing that happened to a request: appended, never changed."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("提交诉求")
        ROUTE = "route", _("分派")
        REROUTE = "reroute", _("改派")
        COHANDLE = "cohandle", _("增加协办")
        CLAIM = "claim", _("签收")
        TRANSFER = "transfer", _("转办")
        RETURN = "return", _("退回")
        REPLY = "reply", _("答复")
        RATE = "rate", _("评价")
        REOPEN = "reopen", _("重新办理")
        CLOSE = "close", _("办结")
        EXTENSION_REQUEST = "extension_request", _("申请延期")
        EXTENSION_APPROVE = "extension_approve", _("同意延期")
        EXTENSION_REJECT = "extension_reject", _("不同意延期")
        ESCALATE = "escalate", _("督办")
        THANKS = "thanks", _("收到感谢信")
        COMMENT = "comment", _("备注")

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="steps", verbose_name=_("诉求")
    )
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.CASCADE, related_name="steps"
    )
    action = models.CharField(_("环节"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("为空表示系统自动"),
    )
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True, max_length=2000)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.request_id} {self.get_action_display()}"


def attachment_path(instance, filename: str) -> str:
    return f"requests/{instance.request_id}/{filename}"


class Attachment(StoredFile):
    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="attachments"
    )
    step = models.ForeignKey(
        RequestStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to=attachment_path)

    class Meta(StoredFile.Meta):
        verbose_name = _("附件")
        verbose_name_plural = _("附件")


class Extension(models.Model):
    """A handling unit asks for more time; only the coordinator can grant it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已同意")
        REJECTED = "rejected", _("不同意")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="extensions")
    stage = models.CharField(
        _("延期环节"),
        max_length=8,
        choices=[
            (Stage.REPLY.value, Stage.REPLY.label),
            (Stage.RESOLVE.value, Stage.RESOLVE.label),
        ],
    )
    current_due = models.DateTimeField(_("原期限"))
    extra_days = models.PositiveSmallIntegerField(
        _("延长工作日"), validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    reason = models.CharField(_("延期理由"), max_length=500)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"))
    status = models.CharField(
        _("审批结果"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)
    new_due = models.DateTimeField(_("新期限"), null=True, blank=True)
    # The clock's deadlines just before the approval moved them, for the figures as of then.
    reply_due_before = models.DateTimeField(_("批准前答复期限"), null=True, blank=True)
    resolve_due_before = models.DateTimeField(_("批准前办结期限"), null=True, blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(status="pending"),
                name="extension_one_pending",
                violation_error_message=_("已有一份待审批的延期申请"),
            ),
        ]

    def __str__(self):
        return f"{self.assignment} +{self.extra_days}"


class Escalation(models.Model):
    """督办: a deadline near or passed, raised to the handlers, the department head, then the
    leaders. An automatic escalation happens once per clock, level and deadline (an approved
    extension starts the count again); leaders may also escalate by hand."""

    class Level(models.TextChoices):
        WARNING = "warning", _("临期提醒")
        HEAD = "head", _("逾期督办（部门负责人）")
        LEADER = "leader", _("逾期督办（区领导）")
        MANUAL = "manual", _("领导督办")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="escalations")
    stage = models.CharField(_("环节"), max_length=8, choices=Stage.choices)
    level = models.CharField(_("级别"), max_length=8, choices=Level.choices)
    at = models.DateTimeField(_("时间"))
    due = models.DateTimeField(_("期限"))
    recipients = models.JSONField(_("通知对象"), default=list)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("督办意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "stage", "level", "due"],
                condition=~Q(level="manual"),
                name="escalation_once_per_level",
            ),
        ]

    def __str__(self):
        return f"{self.assignment} {self.get_level_display()}"


class ThankYouLetter(models.Model):
    """感谢信 an enterprise sent a department, for one request or for its service in general."""

    department = models.ForeignKey(
        Department, verbose_name=_("受表扬部门"), on_delete=models.PROTECT, related_name="+"
    )
    request = models.ForeignKey(
        ServiceRequest,
        verbose_name=_("相关诉求"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="letters",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("来信企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sender = models.CharField(_("来信单位/个人"), max_length=100)
    received_on = models.DateField(_("收信日期"))
    summary = models.TextField(_("内容摘要"), max_length=1000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("感谢信")
        verbose_name_plural = _("感谢信")
        ordering = ["-received_on", "-id"]

    def __str__(self):
        return f"{self.sender} → {self.department}"

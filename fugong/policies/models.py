"""惠企政策: a policy library whose eligibility is data (a condition tree, see `rules.py`), the
enterprises each published policy matches, what they were told, what they applied for and what
they were paid. Matches, steps and events are appended, never rewritten: a match that no longer
holds is ended, not deleted, so every figure can be recomputed. For the same reason nothing they
point to can be deleted (PROTECT): a policy ends by expiring, an enterprise that was matched,
applied or was listed for a payout stays in the register (closed, if need be)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fugong.core.models import Department, StoredFile
from fugong.core.validators import validate_phone
from fugong.enterprises.models import Enterprise


class Level(models.TextChoices):
    NATIONAL = "national", _("国家")
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    DISTRICT = "district", _("区")


class Kind(models.TextChoices):
    SUBSIDY = "subsidy", _("补贴")
    RELIEF = "relief", _("减免")
    LOAN_INTEREST = "loan_interest", _("贷款贴息")
    SOCIAL_INSURANCE = "social_insurance", _("社保返还")
    RENT = "rent", _("租金减免")
    JOB_RETENTION = "job_retention", _("稳岗")
    OTHER = "other", _("其他")


class Mode(models.TextChoices):
    AUTO_GRANT = "auto_grant", _("免申即享")
    APPLY = "apply", _("申请后兑现")


class BenefitKind(models.TextChoices):
    NONE = "none", _("非资金类")
    FIXED = "fixed", _("定额")
    PER_WORKER = "per_worker", _("按在册职工人数")
    PERCENT = "percent", _("按申报基数的比例")


MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}


class Policy(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        EXPIRED = "expired", _("已到期")

    title = models.CharField(_("政策名称"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=80, blank=True)
    issuer = models.CharField(_("发文机关"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    kind = models.CharField(_("政策类型"), max_length=20, choices=Kind.choices)
    is_example = models.BooleanField(
        _("演示示例"),
        default=False,
        help_text=_("为演示编写的示例政策，不是真实文件"),
    )
    summary = models.TextField(_("政策摘要"), max_length=1000)
    full_text = models.TextField(_("政策原文"), max_length=50_000, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("联系部门"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("解答咨询并审核申请的部门"),
    )
    contact_phone = models.CharField(
        _("咨询电话"), max_length=20, blank=True, validators=[validate_phone]
    )
    effective_on = models.DateField(_("施行日期"))
    expires_on = models.DateField(_("截止日期"), null=True, blank=True)
    mode = models.CharField(_("兑现方式"), max_length=12, choices=Mode.choices)
    benefit_kind = models.CharField(
        _("享受标准"), max_length=12, choices=BenefitKind.choices, default=BenefitKind.NONE
    )
    benefit_amount = models.DecimalField(
        _("金额（元）"),
        null=True,
        blank=True,
        help_text=_("定额时为每家金额，按人数时为每人金额"),
        **MONEY,
    )
    benefit_percent = models.DecimalField(
        _("比例（%）"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(100))],
    )
    benefit_cap = models.DecimalField(_("每家上限（元）"), null=True, blank=True, **MONEY)
    benefit_note = models.CharField(_("享受标准说明"), max_length=200, blank=True)
    rule = models.JSONField(_("申报条件"), default=dict, blank=True)
    situation_as_of = models.DateTimeField(
        _("复工情况时点"),
        null=True,
        blank=True,
        help_text=_("条件中的复工状态、用工复工率按此时点判断；留空表示按匹配时的最新情况"),
    )
    review_days = models.PositiveSmallIntegerField(
        _("审核时限（工作日）"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    objection_days = models.PositiveSmallIntegerField(
        _("公示期（工作日）"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    expired_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    # When the rule (or the moment it is judged at) last changed: the next run matches the whole
    # district again for this policy.
    rule_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # Raised by every edit; an edit made from an older version is refused (optimistic locking).
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    title_pinyin = models.CharField(max_length=400, editable=False, default="")
    title_initials = models.CharField(max_length=100, editable=False, default="")
    history = HistoricalRecords(
        excluded_fields=["title_pinyin", "title_initials", "updated_at", "version"]
    )

    class Meta:
        verbose_name = _("惠企政策")
        verbose_name_plural = _("惠企政策")
        ordering = ["-effective_on", "-id"]
        indexes = [models.Index(fields=["status", "effective_on"])]

    def __str__(self):
        return self.title

    def refresh_title_keys(self) -> None:
        from fugong.core.pinyin import pinyin_keys

        self.title_pinyin, self.title_initials = pinyin_keys(self.title)

    @property
    def is_public(self) -> bool:
        return self.status in (self.Status.PUBLISHED, self.Status.EXPIRED)

    @property
    def is_auto_grant(self) -> bool:
        return self.mode == Mode.AUTO_GRANT


class PolicyEvent(models.Model):
    """Something that happened to a policy (created, rule changed, published, expired,
    matched, pushed): appended, never changed."""

    class Action(models.TextChoices):
        CREATE = "create", _("创建")
        EDIT = "edit", _("修改")
        RULE = "rule", _("修改申报条件")
        PUBLISH = "publish", _("发布")
        EXPIRE = "expire", _("到期")
        MATCH = "match", _("匹配")
        PUSH = "push", _("推送")

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("事项"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("政策记录")
        verbose_name_plural = _("政策记录")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.policy_id} {self.get_action_display()}"


def policy_attachment_path(instance, filename: str) -> str:
    return f"policies/{instance.policy_id}/{filename}"


class PolicyAttachment(StoredFile):
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=policy_attachment_path)

    class Meta(StoredFile.Meta):
        verbose_name = _("政策附件")
        verbose_name_plural = _("政策附件")


class MatchingRun(models.Model):
    """One pass of matching: for one policy (published, rule changed, by hand) or for every
    published policy over the enterprises changed since the previous run (nightly). Its start
    is the watermark the next nightly run reads changes from."""

    class Trigger(models.TextChoices):
        PUBLISH = "publish", _("发布")
        RULE = "rule", _("条件修改")
        MANUAL = "manual", _("手动")
        NIGHTLY = "nightly", _("每晚")

    trigger = models.CharField(_("触发"), max_length=10, choices=Trigger.choices)
    policy = models.ForeignKey(
        Policy, null=True, blank=True, on_delete=models.PROTECT, related_name="runs"
    )
    started_at = models.DateTimeField(_("开始时间"), db_index=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    changes_since = models.DateTimeField(_("读取此后的变化"), null=True, blank=True)
    policies = models.PositiveIntegerField(_("政策数"), default=0)
    enterprises = models.PositiveIntegerField(_("复核企业数"), default=0)
    added = models.PositiveIntegerField(_("新增匹配"), default=0)
    ended = models.PositiveIntegerField(_("不再符合"), default=0)

    class Meta:
        verbose_name = _("匹配记录")
        verbose_name_plural = _("匹配记录")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.get_trigger_display()} {self.started_at:%Y-%m-%d %H:%M}"


class PolicyMatch(models.Model):
    """An enterprise meets a published policy's conditions, from `matched_at` until `ended_at`
    (blank while it still does). Pushing and reading are recorded on it."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="matches")
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="policy_matches"
    )
    run = models.ForeignKey(MatchingRun, on_delete=models.PROTECT, related_name="+")
    matched_at = models.DateTimeField(_("匹配时间"))
    ended_at = models.DateTimeField(_("不再符合时间"), null=True, blank=True)
    notified_at = models.DateTimeField(_("推送时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("政策匹配")
        verbose_name_plural = _("政策匹配")
        ordering = ["-matched_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "enterprise"],
                condition=Q(ended_at__isnull=True),
                name="policy_match_one_active",
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "ended_at"])]

    def __str__(self):
        return f"{self.policy_id} → {self.enterprise_id}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class Application(models.Model):
    """An enterprise's application for an `apply` policy: submitted from the portal with its
    register data filled in, reviewed by the policy's department, then paid."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        MORE_INFO = "more_info", _("待补充材料")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")
        PAID = "paid", _("已兑现")
        WITHDRAWN = "withdrawn", _("已撤回")

    OPEN_STATUSES = (Status.SUBMITTED, Status.MORE_INFO, Status.APPROVED)

    number = models.CharField(_("申请编号"), max_length=20, unique=True, editable=False)
    policy = models.ForeignKey(
        Policy, verbose_name=_("政策"), on_delete=models.PROTECT, related_name="applications"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="policy_applications",
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    submitted_at = models.DateTimeField(_("申请时间"))
    due_at = models.DateTimeField(_("审核期限"))
    # The register as it stood when the enterprise applied (name, code, contact, workforce).
    prefilled = models.JSONField(_("企业信息"), default=dict)
    statement = models.TextField(_("申请说明"), max_length=2000)
    declared_base = models.DecimalField(
        _("申报基数（元）"),
        null=True,
        blank=True,
        help_text=_("按比例兑现的政策须填写，如实际支付的租金、利息"),
        **MONEY,
    )
    requested_amount = models.DecimalField(_("申请金额（元）"), null=True, blank=True, **MONEY)
    approved_amount = models.DecimalField(_("核定金额（元）"), null=True, blank=True, **MONEY)
    paid_amount = models.DecimalField(_("兑现金额（元）"), null=True, blank=True, **MONEY)
    paid_on = models.DateField(_("兑现日期"), null=True, blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.CharField(_("审核意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("政策申请")
        verbose_name_plural = _("政策申请")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "enterprise"],
                condition=Q(status__in=["submitted", "more_info", "approved", "paid"]),
                name="application_one_open_per_policy",
                violation_error_message=_("该企业已申请此政策"),
            ),
        ]
        indexes = [models.Index(fields=["policy", "status"])]

    def __str__(self):
        return f"{self.number} {self.enterprise}"


class ApplicationStep(models.Model):
    class Action(models.TextChoices):
        SUBMIT = "submit", _("提交申请")
        ASK = "ask", _("要求补充材料")
        RESUBMIT = "resubmit", _("补充材料")
        APPROVE = "approve", _("审核通过")
        REJECT = "reject", _("审核不通过")
        PAY = "pay", _("兑现")
        WITHDRAW = "withdraw", _("撤回")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="steps")
    action = models.CharField(_("环节"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT
    )
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), max_length=2000, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("申请环节")
        verbose_name_plural = _("申请环节")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.application_id} {self.get_action_display()}"


class PayoutBatch(models.Model):
    """免申即享: the list of enterprises an auto-grant policy pays, with the amount each gets and
    why. It is publicly noticed (公示) for an objection window before it is confirmed and
    handed to finance."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("待公示")
        NOTICE = "notice", _("公示中")
        CONFIRMED = "confirmed", _("已确认")
        PAID = "paid", _("已拨付")

    policy = models.ForeignKey(
        Policy, verbose_name=_("政策"), on_delete=models.PROTECT, related_name="payout_batches"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("生成时间"))
    notice_starts_at = models.DateTimeField(_("公示开始"), null=True, blank=True)
    notice_ends_at = models.DateTimeField(_("公示截止"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    paid_on = models.DateField(_("拨付日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("免申即享兑现清单")
        verbose_name_plural = _("免申即享兑现清单")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.policy} {self.created_at:%Y-%m-%d}"


class PayoutLine(models.Model):
    batch = models.ForeignKey(PayoutBatch, on_delete=models.PROTECT, related_name="lines")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    basis = models.CharField(_("计算依据"), max_length=200)
    excluded = models.BooleanField(_("已剔除"), default=False)
    excluded_reason = models.CharField(_("剔除原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("兑现清单明细")
        verbose_name_plural = _("兑现清单明细")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "enterprise"], name="payout_line_unique"),
        ]

    def __str__(self):
        return f"{self.enterprise} {self.amount}"


class Objection(models.Model):
    """An objection to a noticed payout list, from anyone (no login needed), handled by the
    coordinator or the policy's department: upheld (the line is taken off) or dismissed; while
    the list is noticed a decision may be reconsidered, and the objector may withdraw (the
    reviewer records it). A line is off the list while an upheld objection to it stands. Every
    step is appended to `ObjectionStep`."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        UPHELD = "upheld", _("异议成立")
        DISMISSED = "dismissed", _("异议不成立")
        WITHDRAWN = "withdrawn", _("已撤回")

    batch = models.ForeignKey(PayoutBatch, on_delete=models.PROTECT, related_name="objections")
    line = models.ForeignKey(
        PayoutLine,
        verbose_name=_("涉及企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objections",
    )
    name = models.CharField(_("异议人"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=20, validators=[validate_phone])
    content = models.TextField(_("异议内容"), max_length=1000)
    filed_at = models.DateTimeField(_("提出时间"))
    status = models.CharField(
        _("处理结果"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    reply = models.CharField(_("处理意见"), max_length=500, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    # A retried submission carries the same key (API header) and gets the same objection.
    idempotency_key = models.CharField(max_length=100, blank=True, editable=False)
    # Where it came from, as a keyed hash (not the address): for the hourly limit per client.
    client = models.CharField(max_length=32, blank=True, editable=False, db_index=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["filed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="objection_idempotency_key",
            ),
        ]

    def __str__(self):
        return f"{self.batch_id} {self.name}"


class ObjectionStep(models.Model):
    """Filed (by the public: no actor), upheld, dismissed, withdrawn: appended, never changed."""

    class Action(models.TextChoices):
        FILE = "file", _("提出异议")
        UPHOLD = "uphold", _("认定异议成立")
        DISMISS = "dismiss", _("认定异议不成立")
        WITHDRAW = "withdraw", _("撤回异议")

    objection = models.ForeignKey(Objection, on_delete=models.PROTECT, related_name="steps")
    action = models.CharField(_("环节"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("异议处理记录")
        verbose_name_plural = _("异议处理记录")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.objection_id} {self.get_action_display()}"

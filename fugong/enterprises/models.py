from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fugong.core.models import Located, Region
from fugong.core.validators import validate_not_in_future, validate_phone, validate_uscc


class IndustrySection(models.TextChoices):
    """门类 of GB/T 4754-2017, the national classification of economic activities."""

    A = "A", _("农、林、牧、渔业")
    B = "B", _("采矿业")
    C = "C", _("制造业")
    D = "D", _("电力、热力、燃气及水生产和供应业")
    E = "E", _("建筑业")
    F = "F", _("批发和零售业")
    G = "G", _("交通运输、仓储和邮政业")
    H = "H", _("住宿和餐饮业")
    I = "I", _("信息传输、软件和信息技术服务业")  # noqa: E741
    J = "J", _("金融业")
    K = "K", _("房地产业")
    L = "L", _("租赁和商务服务业")
    M = "M", _("科学研究和技术服务业")
    N = "N", _("水利、环境和公共设施管理业")
    O = "O", _("居民服务、修理和其他服务业")  # noqa: E741
    P = "P", _("教育")
    Q = "Q", _("卫生和社会工作")
    R = "R", _("文化、体育和娱乐业")
    S = "S", _("公共管理、社会保障和社会组织")
    T = "T", _("国际组织")


class SearchableName(models.Model):
    """Pinyin keys kept beside a Chinese name, so 「ksf」 or 「kangshifu」 finds 康师傅."""

    # Searched with LIKE '%…%', which no b-tree index serves: none is kept, so imports stay fast.
    name_pinyin = models.CharField(max_length=400, editable=False, default="")
    name_initials = models.CharField(max_length=100, editable=False, default="")

    class Meta:
        abstract = True

    def refresh_name_keys(self):
        from fugong.core.pinyin import pinyin_keys

        self.name_pinyin, self.name_initials = pinyin_keys(self.name)


SUBDISTRICT_CHOICES = Q(kind__in=[k.value for k in Region.SUBDISTRICT_KINDS]) | Q(
    kind=Region.Kind.COMMUNITY
)


class Enterprise(Located, SearchableName):
    class Category(models.TextChoices):
        INDUSTRY_ABOVE = "industry_above", _("规上工业")
        INDUSTRY_BELOW = "industry_below", _("规下工业")
        SERVICES_ABOVE = "services_above", _("规上服务业")
        SERVICES_BELOW = "services_below", _("规下服务业")

    class Grade(models.TextChoices):
        A = "A", "A"
        B = "B", "B"
        C = "C", "C"

    class Status(models.TextChoices):
        OPERATING = "operating", _("在营")
        CLOSED = "closed", _("停业")

    name = models.CharField(_("企业名称"), max_length=200, db_index=True)
    uscc = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        validators=[validate_uscc],
        error_messages={"unique": _("该统一社会信用代码已登记")},
    )
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(
        _("联系电话"), max_length=20, blank=True, validators=[validate_phone]
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("所属街道"),
        on_delete=models.PROTECT,
        related_name="enterprises",
        limit_choices_to=SUBDISTRICT_CHOICES,
    )
    park = models.ForeignKey(
        Region,
        verbose_name=_("所属园区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="park_enterprises",
        limit_choices_to={"kind": Region.Kind.PARK},
    )
    category = models.CharField(_("企业类别"), max_length=20, choices=Category.choices)
    industry_section = models.CharField(
        _("行业门类"), max_length=1, choices=IndustrySection.choices, blank=True
    )
    payroll_headcount = models.PositiveIntegerField(_("在册职工人数"), default=0)
    founded_on = models.DateField(
        _("成立日期"), null=True, blank=True, validators=[validate_not_in_future]
    )
    is_key = models.BooleanField(_("重点企业"), default=False)
    is_talent = models.BooleanField(_("人才企业"), default=False)
    is_epidemic_supplies = models.BooleanField(_("防疫物资企业"), default=False)
    grade = models.CharField(_("企业等级"), max_length=1, choices=Grade.choices, blank=True)
    # Set by hand (with a reason) instead of by the grading rules, which then leave it alone.
    grade_overridden = models.BooleanField(_("人工评级"), default=False)
    grade_reason = models.CharField(_("评级理由"), max_length=300, blank=True)
    status = models.CharField(
        _("经营状态"), max_length=10, choices=Status.choices, default=Status.OPERATING
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # Raised by every change; an edit made from an older version is refused (optimistic locking).
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    history = HistoricalRecords(
        excluded_fields=["name_pinyin", "name_initials", "updated_at", "version"]
    )

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["category", "status"]),
            models.Index(fields=["region", "category"]),
            models.Index(fields=["park", "category"]),
        ]

    def __str__(self):
        return self.name

    @property
    def coordinates(self) -> tuple[float, float] | None:
        """Where the enterprise is: its own point, else its park's or its street's centre."""
        for place in (self, self.park, self.region):
            point = place.own_coordinates if place is not None else None
            if point is not None:
                return point
        return None

    @property
    def effective_grade(self) -> str:
        """The grade that counts: an enterprise not graded yet is treated as B."""
        return self.grade or self.Grade.B


class ConstructionProject(SearchableName):
    class Status(models.TextChoices):
        PLANNED = "planned", _("未开工")
        UNDER_CONSTRUCTION = "under_construction", _("在建")
        SUSPENDED = "suspended", _("停工")
        COMPLETED = "completed", _("已竣工")

    name = models.CharField(_("项目名称"), max_length=200, db_index=True)
    code = models.CharField(
        _("项目代码"),
        max_length=24,
        unique=True,
        error_messages={"unique": _("该项目代码已登记")},
        validators=[
            RegexValidator(
                r"^\d{4}-\d{6}-\d{2}-\d{2}-\d{6}$",
                _(
                    "项目代码格式应为 年份-区划代码-行业代码-类型-流水号，如 2019-410103-47-01-012345"
                ),
            )
        ],
    )
    builder = models.ForeignKey(
        Enterprise,
        verbose_name=_("建设单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    builder_name = models.CharField(
        _("建设单位名称"),
        max_length=200,
        blank=True,
        help_text=_("建设单位不在企业名录中时填写"),
    )
    site_address = models.CharField(_("建设地点"), max_length=200)
    region = models.ForeignKey(
        Region,
        verbose_name=_("所属街道"),
        on_delete=models.PROTECT,
        related_name="projects",
        limit_choices_to=SUBDISTRICT_CHOICES,
    )
    park = models.ForeignKey(
        Region,
        verbose_name=_("所属园区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="park_projects",
        limit_choices_to={"kind": Region.Kind.PARK},
    )
    total_investment = models.DecimalField(
        _("总投资（万元）"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    planned_start = models.DateField(_("计划开工日期"), null=True, blank=True)
    contact_person = models.CharField(_("项目负责人"), max_length=50, blank=True)
    contact_phone = models.CharField(
        _("负责人电话"), max_length=20, blank=True, validators=[validate_phone]
    )
    payroll_headcount = models.PositiveIntegerField(_("在册施工人数"), default=0)
    status = models.CharField(
        _("项目状态"), max_length=20, choices=Status.choices, default=Status.UNDER_CONSTRUCTION
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # Raised by every change; an edit made from an older version is refused (optimistic locking).
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    history = HistoricalRecords(
        excluded_fields=["name_pinyin", "name_initials", "updated_at", "version"]
    )

    class Meta:
        verbose_name = _("建设工程项目")
        verbose_name_plural = _("建设工程项目")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(builder__isnull=False) | ~Q(builder_name=""),
                name="project_has_builder",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def builder_display(self) -> str:
        return self.builder.name if self.builder_id else self.builder_name


class LiaisonAssignment(models.Model):
    """A service officer stationed with an enterprise (驻企服务). Ended assignments are kept."""

    class Kind(models.TextChoices):
        SERVICE = "service", _("服务专员")
        TALENT = "talent", _("人才服务专员")
        PARTY = "party", _("党建指导员")
        RESIDENT = "resident", _("驻企指导员")

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="liaison_assignments",
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("服务专员"),
        on_delete=models.PROTECT,
        related_name="liaison_assignments",
        limit_choices_to={"role": "liaison"},
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    is_primary = models.BooleanField(_("主责专员"), default=False)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("服务专员分配")
        verbose_name_plural = _("服务专员分配")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "officer", "kind"],
                condition=Q(ended_on__isnull=True),
                name="liaison_one_active_assignment",
            ),
            models.UniqueConstraint(
                fields=["enterprise", "kind"],
                condition=Q(ended_on__isnull=True, is_primary=True),
                name="liaison_one_active_primary",
                violation_error_message=_("这家企业已有该类型的主责专员"),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="liaison_ends_after_it_starts",
                violation_error_message=_("结束日期不能早于开始日期"),
            ),
        ]
        indexes = [models.Index(fields=["officer", "ended_on"])]

    def __str__(self):
        return f"{self.officer} → {self.enterprise}（{self.get_kind_display()}）"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class GradeRule(models.Model):
    """One row of the grading table (ABC等级划定). An enterprise that meets every condition set
    on a row gets that row's grade; rows are tried in order and the first match wins. A row with
    no condition matches everyone (the catch-all); when no row matches, the grade is B."""

    order = models.PositiveIntegerField(_("顺序"), default=0)
    grade = models.CharField(_("等级"), max_length=1, choices=Enterprise.Grade.choices)
    categories = models.JSONField(
        _("企业类别（任一）"),
        default=list,
        blank=True,
        help_text=_("不选则不限类别"),
    )
    is_key = models.BooleanField(_("重点企业"), null=True, blank=True)
    is_talent = models.BooleanField(_("人才企业"), null=True, blank=True)
    headcount_below = models.PositiveIntegerField(
        _("职工人数少于"), null=True, blank=True, help_text=_("不填则不限人数")
    )
    note = models.CharField(_("说明"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评级规则")
        verbose_name_plural = _("评级规则")
        ordering = ["order", "id"]

    def __str__(self):
        return f"{self.order}. {self.grade}: {self.describe()}"

    def condition(self) -> Q:
        """The rule as a query condition (empty for the catch-all)."""
        condition = Q()
        if self.categories:
            condition &= Q(category__in=self.categories)
        if self.is_key is not None:
            condition &= Q(is_key=self.is_key)
        if self.is_talent is not None:
            condition &= Q(is_talent=self.is_talent)
        if self.headcount_below is not None:
            condition &= Q(payroll_headcount__lt=self.headcount_below)
        return condition

    def matches(self, enterprise: Enterprise) -> bool:
        """The same test as `condition`, on one enterprise in memory."""
        return (
            (not self.categories or enterprise.category in self.categories)
            and (self.is_key is None or enterprise.is_key == self.is_key)
            and (self.is_talent is None or enterprise.is_talent == self.is_talent)
            and (
                self.headcount_below is None or enterprise.payroll_headcount < self.headcount_below
            )
        )

    def describe(self) -> str:
        """The conditions in words, e.g. 「规下工业或规下服务业，职工人数少于10」."""
        labels = dict(Enterprise.Category.choices)
        parts = []
        if self.categories:
            parts.append(_("或").join(str(labels.get(c, c)) for c in self.categories))
        for flag, yes, no in (
            (self.is_key, _("重点企业"), _("非重点企业")),
            (self.is_talent, _("人才企业"), _("非人才企业")),
        ):
            if flag is not None:
                parts.append(str(yes if flag else no))
        if self.headcount_below is not None:
            parts.append(str(_("职工人数少于%(n)d") % {"n": self.headcount_below}))
        return "，".join(parts) if parts else str(_("其余所有企业"))


class Visit(models.Model):
    """A service officer's visit to an enterprise (走访), with what they found."""

    class Kind(models.TextChoices):
        ON_SITE = "on_site", _("实地走访")
        PHONE = "phone", _("电话")
        VIDEO = "video", _("视频")

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="visits"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("走访人"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    visited_on = models.DateField(_("走访日期"))
    kind = models.CharField(_("走访方式"), max_length=10, choices=Kind.choices)
    findings = models.TextField(
        _("走访情况"), max_length=4000, validators=[MaxLengthValidator(4000)]
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["enterprise", "visited_on"]),
            models.Index(fields=["officer", "visited_on"]),
        ]

    def __str__(self):
        return f"{self.visited_on} {self.officer} → {self.enterprise}"

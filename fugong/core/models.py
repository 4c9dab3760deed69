from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fugong.core.validators import LATITUDE_VALIDATORS, LONGITUDE_VALIDATORS, validate_phone


class Located(models.Model):
    """A point on the map in GCJ-02, the datum of Chinese web maps and of the division seats in
    `shared/data/henan_divisions.csv` (GPS fixes are WGS-84 and must be converted first)."""

    longitude = models.DecimalField(
        _("经度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=LONGITUDE_VALIDATORS,
    )
    latitude = models.DecimalField(
        _("纬度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=LATITUDE_VALIDATORS,
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if (self.longitude is None) != (self.latitude is None):
            missing = "latitude" if self.latitude is None else "longitude"
            raise ValidationError({missing: [_("经度和纬度须同时填写")]})

    @property
    def own_coordinates(self) -> tuple[float, float] | None:
        """(longitude, latitude), or None where no point is recorded."""
        if self.longitude is None or self.latitude is None:
            return None
        return float(self.longitude), float(self.latitude)


class Region(Located):
    """A node of the district's area tree (district → street/town → community), or a park."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("区")
        STREET = "street", _("街道")
        TOWN = "town", _("镇")
        TOWNSHIP = "township", _("乡")
        COMMUNITY = "community", _("社区/村")
        PARK = "park", _("园区")

    SUBDISTRICT_KINDS = (Kind.STREET, Kind.TOWN, Kind.TOWNSHIP)

    code = models.CharField(
        _("区划代码"), max_length=12, unique=True, help_text=_("行政区划代码；园区使用内部编码")
    )
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path ("/410103/410103001/") so "everything under this street" is one prefix query.
    path = models.CharField(max_length=255, db_index=True, editable=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords(excluded_fields=["path"])

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        ordering = ["sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="region_unique_name_in_parent"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.path = f"{self.parent.path if self.parent else '/'}{self.code}/"
        super().save(*args, **kwargs)

    @property
    def is_park(self) -> bool:
        return self.kind == self.Kind.PARK


class Department(models.Model):
    """A district department (区直部门) or another unit that handles work in Fugong."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    short_name = models.CharField(_("简称"), max_length=20, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True, validators=[validate_phone])
    # Overdue requests are escalated to this person before they reach the district leaders.
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("部门负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person who logs in. The role and its scope (department, areas or one enterprise)
    decide what they see; see `fugong.core.scoping` and each app's selectors."""

    class Role(models.TextChoices):
        LEADER = "leader", _("区领导")
        COORDINATOR = "coordinator", _("指挥部/牵头部门")
        DEPARTMENT = "department", _("区直部门")
        AREA_OFFICER = "area_officer", _("街道/乡镇/园区")
        LIAISON = "liaison", _("服务专员")
        ENTERPRISE = "enterprise", _("企业")
        ENFORCEMENT = "enforcement", _("执法队员")

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True, validators=[validate_phone])
    department = models.ForeignKey(
        Department,
        verbose_name=_("所属部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    areas = models.ManyToManyField(
        Region, verbose_name=_("负责区域"), blank=True, related_name="officers"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("所属企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"], m2m_fields=[areas])

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="enterprise") | Q(enterprise__isnull=False),
                name="user_enterprise_role_has_enterprise",
            ),
            models.CheckConstraint(
                condition=~Q(role="department") | Q(department__isnull=False),
                name="user_department_role_has_department",
            ),
        ]

    def __str__(self):
        return self.display_name or self.username

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def sees_whole_district(self) -> bool:
        return self.is_superuser or self.role in (
            self.Role.LEADER,
            self.Role.COORDINATOR,
            self.Role.DEPARTMENT,
        )

    @property
    def is_coordinator(self) -> bool:
        return self.is_superuser or self.role == self.Role.COORDINATOR


class Notification(models.Model):
    """One message to one person: shown in their inbox and delivered through the configured
    backend (text message by default). Delivery is recorded, never assumed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        SKIPPED = "skipped", _("无需发送")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("内容"))
    link = models.CharField(_("链接"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    delivery_status = models.CharField(
        _("发送状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    delivered_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    delivery_error = models.CharField(_("发送错误"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.title


class ImportJob(models.Model):
    """An uploaded spreadsheet: kept with its outcome so every import can be traced."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("已预检")
        REFUSED = "refused", _("已拒绝")
        APPLIED = "applied", _("已导入")

    kind = models.CharField(_("类型"), max_length=40)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="import_jobs",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    summary = models.JSONField(_("摘要"), default=dict, blank=True)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"


class StoredFile(models.Model):
    """A file someone uploaded to a record, as fugong.core.uploads checked it: the name it came
    with, its real type and its size. The record it belongs to and where it is stored are the
    subclass's (its `file` field)."""

    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class IdempotencyRecord(models.Model):
    """The first response to a create request that carried an Idempotency-Key."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    scope = models.CharField(max_length=200)
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotency_unique_key"),
        ]

    def __str__(self):
        return f"{self.scope} {self.key}"


class ApiKey(models.Model):
    """A key a person or a machine (an enterprise's HR system) calls the API with. Only a hash of
    the secret is stored; the whole key is shown once, when it is created."""

    class Scope(models.TextChoices):
        FULL = "full", _("与本人权限相同")
        READ = "read", _("只读")
        REPORTS = "reports", _("仅复工填报")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("所属用户"),
        on_delete=models.CASCADE,
        related_name="api_keys",
    )
    name = models.CharField(_("名称"), max_length=60)
    prefix = models.CharField(_("前缀"), max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    scope = models.CharField(_("权限范围"), max_length=10, choices=Scope.choices)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        from django.utils import timezone

        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )


class PersonalDataAccess(models.Model):
    """Someone was shown personal data (phone numbers, ID numbers) unmasked: who, when, where."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("查看人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    what = models.CharField(_("内容"), max_length=60)
    object_id = models.PositiveBigIntegerField(_("记录编号"), null=True, blank=True)
    count = models.PositiveIntegerField(_("条数"), default=1)
    path = models.CharField(_("地址"), max_length=300)

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user} {self.what} {self.at:%Y-%m-%d %H:%M}"

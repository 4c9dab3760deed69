"""送要素: workers, transport and money for the enterprises. Three parts:

- recruitment (云招聘): job openings published after a coordinator's check, job seekers and their
  applications, the public hotlines;
- the 返岗直通车: workers registered to return, the buses, planning runs and the trips they
  produce (one plan per vehicle and trip), with who actually boarded;
- loans applied for on enterprises' behalf, and what the banks did with them.

Statuses move only through `fugong/factors/services/`; every model that changes keeps history."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fugong.core.models import Department, Located
from fugong.core.validators import (
    validate_county_code,
    validate_id_number,
    validate_mobile,
    validate_phone,
    validate_plate,
)
from fugong.enterprises.models import Enterprise

User = settings.AUTH_USER_MODEL


class County(Located):
    """A county-level division (县、县级市、区) a worker comes home from. The bundled table holds
    Henan's with the seat's coordinates; a county elsewhere is added with its GB/T 2260 code and
    no coordinates until someone enters them."""

    code = models.CharField(
        _("区划代码"), max_length=6, unique=True, validators=[validate_county_code]
    )
    name = models.CharField(_("名称"), max_length=30)
    prefecture = models.CharField(_("所属地市"), max_length=30, blank=True)
    province = models.CharField(_("所属省份"), max_length=20, blank=True)
    is_reference = models.BooleanField(_("来自区划表"), default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("县（区）")
        verbose_name_plural = _("县（区）")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def label(self) -> str:
        return f"{self.prefecture}{self.name}" if self.prefecture else self.name

    @property
    def located(self) -> bool:
        return self.own_coordinates is not None


# Recruitment


class JobOpening(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        PUBLISHED = "published", _("已发布")
        RETURNED = "returned", _("已退回")
        CLOSED = "closed", _("已下架")

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="job_openings"
    )
    title = models.CharField(_("岗位名称"), max_length=60)
    positions = models.PositiveIntegerField(
        _("招聘人数"), validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )
    salary_min = models.PositiveIntegerField(
        _("月薪下限（元）"), validators=[MinValueValidator(0), MaxValueValidator(1_000_000)]
    )
    salary_max = models.PositiveIntegerField(
        _("月薪上限（元）"), validators=[MinValueValidator(0), MaxValueValidator(1_000_000)]
    )
    requirements = models.TextField(_("任职要求"), max_length=2000, blank=True)
    work_place = models.CharField(_("工作地点"), max_length=200)
    contact_person = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=20, validators=[validate_phone])
    valid_until = models.DateField(_("有效期至"))
    is_shortage = models.BooleanField(_("紧缺岗位"), default=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"))
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(_("下架时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("招聘岗位")
        verbose_name_plural = _("招聘岗位")
        # Not yet published (NULL) after the published on every database (PostgreSQL puts
        # NULLs first in a descending order, SQLite last).
        ordering = [models.F("published_at").desc(nulls_last=True), "-submitted_at", "-id"]
        indexes = [models.Index(fields=["status", "valid_until"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(salary_min__lte=models.F("salary_max")),
                name="job_opening_salary_range",
                violation_error_message=_("月薪下限不能高于上限"),
            ),
        ]

    def __str__(self):
        return f"{self.enterprise} · {self.title}"


class JobSeeker(models.Model):
    """A person looking for work, registered by the recruitment service (人社局) or an
    enterprise recording a walk-in applicant."""

    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(
        _("身份证号"),
        max_length=18,
        unique=True,
        validators=[validate_id_number],
        error_messages={"unique": _("该身份证号已登记为求职者")},
    )
    phone = models.CharField(_("手机号"), max_length=11, validators=[validate_mobile])
    home_county = models.ForeignKey(
        County, verbose_name=_("户籍县（区）"), on_delete=models.PROTECT, related_name="+"
    )
    skills = models.CharField(_("技能特长"), max_length=300, blank=True)
    wanted_job = models.CharField(_("求职意向"), max_length=100, blank=True)
    registered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(_("登记时间"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("求职者")
        verbose_name_plural = _("求职者")
        ordering = ["-registered_at", "-id"]

    def __str__(self):
        return self.name


class JobApplication(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已投递")
        INTERVIEW = "interview", _("面试")
        HIRED = "hired", _("录用")
        REJECTED = "rejected", _("未录用")

    opening = models.ForeignKey(
        JobOpening, verbose_name=_("岗位"), on_delete=models.PROTECT, related_name="applications"
    )
    seeker = models.ForeignKey(
        JobSeeker, verbose_name=_("求职者"), on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    applied_at = models.DateTimeField(_("投递时间"))
    interview_at = models.DateTimeField(_("面试时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("结果时间"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("求职申请")
        verbose_name_plural = _("求职申请")
        ordering = ["-applied_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["opening", "seeker"],
                name="job_application_once",
                violation_error_message=_("该求职者已投递过这个岗位"),
            ),
        ]

    def __str__(self):
        return f"{self.seeker} → {self.opening}"


class Hotline(models.Model):
    """招工引才与求职服务热线, listed on the public job board."""

    number = models.CharField(_("电话"), max_length=20, validators=[validate_phone])
    department = models.ForeignKey(
        Department, verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="+"
    )
    topic = models.CharField(_("服务内容"), max_length=100)
    hours = models.CharField(_("服务时间"), max_length=60)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    opened_on = models.DateField(_("开通日期"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("服务热线")
        verbose_name_plural = _("服务热线")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["number"],
                condition=Q(is_active=True),
                name="hotline_active_number_once",
                violation_error_message=_("这个号码已在热线列表中"),
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.topic}"


# 返岗直通车


class HealthStatus(models.TextChoices):
    """As the worker or the enterprise declares it; no external check is made."""

    GREEN = "green", _("健康（绿码）")
    YELLOW = "yellow", _("需观察（黄码）")
    RED = "red", _("不宜出行（红码）")


class ReturningWorker(models.Model):
    """A worker registered to be brought back to an enterprise (返岗登记)."""

    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证号"), max_length=18, validators=[validate_id_number])
    phone = models.CharField(_("手机号"), max_length=11, validators=[validate_mobile])
    home_county = models.ForeignKey(
        County, verbose_name=_("户籍县（区）"), on_delete=models.PROTECT, related_name="+"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("返岗企业"),
        on_delete=models.PROTECT,
        related_name="returning_workers",
    )
    earliest_date = models.DateField(_("最早出发日期"))
    health_status = models.CharField(
        _("健康状况"), max_length=10, choices=HealthStatus.choices, default=HealthStatus.GREEN
    )
    registered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(_("登记时间"), db_index=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("返岗登记")
        verbose_name_plural = _("返岗登记")
        ordering = ["registered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=Q(cancelled_at__isnull=True),
                name="returning_worker_registered_once",
                violation_error_message=_("该身份证号已有一份有效的返岗登记"),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None


class Vehicle(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("可用")
        WITHDRAWN = "withdrawn", _("已退出")

    plate = models.CharField(
        _("车牌号"),
        max_length=8,
        unique=True,
        validators=[validate_plate],
        error_messages={"unique": _("该车牌号已登记")},
    )
    seats = models.PositiveSmallIntegerField(
        _("核定座位数"), validators=[MinValueValidator(5), MaxValueValidator(70)]
    )
    operator = models.CharField(_("运输企业"), max_length=100)
    driver_name = models.CharField(_("驾驶员"), max_length=50)
    driver_phone = models.CharField(_("驾驶员手机"), max_length=11, validators=[validate_mobile])
    available_from = models.DateField(_("可用起始日期"))
    available_until = models.DateField(_("可用截止日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    withdrawn_on = models.DateField(_("退出日期"), null=True, blank=True)
    withdraw_reason = models.CharField(_("退出原因"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("直通车车辆")
        verbose_name_plural = _("直通车车辆")
        ordering = ["plate"]
        constraints = [
            models.CheckConstraint(
                condition=Q(available_until__isnull=True)
                | Q(available_until__gte=models.F("available_from")),
                name="vehicle_available_range",
                violation_error_message=_("可用截止日期不能早于起始日期"),
            ),
        ]

    def __str__(self):
        return self.plate

    def last_running_day(self):
        """The last day the bus may run: its availability, cut short by a withdrawal."""
        last = self.available_until
        if self.withdrawn_on is not None:
            before = self.withdrawn_on - timedelta(days=1)
            last = before if last is None else min(last, before)
        return last


class PlanningRun(models.Model):
    """One run of the planner over a date range: its settings, its figures and those of the
    first-fit baseline on the same input, and the workers it could not place."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    class Trigger(models.TextChoices):
        MANUAL = "manual", _("人工发起")
        CANCELLATION = "cancellation", _("乘客取消")
        WITHDRAWAL = "withdrawal", _("车辆退出")

    first_day = models.DateField(_("起始日期"))
    last_day = models.DateField(_("截止日期"))
    seat_cap = models.DecimalField(
        _("上座率上限"),
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal(1))],
    )
    max_wait_days = models.PositiveSmallIntegerField(
        _("最长等待天数"),
        default=0,
        validators=[MaxValueValidator(7)],
        help_text=_("人数坐不满一辆车时，最多等几天凑满再发车；0 为当天即发"),
    )
    trigger = models.CharField(
        _("发起原因"), max_length=15, choices=Trigger.choices, default=Trigger.MANUAL
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("发起时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    workers = models.PositiveIntegerField(_("参与规划人数"), default=0)
    planned = models.PositiveIntegerField(_("已安排人数"), default=0)
    trips = models.PositiveIntegerField(_("车次"), default=0)
    kept_trips = models.PositiveIntegerField(_("保留车次"), default=0)
    vehicles = models.PositiveIntegerField(_("用车数"), default=0)
    distance_km = models.FloatField(_("总里程（公里）"), default=0)
    baseline_trips = models.PositiveIntegerField(_("基准车次"), default=0)
    baseline_vehicles = models.PositiveIntegerField(_("基准用车数"), default=0)
    baseline_distance_km = models.FloatField(_("基准总里程（公里）"), default=0)
    seconds = models.FloatField(_("规划用时（秒）"), default=0)
    unusable_vehicles = models.PositiveIntegerField(
        _("无法载客车辆数"),
        default=0,
        help_text=_("按本次上座率上限一名乘客也不能载的可用车辆（未参与规划）"),
    )

    class Meta:
        verbose_name = _("直通车规划")
        verbose_name_plural = _("直通车规划")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One run at a time: a run is queued until it is made (see services/shuttles.py).
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="queued"),
                name="planning_run_one_queued",
                violation_error_message=_("已有一次规划正在进行，请稍后再试"),
            ),
        ]

    def __str__(self):
        return f"{self.first_day}–{self.last_day} ({self.get_status_display()})"


class UnplannedWorker(models.Model):
    class Reason(models.TextChoices):
        NOT_READY = "not_ready", _("健康状况不宜出行")
        NO_ORIGIN = "no_origin_location", _("户籍县（区）缺少坐标")
        NO_DESTINATION = "no_destination_location", _("返岗企业及所在街道缺少坐标")
        AFTER_RANGE = "after_range", _("最早出发日期晚于规划区间")
        NO_VEHICLE = "no_vehicle", _("规划区间内车辆不足")

    run = models.ForeignKey(PlanningRun, on_delete=models.CASCADE, related_name="unplanned")
    worker = models.ForeignKey(ReturningWorker, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("原因"), max_length=30, choices=Reason.choices)

    class Meta:
        verbose_name = _("未安排乘客")
        verbose_name_plural = _("未安排乘客")
        ordering = ["run", "worker"]
        constraints = [
            models.UniqueConstraint(fields=["run", "worker"], name="unplanned_once_per_run"),
        ]

    def __str__(self):
        return f"{self.worker} {self.get_reason_display()}"


class ShuttleTrip(models.Model):
    """One vehicle's trip on one day: 一车一方案. A trip is planned, may be confirmed (a later
    re-plan keeps it), then departs and arrives; a re-plan supersedes unconfirmed trips."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("计划")
        DEPARTED = "departed", _("已出发")
        ARRIVED = "arrived", _("已到达")
        SUPERSEDED = "superseded", _("已重排")
        CANCELLED = "cancelled", _("已取消")

    ACTIVE_STATUSES = (Status.PLANNED, Status.DEPARTED, Status.ARRIVED)

    run = models.ForeignKey(PlanningRun, on_delete=models.PROTECT, related_name="trip_set")
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="trips")
    date = models.DateField(_("日期"), db_index=True)
    county = models.ForeignKey(
        County, verbose_name=_("出发县（区）"), on_delete=models.PROTECT, related_name="+"
    )
    capacity = models.PositiveSmallIntegerField(_("限载人数"))
    distance_km = models.FloatField(_("里程（公里）"))
    empty_km = models.FloatField(_("空驶里程（公里）"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    departed_at = models.DateTimeField(_("出发时间"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("到达时间"), null=True, blank=True)
    ended_reason = models.CharField(_("重排或取消原因"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("直通车车次")
        verbose_name_plural = _("直通车车次")
        ordering = ["date", "vehicle__plate", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle", "date"],
                condition=Q(status__in=["planned", "departed", "arrived"]),
                name="shuttle_trip_one_per_vehicle_day",
                violation_error_message=_("这辆车当天已有车次"),
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.vehicle} {self.county}"

    @property
    def is_kept(self) -> bool:
        """A re-plan leaves it alone: confirmed, under way or done."""
        return self.status in (self.Status.DEPARTED, self.Status.ARRIVED) or (
            self.status == self.Status.PLANNED and self.confirmed_at is not None
        )

    @property
    def number(self) -> str:
        return f"ZT{self.date:%Y%m%d}-{self.pk:05d}"


class TripStop(models.Model):
    class Kind(models.TextChoices):
        PICKUP = "pickup", _("上车")
        DROPOFF = "dropoff", _("下车")

    trip = models.ForeignKey(ShuttleTrip, on_delete=models.CASCADE, related_name="stops")
    sequence = models.PositiveSmallIntegerField(_("顺序"))
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    county = models.ForeignKey(County, null=True, blank=True, on_delete=models.PROTECT)
    enterprise = models.ForeignKey(Enterprise, null=True, blank=True, on_delete=models.PROTECT)
    km_from_previous = models.FloatField(_("距上一站（公里）"))

    class Meta:
        verbose_name = _("停靠点")
        verbose_name_plural = _("停靠点")
        ordering = ["trip", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["trip", "sequence"], name="trip_stop_sequence"),
        ]

    def __str__(self):
        return f"{self.sequence}. {self.place_name}"

    @property
    def place_name(self) -> str:
        return str(self.county.label if self.county_id else self.enterprise)


class TripPassenger(models.Model):
    trip = models.ForeignKey(ShuttleTrip, on_delete=models.CASCADE, related_name="passengers")
    worker = models.ForeignKey(ReturningWorker, on_delete=models.PROTECT, related_name="seats")
    dropoff = models.ForeignKey(TripStop, on_delete=models.PROTECT, related_name="+")
    boarded = models.BooleanField(_("已上车"), default=False)
    boarded_at = models.DateTimeField(_("上车登记时间"), null=True, blank=True)
    removed_at = models.DateTimeField(_("移出时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("乘客")
        verbose_name_plural = _("乘客")
        ordering = ["trip", "dropoff__sequence", "worker__name", "id"]

    def __str__(self):
        return f"{self.trip} {self.worker}"


# Loans


class LoanApplication(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已申报")
        BANK_REVIEW = "bank_review", _("银行审核")
        DISBURSED = "disbursed", _("已放款")
        RETURNED = "returned", _("已退回")

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="loans"
    )
    amount = models.DecimalField(
        _("申请金额（万元）"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
    )
    purpose = models.CharField(_("资金用途"), max_length=200)
    bank = models.CharField(_("贷款银行"), max_length=60)
    term_months = models.PositiveSmallIntegerField(
        _("期限（月）"), validators=[MinValueValidator(1), MaxValueValidator(360)]
    )
    subsidy_policy = models.ForeignKey(
        "policies.Policy",
        verbose_name=_("贴息政策"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "loan_interest"},
        help_text=_("政策库中已发布的贷款贴息政策"),
    )
    subsidy_note = models.CharField(
        _("贴息说明"),
        max_length=200,
        blank=True,
        help_text=_("政策库中没有的贴息政策，写名称或文号，如 郑政〔2020〕3号"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_on = models.DateField(_("申报日期"))
    review_started_on = models.DateField(_("银行受理日期"), null=True, blank=True)
    decided_on = models.DateField(_("结果日期"), null=True, blank=True)
    disbursed_amount = models.DecimalField(
        _("放款金额（万元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("贷款申请")
        verbose_name_plural = _("贷款申请")
        ordering = ["-submitted_on", "-id"]

    def __str__(self):
        return f"{self.enterprise} {self.amount}万元"

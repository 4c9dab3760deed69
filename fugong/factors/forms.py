from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fugong.core.forms import BootstrapFormMixin
from fugong.core.models import Department, Region
from fugong.enterprises.models import Enterprise, IndustrySection
from fugong.enterprises.selectors import enterprises_visible_to
from fugong.enterprises.widgets import EnterprisePicker
from fugong.factors.counties import CountyLookup
from fugong.factors.models import (
    County,
    HealthStatus,
    JobOpening,
    LoanApplication,
    ShuttleTrip,
)
from fugong.factors.services import DEFAULT_SEAT_CAP
from fugong.factors.services.loans import interest_policies

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EnterpriseChoiceMixin:
    """An enterprise field for staff (their enterprises); an enterprise user files for itself."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.role == "enterprise":
            del self.fields["enterprise"]
        else:
            self.fields["enterprise"].queryset = enterprises_visible_to(user)


class OpeningForm(EnterpriseChoiceMixin, BootstrapFormMixin, forms.ModelForm):
    enterprise = forms.ModelChoiceField(
        label=_("企业"), queryset=Enterprise.objects.none(), widget=EnterprisePicker()
    )

    class Meta:
        model = JobOpening
        fields = [
            "enterprise",
            "title",
            "positions",
            "salary_min",
            "salary_max",
            "work_place",
            "contact_person",
            "contact_phone",
            "valid_until",
            "is_shortage",
            "requirements",
        ]
        widgets = {"valid_until": DATE, "requirements": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if editing and "enterprise" in self.fields:
            del self.fields["enterprise"]

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("salary_min"), cleaned.get("salary_max")
        if low is not None and high is not None and low > high:
            self.add_error("salary_max", _("月薪上限不能低于下限"))
        return cleaned

    def _post_clean(self):
        pass  # the service checks the whole opening (the enterprise is not on the form for all)

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "enterprise"}


class ReviewForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("审核意见"), max_length=300, required=False)


class JobBoardForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("关键词"), max_length=50, required=False)
    industry = forms.ChoiceField(
        label=_("行业"), required=False, choices=[("", _("全部行业")), *IndustrySection.choices]
    )
    street = forms.ModelChoiceField(
        label=_("街道/乡镇"),
        required=False,
        queryset=Region.objects.filter(kind__in=Region.SUBDISTRICT_KINDS, is_active=True),
        empty_label=_("全部街道"),
    )
    salary = forms.IntegerField(
        label=_("月薪不低于（元）"), required=False, min_value=0, max_value=1_000_000
    )
    shortage = forms.BooleanField(label=_("只看紧缺岗位"), required=False)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data["q"],
            "industry": data["industry"],
            "street": data["street"],
            "salary": data["salary"],
            "shortage": data["shortage"],
        }


class CountyField(forms.CharField):
    """A home county as people type it (沈丘县, 411624, 341221 临泉县)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("户籍县（区）"))
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault(
            "help_text", _("县（区）名称或6位区划代码；省外填代码和名称，如「341221 临泉县」")
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return CountyLookup()(value) if value else None


class SeekerForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=24)
    phone = forms.CharField(label=_("手机号"), max_length=20)
    home_county = CountyField()
    wanted_job = forms.CharField(label=_("求职意向"), max_length=100, required=False)
    skills = forms.CharField(label=_("技能特长"), max_length=300, required=False)


class ApplicationForm(BootstrapFormMixin, forms.Form):
    opening = forms.ModelChoiceField(label=_("投递岗位"), queryset=JobOpening.objects.none())
    note = forms.CharField(label=_("备注"), max_length=300, required=False)

    def __init__(self, *args, openings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opening"].queryset = openings.select_related("enterprise")


class NoteForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("备注"), max_length=300, required=False)


class HotlineForm(BootstrapFormMixin, forms.Form):
    number = forms.CharField(label=_("电话"), max_length=20)
    department = forms.ModelChoiceField(
        label=_("责任部门"), queryset=Department.objects.filter(is_active=True)
    )
    topic = forms.CharField(label=_("服务内容"), max_length=100)
    hours = forms.CharField(label=_("服务时间"), max_length=60, initial="8:30–17:30")
    opened_on = forms.DateField(label=_("开通日期"), widget=DATE)
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, max_value=999, initial=0)


# 返岗直通车


class WorkerForm(EnterpriseChoiceMixin, BootstrapFormMixin, forms.Form):
    enterprise = forms.ModelChoiceField(
        label=_("返岗企业"), queryset=Enterprise.objects.none(), widget=EnterprisePicker()
    )
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=24)
    phone = forms.CharField(label=_("手机号"), max_length=20)
    home_county = CountyField()
    earliest_date = forms.DateField(label=_("最早出发日期"), widget=DATE)
    health_status = forms.ChoiceField(
        label=_("健康状况"), choices=HealthStatus.choices, initial=HealthStatus.GREEN
    )


class WorkerFilterForm(BootstrapFormMixin, forms.Form):
    STATES = [
        ("", _("全部")),
        ("waiting", _("待安排")),
        ("planned", _("已排车")),
        ("back", _("已接回")),
        ("cancelled", _("已取消")),
    ]
    q = forms.CharField(label=_("姓名或企业"), max_length=50, required=False)
    state = forms.ChoiceField(label=_("状态"), choices=STATES, required=False)
    county = forms.ModelChoiceField(
        label=_("户籍县（区）"), queryset=County.objects.all(), required=False
    )


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)


class VehicleForm(BootstrapFormMixin, forms.Form):
    plate = forms.CharField(label=_("车牌号"), max_length=12)
    seats = forms.IntegerField(label=_("核定座位数"), min_value=5, max_value=70, initial=45)
    operator = forms.CharField(label=_("运输企业"), max_length=100)
    driver_name = forms.CharField(label=_("驾驶员"), max_length=50)
    driver_phone = forms.CharField(label=_("驾驶员手机"), max_length=20)
    available_from = forms.DateField(label=_("可用起始日期"), widget=DATE)
    available_until = forms.DateField(label=_("可用截止日期"), widget=DATE, required=False)


class WithdrawForm(BootstrapFormMixin, forms.Form):
    on = forms.DateField(label=_("自哪天起退出"), widget=DATE)
    reason = forms.CharField(label=_("原因"), max_length=200)


class PlanForm(BootstrapFormMixin, forms.Form):
    first_day = forms.DateField(label=_("起始日期"), widget=DATE)
    last_day = forms.DateField(label=_("截止日期"), widget=DATE)
    seat_cap = forms.DecimalField(
        label=_("上座率上限"),
        min_value=Decimal("0.1"),
        max_value=Decimal(1),
        max_digits=3,
        decimal_places=2,
        initial=DEFAULT_SEAT_CAP,
        help_text=_("0.5 即核定座位的50%，按交通运输部防疫要求"),
    )
    max_wait_days = forms.IntegerField(
        label=_("最长等待天数"),
        min_value=0,
        max_value=7,
        initial=0,
        required=False,
        help_text=_("人数坐不满一辆车时，最多等几天凑满再发车；0 为当天即发"),
    )

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last and last < first:
            raise ValidationError({"last_day": [_("截止日期不能早于起始日期")]})
        cleaned["max_wait_days"] = cleaned.get("max_wait_days") or 0
        return cleaned


class TripFilterForm(BootstrapFormMixin, forms.Form):
    date = forms.DateField(label=_("日期"), widget=DATE, required=False)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *ShuttleTrip.Status.choices]
    )
    county = forms.ModelChoiceField(
        label=_("出发县（区）"), queryset=County.objects.all(), required=False
    )


class CountyLocationForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = County
        fields = ["name", "prefecture", "province", "longitude", "latitude"]


# Loans


class LoanForm(EnterpriseChoiceMixin, BootstrapFormMixin, forms.ModelForm):
    enterprise = forms.ModelChoiceField(
        label=_("企业"), queryset=Enterprise.objects.none(), widget=EnterprisePicker()
    )

    class Meta:
        model = LoanApplication
        fields = [
            "enterprise",
            "amount",
            "bank",
            "term_months",
            "purpose",
            "subsidy_policy",
            "subsidy_note",
            "submitted_on",
        ]
        widgets = {"submitted_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submitted_on"].initial = timezone.localdate()
        self.fields["subsidy_policy"].queryset = interest_policies().order_by(
            F("published_at").desc(nulls_last=True), "title", "id"
        )
        self.fields["subsidy_policy"].empty_label = _("（不适用或政策库中没有）")

    def _post_clean(self):
        pass  # the service checks the whole application

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "enterprise"}


class LoanMoveForm(BootstrapFormMixin, forms.Form):
    on = forms.DateField(label=_("日期"), widget=DATE, required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
    disbursed_amount = forms.DecimalField(
        label=_("放款金额（万元）"), max_digits=10, decimal_places=2, required=False, min_value=0
    )

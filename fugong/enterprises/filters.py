"""Filters shared by the register's pages, exports and API, so a filtered list, its export and
its API call always hold the same records."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fugong.core.filters import IdFilter
from fugong.core.models import Region
from fugong.enterprises.models import ConstructionProject, Enterprise, LiaisonAssignment, Visit
from fugong.enterprises.selectors import (
    effective_grade_condition,
    parks_choosable_by,
    regions_choosable_by,
)

YES_NO = [("true", _("是")), ("false", _("否"))]


def search_names(queryset, name, value):
    """Name, USCC prefix, or pinyin: 「康师傅」, 「91410103」, 「ksf」 and 「kangshifu」 all work."""
    term = value.strip()
    if not term:
        return queryset
    condition = Q(name__icontains=term)
    if term.isascii():
        lowered = term.lower().replace(" ", "")
        condition |= Q(name_initials__contains=lowered) | Q(name_pinyin__contains=lowered)
        if any(ch.isdigit() for ch in term):
            condition |= Q(**{f"{_code_field(queryset)}__istartswith": term.replace(" ", "")})
    return queryset.filter(condition)


def _code_field(queryset) -> str:
    return "uscc" if queryset.model is Enterprise else "code"


def in_region(queryset, name, value):
    if not value:
        return queryset
    return queryset.filter(region__path__startswith=value.path)


class CompactWidgets:
    """Bootstrap's small controls on every filter field."""

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if select else "form-control form-control-sm"
            )
        return form


class RegisterFilterSet(CompactWidgets, django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"),
        method=search_names,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("名称、代码或拼音首字母，如 ksf"),
                "type": "search",
                "autocomplete": "off",
            }
        ),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("街道/乡镇"),
        queryset=Region.objects.none(),
        method=in_region,
        empty_label=_("全部街道"),
    )
    park = django_filters.ModelChoiceFilter(
        label=_("园区"), queryset=Region.objects.none(), empty_label=_("全部园区")
    )

    def __init__(self, data=None, *args, user=None, **kwargs):
        # The API's filter backend passes the request, the pages pass the user.
        user = user or getattr(kwargs.get("request"), "user", None)
        super().__init__(data, *args, **kwargs)
        if user is not None:
            self.filters["region"].queryset = regions_choosable_by(user).exclude(
                kind=Region.Kind.COMMUNITY
            )
            self.filters["park"].queryset = parks_choosable_by(user)


class EnterpriseFilter(RegisterFilterSet):
    category = django_filters.ChoiceFilter(
        label=_("企业类别"), choices=Enterprise.Category.choices, empty_label=_("全部类别")
    )
    grade = django_filters.ChoiceFilter(
        label=_("企业等级"),
        choices=Enterprise.Grade.choices,
        empty_label=_("全部等级"),
        method="effective_grade",
    )
    grade_overridden = django_filters.ChoiceFilter(
        label=_("人工评级"), choices=YES_NO, method="flag", empty_label=_("评级方式")
    )
    status = django_filters.ChoiceFilter(
        label=_("经营状态"), choices=Enterprise.Status.choices, empty_label=_("全部状态")
    )
    is_key = django_filters.ChoiceFilter(
        label=_("重点企业"), choices=YES_NO, method="flag", empty_label=_("重点企业")
    )
    is_talent = django_filters.ChoiceFilter(
        label=_("人才企业"), choices=YES_NO, method="flag", empty_label=_("人才企业")
    )
    is_epidemic_supplies = django_filters.ChoiceFilter(
        label=_("防疫物资企业"), choices=YES_NO, method="flag", empty_label=_("防疫物资")
    )
    industry_section = django_filters.CharFilter(label=_("行业门类"))

    class Meta:
        model = Enterprise
        fields = [
            "q",
            "category",
            "region",
            "park",
            "grade",
            "grade_overridden",
            "status",
            "is_key",
            "is_talent",
            "is_epidemic_supplies",
            "industry_section",
        ]

    def flag(self, queryset, name, value):
        return queryset.filter(**{name: value == "true"}) if value else queryset

    def effective_grade(self, queryset, name, value):
        """B includes the enterprises not graded yet, which count as B everywhere."""
        return queryset.filter(effective_grade_condition(value)) if value else queryset


class ProjectFilter(RegisterFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("项目状态"), choices=ConstructionProject.Status.choices, empty_label=_("全部状态")
    )
    builder = IdFilter(label=_("建设单位"), field_name="builder_id")

    class Meta:
        model = ConstructionProject
        fields = ["q", "region", "park", "status", "builder"]


class DateInput(forms.DateInput):
    input_type = "date"


class VisitFilter(CompactWidgets, django_filters.FilterSet):
    """The visits list, its API endpoint: by enterprise name, officer, way and dates."""

    q = django_filters.CharFilter(
        label=_("企业"),
        method="search_enterprise",
        widget=forms.TextInput(
            attrs={
                "placeholder": _("企业名称或拼音首字母"),
                "type": "search",
                "autocomplete": "off",
            }
        ),
    )
    enterprise = IdFilter(label=_("企业编号"), field_name="enterprise_id")
    officer = IdFilter(label=_("走访人编号"), field_name="officer_id")
    kind = django_filters.ChoiceFilter(
        label=_("走访方式"), choices=Visit.Kind.choices, empty_label=_("全部方式")
    )
    since = django_filters.DateFilter(
        label=_("起始日期"), field_name="visited_on", lookup_expr="gte", widget=DateInput
    )
    until = django_filters.DateFilter(
        label=_("截止日期"), field_name="visited_on", lookup_expr="lte", widget=DateInput
    )

    class Meta:
        model = Visit
        fields = ["q", "enterprise", "officer", "kind", "since", "until"]

    def search_enterprise(self, queryset, name, value):
        matching = search_names(Enterprise.objects.all(), name, value)
        return queryset.filter(enterprise__in=matching.values("pk")) if value.strip() else queryset


class AssignmentFilter(django_filters.FilterSet):
    enterprise = IdFilter(label=_("企业编号"), field_name="enterprise_id")
    officer = IdFilter(label=_("专员编号"), field_name="officer_id")
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=LiaisonAssignment.Kind.choices)
    active = django_filters.BooleanFilter(
        label=_("仅在任"), field_name="ended_on", lookup_expr="isnull"
    )

    class Meta:
        model = LiaisonAssignment
        fields = ["enterprise", "officer", "kind", "active"]

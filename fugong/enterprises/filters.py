"""Filters shared by the register's pages, exports and API, so a filtered list, its export and
its API call always hold the same records."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fugong.core.models import Region
from fugong.enterprises.models import ConstructionProject, Enterprise
from fugong.enterprises.selectors import parks_choosable_by, regions_choosable_by

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


class RegisterFilterSet(django_filters.FilterSet):
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

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if select else "form-control form-control-sm"
            )
        return form


class EnterpriseFilter(RegisterFilterSet):
    category = django_filters.ChoiceFilter(
        label=_("企业类别"), choices=Enterprise.Category.choices, empty_label=_("全部类别")
    )
    grade = django_filters.ChoiceFilter(
        label=_("企业等级"), choices=Enterprise.Grade.choices, empty_label=_("全部等级")
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
            "status",
            "is_key",
            "is_talent",
            "is_epidemic_supplies",
            "industry_section",
        ]

    def flag(self, queryset, name, value):
        return queryset.filter(**{name: value == "true"}) if value else queryset


class ProjectFilter(RegisterFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("项目状态"), choices=ConstructionProject.Status.choices, empty_label=_("全部状态")
    )
    builder = django_filters.NumberFilter(label=_("建设单位"), field_name="builder_id")

    class Meta:
        model = ConstructionProject
        fields = ["q", "region", "park", "status", "builder"]

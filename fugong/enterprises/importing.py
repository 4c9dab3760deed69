"""The enterprise register as a spreadsheet: its columns, reading rows into field values, and
writing records back out in the same shape (so export → import is lossless)."""

from datetime import date, datetime
from functools import cache

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fugong.core import importing as cells
from fugong.core.excel import write_xlsx
from fugong.core.importing import Column
from fugong.core.masking import mask_phone
from fugong.core.models import Region
from fugong.core.validators import (
    LATITUDE_VALIDATORS,
    LONGITUDE_VALIDATORS,
    normalize_phone,
    normalize_uscc,
)
from fugong.enterprises.models import Enterprise, IndustrySection, LiaisonAssignment

YES, NO = "是", "否"


@cache
def _section_lookup() -> dict[str, str]:
    lookup = {}
    with translation.override("zh-hans"):  # the spreadsheet is Chinese whatever the UI language
        for code, label in IndustrySection.choices:
            for spelling in (
                code,
                code.lower(),
                str(label),
                f"{code} {label}",
                f"{code}-{label}",
                f"{code}{label}",
                f"{code}、{label}",
            ):
                lookup[spelling] = code
    return lookup


def _section(value: str) -> str:
    """C, 制造业, 'C 制造业' and 'C-制造业' all mean section C."""
    try:
        return _section_lookup()[value]
    except KeyError:
        raise ValidationError(
            _(
                "「%(value)s」不是 GB/T 4754 行业门类，应填门类字母（A–T）或门类名称，如「C」或「制造业」"
            )
            % {"value": value}
        ) from None


class RegionLookup:
    """Streets and parks by name or division code, loaded once per import."""

    def __init__(self):
        self.subdistricts, self.parks = {}, {}
        for region in Region.objects.filter(is_active=True):
            target = self.parks if region.is_park else self.subdistricts
            if region.is_park or region.kind in (*Region.SUBDISTRICT_KINDS, Region.Kind.COMMUNITY):
                target[region.name] = region
                target[region.code] = region
                target.setdefault(region.name.removesuffix("办事处"), region)

    def street(self, value: str) -> Region:
        region = self.subdistricts.get(value) or self.subdistricts.get(value + "街道")
        if region is None:
            raise ValidationError(_("未知的街道/乡镇：「%(value)s」") % {"value": value})
        return region

    def park(self, value: str) -> Region:
        region = self.parks.get(value)
        if region is None:
            raise ValidationError(_("未知的园区：「%(value)s」") % {"value": value})
        return region


def columns(regions: RegionLookup) -> list[Column]:
    with translation.override("zh-hans"):  # choice labels as the spreadsheet spells them
        return _columns(regions)


def _columns(regions: RegionLookup) -> list[Column]:
    E = Enterprise
    return [
        Column("企业名称", "name", cells.text(200), required=True),
        Column("统一社会信用代码", "uscc", normalize_uscc, required=True),
        Column("企业类别", "category", cells.choice(dict(E.Category.choices)), required=True),
        Column("行业门类", "industry_section", _section, default=""),
        Column("所属街道", "region", regions.street, required=True),
        Column("所属园区", "park", regions.park),
        Column("法定代表人", "legal_representative", cells.text(50), default=""),
        Column("联系人", "contact_person", cells.text(50), default=""),
        Column("联系电话", "contact_phone", normalize_phone, default=""),
        Column("地址", "address", cells.text(200), default=""),
        Column("经度", "longitude", cells.decimal_number(LONGITUDE_VALIDATORS, places=6)),
        Column("纬度", "latitude", cells.decimal_number(LATITUDE_VALIDATORS, places=6)),
        Column("在册职工人数", "payroll_headcount", cells.whole_number(), default=0),
        Column("成立日期", "founded_on", day),
        Column("重点企业", "is_key", cells.yes_no, default=False),
        Column("人才企业", "is_talent", cells.yes_no, default=False),
        Column("防疫物资企业", "is_epidemic_supplies", cells.yes_no, default=False),
        Column("企业等级", "grade", cells.choice(dict(E.Grade.choices)), default=""),
        Column(
            "经营状态", "status", cells.choice(dict(E.Status.choices)), default=E.Status.OPERATING
        ),
    ]


def export_rows(enterprises, *, mask_personal_data: bool) -> list[list]:
    """Rows in HEADERS order for the given queryset, streamed with one query."""
    records = enterprises.select_related("region", "park").order_by("id")
    with translation.override("zh-hans"):
        return [
            export_row(e, mask_personal_data=mask_personal_data)
            for e in records.iterator(chunk_size=2000)
        ]


def export_row(e: Enterprise, *, mask_personal_data: bool) -> list:
    """One enterprise as a spreadsheet row, exactly as `columns` reads it back."""
    return [
        e.name,
        e.uscc,
        e.get_category_display(),
        IndustrySection(e.industry_section).label if e.industry_section else "",
        e.region.name,
        e.park.name if e.park else "",
        e.legal_representative,
        e.contact_person,
        mask_phone(e.contact_phone) if mask_personal_data else e.contact_phone,
        e.address,
        e.longitude if e.longitude is not None else "",
        e.latitude if e.latitude is not None else "",
        e.payroll_headcount,
        e.founded_on.isoformat() if e.founded_on else "",
        YES if e.is_key else NO,
        YES if e.is_talent else NO,
        YES if e.is_epidemic_supplies else NO,
        e.grade,
        e.get_status_display(),
    ]


TEMPLATE_NOTES = [
    ["企业名称", "必填", "不超过200字"],
    ["统一社会信用代码", "必填", "18位，按 GB 32100 校验；已存在的代码将更新该企业"],
    ["企业类别", "必填", "规上工业 / 规下工业 / 规上服务业 / 规下服务业"],
    ["行业门类", "选填", "GB/T 4754 门类字母（A–T）或名称，如 C 或 制造业"],
    ["所属街道", "必填", "街道、镇、乡的名称或区划代码，如 淮河路街道"],
    ["所属园区", "选填", "如 马寨产业集聚区、樱桃沟景区"],
    ["法定代表人", "选填", ""],
    ["联系人", "选填", ""],
    ["联系电话", "选填", "手机号或带区号的固定电话"],
    ["地址", "选填", ""],
    ["经度", "选填", "GCJ-02（国内网络地图）坐标，如 113.640211；须与纬度同时填写"],
    ["纬度", "选填", "GCJ-02 坐标，如 34.724114；须与经度同时填写"],
    ["在册职工人数", "选填", "不小于0的整数，空白按0计"],
    ["成立日期", "选填", "如 2008-06-18，不能晚于今天"],
    ["重点企业", "选填", "是 / 否，空白按否计"],
    ["人才企业", "选填", "是 / 否，空白按否计"],
    ["防疫物资企业", "选填", "是 / 否，空白按否计"],
    ["企业等级", "选填", "A / B / C"],
    ["经营状态", "选填", "在营 / 停业，空白按在营计"],
]
HEADERS = [header for header, _need, _note in TEMPLATE_NOTES]


# Service officers' assignments (批量分配服务专员)

USCC, OFFICER, KIND, PRIMARY, STARTED = (
    "统一社会信用代码",
    "专员账号",
    "类型",
    "是否主责",
    "开始日期",
)
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S")


def day(value: str) -> date:
    """A date as people type it (2020-02-10, 2020/2/10, 2020年2月10日) or as Excel stores it;
    not later than today."""
    for pattern in DATE_FORMATS:
        try:
            parsed = datetime.strptime(value, pattern).date()
        except ValueError:
            continue
        if parsed > timezone.localdate():
            raise ValidationError(_("日期不能晚于今天（%(value)s）") % {"value": value})
        return parsed
    raise ValidationError(_("「%(value)s」不是有效的日期，应如 2020-02-10") % {"value": value})


def liaison_columns() -> list[Column]:
    with translation.override("zh-hans"):  # choice labels as the spreadsheet spells them
        return [
            Column(USCC, "uscc", normalize_uscc, required=True),
            Column("企业名称", "name", cells.text(200), default=""),
            Column(OFFICER, "username", cells.text(150), required=True),
            Column(KIND, "kind", cells.choice(dict(LiaisonAssignment.Kind.choices)), required=True),
            Column(PRIMARY, "is_primary", cells.yes_no, default=False),
            Column(STARTED, "started_on", day),
        ]


LIAISON_TEMPLATE_NOTES = [
    [USCC, "必填", "企业须已在企业名录中"],
    ["企业名称", "选填", "便于核对，不参与匹配"],
    [OFFICER, "必填", "服务专员的登录账号（用户名），须为服务专员角色"],
    [KIND, "必填", "服务专员 / 人才服务专员 / 党建指导员 / 驻企指导员"],
    [PRIMARY, "选填", "是 / 否，空白按否计；每家企业每类只能有一名主责专员，新的主责替换原主责"],
    [STARTED, "选填", "如 2020-02-10，不能晚于今天；空白为导入当天"],
]
LIAISON_HEADERS = [header for header, _need, _note in LIAISON_TEMPLATE_NOTES]


@translation.override("zh-hans")
def liaison_template_workbook() -> bytes:
    return write_xlsx(
        sheets=[
            ("服务专员分配", LIAISON_HEADERS, []),
            ("填写说明", ["列名", "是否必填", "说明"], LIAISON_TEMPLATE_NOTES),
        ]
    )

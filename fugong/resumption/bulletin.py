"""The written bulletin (通报), always in Chinese: it is a government document.

When every entity of every category has resumed with its whole workforce it reads like the seed
article; otherwise it states each category's figures and names the areas furthest behind.
"""

import io
from datetime import datetime

from django.utils import timezone, translation
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from fugong.core.excel import write_xlsx
from fugong.resumption.selectors import Figures, FigureSet, SeriesPoint

# How the seed article names each category, and the measure word for its count.
PHRASES = {
    "industry_above": ("规模以上工业企业", "家"),
    "industry_below": ("规下工业", "家"),
    "services_above": ("规上服务业企业", "家"),
    "services_below": ("规下服务业", "家"),
    "construction": ("建设工程", "个"),
}
TITLE = "复工复产情况通报"


def moment_text(at: datetime) -> str:
    """2020-03-23 17:00 → 3月23日17时; 17:30 → 3月23日17时30分."""
    local = timezone.localtime(at)
    text = f"{local.month}月{local.day}日{local.hour}时"
    return text + (f"{local.minute}分" if local.minute else "")


def place_of(user) -> str:
    """Who the bulletin speaks for: the district, or an area officer's streets and parks."""
    if user.sees_whole_district:
        return "全区"
    if user.role == "area_officer":
        return "、".join(a.name for a in user.areas.order_by("sort_order", "code"))
    return "所联系企业中"


@translation.override("zh-hans")
def bulletin_text(figures: FigureSet, *, place: str = "全区") -> str:
    present = [(code, f) for code, _label, f in figures.category_rows() if f.entities or f.closed]
    opening = f"截至{moment_text(figures.at)}，{place}"
    if not present:
        return f"{opening}暂无登记的企业和建设工程。"
    if all(f.all_resumed and f.full_workforce and not f.closed for _code, f in present):
        counts = "、".join(
            f"{f.entities}{PHRASES[code][1]}{PHRASES[code][0]}" for code, f in present
        )
        every = "均" if len(present) > 1 else ""
        return f"{opening}{counts}全部复工，用工复工率{every}为100%。"
    sentences = "；".join(_category_sentence(code, f) for code, f in present)
    text = f"{opening}{sentences}。"
    lagging = figures.lagging_areas(3) if len(figures.by_area) > 1 else []
    if lagging:
        names = "、".join(
            f"{a.area.name}（复工率{a.figures.resumption_rate_text}）" for a in lagging
        )
        text += f"复工进度靠后的是{names}。"
    return text


def _category_sentence(code: str, f: Figures) -> str:
    phrase, unit = PHRASES[code]
    if f.all_resumed:
        sentence = f"{phrase}{f.entities}{unit}，全部复工，用工复工率{f.workforce_return_rate_text}"
    elif f.entities:
        sentence = (
            f"{phrase}{f.entities}{unit}，已复工{f.resumed}{unit}，"
            f"复工率{f.resumption_rate_text}，用工复工率{f.workforce_return_rate_text}"
        )
    else:
        sentence = f"{phrase}均已停业"
    if f.closed and f.entities:
        sentence += f"，另有停业{f.closed}{unit}"
    return sentence


# Tables, shared by the Word and Excel versions and by the dashboard's export


CATEGORY_HEADERS = [
    "类别",
    "单位数",
    "已复工",
    "其中全面复工",
    "未复工",
    "停业",
    "复工率",
    "在册职工",
    "在岗职工",
    "用工复工率",
]
AREA_HEADERS = [
    "区域",
    "单位数",
    "已复工",
    "未复工",
    "停业",
    "复工率",
    "在册职工",
    "在岗职工",
    "用工复工率",
]
SERIES_HEADERS = ["时点", "单位数", "已复工", "复工率", "在册职工", "在岗职工", "用工复工率"]


def category_table(figures: FigureSet) -> list[list]:
    rows = [[str(label), *_category_cells(f)] for _code, label, f in figures.category_rows()]
    rows.append(["合计", *_category_cells(figures.total)])
    return rows


def _category_cells(f: Figures) -> list:
    return [
        f.entities,
        f.resumed,
        f.fully_resumed,
        f.not_resumed,
        f.closed,
        f.resumption_rate_text,
        f.payroll,
        f.on_duty,
        f.workforce_return_rate_text,
    ]


def area_table(areas) -> list[list]:
    return [
        [
            a.area.name,
            a.figures.entities,
            a.figures.resumed,
            a.figures.not_resumed,
            a.figures.closed,
            a.figures.resumption_rate_text,
            a.figures.payroll,
            a.figures.on_duty,
            a.figures.workforce_return_rate_text,
        ]
        for a in areas
    ]


def series_table(series: list[SeriesPoint]) -> list[list]:
    return [
        [
            timezone.localtime(p.at).strftime("%Y-%m-%d %H:%M"),
            p.total.entities,
            p.total.resumed,
            p.total.resumption_rate_text,
            p.total.payroll,
            p.total.on_duty,
            p.total.workforce_return_rate_text,
        ]
        for p in series
    ]


@translation.override("zh-hans")
def bulletin_xlsx(figures: FigureSet, *, series: list[SeriesPoint] | None = None) -> bytes:
    """One sheet per breakdown."""
    sheets = [
        ("分类汇总", CATEGORY_HEADERS, category_table(figures)),
        ("街道乡镇", AREA_HEADERS, area_table(figures.by_area)),
        ("园区", AREA_HEADERS, area_table(figures.by_park)),
    ]
    if series:
        sheets.append(("逐日", SERIES_HEADERS, series_table(series)))
    return write_xlsx(sheets=sheets)


@translation.override("zh-hans")
def bulletin_docx(figures: FigureSet, *, place: str = "全区") -> bytes:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(12)
    heading = document.add_heading(TITLE, level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(bulletin_text(figures, place=place))
    for title, headers, rows in (
        ("一、分类情况", CATEGORY_HEADERS, category_table(figures)),
        ("二、各街道（乡镇）情况", AREA_HEADERS, area_table(figures.by_area)),
        ("三、园区情况", AREA_HEADERS, area_table(figures.by_park)),
    ):
        if not rows:
            continue
        document.add_heading(title, level=2)
        table = document.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        for cell, header in zip(table.rows[0].cells, headers, strict=True):
            cell.text = header
        for row in rows:
            for cell, value in zip(table.add_row().cells, row, strict=True):
                cell.text = str(value)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()

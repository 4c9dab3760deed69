"""The dashboard's chart data: plain numbers for ECharts, from the same figures as the tables."""

from django.utils import timezone

from fugong.resumption.selectors import FigureSet, SeriesPoint, rate_number


def dashboard_data(figures: FigureSet, series: list[SeriesPoint]) -> dict:
    ranked = sorted(
        (a for a in figures.by_area if a.figures.entities),
        key=lambda a: a.figures.resumption_rate or 0,
    )
    return {
        "categories": [
            {
                "label": str(label),
                "resumption_rate": rate_number(f.resumption_rate),
                "workforce_return_rate": rate_number(f.workforce_return_rate),
            }
            for _code, label, f in figures.category_rows()
            if f.entities
        ],
        "series": {
            "labels": [timezone.localtime(p.at).strftime("%m-%d") for p in series],
            "resumption_rate": [rate_number(p.total.resumption_rate) for p in series],
            "workforce_return_rate": [rate_number(p.total.workforce_return_rate) for p in series],
            "by_category": {
                str(label): [rate_number(p.by_category[code].resumption_rate) for p in series]
                for code, label, f in figures.category_rows()
                if f.entities
            },
        },
        "areas": [
            {
                "name": a.area.name,
                "resumption_rate": rate_number(a.figures.resumption_rate),
                "workforce_return_rate": rate_number(a.figures.workforce_return_rate),
            }
            for a in ranked
        ],
    }

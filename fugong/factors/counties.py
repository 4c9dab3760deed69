"""Home counties: the bundled table of Henan's divisions (see data/README.md), and counties
elsewhere added by their GB/T 2260 code when a worker comes from there."""

import csv
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fugong.core.validators import normalize_county_code

DIVISIONS = Path(__file__).resolve().parent / "data" / "henan_divisions.csv"
PROVINCE = "河南省"


@cache
def reference_rows() -> tuple[dict, ...]:
    """County-level rows of the bundled table, each with its prefecture and coordinates."""
    with DIVISIONS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    names = {row["adcode"]: row["name"] for row in rows}
    counties = []
    for row in rows:
        code = row["adcode"]
        if code.endswith("00") or not row["longitude"]:
            continue  # the province, its cities, and the 市辖区 placeholders without a seat
        counties.append(
            {
                "code": code,
                "name": row["name"],
                "prefecture": names.get(code[:4] + "00", ""),
                "province": PROVINCE,
                "longitude": Decimal(row["longitude"]),
                "latitude": Decimal(row["latitude"]),
            }
        )
    return tuple(counties)


def counties_ensure_loaded(county_model=None) -> int:
    """Store the bundled counties that are missing (a migration does it once; a database emptied
    by a flush needs it again). Returns how many were added."""
    if county_model is None:
        from fugong.factors.models import County as county_model
    existing = set(county_model.objects.values_list("code", flat=True))
    missing = [
        county_model(is_reference=True, **row)
        for row in reference_rows()
        if row["code"] not in existing
    ]
    county_model.objects.bulk_create(missing)
    return len(missing)


def district_seat() -> tuple[float, float] | None:
    """(latitude, longitude) of the district's seat from the bundled table."""
    from django.conf import settings

    with DIVISIONS.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["adcode"] == settings.FUGONG_DISTRICT_CODE and row["longitude"]:
                return float(row["latitude"]), float(row["longitude"])
    return None


class CountyLookup:
    """Reads what people type for a home county: a code (411624), a name (沈丘县, 沈丘), or a
    code and a name (341221 临泉县) for a county outside the bundled table, which is then added
    without coordinates."""

    def __init__(self):
        from fugong.factors.models import County

        self.model = County
        self.by_code = {c.code: c for c in County.objects.all()}
        self.by_name: dict[str, list] = {}
        for county in self.by_code.values():
            for spelling in {county.name, _short(county.name), county.label}:
                self.by_name.setdefault(spelling, []).append(county)
        self.added: dict[str, object] = {}

    def __call__(self, value: str):
        text = " ".join(str(value).split())
        head, _sep, rest = text.partition(" ")
        if head[:6].isdigit():
            code, name = head[:6], (head[6:] + rest).strip()
            return self._by_code(code, name)
        matches = self.by_name.get(text, [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise ValidationError(
                _("有%(n)d个县（区）叫「%(name)s」，请填写6位区划代码")
                % {"n": len(matches), "name": text}
            )
        raise ValidationError(
            _(
                "未知的县（区）：「%(value)s」；省外县（区）请填写区划代码和名称，如「341221 临泉县」"
            )
            % {"value": text}
        )

    def _by_code(self, code: str, name: str):
        code = normalize_county_code(code)
        county = self.by_code.get(code) or self.added.get(code)
        if county is not None:
            return county
        if not name:
            raise ValidationError(
                _("区划代码 %(code)s 不在区划表中，请在代码后写上县（区）名称") % {"code": code}
            )
        if len(name) > 30:
            raise ValidationError(_("县（区）名称不能超过30个字"))
        # Not saved here: an import that is refused must leave nothing behind.
        county = self.model(code=code, name=name, is_reference=False)
        self.added[code] = county
        return county


def _short(name: str) -> str:
    """沈丘县 → 沈丘, 邓州市 → 邓州 (a two-character name keeps its suffix: 息县)."""
    if len(name) > 2 and name[-1] in "县市区":
        return name[:-1]
    return name

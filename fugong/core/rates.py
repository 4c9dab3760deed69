"""Rates as people read them in a bulletin: one decimal, and never a rounding that changes the
message — 99.96% is not "100%" (someone has not resumed) and 0.04% is not "0%"."""

from decimal import ROUND_HALF_UP, Decimal

ONE_DECIMAL = Decimal("0.1")


def rate(part: int, whole: int) -> Decimal | None:
    """part ÷ whole as a percentage, or None when there is nothing to divide by."""
    if not whole:
        return None
    return Decimal(part) * 100 / Decimal(whole)


def format_rate(part: int, whole: int) -> str:
    if not whole:
        return "—"
    if part == whole:
        return "100%"
    value = rate(part, whole).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
    if value >= 100:
        value = Decimal("99.9")
    elif part and value <= 0:
        value = Decimal("0.1")
    return f"{value}%"

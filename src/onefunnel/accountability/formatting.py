"""How the pack writes its numbers: counts, money, shares and months, the dashboard's way ($1,234,568, 46%,
+5 pts, "October 2026"); missing values are an em dash, never "nan" or "None"."""

from __future__ import annotations

import math
from datetime import date, datetime

DASH = "—"
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$", "CHF": "CHF "}


def is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def count(value: object) -> str:
    if is_missing(value):
        return DASH
    return f"{round(float(value)):,}"  # type: ignore[arg-type]


def signed_count(value: object) -> str:
    if is_missing(value):
        return DASH
    return f"{round(float(value)):+,}"  # type: ignore[arg-type]


def money(value: object, currency: str = "USD") -> str:
    if is_missing(value):
        return DASH
    number = float(value)  # type: ignore[arg-type]
    symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
    return f"{'-' if number < 0 else ''}{symbol}{abs(number):,.0f}"


def signed_money(value: object, currency: str = "USD") -> str:
    if is_missing(value):
        return DASH
    number = float(value)  # type: ignore[arg-type]
    return ("+" if number >= 0 else "") + money(number, currency)


def percent(value: object, decimals: int = 0) -> str:
    if is_missing(value):
        return DASH
    return f"{float(value) * 100:.{decimals}f}%"  # type: ignore[arg-type]


def points(value: object, decimals: int = 0) -> str:
    if is_missing(value):
        return DASH
    return f"{float(value) * 100:+.{decimals}f} pts"  # type: ignore[arg-type]


def month_label(month: date | datetime) -> str:
    return month.strftime("%B %Y")


def timestamp(value: datetime | None, *, tz_name: str | None = None) -> str:
    """An aware timestamp in the portal's time zone (or UTC), e.g. '22 Nov 2026, 19:40 EST'."""
    if value is None:
        return DASH
    if tz_name and value.tzinfo is not None:
        from zoneinfo import ZoneInfo

        value = value.astimezone(ZoneInfo(tz_name))
    zone = value.strftime("%Z") if value.tzinfo is not None else ""
    return f"{value.day} {value.strftime('%b %Y, %H:%M')} {zone}".strip()

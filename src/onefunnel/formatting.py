"""One way to write every number onefunnel shows (the dashboard, the monthly pack it e-mails): counts, money,
shares, durations and months.

Tiles use the compact forms ($1.2M, 46%), tables the exact ones ($1,234,567). Missing values are an em dash,
never "nan" or "None".
"""

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
    """1234 -> '1,234'."""
    if is_missing(value):
        return DASH
    return f"{round(float(value)):,}"  # type: ignore[arg-type]


def _compact(number: float, decimals: int = 1) -> str:
    magnitude = abs(number)
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if magnitude >= threshold:
            text = f"{number / threshold:.{decimals}f}".rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    return f"{number:,.0f}"


def money(value: object, currency: str = "USD", *, compact: bool = False) -> str:
    """1234567.8 -> '$1,234,568' (or '$1.23M' compact); other currencies get their code or symbol."""
    if is_missing(value):
        return DASH
    number = float(value)  # type: ignore[arg-type]
    symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
    sign = "-" if number < 0 else ""
    body = _compact(abs(number), 2) if compact else f"{abs(number):,.0f}"
    return f"{sign}{symbol}{body}"


def percent(value: object, decimals: int = 0) -> str:
    """0.4615 -> '46%' (a share 0..1, shown as a percentage)."""
    if is_missing(value):
        return DASH
    return f"{float(value) * 100:.{decimals}f}%"  # type: ignore[arg-type]


def points(value: object, decimals: int = 0) -> str:
    """A difference of two shares in percentage points: 0.052 -> '+5 pts'."""
    if is_missing(value):
        return DASH
    return f"{float(value) * 100:+.{decimals}f} pts"  # type: ignore[arg-type]


def hours(value: object) -> str:
    """Speed to lead: under two days in hours ('9.8 h'), longer in days ('3.2 d')."""
    if is_missing(value):
        return DASH
    number = float(value)  # type: ignore[arg-type]
    if number < 48:
        return f"{number:.1f} h"
    return f"{number / 24:.1f} d"


def days(value: object, decimals: int = 0) -> str:
    if is_missing(value):
        return DASH
    return f"{float(value):.{decimals}f} d"  # type: ignore[arg-type]


def signed_count(value: object) -> str:
    if is_missing(value):
        return DASH
    return f"{round(float(value)):+,}"  # type: ignore[arg-type]


def signed_money(value: object, currency: str = "USD", *, compact: bool = False) -> str:
    if is_missing(value):
        return DASH
    number = float(value)  # type: ignore[arg-type]
    return ("+" if number >= 0 else "") + money(number, currency, compact=compact)


def month_label(month: date | datetime | str) -> str:
    """date(2026, 10, 1) -> 'October 2026'."""
    if isinstance(month, str):
        month = date.fromisoformat(month[:10] if len(month) > 7 else f"{month}-01")
    return month.strftime("%B %Y")


def short_month(month: date | datetime) -> str:
    """date(2026, 10, 1) -> 'Oct 2026'."""
    return month.strftime("%b %Y")


def timestamp(value: datetime | None, *, tz_name: str | None = None) -> str:
    """An aware timestamp in the portal's time zone (or UTC), e.g. '22 Nov 2026, 19:40 EST'."""
    if value is None:
        return DASH
    if tz_name and value.tzinfo is not None:
        from zoneinfo import ZoneInfo

        value = value.astimezone(ZoneInfo(tz_name))
    zone = value.strftime("%Z") if value.tzinfo is not None else ""
    return f"{value.day} {value.strftime('%b %Y, %H:%M')} {zone}".strip()

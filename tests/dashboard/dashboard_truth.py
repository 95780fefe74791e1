"""Ground truth for the dashboard tests: the snapshot's own numbers, read with plain SQL written here, apart
from the dashboard's queries, so a test compares what a page shows with what the snapshot holds."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb


def rows(path: Path, sql: str, params: list[Any] | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def value(path: Path, sql: str, params: list[Any] | None = None) -> Any:
    found = rows(path, sql, params)
    return found[0][0] if found else None


def months(path: Path) -> list[date]:
    return [
        row[0]
        for row in rows(path, "select distinct month_start from marts.funnel_period_monthly order by 1 desc")
    ]


def default_month(path: Path, time_zone: str = "America/New_York") -> date:
    """The latest full month: the newest month unless it holds the data's as-of date."""
    newest = months(path)
    as_of = value(path, "select data_as_of from serving_meta.run").astimezone(ZoneInfo(time_zone)).date()
    if (as_of.year, as_of.month) == (newest[0].year, newest[0].month) and len(newest) > 1:
        return newest[1]
    return newest[0]


def entered(path: Path, stage: str, month: date) -> int:
    return int(
        value(
            path,
            "select contacts_entered from marts.funnel_period_monthly where stage_key = ? and "
            "month_start = ?",
            [stage, month],
        )
        or 0
    )


def deals(path: Path, column: str, month: date) -> float:
    allowed = {"deals_created", "deals_won", "revenue_won", "pipeline_created"}
    assert column in allowed
    return float(value(path, f"select {column} from marts.deals_monthly where month_start = ?", [month]) or 0)

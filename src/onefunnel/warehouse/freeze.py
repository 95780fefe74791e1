"""Month close: freeze a month's accountability numbers as "reported", exactly and once - the numbers
(reported_metrics) and the records behind them (reported_contributions: every row of fct_metric_contributions
for the month, with the definitions version whose rule counted it).

The frozen values live outside the DuckDB file, as append-only Parquet (one file per month and table,
written atomically and never replaced), so they survive any rebuild of the warehouse; dbt reads them back
as the `accountability` source and shows restatements = current - reported with their causes.
"""

from __future__ import annotations

import calendar
import os
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from onefunnel.definitions import Definitions

METRICS = "reported_metrics"
CONTRIBUTIONS = "reported_contributions"


def default_accountability_dir(warehouse_path: Path) -> Path:
    override = os.environ.get("ONEFUNNEL_ACCOUNTABILITY_DIR")
    return Path(override) if override else Path(warehouse_path).parent / "accountability"


def _month_file(accountability_dir: Path, table: str, month: str) -> Path:
    return Path(accountability_dir) / table / f"month={month}.parquet"


def is_frozen(accountability_dir: Path, month: str) -> bool:
    return _month_file(accountability_dir, METRICS, month).exists()


def close_date(month: str, definitions: Definitions) -> date:
    """The day of the following month on which `month` (YYYY-MM) is frozen."""
    year, number = int(month[:4]), int(month[5:7])
    year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return date(year, number, min(definitions.month_close_day, calendar.monthrange(year, number)[1]))


def due_months(warehouse_path: Path, definitions: Definitions, accountability_dir: Path) -> list[str]:
    """Months with numbers whose close date (portal time zone) is on or before the data's as-of date and
    that are not frozen yet."""
    import duckdb

    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        as_of = connection.execute("select as_of_at from intermediate.int_as_of").fetchall()[0][0]
        months = [
            row[0]
            for row in connection.execute(
                "select distinct month_start from marts.metrics_monthly order by month_start"
            ).fetchall()
        ]
    as_of_local = as_of.replace(tzinfo=UTC).astimezone(ZoneInfo(definitions.time_zone)).date()
    due = []
    for month_start in months:
        month = month_start.strftime("%Y-%m")
        if close_date(month, definitions) <= as_of_local and not is_frozen(accountability_dir, month):
            due.append(month)
    return due


def _write_once(path: Path, table) -> bool:
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, tmp)
    try:
        os.link(tmp, path)  # fails if the month was frozen meanwhile: a frozen month is never replaced
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)
    return True


def freeze_month(month: str, warehouse_path: Path, accountability_dir: Path) -> bool:
    """Freeze `month` (YYYY-MM) from the current warehouse; False when it was frozen already."""
    import duckdb

    if is_frozen(accountability_dir, month):
        return False
    month_start = date(int(month[:4]), int(month[5:7]), 1)
    frozen_at = datetime.now(UTC).replace(tzinfo=None)
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        as_of = connection.execute("select as_of_at from intermediate.int_as_of").fetchall()[0][0]
        # Record by record, with the definitions version whose rule counted each: a later restatement is
        # drilled to the records added, removed or changed (marts.metric_restatement_records).
        contributions = connection.sql(
            """
            select
                month_start,
                metric_key,
                record_type,
                record_id,
                contribution,
                definitions_version,
                cast($frozen_at as timestamp) as frozen_at
            from marts.fct_metric_contributions
            where month_start = $month_start
            order by metric_key, record_type, record_id
            """,
            params={"month_start": month_start, "frozen_at": frozen_at},
        ).to_arrow_table()
        metrics = connection.sql(
            """
            select
                month_start,
                metric_key,
                metric_value,
                record_count,
                definitions_version,
                cast($frozen_at as timestamp) as frozen_at,
                cast($as_of as timestamp) as frozen_data_as_of
            from marts.metrics_monthly
            where month_start = $month_start
            """,
            params={"frozen_at": frozen_at, "as_of": as_of, "month_start": month_start},
        ).to_arrow_table()
    if metrics.num_rows == 0:
        raise ValueError(f"month {month} has no numbers in the warehouse; nothing to freeze")
    # contributions first: the metrics file is the marker that a month is frozen
    _write_once(_month_file(accountability_dir, CONTRIBUTIONS, month), contributions)
    return _write_once(_month_file(accountability_dir, METRICS, month), metrics)

"""The monthly accountability pack: the frozen ("reported") numbers of a month next to targets, today's values
and restatements, as a table, a CSV and a printable HTML page (what the meeting saw, shown again exactly).

`read_month_pack` reads one frozen month from the published serving snapshot; the dashboard's accountability
page builds the same table from its own queries (dashboards.lib.accountability re-exports this module), and
the month-close DAG e-mails the page and the CSV (onefunnel.orchestration.pack_mail)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from onefunnel import formatting


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    kind: str  # count | money | share
    target: tuple[str, str] | None = None  # (team, metric) in target_attainment_monthly


METRICS: tuple[Metric, ...] = (
    Metric("stage_entered__lead", "Leads", "count"),
    Metric("stage_entered__mql", "MQLs", "count", ("marketing", "mqls")),
    Metric("stage_entered__sql", "SQLs", "count", ("sales", "sqls")),
    Metric("stage_entered__opportunity", "Contacts reaching opportunity", "count"),
    Metric("stage_entered__customer", "New customers", "count"),
    Metric("deals_created", "Opportunities (deals created)", "count"),
    Metric("pipeline_created", "Pipeline created", "money"),
    Metric(
        "sourced_pipeline__marketing",
        "Marketing-sourced pipeline",
        "money",
        ("marketing", "sourced_pipeline"),
    ),
    Metric("sourced_pipeline__sales", "Sales-sourced pipeline", "money", ("sales", "sourced_pipeline")),
    Metric("deals_won", "Won deals", "count"),
    Metric("revenue_won", "Won revenue", "money", ("sales", "closed_won_revenue")),
    Metric("deals_lost", "Lost deals", "count"),
    Metric("mqls_within_sla", "MQLs touched within SLA", "count"),
    Metric("mqls_sla_due", "MQLs due for a first touch", "count"),
)
SLA_SHARE = Metric("share_within_sla", "Share of MQLs touched within SLA", "share")
CAUSES = {
    "late_data": "late data (records that arrived or changed after the freeze)",
    "deleted_records": "deleted or merged records",
    "definition_change": "a change of the definitions",
    "unexplained": "not explained by the data",
}


def metric_for(key: str) -> Metric:
    for metric in METRICS:
        if metric.key == key:
            return metric
    if key.startswith("stage_entered__"):
        return Metric(key, f"Contacts entering {key.removeprefix('stage_entered__')}", "count")
    return Metric(key, key.replace("_", " ").capitalize(), "count")


def _value(frame: pd.DataFrame, key: str, column: str) -> float | None:
    rows = frame[frame["metric_key"] == key]
    if rows.empty or pd.isna(rows.iloc[0][column]):
        return None
    return float(rows.iloc[0][column])


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def pack(month_rows: pd.DataFrame, previous_rows: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """One row per metric: reported, target, attainment, today, restatement, causes, previous month, change.

    `month_rows` / `previous_rows`: marts.monthly_accountability rows of the month and of the month before;
    `targets`: marts.target_attainment_monthly rows of the month.
    """
    known = [metric.key for metric in METRICS]
    keys = [key for key in known if key in set(month_rows["metric_key"])]
    keys += sorted(set(month_rows["metric_key"]) - set(known))
    rows = []
    for key in keys:
        metric = metric_for(key)
        reported = _value(month_rows, key, "reported_value")
        target = None
        if metric.target is not None and not targets.empty:
            found = targets[(targets["team"] == metric.target[0]) & (targets["metric"] == metric.target[1])]
            target = None if found.empty else float(found.iloc[0]["target_value"])
        causes = month_rows.loc[month_rows["metric_key"] == key, "restatement_causes"]
        previous = _value(previous_rows, key, "reported_value") if not previous_rows.empty else None
        rows.append(
            {
                "metric_key": key,
                "metric": metric.label,
                "kind": metric.kind,
                "reported": reported,
                "target": target,
                "attainment": _ratio(reported, target),
                "current": _value(month_rows, key, "current_value"),
                "restatement": _value(month_rows, key, "restatement"),
                "causes": causes.iloc[0] if len(causes) and isinstance(causes.iloc[0], str) else "",
                "previous_reported": previous,
                "change_vs_previous": None if reported is None or previous is None else reported - previous,
            }
        )
    if {"mqls_within_sla", "mqls_sla_due"} <= set(keys):

        def share(frame: pd.DataFrame, column: str) -> float | None:
            return _ratio(_value(frame, "mqls_within_sla", column), _value(frame, "mqls_sla_due", column))

        reported = share(month_rows, "reported_value")
        current = share(month_rows, "current_value")
        previous = share(previous_rows, "reported_value") if not previous_rows.empty else None
        rows.append(
            {
                "metric_key": SLA_SHARE.key,
                "metric": SLA_SHARE.label,
                "kind": "share",
                "reported": reported,
                "target": None,
                "attainment": None,
                "current": current,
                "restatement": None if reported is None or current is None else current - reported,
                "causes": "",
                "previous_reported": previous,
                "change_vs_previous": None if reported is None or previous is None else reported - previous,
            }
        )
    return pd.DataFrame(rows)


def show(value: Any, kind: str, currency: str, *, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return formatting.DASH
    if kind == "money":
        return formatting.signed_money(value, currency) if signed else formatting.money(value, currency)
    if kind == "share":
        return formatting.points(value, 1) if signed else formatting.percent(value, 1)
    return formatting.signed_count(value) if signed else formatting.count(value)


def display_table(table: pd.DataFrame, currency: str) -> pd.DataFrame:
    """The pack with every number written out the dashboard's way (for screen, CSV readers and print)."""
    return pd.DataFrame(
        {
            "Metric": table["metric"],
            "Reported (frozen)": [
                show(v, k, currency) for v, k in zip(table["reported"], table["kind"], strict=True)
            ],
            "Target": [show(v, k, currency) for v, k in zip(table["target"], table["kind"], strict=True)],
            "Attainment": [formatting.percent(v) for v in table["attainment"]],
            "Today": [show(v, k, currency) for v, k in zip(table["current"], table["kind"], strict=True)],
            "Restatement": [
                show(v, k, currency, signed=True) if v not in (None, 0) and not pd.isna(v) else "none"
                for v, k in zip(table["restatement"], table["kind"], strict=True)
            ],
            "Causes": [
                ", ".join(CAUSES.get(c.strip(), c.strip()) for c in causes.split(",") if c.strip()) or ""
                for causes in table["causes"]
            ],
            "Previous month (reported)": [
                show(v, k, currency) for v, k in zip(table["previous_reported"], table["kind"], strict=True)
            ],
            "Change vs previous month": [
                show(v, k, currency, signed=True)
                for v, k in zip(table["change_vs_previous"], table["kind"], strict=True)
            ],
        }
    )


def csv_bytes(table: pd.DataFrame, month: date) -> bytes:
    """Machine-readable CSV: raw numbers (no formatting), one row per metric, the month on every row."""
    columns = [
        "metric_key",
        "metric",
        "reported",
        "target",
        "attainment",
        "current",
        "restatement",
        "causes",
        "previous_reported",
        "change_vs_previous",
    ]
    return table[columns].assign(month=month.isoformat())[["month", *columns]].to_csv(index=False).encode()


def printable_html(
    month: date,
    table: pd.DataFrame,
    restatements: pd.DataFrame,
    *,
    currency: str,
    frozen_at: datetime | None,
    frozen_data_as_of: datetime | None,
    reported_version: str | None,
    current_version: str | None,
    data_as_of: str,
) -> str:
    """A self-contained page to print or file: the frozen numbers, targets, restatements and their causes."""
    shown = display_table(table, currency)
    header = "".join(f"<th>{html.escape(column)}</th>" for column in shown.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(value))}</td>" for value in row) + "</tr>"
        for row in shown.itertuples(index=False)
    )

    def restated_value(row: Any) -> str:
        return show(row.restatement, metric_for(row.metric_key).kind, currency, signed=True)

    if restatements.empty:
        restated = "<p>No restatements: today's values equal what was reported.</p>"
    else:
        restated_rows = "".join(
            "<tr>"
            f"<td>{html.escape(metric_for(row.metric_key).label)}</td>"
            f"<td>{html.escape(CAUSES.get(row.cause, row.cause))}</td>"
            f"<td>{html.escape(restated_value(row))}</td>"
            f"<td>{int(row.records_added_or_increased)}</td><td>{int(row.records_removed_or_decreased)}</td>"
            "</tr>"
            for row in restatements.itertuples(index=False)
        )
        restated = (
            "<table><tr><th>Metric</th><th>Cause</th><th>Restatement</th><th>Records added</th>"
            f"<th>Records removed</th></tr>{restated_rows}</table>"
        )
    definitions_note = (
        f"Reported with definitions {html.escape(str(reported_version))}; today's values use "
        f"{html.escape(str(current_version))}."
    )
    title = f"onefunnel — monthly accountability, {formatting.month_label(month)}"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
  body {{ font-family: "Source Sans 3", "Helvetica Neue", Arial, sans-serif; color: #0f172a; margin: 2rem; }}
  h1 {{ font-size: 1.6rem; margin-bottom: .2rem; }}
  p.meta {{ color: #475569; margin-top: 0; }}
  table {{ border-collapse: collapse; width: 100%; margin: 1rem 0 2rem; font-size: .9rem; }}
  th, td {{ border-bottom: 1px solid #e2e8f0; padding: .35rem .5rem; text-align: right; }}
  th:first-child, td:first-child, td:nth-child(7) {{ text-align: left; }}
  th {{ background: #f1f5f9; }}
  @media print {{ body {{ margin: 0; }} @page {{ size: A4 landscape; margin: 12mm; }} }}
</style></head>
<body>
<h1>{html.escape(title)}</h1>
<p class="meta">Frozen {html.escape(formatting.timestamp(frozen_at))} with data as of
{html.escape(formatting.timestamp(frozen_data_as_of))}. Today's values: data as of {html.escape(data_as_of)}.
{definitions_note}</p>
<table><tr>{header}</tr>{body}</table>
<h2>Restatements since the freeze</h2>
{restated}
<p class="meta">Restatement = today's value − reported value. Reported values never change once frozen.</p>
</body></html>
"""


# ----------------------------------------------------------------------------- from the serving snapshot
ACCOUNTABILITY_SQL = """
select
    month_start, metric_key, reported_definitions_version, definitions_version, is_definition_changed,
    restatement_causes, frozen_at, frozen_data_as_of, reported_value, current_value, restatement,
    reported_record_count, current_record_count
from marts.monthly_accountability
where month_start between ? and ?
order by month_start, metric_key
"""
TARGETS_SQL = """
select month_start, team, metric, actual_value, target_value, attainment
from marts.target_attainment_monthly
where month_start = ?
"""
RESTATEMENTS_SQL = """
select month_start, metric_key, cause, restatement, records_added_or_increased, records_removed_or_decreased
from marts.metric_restatements
where month_start = ?
order by metric_key, cause
"""


class NoFrozenMonth(LookupError):
    """The snapshot has no frozen month (or not the one asked for)."""


@dataclass(frozen=True)
class MonthPack:
    """One frozen month's pack as read from a snapshot: the table, its CSV and its printable page."""

    month: date
    table: pd.DataFrame
    restatements: pd.DataFrame
    currency: str
    run_id: str
    html: str

    @property
    def csv(self) -> bytes:
        return csv_bytes(self.table, self.month)

    @property
    def file_stem(self) -> str:
        return f"onefunnel-accountability-{self.month.strftime('%Y-%m')}"


def _has_table(con, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def frozen_months(con) -> list[date]:
    """Frozen months in a snapshot, newest first (none when the mart is absent)."""
    if not _has_table(con, "marts", "monthly_accountability"):
        return []
    rows = con.execute(
        "select distinct month_start from marts.monthly_accountability order by month_start desc"
    ).fetchall()
    return [pd.Timestamp(row[0]).date() for row in rows]


def read_month_pack(serving_path: Path, month: date | None = None) -> MonthPack:
    """The pack of `month` (default: the newest frozen month) from the serving snapshot at `serving_path`."""
    from onefunnel.publish.serving import open_serving_readonly

    with open_serving_readonly(serving_path) as con:
        months = frozen_months(con)
        if not months:
            raise NoFrozenMonth(f"the snapshot {serving_path} has no frozen month yet")
        if month is None:
            month = months[0]
        elif month not in months:
            shown = ", ".join(m.isoformat() for m in months[:6]) or "none"
            raise NoFrozenMonth(
                f"{month.isoformat()} is not a frozen month of {serving_path} (frozen: {shown})"
            )
        earlier = [candidate for candidate in months if candidate < month]
        previous = earlier[0] if earlier else None
        rows = con.execute(ACCOUNTABILITY_SQL, [previous or month, month]).df()
        targets = con.execute(TARGETS_SQL, [month]).df()
        restated = (
            con.execute(RESTATEMENTS_SQL, [month]).df()
            if _has_table(con, "marts", "metric_restatements")
            else pd.DataFrame()
        )
        settings = (
            con.execute("select home_currency, time_zone from definitions.definitions_current").fetchone()
            if _has_table(con, "definitions", "definitions_current")
            else None
        )
        run_id, data_as_of = con.execute("select run_id, data_as_of from serving_meta.run").fetchone()
    currency, time_zone = settings or ("USD", "UTC")
    rows = rows.assign(month_start=pd.to_datetime(rows["month_start"]).dt.date)
    month_rows = rows[rows["month_start"] == month]
    previous_rows = rows[rows["month_start"] == previous] if previous else rows.iloc[0:0]
    table = pack(month_rows, previous_rows, targets)
    first = month_rows.iloc[0]
    page = printable_html(
        month,
        table,
        restated,
        currency=currency,
        frozen_at=pd.Timestamp(first["frozen_at"]).to_pydatetime(),
        frozen_data_as_of=pd.Timestamp(first["frozen_data_as_of"]).to_pydatetime(),
        reported_version=first["reported_definitions_version"],
        current_version=first["definitions_version"],
        data_as_of=formatting.timestamp(data_as_of, tz_name=time_zone),
    )
    return MonthPack(month, table, restated, currency, str(run_id), page)

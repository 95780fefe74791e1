"""Preview a definitions change before both teams adopt it.

`onefunnel definitions preview PROPOSED.yml` builds the warehouse twice from the same landing zone, side by
side in a preview folder: once under the definitions in use, once under the proposed file, both as of the
same instant. It never touches the warehouse, the frozen months or the published snapshot. It then compares
the governed accountability models of the two builds:

- `marts.metrics_monthly`: every metric, month by month, current vs proposed;
- `marts.fct_metric_contributions`: the records that move (counted under one file and not the other, or
  with a different contribution), so "+112 MQLs in October" comes with the 112 contacts.

The result is a Markdown report fit for a pull-request comment and `preview.duckdb` (tables `preview_meta`,
`preview_metrics`, `preview_moves`), which the dashboard's Definitions preview page reads while it exists.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from onefunnel.config import data_dir
from onefunnel.definitions import load_definitions
from onefunnel.files import make_private, private_dir

PREVIEW_DIR_ENV = "ONEFUNNEL_PREVIEW_DIR"
# Records listed per metric and month in the Markdown report (the dashboard page and preview.duckdb list all).
REPORT_RECORDS_PER_CHANGE = 10


def default_preview_dir() -> Path:
    configured = os.environ.get(PREVIEW_DIR_ENV)
    return Path(configured).resolve() if configured else data_dir() / "preview"


@dataclass(frozen=True)
class MetricChange:
    metric_key: str
    month_start: str  # ISO date
    current: float
    proposed: float
    records_added: int  # counted under the proposed file only
    records_removed: int  # counted under the current file only
    records_changed: int  # counted under both with a different contribution

    @property
    def delta(self) -> float:
        return self.proposed - self.current


@dataclass(frozen=True)
class PreviewResult:
    current_definitions: Path
    proposed_definitions: Path
    current_version: str
    proposed_version: str
    as_of: str
    preview_path: Path  # preview.duckdb
    report_path: Path  # preview.md
    changes: list[MetricChange]  # only the metric-months whose value or records differ
    metric_months_compared: int

    @property
    def identical(self) -> bool:
        return not self.changes


def preview_definitions(
    proposed: Path | str,
    *,
    current: Path | str | None = None,
    landing_dir: Path | str | None = None,
    preview_dir: Path | str | None = None,
    as_of: str | None = None,
) -> PreviewResult:
    """Build under `current` (default: the definitions in use) and `proposed` from one landing zone, compare,
    and write the report. A malformed proposed file raises DefinitionsError naming the key, before any
    build."""
    from onefunnel.definitions import definitions_path
    from onefunnel.warehouse.build import build_warehouse

    proposed_path = Path(proposed).resolve()
    current_path = Path(current).resolve() if current else definitions_path()
    current_definitions = load_definitions(current_path)
    proposed_definitions = load_definitions(proposed_path)  # DefinitionsError: nothing is built
    as_of = as_of or datetime.now(UTC).replace(microsecond=0).isoformat()

    root = Path(preview_dir).resolve() if preview_dir else default_preview_dir()
    workspace = root / "builds"
    if workspace.exists():
        shutil.rmtree(workspace)  # a preview is rebuilt from scratch: no state carries over between files
    private_dir(workspace)
    builds = {}
    for side, path in (("current", current_path), ("proposed", proposed_path)):
        warehouse = workspace / side / "warehouse.duckdb"
        private_dir(warehouse.parent)
        build_warehouse(
            landing_dir,
            warehouse,
            definitions_path=path,
            full_refresh=True,
            as_of=as_of,
            accountability_dir=workspace / side / "accountability",
            freeze_due=False,
        )
        builds[side] = warehouse

    preview_path = root / "preview.duckdb"
    changes, compared = _compare(builds["current"], builds["proposed"], preview_path)
    result = PreviewResult(
        current_definitions=current_path,
        proposed_definitions=proposed_path,
        current_version=current_definitions.version,
        proposed_version=proposed_definitions.version,
        as_of=as_of,
        preview_path=preview_path,
        report_path=root / "preview.md",
        changes=changes,
        metric_months_compared=compared,
    )
    report = render_markdown(result, _report_moves(preview_path))
    _write_meta(result, report)
    result.report_path.write_text(report, encoding="utf-8")
    make_private(result.report_path)
    return result


_METRICS_SQL = """
create table preview_metrics as
select
    coalesce(c.metric_key, p.metric_key) as metric_key,
    coalesce(c.month_start, p.month_start) as month_start,
    coalesce(c.metric_value, 0) as current_value,
    coalesce(p.metric_value, 0) as proposed_value
from current_wh.marts.metrics_monthly as c
full outer join proposed_wh.marts.metrics_monthly as p
    on c.metric_key = p.metric_key and c.month_start = p.month_start
"""

_MOVES_SQL = """
create table preview_moves as
with moved as (
    select
        coalesce(c.metric_key, p.metric_key) as metric_key,
        coalesce(c.month_start, p.month_start) as month_start,
        coalesce(c.record_type, p.record_type) as record_type,
        coalesce(c.record_id, p.record_id) as record_id,
        c.contribution as current_contribution,
        p.contribution as proposed_contribution,
        case
            when c.record_id is null then 'added'
            when p.record_id is null then 'removed'
            else 'changed'
        end as movement
    from current_wh.marts.fct_metric_contributions as c
    full outer join proposed_wh.marts.fct_metric_contributions as p
        on c.metric_key = p.metric_key
        and c.month_start = p.month_start
        and c.record_type = p.record_type
        and c.record_id = p.record_id
    where c.record_id is null or p.record_id is null or c.contribution <> p.contribution
)
select
    moved.*,
    coalesce(pd.deal_name, cd.deal_name) as deal_name,
    coalesce(pl.lifecycle_stage, cl.lifecycle_stage) as lifecycle_stage,
    coalesce(pl.original_source, cl.original_source) as original_source
from moved
left join proposed_wh.marts.fct_deals as pd
    on moved.record_type = 'deal' and moved.record_id = pd.deal_id
left join current_wh.marts.fct_deals as cd
    on moved.record_type = 'deal' and moved.record_id = cd.deal_id
left join proposed_wh.marts.fct_leads as pl
    on moved.record_type = 'contact' and moved.record_id = pl.contact_id
left join current_wh.marts.fct_leads as cl
    on moved.record_type = 'contact' and moved.record_id = cl.contact_id
"""


def _compare(current: Path, proposed: Path, preview_path: Path) -> tuple[list[MetricChange], int]:
    import duckdb

    preview_path.unlink(missing_ok=True)
    with duckdb.connect(str(preview_path)) as con:
        con.execute("attach ? as current_wh (read_only)", [str(current)])
        con.execute("attach ? as proposed_wh (read_only)", [str(proposed)])
        con.execute(_METRICS_SQL)
        con.execute(_MOVES_SQL)
        compared = con.execute("select count(*) from preview_metrics").fetchone()[0]
        rows = con.execute(
            """
            select
                m.metric_key,
                cast(m.month_start as varchar),
                m.current_value,
                m.proposed_value,
                count(*) filter (where v.movement = 'added'),
                count(*) filter (where v.movement = 'removed'),
                count(*) filter (where v.movement = 'changed')
            from preview_metrics as m
            left join preview_moves as v
                on m.metric_key = v.metric_key and m.month_start = v.month_start
            group by m.metric_key, m.month_start, m.current_value, m.proposed_value
            having m.current_value <> m.proposed_value or count(v.record_id) > 0
            order by m.metric_key, m.month_start
            """
        ).fetchall()
        con.execute("detach current_wh")
        con.execute("detach proposed_wh")
    make_private(preview_path)
    return [MetricChange(*row) for row in rows], compared


def _write_meta(result: PreviewResult, report: str) -> None:
    import duckdb

    with duckdb.connect(str(result.preview_path)) as con:
        con.execute(
            "create table preview_meta as select ? as current_definitions, ? as proposed_definitions, "
            "? as current_version, ? as proposed_version, cast(? as timestamptz) as as_of, "
            "cast(? as timestamptz) as created_at, ? as metric_months_compared, ? as changes, "
            "? as report_markdown",
            [
                str(result.current_definitions),
                str(result.proposed_definitions),
                result.current_version,
                result.proposed_version,
                result.as_of,
                datetime.now(UTC).isoformat(),
                result.metric_months_compared,
                json.dumps([change.__dict__ for change in result.changes]),
                report,
            ],
        )


def _report_moves(preview_path: Path) -> dict[tuple[str, str], list[tuple]]:
    import duckdb

    with duckdb.connect(str(preview_path), read_only=True) as con:
        rows = con.execute(
            """
            select metric_key, cast(month_start as varchar), movement, record_type, record_id,
                   coalesce(deal_name, lifecycle_stage, ''), current_contribution, proposed_contribution
            from preview_moves
            qualify row_number() over (
                partition by metric_key, month_start order by movement, record_id
            ) <= ?
            order by metric_key, month_start, movement, record_id
            """,
            [REPORT_RECORDS_PER_CHANGE],
        ).fetchall()
    moves: dict[tuple[str, str], list[tuple]] = {}
    for metric_key, month, *rest in rows:
        moves.setdefault((metric_key, month), []).append(tuple(rest))
    return moves


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def render_markdown(result: PreviewResult, moves: dict[tuple[str, str], list[tuple]]) -> str:
    """The report for a pull-request comment: what the proposed file changes, metric by metric and month by
    month, and the first records that move."""
    lines = [
        "## Definitions preview",
        "",
        f"- Current: `{result.current_definitions.name}` (version `{result.current_version}`)",
        f"- Proposed: `{result.proposed_definitions.name}` (version `{result.proposed_version}`)",
        f"- Both built from the same landing zone as of {result.as_of}; "
        f"{result.metric_months_compared} metric-months compared.",
        "",
    ]
    if result.identical:
        lines.append("**No differences**: every metric, month and counted record is the same under both.")
        return "\n".join(lines) + "\n"
    lines += [
        f"**{len(result.changes)} metric-months change.**",
        "",
        "| Metric | Month | Current | Proposed | Change | Records added | Records removed | Changed |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for change in result.changes:
        lines.append(
            f"| {change.metric_key} | {change.month_start[:7]} | {_number(change.current)} | "
            f"{_number(change.proposed)} | {change.delta:+,.0f} | {change.records_added} | "
            f"{change.records_removed} | {change.records_changed} |"
        )
    lines += ["", "### Records that move", ""]
    for change in result.changes:
        listed = moves.get((change.metric_key, change.month_start), [])
        if not listed:
            continue
        moved = change.records_added + change.records_removed + change.records_changed
        lines.append(f"**{change.metric_key}, {change.month_start[:7]}** ({moved} records)")
        for movement, record_type, record_id, label, current, proposed in listed:
            detail = f" — {label}" if label else ""
            amounts = "" if movement != "changed" else f" ({_number(current)} → {_number(proposed)})"
            lines.append(f"- {movement}: {record_type} {record_id}{detail}{amounts}")
        if moved > len(listed):
            lines.append(f"- … and {moved - len(listed)} more (all in preview.duckdb and on the dashboard)")
        lines.append("")
    return "\n".join(lines) + "\n"

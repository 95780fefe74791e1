"""The definitions preview (`onefunnel definitions preview PROPOSED.yml`) as the dashboard reads it.

A preview is not a published number: it lives in its own file, `preview.duckdb` in the preview folder
($ONEFUNNEL_PREVIEW_DIR, default <data>/preview), written by the preview command only. The page shows it only
while it exists; `queries.preview_query` runs these specs on it, read-only and parameterised.
"""

from __future__ import annotations

import os
from pathlib import Path

from dashboards.lib.sql import Query

from onefunnel.warehouse.preview import default_preview_dir

PREVIEW_FILE = "preview.duckdb"

META = Query("PREVIEW_META", "preview.preview_meta", "select * from preview_meta")
METRIC_CHANGES = Query(
    "PREVIEW_METRIC_CHANGES",
    "preview.preview_metrics",
    """
select
    m.metric_key,
    m.month_start,
    m.current_value,
    m.proposed_value,
    m.proposed_value - m.current_value as change,
    count(v.record_id) filter (where v.movement = 'added') as records_added,
    count(v.record_id) filter (where v.movement = 'removed') as records_removed,
    count(v.record_id) filter (where v.movement = 'changed') as records_changed
from preview_metrics as m
left join preview_moves as v
    on m.metric_key = v.metric_key and m.month_start = v.month_start
group by all
having m.current_value <> m.proposed_value or count(v.record_id) > 0
order by m.metric_key, m.month_start
""",
)
MOVES = Query(
    "PREVIEW_MOVES",
    "preview.preview_moves",
    """
select record_type, record_id, movement, deal_name, lifecycle_stage, original_source,
       current_contribution, proposed_contribution
from preview_moves
where metric_key = $metric and month_start = $month
order by movement, record_id
""",
)


def preview_file() -> Path:
    return default_preview_dir() / PREVIEW_FILE


def signature(path: Path) -> tuple[int, int] | None:
    """(mtime, size) of the preview file, None when there is no preview: part of every cache key."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return stat.st_mtime_ns, stat.st_size


def exists() -> bool:
    return signature(preview_file()) is not None

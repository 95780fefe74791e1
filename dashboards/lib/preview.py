"""The definitions preview (`onefunnel definitions preview PROPOSED.yml`) as the dashboard reads it.

A preview is not a published number: it lives in its own file, `preview.duckdb` in the preview folder
($ONEFUNNEL_PREVIEW_DIR, default <data>/preview), written by the preview command only. The page opens it
read-only, with parameterised queries, and only shows it while it exists.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from onefunnel.warehouse.preview import default_preview_dir

PREVIEW_FILE = "preview.duckdb"

META = "select * from preview_meta"
METRIC_CHANGES = """
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
"""
MOVES = """
select record_type, record_id, movement, deal_name, lifecycle_stage, original_source,
       current_contribution, proposed_contribution
from preview_moves
where metric_key = $metric and month_start = $month
order by movement, record_id
"""


def preview_file() -> Path:
    return default_preview_dir() / PREVIEW_FILE


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return stat.st_mtime_ns, stat.st_size


@st.cache_data(show_spinner=False, max_entries=64)
def _query(path: str, signature: tuple[int, int], text: str, params: tuple[tuple[str, object], ...]):
    del signature  # part of the cache key only: a new preview misses the cache
    with duckdb.connect(path, read_only=True) as con:
        return con.execute(text, dict(params)).df()


def query(text: str, **params: object) -> pd.DataFrame | None:
    """Rows of the current preview, or None when there is no preview."""
    path = preview_file()
    signature = _signature(path)
    if signature is None:
        return None
    return _query(str(path), signature, text, tuple(sorted(params.items())))


def exists() -> bool:
    return _signature(preview_file()) is not None

"""Prospect audiences on the dashboard: each rep's files and whether they are written or withheld, made by the
exporter's own code (onefunnel.audiences.formats) from the exporter's own query, so a download is byte for
byte the file `onefunnel audiences export` writes for the same snapshot.

The page decides every file's status from row counts (one query for all reps, each member passed once through
the format's own row rule) and builds a file only when it is downloaded (`file_bytes`, a download callable).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from dashboards.lib import queries, sql
from dashboards.lib.snapshot import SnapshotVersion

from onefunnel.audiences import formats

REASON_WORDS = {
    "no_prospects": "no prospects",
    "below_minimum_audience_size": "under the minimum",
    "below_privacy_floor": "under the privacy floor",
}


def format_rules(version: SnapshotVersion) -> dict[str, dict[str, int]]:
    """format -> {min_audience_size, privacy_floor}, for the formats the definitions turn on."""
    found = {row.audience_format: row for row in queries.audience_formats(version).itertuples()}
    return {
        key: {
            "min_audience_size": int(found[key].min_audience_size),
            "privacy_floor": int(found[key].privacy_floor),
        }
        for key in formats.in_display_order(found)
    }


def rendered_file(version: SnapshotVersion, owner_id: str, format_key: str) -> formats.RenderedFile:
    """One rep's file in one format, built now (uncached: only a download asks for it)."""
    members = queries.run_query(version, sql.AUDIENCE_MEMBERS, owner=owner_id).to_dict("records")
    return formats.render(format_key, members)


def file_bytes(version: SnapshotVersion, owner_id: str, format_key: str) -> Callable[[], bytes]:
    """The download callable of one file: Streamlit runs it on the click, outside the page run."""
    return lambda: rendered_file(version, owner_id, format_key).content


def row_count(format_key: str, members: list[dict[str, Any]]) -> int:
    """The rows `formats.render` would write: members with an identifier the format can use (its own rule)."""
    build_row = formats.spec(format_key).build_row
    return sum(1 for member in members if build_row(member)[2])


def decision(version: SnapshotVersion, owner_id: str, format_key: str) -> formats.Decision:
    rules = format_rules(version)[format_key]
    rows = row_counts(version).get((str(owner_id), format_key), 0)
    return formats.decide(format_key, rows, rules["min_audience_size"], rules["privacy_floor"])


@queries.shaped
def row_counts(version: SnapshotVersion) -> dict[tuple[str, str], int]:
    """(owner, format) -> rows of that file, for every rep at once (one query, no file built)."""
    members = queries.query(version, sql.AUDIENCE_MEMBERS, owner=None)
    counts: dict[tuple[str, str], int] = {}
    for owner_id, group in members.groupby("owner_id", sort=False):
        records = group.to_dict("records")
        for format_key in format_rules(version):
            counts[(str(owner_id), format_key)] = row_count(format_key, records)
    return counts


def status_text(result: formats.Decision, rows: int) -> str:
    """'123 rows' for a written file, 'withheld: under the minimum (300)' for a withheld one."""
    if result.written:
        return f"{rows:,} rows"
    words = REASON_WORDS.get(result.reason or "", result.reason or "withheld")
    return f"withheld: {words}" + (f" ({result.minimum:,})" if result.reason != "no_prospects" else "")


@queries.shaped
def overview(version: SnapshotVersion) -> pd.DataFrame:
    """One row per rep: counts, exclusions by reason, and each format's status (as the export decides)."""
    reps = queries.audience_reps(version)
    rows: list[dict[str, Any]] = []
    for rep in reps.to_dict("records"):
        row = dict(rep)
        for format_key in format_rules(version):
            result = decision(version, rep["owner_id"], format_key)
            row[f"rows_{format_key}"] = row_counts(version).get((str(rep["owner_id"]), format_key), 0)
            row[f"status_{format_key}"] = status_text(result, row[f"rows_{format_key}"])
            row[f"written_{format_key}"] = result.written
        rows.append(row)
    return pd.DataFrame(rows)

"""Prospect audiences on the dashboard: each rep's files and whether they are written or withheld, made by the
exporter's own code (onefunnel.audiences.formats) from the exporter's own query, so a download is byte for
byte the file `onefunnel audiences export` writes for the same snapshot."""

from __future__ import annotations

from typing import Any

import pandas as pd
from dashboards.lib import queries
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


@queries.shaped
def rendered_file(version: SnapshotVersion, owner_id: str, format_key: str) -> formats.RenderedFile:
    members = queries.audience_members(version, owner_id).to_dict("records")
    return formats.render(format_key, members)


def decision(version: SnapshotVersion, owner_id: str, format_key: str) -> formats.Decision:
    rules = format_rules(version)[format_key]
    rendered = rendered_file(version, owner_id, format_key)
    return formats.decide(format_key, rendered.rows, rules["min_audience_size"], rules["privacy_floor"])


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
            rendered = rendered_file(version, rep["owner_id"], format_key)
            result = decision(version, rep["owner_id"], format_key)
            row[f"status_{format_key}"] = status_text(result, rendered.rows)
            row[f"written_{format_key}"] = result.written
        rows.append(row)
    return pd.DataFrame(rows)

"""Where quality results live under the data folder, and the per-run history later runs compare against.

<quality>/summary.json          the latest run's summary (what the dashboard and `publish` read)
<quality>/runs/<run_id>.json    every run's full summary
<quality>/history.jsonl         one line per run: status, counts, metrics (the baseline for row counts)
<quality>/data_docs/index.html  Great Expectations Data Docs
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson

from onefunnel import config
from onefunnel.landing import layout
from onefunnel.quality.summary import Summary, read_summary

SUMMARY_FILE = "summary.json"
HISTORY_FILE = "history.jsonl"
RUNS_DIR = "runs"


def default_quality_dir() -> Path:
    return Path(os.environ.get("ONEFUNNEL_QUALITY_DIR", config.data_dir() / "quality"))


def summary_path(quality_dir: Path) -> Path:
    return Path(quality_dir) / SUMMARY_FILE


def run_summary_path(quality_dir: Path, run_id: str) -> Path:
    return Path(quality_dir) / RUNS_DIR / f"{run_id}.json"


def record_run(quality_dir: Path, summary: Summary) -> None:
    """Keep the run's summary, make it the latest, and add its line to the history."""
    quality_dir = Path(quality_dir)
    summary.write(run_summary_path(quality_dir, summary.run_id))
    summary.write(summary_path(quality_dir))
    line = {
        "run_id": summary.run_id,
        "finished_at": summary.finished_at,
        "status": summary.status.value,
        "checkpoints": summary.checkpoints,
        "landing_run_id": summary.landing_run_id,
        "data_as_of": summary.data_as_of,
        "counts": summary.counts(),
        "blocking": [check.name for check in summary.blocking],
        "warnings": [check.name for check in summary.warnings],
        "metrics": summary.metrics,
    }
    quality_dir.mkdir(parents=True, exist_ok=True)
    with open(quality_dir / HISTORY_FILE, "ab") as handle:
        handle.write(orjson.dumps(line) + b"\n")
        handle.flush()
        os.fsync(handle.fileno())


def read_history(quality_dir: Path) -> list[dict[str, Any]]:
    path = Path(quality_dir) / HISTORY_FILE
    if not path.exists():
        return []
    entries = []
    for line in path.read_bytes().splitlines():
        if line.strip():
            try:
                entries.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                continue  # a line cut by a crash; the run's own summary file is still there
    return entries


def baseline(
    quality_dir: Path, metric: str = "active_records", before_landing_run: str | None = None
) -> tuple[str | None, dict[str, Any] | None]:
    """(run id, metrics) of the newest run that was good enough to publish, recorded `metric`, and checked an
    extraction older than `before_landing_run` (so the pre-dbt and post-dbt checks of one pipeline run both
    compare with the previous pipeline run, not with each other)."""
    for entry in reversed(read_history(quality_dir)):
        if entry.get("status") == "failed" or metric not in (entry.get("metrics") or {}):
            continue
        landing_run = entry.get("landing_run_id")
        if before_landing_run is not None and landing_run is not None and landing_run >= before_landing_run:
            continue
        return entry["run_id"], entry["metrics"]
    return None, None


def latest_summary(quality_dir: Path) -> Summary | None:
    path = summary_path(quality_dir)
    return read_summary(path) if path.exists() else None


def summary_of(quality_dir: Path, run_id: str) -> Summary | None:
    path = run_summary_path(quality_dir, run_id)
    return read_summary(path) if path.exists() else None


def write_json(path: Path, data: Any) -> None:
    layout.atomic_write_bytes(Path(path), orjson.dumps(data, option=orjson.OPT_INDENT_2))

"""Whether a pipeline run failed after the snapshot being served was published.

The snapshot itself only knows the run that made it. A later run that the quality gate stopped leaves its
trace beside the quality results instead: the latest run's summary (`<quality>/summary.json`) and a
`refused` line in `<quality>/publish_log.jsonl`. Both are small files the quality step writes atomically;
the dashboard reads them (never the warehouse) to say "you are looking at the last good snapshot".
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import streamlit as st

SUMMARY_FILE = "summary.json"
PUBLISH_LOG = "publish_log.jsonl"
LOG_TAIL_BYTES = 64 * 1024
# Keyed by the files' modification times, so a new quality run shows at once; the TTL frees old entries.
CACHE_TTL_S = 3600


def quality_dir() -> Path:
    """$ONEFUNNEL_QUALITY_DIR, else <data>/quality (where `onefunnel check` writes)."""
    from onefunnel.quality.history import default_quality_dir

    return Path(default_quality_dir())


def _mtime(path: Path) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return None


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # the pipeline writes UTC


@st.cache_data(ttl=CACHE_TTL_S, max_entries=16, show_spinner=False)
def _latest_summary(path: str, mtime_ns: int) -> dict[str, Any] | None:
    del mtime_ns  # cache key only
    try:
        data = orjson.loads(Path(path).read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return None
    return {
        "run_id": data.get("run_id"),
        "status": data.get("status"),
        "finished_at": data.get("finished_at"),
        "blocking": list(data.get("blocking") or []),
        "data_docs": data.get("data_docs"),
        "counts": data.get("counts") or {},
    }


@st.cache_data(ttl=CACHE_TTL_S, max_entries=16, show_spinner=False)
def _last_refusal(path: str, mtime_ns: int) -> dict[str, Any] | None:
    del mtime_ns
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - LOG_TAIL_BYTES))
            tail = handle.read()
    except FileNotFoundError:
        return None
    for line in reversed(tail.splitlines()):
        try:
            event = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue  # the first line of the tail may be cut
        if event.get("event") == "published":
            return None  # the newest event is a publish: nothing refused after it
        if event.get("event") == "refused":
            return {
                "at": event.get("at"),
                "run_id": event.get("run_id"),
                "reasons": event.get("reasons") or [],
            }
    return None


def latest_quality_run(folder: Path | None = None) -> dict[str, Any] | None:
    folder = folder or quality_dir()
    path = folder / SUMMARY_FILE
    mtime = _mtime(path)
    return None if mtime is None else _latest_summary(str(path), mtime)


def failure_after(run: dict[str, Any], folder: Path | None = None) -> dict[str, Any] | None:
    """The newest run that failed or was refused after the snapshot's run was published, or None.

    Returns {"run_id", "at", "reasons"}.
    """
    folder = folder or quality_dir()
    published_at = run.get("published_at")
    snapshot_run = run.get("run_id")

    if isinstance(published_at, datetime) and published_at.tzinfo is None:
        published_at = published_at.replace(tzinfo=UTC)

    def later(moment: datetime | None) -> bool:
        return moment is not None and (published_at is None or moment > published_at)

    latest = latest_quality_run(folder)
    if latest and latest.get("run_id") != snapshot_run and latest.get("status") == "failed":
        finished = _when(latest.get("finished_at"))
        if later(finished):
            return {"run_id": latest["run_id"], "at": finished, "reasons": latest["blocking"]}
    log = folder / PUBLISH_LOG
    mtime = _mtime(log)
    refusal = None if mtime is None else _last_refusal(str(log), mtime)
    if refusal:
        moment = _when(refusal.get("at"))
        if later(moment):
            return {"run_id": refusal.get("run_id"), "at": moment, "reasons": refusal["reasons"]}
    return None


@st.cache_data(ttl=CACHE_TTL_S, max_entries=16, show_spinner=False)
def _publish_history(path: str, mtime_ns: int) -> list[dict[str, Any]]:
    del mtime_ns
    versions: list[dict[str, Any]] = []
    try:
        lines = Path(path).read_bytes().splitlines()
    except FileNotFoundError:
        return versions
    for line in lines:
        try:
            event = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if event.get("event") != "published":
            continue
        version = event.get("definitions_version")
        published = event.get("published_at") or event.get("at")
        if versions and versions[-1]["definitions_version"] == version:
            versions[-1]["last_published_at"] = published
            versions[-1]["runs"] += 1
        else:
            versions.append(
                {
                    "definitions_version": version,
                    "first_published_at": published,
                    "last_published_at": published,
                    "runs": 1,
                }
            )
    return versions


def definitions_history(folder: Path | None = None) -> list[dict[str, Any]]:
    """Definitions versions in the order they were published: version, first / last publish time, runs."""
    folder = folder or quality_dir()
    log = folder / PUBLISH_LOG
    mtime = _mtime(log)
    return [] if mtime is None else _publish_history(str(log), mtime)

"""Write each sales rep's prospect audience, in every format the definitions turn on, from the snapshot.

    manifest = export_audiences()                          # every rep, every format turned on
    manifest = export_audiences(owners=["51648222"], formats=["meta"])

Layout (under $ONEFUNNEL_EXPORTS_DIR, default <data>/exports; personal data: folders 0700, files 0600):

    audiences/<run id>/rep-<owner id>-<format>.csv    one file per rep and format (withheld ones are absent)
    audiences/<run id>/manifest.json                  counts, exclusions by reason, files and their sha256,
                                                      withheld files with the reason, definitions version
    audiences/latest.json                             which run folder is the newest (written last)

The run id is the serving snapshot's (the quality run that published it), so exporting the same snapshot
again rewrites the same folder with the same bytes. Every file is written under a temporary name and renamed
into place; the manifest follows the files, the latest pointer follows the manifest. An export restricted to
some reps or formats updates only their entries in that run's manifest. Only counts reach the logs.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from onefunnel import config
from onefunnel.audiences import formats, sql
from onefunnel.files import make_private, private_dir, write_private
from onefunnel.landing.layout import fsync_dir
from onefunnel.locking import exclusive_lock
from onefunnel.publish.serving import META_SCHEMA, open_serving_readonly

log = logging.getLogger("onefunnel.audiences")

EXPORTS_DIR_ENV = "ONEFUNNEL_EXPORTS_DIR"
KEEP_RUNS_ENV = "ONEFUNNEL_AUDIENCES_KEEP_RUNS"
DEFAULT_KEEP_RUNS = 3  # older run folders hold personal data nobody needs: removed after each export
AUDIENCES_DIR = "audiences"
MANIFEST_FILE = "manifest.json"
LATEST_FILE = "latest.json"
MANIFEST_VERSION = 1


class AudienceExportError(ValueError):
    """The export cannot run as asked (unknown rep or format, a snapshot without audiences); says why."""


def exports_dir() -> Path:
    """$ONEFUNNEL_EXPORTS_DIR, else <data>/exports."""
    configured = os.environ.get(EXPORTS_DIR_ENV)
    return Path(configured) if configured else config.data_dir() / "exports"


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name) or "unknown"


def audiences_dir(root: Path | None = None) -> Path:
    return Path(root or exports_dir()) / AUDIENCES_DIR


def run_dir(run_id: str, root: Path | None = None) -> Path:
    """The folder of one run's audience files and manifest."""
    return audiences_dir(root) / _safe(run_id)


# ----------------------------------------------------------------------------- reading the snapshot


@dataclass(frozen=True)
class AudienceSnapshot:
    """Everything an export needs, read from the serving snapshot in one connection."""

    run: dict[str, Any]
    audiences_checksum: str | None
    format_rules: dict[str, dict[str, int]]  # format -> {min_audience_size, privacy_floor}
    reps: dict[str, dict[str, Any]]  # owner id -> counts (sql.REPS)
    members: dict[str, list[dict[str, Any]]]  # owner id -> included prospects (sql.MEMBERS), file order


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    return None if value is None else str(value)


def _dicts(cursor) -> list[dict[str, Any]]:
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def read_snapshot(serving_path: Path | None = None) -> AudienceSnapshot:
    """Read the audiences, their rules and the run metadata from the serving snapshot (read-only)."""
    with open_serving_readonly(serving_path) as con:
        present = {
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        missing = [table for table in sql.AUDIENCE_TABLES if table not in present]
        if missing:
            raise AudienceExportError(
                f"the serving snapshot has no {', '.join('marts.' + table for table in missing)}: it was "
                "published by a warehouse without prospect audiences; run the pipeline (transform, check, "
                "publish) again"
            )
        run = _dicts(
            con.execute(
                f"select run_id, data_as_of, published_at, definitions_version from {META_SCHEMA}.run"
            )
        )
        checksum = con.execute(
            f"select checksum from {META_SCHEMA}.tables "
            "where table_schema = 'marts' and table_name = 'prospect_audiences'"
        ).fetchone()
        found = {row["audience_format"]: row for row in _dicts(con.execute(sql.FORMAT_RULES))}
        rules = {
            key: {
                "min_audience_size": int(found[key]["min_audience_size"]),
                "privacy_floor": int(found[key]["privacy_floor"]),
            }
            for key in formats.in_display_order(found)
        }
        reps = {str(row["owner_id"]): row for row in _dicts(con.execute(sql.REPS))}
        members: dict[str, list[dict[str, Any]]] = {owner: [] for owner in reps}
        for member in _dicts(con.execute(sql.MEMBERS, {"owner": None})):
            members.setdefault(str(member["owner_id"]), []).append(member)
    meta = run[0] if run else {}
    return AudienceSnapshot(
        run={
            "run_id": meta.get("run_id"),
            "data_as_of": _iso(meta.get("data_as_of")),
            "published_at": _iso(meta.get("published_at")),
            "definitions_version": meta.get("definitions_version"),
        },
        audiences_checksum=checksum[0] if checksum and checksum[0] else None,
        format_rules=rules,
        reps=reps,
        members=members,
    )


# ----------------------------------------------------------------------------- choosing what to export


def choose(
    snapshot: AudienceSnapshot, owners: Sequence[str] | None, chosen_formats: Sequence[str] | None
) -> tuple[list[str], list[str]]:
    """The reps and formats to export; an unknown or switched-off one is an error that names it."""
    enabled = list(snapshot.format_rules)
    wanted_formats = list(dict.fromkeys(chosen_formats or enabled))
    for format_key in wanted_formats:
        formats.spec(format_key)  # unknown to onefunnel: UnknownFormat names the known ones
        if format_key not in snapshot.format_rules:
            raise AudienceExportError(
                f"format {format_key!r} is not turned on in definitions.yml audiences.formats "
                f"(turned on: {', '.join(enabled) or 'none'})"
            )
    known = list(snapshot.reps)
    wanted_owners = [str(owner) for owner in dict.fromkeys(owners or known)]
    unknown = [owner for owner in wanted_owners if owner not in snapshot.reps]
    if unknown:
        raise AudienceExportError(
            f"no prospect audience for owner id(s) {', '.join(unknown)}: only sales reps with working "
            f"prospects have one ({len(known)} in this snapshot; leave out --owner to export them all)"
        )
    return wanted_owners, wanted_formats


# ----------------------------------------------------------------------------- writing


def _sha256_of(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def _file_entry(
    folder: Path, owner_id: str, format_key: str, members: list[dict[str, Any]], rules: dict[str, int]
) -> dict[str, Any]:
    rendered = formats.render(format_key, members)
    decision = formats.decide(format_key, rendered.rows, rules["min_audience_size"], rules["privacy_floor"])
    path = folder / formats.file_name(owner_id, format_key)
    entry: dict[str, Any] = {
        "status": decision.status,
        "rows": rendered.rows,
        "rows_without_identifiers": rendered.rows_without_identifiers,
        "dropped_identifiers": rendered.dropped_identifiers,
        "minimum": decision.minimum,
    }
    if not decision.written:
        path.unlink(missing_ok=True)  # a file of an earlier export of this run under other rules
        return entry | {"reason": decision.reason, "detail": decision.detail}
    if _sha256_of(path) == rendered.sha256:
        make_private(path)  # same content already there (an export of this snapshot): keep it
    else:
        write_private(path, rendered.content)
    return entry | {"file": path.name, "sha256": rendered.sha256, "bytes": len(rendered.content)}


def _format_section(snapshot: AudienceSnapshot) -> dict[str, Any]:
    section = {}
    for format_key, rules in snapshot.format_rules.items():
        chosen = formats.spec(format_key)
        section[format_key] = {
            "label": chosen.label,
            "min_audience_size": rules["min_audience_size"],
            "privacy_floor": rules["privacy_floor"] if chosen.for_ad_platform else None,
            "minimum_written": formats.minimum_size(format_key, **rules),
            "platform_minimum": chosen.platform_minimum,
            "hashed_columns": list(chosen.hashed_columns),
            "sources": list(chosen.sources),
        }
    return section


def _owner_counts(rep: dict[str, Any]) -> dict[str, Any]:
    return {
        "owner_name": rep.get("owner_name"),
        "team_name": rep.get("team_name"),
        "candidates": int(rep["candidates"]),
        "included": int(rep["included"]),
        "excluded": {reason: int(rep[f"excluded_{reason}"]) for reason in sql.EXCLUSION_REASONS},
    }


def _totals(owners: dict[str, Any]) -> dict[str, Any]:
    files = [entry for owner in owners.values() for entry in owner["files"].values()]
    return {
        "reps": len(owners),
        "candidates": sum(owner["candidates"] for owner in owners.values()),
        "included": sum(owner["included"] for owner in owners.values()),
        "excluded": {
            reason: sum(owner["excluded"][reason] for owner in owners.values())
            for reason in sql.EXCLUSION_REASONS
        },
        "files_written": sum(entry["status"] == "written" for entry in files),
        "files_withheld": sum(entry["status"] == "withheld" for entry in files),
    }


def _previous_manifest(path: Path, snapshot: AudienceSnapshot) -> dict[str, Any] | None:
    try:
        manifest = orjson.loads(path.read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return None
    same = (
        manifest.get("manifest_version") == MANIFEST_VERSION
        and manifest.get("run_id") == snapshot.run["run_id"]
        and manifest.get("definitions_version") == snapshot.run["definitions_version"]
    )
    return manifest if same else None


def _prune_old_runs(root: Path, keep: str) -> None:
    keep_runs = max(1, int(os.environ.get(KEEP_RUNS_ENV, DEFAULT_KEEP_RUNS)))
    runs = sorted(
        (path for path in root.iterdir() if path.is_dir() and path.name != keep),
        key=lambda path: path.stat().st_mtime_ns,
        reverse=True,
    )
    for old in runs[keep_runs - 1 :]:
        for child in old.iterdir():
            child.unlink()
        old.rmdir()


def export_audiences(
    serving_path: Path | None = None,
    exports_root: Path | None = None,
    owners: Sequence[str] | None = None,
    chosen_formats: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Export the audiences of the current serving snapshot; returns the run's manifest (as written)."""
    snapshot = read_snapshot(serving_path)
    wanted_owners, wanted_formats = choose(snapshot, owners, chosen_formats)
    run_id = snapshot.run["run_id"] or "unknown-run"
    root = audiences_dir(exports_root)
    private_dir(root)
    with exclusive_lock(root / ".export.lock"):  # one export at a time: the DAG's and a person's
        folder = run_dir(run_id, exports_root)
        private_dir(folder)
        previous = _previous_manifest(folder / MANIFEST_FILE, snapshot)
        owner_entries: dict[str, Any] = dict(previous["owners"]) if previous else {}
        for owner_id in wanted_owners:
            entry = _owner_counts(snapshot.reps[owner_id])
            kept_files = dict((owner_entries.get(owner_id) or {}).get("files", {}))
            for format_key in wanted_formats:
                kept_files[format_key] = _file_entry(
                    folder,
                    owner_id,
                    format_key,
                    snapshot.members.get(owner_id, []),
                    snapshot.format_rules[format_key],
                )
            entry["files"] = dict(sorted(kept_files.items()))
            owner_entries[owner_id] = entry
        owner_entries = dict(sorted(owner_entries.items()))
        manifest = {
            "export": "prospect_audiences",
            "manifest_version": MANIFEST_VERSION,
            "run_id": run_id,
            "definitions_version": snapshot.run["definitions_version"],
            "data_as_of": snapshot.run["data_as_of"],
            "serving_snapshot": {
                "run_id": run_id,
                "published_at": snapshot.run["published_at"],
                "prospect_audiences_checksum": snapshot.audiences_checksum,
            },
            "formats": _format_section(snapshot),
            "totals": _totals(owner_entries),
            "owners": owner_entries,
        }
        content = orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
        write_private(folder / MANIFEST_FILE, content)
        fsync_dir(folder)
        latest = {"run_id": run_id, "manifest": f"{folder.name}/{MANIFEST_FILE}"}
        write_private(root / LATEST_FILE, orjson.dumps(latest, option=orjson.OPT_INDENT_2) + b"\n")
        fsync_dir(root)
        _prune_old_runs(root, keep=folder.name)
    totals = manifest["totals"]
    log.info(
        "prospect audiences of run %s: %s reps, %s files written, %s withheld (%s)",
        run_id,
        totals["reps"],
        totals["files_written"],
        totals["files_withheld"],
        folder,
    )
    return manifest


def latest_manifest(exports_root: Path | None = None) -> tuple[Path, dict[str, Any]] | None:
    """(path, content) of the newest export's manifest, or None before the first export."""
    root = audiences_dir(exports_root)
    try:
        latest = orjson.loads((root / LATEST_FILE).read_bytes())
    except FileNotFoundError:
        return None
    path = root / latest["manifest"]
    return path, orjson.loads(path.read_bytes())


def export_after_publish(published: dict) -> dict:
    """The DAG's exports step (registered in orchestration.exports): export the snapshot just published.
    Returns counts only (it goes to XCom and the task log)."""
    serving = published.get("serving_path")
    manifest = export_audiences(serving_path=Path(serving) if serving else None)
    return {
        "run_id": manifest["run_id"],
        "manifest": str(run_dir(manifest["run_id"]) / MANIFEST_FILE),
        "reps": manifest["totals"]["reps"],
        "files_written": manifest["totals"]["files_written"],
        "files_withheld": manifest["totals"]["files_withheld"],
    }

"""Build the serving snapshot and swap it in atomically, only for a run the quality gate let through.

    result = publish()          # raises PublishRefused (previous snapshot untouched) when it must not publish

The snapshot is a new DuckDB file holding exactly what the dashboard and the audience exports read — the dbt
models tagged `published` (publish/published.py; optionally only those in the schemas given), copied under
the same schema and name — plus run metadata:

    serving_meta.run one row: run_id, landing_run_id, data_as_of, published_at, definitions_version,
                     quality_status, warnings (list), checks_total, checks_failed, data_docs
    serving_meta.tables one row per copied table: table_schema, table_name, row_count, checksum
    serving_meta.checks one row per quality check: name, checkpoint, severity, status, message

It is written under a temporary name in the same folder, checked, fsynced, then os.replace'd over the old
file, so a reader opens either the old snapshot or the new one, never a mix, and a failure at any step
leaves the old snapshot serving.

What is published is exactly what was checked: `check` records the dbt build it checked
(definitions.build_log) and a content checksum of every table publish copies (`content_fingerprint`);
publish compares the checksums of what it actually copied, and the build it copied from, with those and
refuses on any difference, whatever wrote the warehouse after the check (a rebuild, a killed transform's
write-ahead log replayed on open, a manual write). The copy is checksummed once, in the new file, and those
checksums are the verification; the file is then checkpointed, re-opened read-only and fsynced before it
replaces the old one. It also refuses while a transform is unfinished (running or killed). Temporaries
left by a killed publish are removed by the next one; the snapshots and their folder are private (0600 /
0700).
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import orjson

from onefunnel.files import make_private, private_dir
from onefunnel.landing import layout
from onefunnel.locking import exclusive_lock
from onefunnel.publish.serving import META_SCHEMA, serving_path
from onefunnel.quality import history
from onefunnel.quality.summary import Summary

PUBLISH_LOG = "publish_log.jsonl"
PUBLISHED_FILE = "published.json"


class PublishRefused(RuntimeError):
    """Publishing was refused; the previous snapshot keeps serving. `reasons` lists why."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("not published: " + "; ".join(reasons))
        self.reasons = reasons


@dataclass
class PublishResult:
    run_id: str
    serving_path: str
    tables: dict[str, int]  # "<schema>.<table>" -> rows
    checksums: dict[str, str]
    data_as_of: str | None
    definitions_version: str | None
    quality_status: str
    warnings: list[str]
    published_at: str
    duration_s: float
    size_bytes: int
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def table_checksum(con, qualified: str) -> tuple[int, str]:
    """(rows, order-independent content checksum) of a table: lets a reader prove which snapshot it read."""
    rows, total = con.execute(f"select count(*), coalesce(sum(hash(t)), 0) from {qualified} as t").fetchone()
    return int(rows), str(total)


def serving_relations(
    con, relations: Sequence[tuple[str, str]], catalog: str = "wh"
) -> list[tuple[str, str]]:
    """The (schema, name) of `relations` (the published models) that an attached warehouse holds: what
    publish copies, in the order it copies them."""
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = ? order by table_schema, table_name",
        [catalog],
    ).fetchall()
    wanted = set(relations)
    return [(schema, name) for schema, name in rows if (schema, name) in wanted]


def content_fingerprint(con, relations: Sequence[tuple[str, str]], catalog: str = "wh") -> dict[str, dict]:
    """ "<schema>.<table>" -> {rows, checksum} of every published table an attached warehouse holds (one scan
    per table); `check` records it, publish compares what it copied with it."""
    fingerprint = {}
    for schema, name in serving_relations(con, relations, catalog):
        rows, checksum = table_checksum(con, f"{_ident(catalog)}.{_ident(schema)}.{_ident(name)}")
        fingerprint[f"{schema}.{name}"] = {"rows": rows, "checksum": checksum}
    return fingerprint


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def serving_schemas() -> tuple[str, ...] | None:
    """$ONEFUNNEL_SERVING_SCHEMAS (comma separated): publish only the published models in these schemas;
    unset: every published model."""
    configured = os.environ.get("ONEFUNNEL_SERVING_SCHEMAS")
    schemas = tuple(part.strip() for part in (configured or "").split(",") if part.strip())
    return schemas or None


def gate_reasons(
    summary: Summary | None, required_checkpoints: Sequence[str], warehouse: dict | None
) -> list[str]:
    """Why this quality run must not be published (empty when it may), before anything is copied. `warehouse`
    describes the warehouse file now (None: there is none). Whether its content is still what was checked is
    decided on the copy (`content_changes`)."""
    if summary is None:
        return ["no quality run found: run `onefunnel check` after the warehouse is built"]
    reasons = []
    if not summary.status.publishable:
        blocking = summary.blocking
        shown = "; ".join(f"{check.name}: {check.message}" for check in blocking[:5])
        more = f" (+{len(blocking) - 5} more)" if len(blocking) > 5 else ""
        reasons.append(
            f"quality run {summary.run_id} failed {len(blocking)} critical check(s): {shown}{more}"
        )
    missing = [name for name in required_checkpoints if name not in summary.checkpoints]
    if missing:
        reasons.append(
            f"quality run {summary.run_id} did not run checkpoint(s) {missing}, required to publish"
        )
    if warehouse is None:
        reasons.append("there is no warehouse file to publish from")
    elif summary.warehouse is None:
        reasons.append(f"quality run {summary.run_id} did not check the warehouse")
    elif summary.warehouse.get("tables") is None:
        why = summary.warehouse.get("error") or "it was recorded before publish compared content"
        reasons.append(
            f"quality run {summary.run_id} recorded no content checksums of the warehouse ({why}); "
            "run `onefunnel check`, then `onefunnel publish`"
        )
    for transform in (warehouse or {}).get("unfinished_transforms") or []:
        rerun = (
            "wait for it to finish, then run `onefunnel check` and `onefunnel publish`"
            if transform.running
            else "run `onefunnel transform` to completion, then `onefunnel check`, then `onefunnel publish`"
        )
        reasons.append(f"{transform.describe()}, so the warehouse may mix tables of two builds; {rerun}")
    return reasons


def content_changes(summary: Summary, copied: dict[str, tuple[int, str]], build: dict | None) -> list[str]:
    """How what publish copied differs from what quality run `summary` checked (empty: identical): tables
    whose rows or checksum differ, that appeared or that vanished, and the dbt build they came from."""
    recorded = summary.warehouse or {}
    checked_tables = recorded.get("tables") or {}
    changed = []
    for key in sorted(set(checked_tables) | set(copied)):
        if key not in copied:
            changed.append(f"{key} (checked, now missing)")
        elif key not in checked_tables:
            changed.append(f"{key} (not checked: {copied[key][0]} rows)")
        elif (checked_tables[key]["rows"], checked_tables[key]["checksum"]) != copied[key]:
            changed.append(f"{key} (checked {checked_tables[key]['rows']} rows, found {copied[key][0]})")
    checked_build = (recorded.get("build") or {}).get("invocation_id")
    found_build = (build or {}).get("invocation_id")
    if not changed and checked_build == found_build:
        return []
    shown = ", ".join(changed[:8]) + (f" (+{len(changed) - 8} more)" if len(changed) > 8 else "")
    what = f"table(s) {shown}" if changed else "no table content"
    if checked_build == found_build:
        how = (
            f"the same dbt build {found_build or '(none recorded)'} is recorded, so something wrote the "
            "warehouse outside a complete `onefunnel transform` (a killed transform or a manual write, "
            "replayed from its write-ahead log)"
        )
        rerun = "run `onefunnel transform`, then `onefunnel check`, then `onefunnel publish`"
    else:
        how = (
            f"the check saw dbt build {checked_build or '(none recorded)'}, the warehouse now holds build "
            f"{found_build or '(none recorded)'}"
        )
        rerun = (
            "run `onefunnel check`, then `onefunnel publish`"
            if build and build.get("succeeded")
            else "run `onefunnel transform`, then `onefunnel check`, then `onefunnel publish`"
        )
    return [
        f"the warehouse changed after the checks ran (quality run {summary.run_id}): {what} changed; "
        f"{how}; {rerun}"
    ]


def publish(
    *,
    warehouse_path: Path | None = None,
    target: Path | None = None,
    quality_dir: Path | None = None,
    run_id: str | None = None,
    schemas: Sequence[str] | None = None,
    required_checkpoints: Sequence[str] | None = None,
    expectations_dir: Path | None = None,
) -> PublishResult:
    """Publish the warehouse as the new serving snapshot if quality run `run_id` (default: latest) allows."""
    from onefunnel.quality.runner import default_warehouse_path
    from onefunnel.quality.suites import load_catalogue
    from onefunnel.warehouse.build import unfinished_transforms

    started = time.monotonic()
    warehouse_path = Path(warehouse_path or default_warehouse_path())
    target = Path(target or serving_path())
    quality_dir = Path(quality_dir or history.default_quality_dir())
    schemas = tuple(schemas or serving_schemas() or ())
    if required_checkpoints is None:
        required_checkpoints = load_catalogue(expectations_dir).required_for_publish()
    summary = history.summary_of(quality_dir, run_id) if run_id else history.latest_summary(quality_dir)
    if run_id and summary is None:
        raise PublishRefused([f"no quality run {run_id!r} in {quality_dir}"])
    if target.resolve() == warehouse_path.resolve():
        raise PublishRefused(["the serving snapshot path is the warehouse file; they must differ"])
    now = (
        {"unfinished_transforms": unfinished_transforms(warehouse_path)} if warehouse_path.exists() else None
    )
    reasons = gate_reasons(summary, required_checkpoints, now)
    if reasons:
        _refuse(quality_dir, summary, reasons)

    # one publisher at a time per serving folder
    private_dir(target.parent)
    notes: list[str] = []
    with exclusive_lock(target.parent / ".publish.lock"):
        notes += remove_stale_temporaries(target)
        temporary = target.with_name(
            f".{target.name}.{os.getpid()}.{secrets.token_hex(3)}{layout.TMP_SUFFIX}"
        )
        try:
            tables, definitions_version, _build_seen = _build(temporary, warehouse_path, schemas, summary)
            _verify(temporary)
            _fsync(temporary)
            os.replace(temporary, target)
            layout.fsync_dir(target.parent)
        except PublishRefused as refused:
            _remove_temporary(temporary)
            _refuse(quality_dir, summary, refused.reasons, notes)
        except BaseException:
            _remove_temporary(temporary)
            raise
    published_at = datetime.now(UTC).isoformat()
    result = PublishResult(
        run_id=summary.run_id,
        serving_path=str(target),
        tables={key: rows for key, (rows, _) in tables.items()},
        checksums={key: checksum for key, (_, checksum) in tables.items()},
        data_as_of=summary.data_as_of,
        definitions_version=definitions_version,
        quality_status=summary.status.value,
        warnings=[f"{check.name}: {check.message}" for check in summary.warnings],
        published_at=published_at,
        duration_s=round(time.monotonic() - started, 3),
        size_bytes=target.stat().st_size,
        notes=notes,
    )
    history.write_json(quality_dir / PUBLISHED_FILE, result.as_dict())
    _log(quality_dir, {"event": "published", **result.as_dict()})
    return result


def remove_stale_temporaries(target: Path) -> list[str]:
    """Remove snapshot copies a killed publish of `target` left behind (full copies of personal data). Call it
    only under the publish lock, where no other publisher can be writing one. Returns a note per file."""
    notes = []
    for leftover in sorted(target.parent.glob(f".{target.name}.*{layout.TMP_SUFFIX}*")):
        if not leftover.name.endswith((layout.TMP_SUFFIX, f"{layout.TMP_SUFFIX}.wal")):
            continue
        try:
            size = leftover.stat().st_size
            leftover.unlink()
        except FileNotFoundError:
            continue
        notes.append(f"removed {leftover.name} ({size} bytes), left by an interrupted publish")
    return notes


def _remove_temporary(temporary: Path) -> None:
    for leftover in (temporary, Path(f"{temporary}.wal")):
        leftover.unlink(missing_ok=True)


def _refuse(
    quality_dir: Path, summary: Summary | None, reasons: list[str], notes: Sequence[str] = ()
) -> None:
    event = {"event": "refused", "run_id": summary.run_id if summary else None, "reasons": reasons}
    _log(quality_dir, {**event, "notes": list(notes)} if notes else event)
    raise PublishRefused(reasons)


def _build(
    path: Path, warehouse_path: Path, schemas: Sequence[str], summary: Summary
) -> tuple[dict[str, tuple[int, str]], str | None, dict | None]:
    """Copy the published tables into a new file at `path`: (rows and checksum per copied table, definitions
    version, the dbt build the warehouse held), all read through one attach of the warehouse. The checksums
    are taken once, of the copies, and compared with what the check recorded before anything else is
    written (PublishRefused naming the differences)."""
    import duckdb

    from onefunnel.publish.published import PublishedModelsError, published_models
    from onefunnel.warehouse.build import latest_build

    try:
        selected = published_models(warehouse_path, schemas)
    except PublishedModelsError as error:
        raise PublishRefused([str(error)]) from None

    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    make_private(path)
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute("set enable_progress_bar = false")  # publish runs in logs, not at a terminal
        con.execute(f"attach {_sql_text(str(warehouse_path))} as wh (read_only)")
        wanted = serving_relations(con, selected)
        if not wanted:
            known = sorted(
                {
                    schema
                    for (schema,) in con.execute(
                        "select table_schema from information_schema.tables where table_catalog = 'wh'"
                    ).fetchall()
                }
            )
            where = f"in schema(s) {list(schemas)} " if schemas else ""
            raise PublishRefused(
                [f"the warehouse has no tables {where}tagged published (it has schemas {known})"]
            )
        missing = sorted(set(selected) - set(wanted))
        if missing:
            shown = ", ".join(f"{schema}.{name}" for schema, name in missing)
            raise PublishRefused(
                [
                    f"model(s) tagged published are not in the warehouse: {shown}; run `onefunnel transform`,"
                    " then `onefunnel check`"
                ]
            )
        tables: dict[str, tuple[int, str]] = {}
        for schema in sorted({schema for schema, _ in wanted}):
            con.execute(f"create schema if not exists {_ident(schema)}")
        for schema, name in wanted:
            qualified = f"{_ident(schema)}.{_ident(name)}"
            con.execute(f"create table {qualified} as select * from wh.{qualified}")
            tables[f"{schema}.{name}"] = table_checksum(con, qualified)
        definitions_version = _built_definitions_version(con) or summary.definitions_version
        build = latest_build(con, "wh")
        con.execute("detach wh")
        changes = content_changes(summary, tables, build)
        if changes:
            raise PublishRefused(changes)
        _write_metadata(con, summary, tables, warehouse_path, definitions_version)
        con.execute("checkpoint")
    finally:
        con.close()
    return tables, definitions_version, build


def _built_definitions_version(con) -> str | None:
    """The definitions version dbt built the warehouse with (what the numbers really follow)."""
    import duckdb

    try:
        row = con.execute("select definitions_version from wh.definitions.definitions_current").fetchone()
    except duckdb.Error:
        return None
    return row[0] if row else None


def _write_metadata(
    con,
    summary: Summary,
    tables: dict[str, tuple[int, str]],
    warehouse_path: Path,
    definitions_version: str | None,
) -> None:
    con.execute(f"create schema {META_SCHEMA}")
    con.execute(
        f"""
        create table {META_SCHEMA}.run (
            run_id varchar not null,
            landing_run_id varchar,
            data_as_of timestamptz,
            published_at timestamptz not null,
            definitions_version varchar,
            quality_status varchar not null,
            warnings varchar[] not null,
            checks_total integer not null,
            checks_failed integer not null,
            warehouse_built_at timestamptz,
            data_docs varchar
        )
        """
    )
    counts = summary.counts()
    built_at = datetime.fromtimestamp(warehouse_path.stat().st_mtime, tz=UTC)
    con.execute(
        f"insert into {META_SCHEMA}.run values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            summary.run_id,
            summary.landing_run_id,
            summary.data_as_of,
            datetime.now(UTC),
            definitions_version,
            summary.status.value,
            [f"{check.name}: {check.message}" for check in summary.warnings],
            counts["checks"],
            counts["failed_critical"] + counts["failed_warning"],
            built_at,
            summary.data_docs,
        ],
    )
    con.execute(
        f"create table {META_SCHEMA}.tables (table_schema varchar, table_name varchar, row_count bigint, "
        "checksum varchar)"
    )
    con.executemany(
        f"insert into {META_SCHEMA}.tables values (?, ?, ?, ?)",
        [[*key.split(".", 1), count, checksum] for key, (count, checksum) in tables.items()],
    )
    con.execute(
        f"""
        create table {META_SCHEMA}.checks (
            name varchar, checkpoint varchar, suite varchar, table_name varchar, severity varchar,
            status varchar, waived boolean, message varchar
        )
        """
    )
    if summary.checks:
        con.executemany(
            f"insert into {META_SCHEMA}.checks values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    check.name,
                    check.checkpoint,
                    check.suite,
                    check.table,
                    check.severity.value,
                    check.status.value,
                    check.waived,
                    check.message,
                ]
                for check in summary.checks
            ],
        )


def _verify(path: Path) -> None:
    """Re-open the new file read-only, as the dashboard will: it opens, and holds one run metadata row (the
    content was checksummed once, on the copy, in `_build`)."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        run = con.execute(f"select count(*) from {META_SCHEMA}.run").fetchone()[0]
        if run != 1:
            raise RuntimeError(f"new snapshot has {run} run metadata rows, expected 1")
    finally:
        con.close()
    if Path(f"{path}.wal").exists():
        raise RuntimeError(f"new snapshot left a write-ahead log beside it ({path}.wal)")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _log(quality_dir: Path, event: dict) -> None:
    quality_dir.mkdir(parents=True, exist_ok=True)
    event = {"at": datetime.now(UTC).isoformat(), **event}
    with open(quality_dir / PUBLISH_LOG, "ab") as handle:
        handle.write(orjson.dumps(event) + b"\n")

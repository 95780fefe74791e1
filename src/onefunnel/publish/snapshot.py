"""Build the serving snapshot and swap it in atomically, only for a run the quality gate let through.

    result = publish()          # raises PublishRefused (previous snapshot untouched) when it must not publish

The snapshot is a new DuckDB file holding exactly what the dashboard reads — every table dbt built in the
serving schemas (default: `marts`), copied under the same schema and name — plus run metadata:

    serving_meta.run one row: run_id, landing_run_id, data_as_of, published_at, definitions_version,
                     quality_status, warnings (list), checks_total, checks_failed, data_docs
    serving_meta.tables one row per copied table: table_schema, table_name, row_count, checksum
    serving_meta.checks one row per quality check: name, checkpoint, severity, status, message

It is written under a temporary name in the same folder, checked, fsynced, then os.replace'd over the old
file, so a reader opens either the old snapshot or the new one, never a mix, and a failure at any step
leaves the old snapshot serving.
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

from onefunnel.landing import layout
from onefunnel.locking import exclusive_lock
from onefunnel.publish.serving import META_SCHEMA, serving_path
from onefunnel.quality import history
from onefunnel.quality.summary import Summary

DEFAULT_SCHEMAS = ("marts",)
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


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def serving_schemas() -> tuple[str, ...]:
    configured = os.environ.get("ONEFUNNEL_SERVING_SCHEMAS")
    return (
        tuple(part.strip() for part in configured.split(",") if part.strip())
        if configured
        else DEFAULT_SCHEMAS
    )


def gate_reasons(
    summary: Summary | None, required_checkpoints: Sequence[str], warehouse: dict | None
) -> list[str]:
    """Why this quality run must not be published (empty when it may)."""
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
    elif (summary.warehouse.get("size"), summary.warehouse.get("mtime_ns")) != (
        warehouse.get("size"),
        warehouse.get("mtime_ns"),
    ):
        reasons.append(
            "the warehouse changed after the checks ran (rebuilt since quality run "
            f"{summary.run_id}); run `onefunnel check` again"
        )
    return reasons


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
    from onefunnel.quality.runner import default_warehouse_path, warehouse_fingerprint
    from onefunnel.quality.suites import load_catalogue

    started = time.monotonic()
    warehouse_path = Path(warehouse_path or default_warehouse_path())
    target = Path(target or serving_path())
    quality_dir = Path(quality_dir or history.default_quality_dir())
    schemas = tuple(schemas or serving_schemas())
    if required_checkpoints is None:
        required_checkpoints = load_catalogue(expectations_dir).required_for_publish()
    summary = history.summary_of(quality_dir, run_id) if run_id else history.latest_summary(quality_dir)
    if run_id and summary is None:
        raise PublishRefused([f"no quality run {run_id!r} in {quality_dir}"])
    if target.resolve() == warehouse_path.resolve():
        raise PublishRefused(["the serving snapshot path is the warehouse file; they must differ"])
    reasons = gate_reasons(summary, required_checkpoints, warehouse_fingerprint(warehouse_path))
    if reasons:
        _log(
            quality_dir,
            {"event": "refused", "run_id": summary.run_id if summary else None, "reasons": reasons},
        )
        raise PublishRefused(reasons)

    # one publisher at a time per serving folder
    with exclusive_lock(target.parent / ".publish.lock"):
        temporary = target.with_name(
            f".{target.name}.{os.getpid()}.{secrets.token_hex(3)}{layout.TMP_SUFFIX}"
        )
        try:
            tables, definitions_version = _build(temporary, warehouse_path, schemas, summary)
            _verify(temporary, tables)
            _fsync(temporary)
            os.replace(temporary, target)
            layout.fsync_dir(target.parent)
        except BaseException:
            for leftover in (temporary, Path(f"{temporary}.wal")):
                leftover.unlink(missing_ok=True)
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
    )
    history.write_json(quality_dir / PUBLISHED_FILE, result.as_dict())
    _log(quality_dir, {"event": "published", **result.as_dict()})
    return result


def _build(
    path: Path, warehouse_path: Path, schemas: Sequence[str], summary: Summary
) -> tuple[dict[str, tuple[int, str]], str | None]:
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute("set enable_progress_bar = false")  # publish runs in logs, not at a terminal
        con.execute(f"attach {_sql_text(str(warehouse_path))} as wh (read_only)")
        rows = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = 'wh' order by table_schema, table_name"
        ).fetchall()
        wanted = [(schema, name) for schema, name in rows if schema in schemas]
        if not wanted:
            known = sorted({schema for schema, _ in rows})
            raise PublishRefused(
                [f"the warehouse has no tables in schema(s) {list(schemas)} (it has {known})"]
            )
        tables: dict[str, tuple[int, str]] = {}
        for schema in sorted({schema for schema, _ in wanted}):
            con.execute(f"create schema if not exists {_ident(schema)}")
        for schema, name in wanted:
            qualified = f"{_ident(schema)}.{_ident(name)}"
            con.execute(f"create table {qualified} as select * from wh.{qualified}")
            tables[f"{schema}.{name}"] = table_checksum(con, qualified)
        definitions_version = _built_definitions_version(con) or summary.definitions_version
        con.execute("detach wh")
        _write_metadata(con, summary, tables, warehouse_path, definitions_version)
        con.execute("checkpoint")
    finally:
        con.close()
    return tables, definitions_version


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


def _verify(path: Path, tables: dict[str, tuple[int, str]]) -> None:
    """Re-open the new file read-only, as the dashboard will, and compare every table's rows and checksum."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        run = con.execute(f"select count(*) from {META_SCHEMA}.run").fetchone()[0]
        if run != 1:
            raise RuntimeError(f"new snapshot has {run} run metadata rows, expected 1")
        for key, expected in tables.items():
            schema, name = key.split(".", 1)
            found = table_checksum(con, f"{_ident(schema)}.{_ident(name)}")
            if found != expected:
                raise RuntimeError(f"new snapshot table {key} reads back as {found}, expected {expected}")
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

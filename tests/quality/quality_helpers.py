"""Helpers shared by the quality-gate tests: data folders, a stand-in warehouse for the publish mechanics,
and quality summaries written without running GX."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from quality_pipeline import DataDir

from onefunnel.quality import history
from onefunnel.quality.severity import CheckStatus, Severity
from onefunnel.quality.summary import CheckResult, Summary


@dataclass
class Paths:
    root: Path
    landing: Path
    warehouse: Path
    quality: Path
    serving: Path


def make_warehouse(path: Path, rows: int = 50) -> None:
    """A stand-in for what dbt builds: published marts (what the dashboard reads), a mart and staging that no
    page reads, and the manifest naming the published ones."""
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists marts")
        con.execute("create schema if not exists staging")
        con.execute(
            f"create or replace table marts.funnel_period_monthly as select range as month_index, "
            f"range * 2 as mqls from range({rows})"
        )
        con.execute("create or replace table marts.deals_monthly as select 1 as deals_won, 1000.0 as revenue")
        con.execute("create or replace table staging.stg_hubspot__contacts as select 1 as contact_id")
        # a mart no page reads: not tagged published, so never copied
        con.execute("create or replace table marts.fct_contact_stages as select 1 as contact_id")
    write_manifest(path, [("marts", "funnel_period_monthly"), ("marts", "deals_monthly")])


def write_manifest(warehouse: Path, published: list[tuple[str, str]]) -> Path:
    """The part of dbt's manifest publish reads, where `onefunnel transform` writes it: these models tagged
    published, the warehouse's other tables as untagged models."""
    import duckdb
    import orjson

    from onefunnel.publish.published import manifest_path

    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    nodes = {
        f"model.onefunnel.{name}": {
            "resource_type": "model",
            "name": name,
            "alias": name,
            "schema": schema,
            "tags": ["published"] if (schema, name) in published else [],
        }
        for schema, name in {*tables, *published}
    }
    manifest = manifest_path(warehouse)
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_bytes(orjson.dumps({"nodes": nodes}))
    return manifest


def make_summary(
    warehouse: Path,
    *,
    run_id: str = "20260101T000000000Z-aaaaaa",
    failed: tuple[tuple[str, Severity], ...] = (),
    checkpoints: tuple[str, ...] = ("landing", "warehouse"),
) -> Summary:
    """A quality run's summary as `check` would record it, with the given failed checks."""
    from onefunnel.quality.runner import warehouse_fingerprint

    def result(name: str, severity: Severity, status: CheckStatus, message: str) -> CheckResult:
        return CheckResult(
            name=name,
            suite="suite",
            checkpoint="landing",
            table="t",
            expectation="expect_x",
            column=None,
            severity=severity,
            status=status,
            description=f"rule {name}",
            message=message,
        )

    checks = [result(name, severity, CheckStatus.FAILED, f"rule {name}: broken") for name, severity in failed]
    checks.append(result("always.ok", Severity.CRITICAL, CheckStatus.PASSED, "ok"))
    now = datetime.now(UTC).isoformat()
    return Summary(
        run_id=run_id,
        started_at=now,
        finished_at=now,
        checkpoints=list(checkpoints),
        landing_run_id="20251231T000000000Z-bbbbbb",
        data_as_of="2025-12-31T00:00:00+00:00",
        definitions_version="abc123def456",
        warehouse=warehouse_fingerprint(warehouse),
        checks=checks,
        metrics={"active_records": {"contacts": 10}},
    )


def record_summary(quality_dir: Path, summary: Summary) -> Summary:
    history.record_run(quality_dir, summary)
    return summary


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclass
class PublishedBase:
    """A tiny portal extracted, built by dbt, checked and published: the "last good run" of every test."""

    data: DataDir
    summary: Summary
    run_id: str
    serving_digest: str

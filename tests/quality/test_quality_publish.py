"""Publishing mechanics on a stand-in warehouse: the gate decides, the swap is atomic, the metadata is
complete, readers get short-lived read-only connections, and any refusal leaves the old snapshot alone."""

from __future__ import annotations

import duckdb
import pytest
from quality_helpers import Paths, file_digest, make_summary, make_warehouse, record_summary

from onefunnel.publish.serving import (
    ServingSnapshotMissing,
    open_serving_readonly,
    read_run_metadata,
    serving_path,
)
from onefunnel.publish.snapshot import PublishRefused, publish
from onefunnel.quality.severity import Severity

pytestmark = pytest.mark.unit


def _publish(paths: Paths, **kwargs):
    return publish(
        warehouse_path=paths.warehouse,
        target=paths.serving,
        quality_dir=paths.quality,
        required_checkpoints=["landing", "warehouse"],
        **kwargs,
    )


def test_a_passed_run_is_published_with_its_metadata(paths: Paths):
    # GIVEN a built warehouse and a passed quality run that checked this very build
    make_warehouse(paths.warehouse)
    summary = record_summary(paths.quality, make_summary(paths.warehouse))
    # WHEN it is published
    result = _publish(paths)
    # THEN the snapshot holds exactly the marts, not staging, plus the run metadata
    with open_serving_readonly(paths.serving) as con:
        tables = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables order by 1"
        ).fetchall()
        counted = dict(
            con.execute(
                "select table_schema || '.' || table_name, row_count from serving_meta.tables"
            ).fetchall()
        )
    assert [name for (name,) in tables] == [
        "marts.deals_monthly",
        "marts.funnel_period_monthly",
        "serving_meta.checks",
        "serving_meta.run",
        "serving_meta.tables",
    ]
    assert counted == {"marts.deals_monthly": 1, "marts.funnel_period_monthly": 50} == result.tables
    metadata = read_run_metadata(paths.serving)
    assert metadata["run_id"] == summary.run_id
    assert metadata["landing_run_id"] == summary.landing_run_id
    assert metadata["data_as_of"].isoformat().startswith("2025-12-31T00:00:00")
    assert metadata["definitions_version"] == "abc123def456"
    assert metadata["quality_status"] == "passed"
    assert metadata["warnings"] == []
    assert not list(paths.serving.parent.glob(".*.tmp"))


def test_warnings_are_published_as_a_notice(paths: Paths):
    make_warehouse(paths.warehouse)
    record_summary(paths.quality, make_summary(paths.warehouse, failed=(("landing.late", Severity.WARNING),)))
    result = _publish(paths)
    metadata = read_run_metadata(paths.serving)
    assert metadata["quality_status"] == "warning" == result.quality_status
    assert metadata["warnings"] == ["landing.late: rule landing.late: broken"]
    with open_serving_readonly(paths.serving) as con:
        rows = con.execute("select name, severity, status from serving_meta.checks order by name").fetchall()
    assert rows == [("always.ok", "critical", "passed"), ("landing.late", "warning", "failed")]


def _serving_state(paths: Paths) -> tuple[str, str]:
    return file_digest(paths.serving), read_run_metadata(paths.serving)["run_id"]


@pytest.fixture
def already_serving(paths: Paths) -> tuple[str, str]:
    make_warehouse(paths.warehouse)
    record_summary(paths.quality, make_summary(paths.warehouse, run_id="20260101T000000000Z-goodgood"))
    _publish(paths)
    return _serving_state(paths)


def test_a_critical_failure_is_refused_and_the_old_snapshot_stays(paths: Paths, already_serving):
    # GIVEN a serving snapshot, and a newer quality run with a failed critical check
    make_warehouse(paths.warehouse, rows=7)
    record_summary(
        paths.quality,
        make_summary(
            paths.warehouse,
            run_id="20260102T000000000Z-badbad",
            failed=(("landing.deals.amount", Severity.CRITICAL),),
        ),
    )
    # WHEN publishing is attempted / THEN it is refused, naming the check, and nothing changes
    with pytest.raises(PublishRefused, match=r"landing\.deals\.amount: rule landing\.deals\.amount: broken"):
        _publish(paths)
    assert _serving_state(paths) == already_serving


def test_a_warehouse_rebuilt_after_the_checks_is_refused(paths: Paths, already_serving):
    # GIVEN checks that passed on one build, then dbt rebuilt the warehouse
    record_summary(paths.quality, make_summary(paths.warehouse, run_id="20260102T000000000Z-checked"))
    make_warehouse(paths.warehouse, rows=99)
    with pytest.raises(PublishRefused, match="warehouse changed after the checks ran"):
        _publish(paths)
    assert _serving_state(paths) == already_serving


def test_a_run_without_the_warehouse_checkpoint_is_refused(paths: Paths, already_serving):
    record_summary(
        paths.quality,
        make_summary(paths.warehouse, run_id="20260102T000000000Z-landonly", checkpoints=("landing",)),
    )
    with pytest.raises(PublishRefused, match=r"did not run checkpoint\(s\) \['warehouse'\]"):
        _publish(paths)
    assert _serving_state(paths) == already_serving


def test_no_quality_run_at_all_is_refused(paths: Paths):
    make_warehouse(paths.warehouse)
    with pytest.raises(PublishRefused, match="no quality run found"):
        _publish(paths)
    assert not paths.serving.exists()


def test_a_failure_while_building_leaves_the_old_snapshot_and_no_temporary(paths: Paths, already_serving):
    # GIVEN a passed run, but the serving schema was renamed away in the warehouse
    record_summary(paths.quality, make_summary(paths.warehouse, run_id="20260102T000000000Z-noschema"))
    # WHEN publishing copies a schema the warehouse does not have
    with pytest.raises(PublishRefused, match="no tables in schema"):
        _publish(paths, schemas=["reporting"])
    # THEN the old snapshot still serves and the half-built file is gone
    assert _serving_state(paths) == already_serving
    assert sorted(p.name for p in paths.serving.parent.iterdir()) == [".publish.lock", "serving.duckdb"]


def test_readers_get_a_read_only_short_lived_connection(paths: Paths, already_serving):
    with open_serving_readonly(paths.serving) as con:
        with pytest.raises(duckdb.Error):
            con.execute("create table marts.sneaky as select 1")
        assert con.execute("select count(*) from marts.funnel_period_monthly").fetchone() == (50,)
    with pytest.raises(duckdb.Error):  # closed when the block ended
        con.execute("select 1")


def test_reading_before_anything_was_published_says_so(paths: Paths):
    with (
        pytest.raises(ServingSnapshotMissing, match="nothing has been published yet"),
        open_serving_readonly(paths.serving),
    ):
        pass


def test_the_serving_path_is_configurable(monkeypatch, tmp_path):
    monkeypatch.setenv("ONEFUNNEL_SERVING_PATH", str(tmp_path / "elsewhere.duckdb"))
    assert serving_path() == tmp_path / "elsewhere.duckdb"
    monkeypatch.delenv("ONEFUNNEL_SERVING_PATH")
    monkeypatch.setenv("ONEFUNNEL_DATA_DIR", str(tmp_path))
    assert serving_path() == tmp_path.resolve() / "serving" / "serving.duckdb"

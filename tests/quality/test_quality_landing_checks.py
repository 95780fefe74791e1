"""The landing checkpoint on a small hand-made landing zone: a clean run passes, a warning does not block,
a missing dataset is an error rather than a silent pass, and an operator can waive a check for one run."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest
from quality_helpers import Paths

from onefunnel.quality.defects import land_as_new_run, newest_rows
from onefunnel.quality.runner import CheckOptions, run_checks
from onefunnel.quality.severity import CheckStatus, RunStatus, Severity

pytestmark = pytest.mark.unit


def _check(paths: Paths, **options):
    return run_checks(
        CheckOptions(
            checkpoints=["landing"],
            landing_dir=paths.landing,
            warehouse_path=paths.warehouse,
            quality_dir=paths.quality,
            build_docs=False,
            **options,
        )
    )


def _land_contact_with(paths: Paths, column: str, value: str) -> str:
    row = newest_rows(paths.landing, "contacts")
    row = row.set_column(row.schema.get_field_index(column), column, pa.array([value], pa.string()))
    land_as_new_run(paths.landing, "contacts", row, datetime.now(UTC))
    return row.column("id")[0].as_py()


def test_a_clean_landing_zone_passes_every_landing_check(paths: Paths, fixture_landing):
    summary = _check(paths)
    assert summary.status is RunStatus.PASSED, [
        c.message for c in summary.checks if c.status is not CheckStatus.PASSED
    ]
    assert summary.counts()["checks"] >= 30
    assert summary.landing_run_id == fixture_landing.run_id
    assert summary.metrics["active_records"]["contacts"] == 20


def test_a_warning_does_not_block(paths: Paths, fixture_landing):
    # GIVEN a new extraction landing a contact with a lead status the portal does not define
    contact = _land_contact_with(paths, "properties__hs_lead_status", "MYSTERY")
    # WHEN the landing checkpoint runs
    summary = _check(paths)
    # THEN that check fails as a warning, and the run stays publishable
    result = summary.check("landing.contacts.lead_status_known")
    assert (result.status, result.severity) == (CheckStatus.FAILED, Severity.WARNING)
    assert f"id={contact}" in result.message
    assert "lead_status=MYSTERY" in result.message
    assert summary.status is RunStatus.WARNING


def test_a_missing_dataset_is_an_error_not_a_pass(paths: Paths, fixture_landing):
    # GIVEN a landing zone where the tasks were never landed
    for part in (paths.landing / "tasks").rglob("*.parquet"):
        part.unlink()
    # WHEN the checks run / THEN the checks over all records cannot run, and say why
    summary = _check(paths)
    result = summary.check("landing.records.id_not_null")
    assert result.status is CheckStatus.ERROR
    assert "tasks" in result.message
    assert "could not prepare table 'records'" in result.message
    assert summary.status is RunStatus.FAILED


def test_a_waived_check_is_reported_but_does_not_block(paths: Paths, fixture_landing):
    # GIVEN an extraction with a duplicated contact
    row = newest_rows(paths.landing, "contacts")
    land_as_new_run(paths.landing, "contacts", pa.concat_tables([row, row]), datetime.now(UTC))
    # WHEN an operator waives the uniqueness check for this run
    summary = _check(paths, waive=["landing.records.id_unique"])
    # THEN it still fails, is marked waived, and counts as a warning
    result = summary.check("landing.records.id_unique")
    assert result.status is CheckStatus.FAILED
    assert result.waived
    assert result.severity is Severity.WARNING
    assert result.message.startswith("[waived for this run]")
    assert summary.status is RunStatus.WARNING


def test_record_counts_compare_with_the_last_good_run_of_an_earlier_extraction(paths: Paths, fixture_landing):
    # GIVEN a first check that recorded its counts (nothing before it to compare with)
    first = _check(paths)
    assert first.check("landing.run.no_sudden_record_drop").observed["element_count"] == 0
    # WHEN the same extraction is checked again (the post-dbt check of one pipeline run)
    again = _check(paths)
    # THEN it does not compare with itself
    assert again.check("landing.run.no_sudden_record_drop").observed["element_count"] == 0
    # WHEN a later extraction is checked
    _land_contact_with(paths, "properties__email", "changed@example.com")
    later = _check(paths)
    # THEN every object is compared with the first good run, and passes
    result = later.check("landing.run.no_sudden_record_drop")
    assert result.status is CheckStatus.PASSED
    assert result.observed["element_count"] == 8
    assert later.check("landing.run.no_notable_record_drop").status is CheckStatus.PASSED

"""The landing checkpoint validates what the run under check changed record by record (GX) and the whole
state through DuckDB aggregates: a defect in an old record that the newest run did not touch is still caught,
by name, with the record it concerns; and GX is given the changed records, not the whole state."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyarrow as pa
import pytest
from quality_helpers import Paths

from onefunnel.quality.defects import land_as_new_run, newest_rows
from onefunnel.quality.runner import CheckOptions, run_checks
from onefunnel.quality.severity import CheckStatus, RunStatus, Severity
from onefunnel.quality.sources import SourceError

pytestmark = pytest.mark.unit


def _check(paths: Paths, now: datetime):
    return run_checks(
        CheckOptions(
            checkpoints=["landing"],
            landing_dir=paths.landing,
            warehouse_path=paths.warehouse,
            quality_dir=paths.quality,
            build_docs=False,
            now=now,
        )
    )


def _land_changed(paths: Paths, dataset: str, column: str, value: str, *, record: int, at: datetime) -> str:
    """Land a new version of the dataset's `record`-th active record with `column` set to `value`, as a new
    incremental run; returns its id."""
    row = newest_rows(paths.landing, dataset, limit=record + 1).slice(record, 1)
    row = row.set_column(row.schema.get_field_index(column), column, pa.array([value], pa.string()))
    land_as_new_run(paths.landing, dataset, row, at)
    return row.column("id")[0].as_py()


@pytest.mark.parametrize(
    ("dataset", "column", "value", "check", "clue"),
    [
        ("deals", "properties__amount", "-5000", "landing.deals.amount_non_negative", "amount=-5000"),
        (
            "contacts",
            "properties__lifecyclestage",
            "zombie",
            "landing.contacts.lifecycle_stage_known",
            "lifecyclestage=zombie",
        ),
    ],
)
def test_a_defect_in_an_unchanged_old_record_is_caught_by_the_whole_state_aggregates(
    paths: Paths, fixture_landing, dataset, column, value, check, clue
):
    # GIVEN a run after the first full one that landed a bad record
    first = fixture_landing.started_at
    bad_id = _land_changed(paths, dataset, column, value, record=0, at=first + timedelta(minutes=1))
    # AND a newer run that changed another, valid record only (the bad one is unchanged since)
    other_id = _land_changed(
        paths, "contacts", "properties__hs_lead_status", "OPEN", record=3, at=first + timedelta(minutes=2)
    )
    assert other_id != bad_id
    # WHEN the landing checkpoint checks the newest run
    summary = _check(paths, now=first + timedelta(minutes=3))
    # THEN the check fails critically, naming the old record, counted in the whole state
    result = summary.check(check)
    assert result.status is CheckStatus.FAILED, result.message
    assert result.severity is Severity.CRITICAL
    assert f"id={bad_id}" in result.message, result.message
    assert clue in result.message, result.message
    assert result.observed["state_violations"] == 1
    assert summary.status is RunStatus.FAILED


def test_gx_validates_the_changed_records_and_the_aggregates_the_whole_state(paths: Paths, fixture_landing):
    # GIVEN a clean full run and then a run that changed one contact
    first = fixture_landing.started_at
    _land_changed(
        paths, "contacts", "properties__hs_lead_status", "OPEN", record=2, at=first + timedelta(minutes=1)
    )
    # WHEN the landing checkpoint runs
    summary = _check(paths, now=first + timedelta(minutes=2))
    # THEN it passes, and GX saw one contact while the aggregates counted every contact
    assert summary.status is RunStatus.PASSED, [c.message for c in summary.blocking]
    tables = summary.metrics["tables"]
    assert tables["landing_contacts.contacts"]["rows"] == 1
    assert tables["landing_contacts.contacts"]["state_rows"] == 20
    assert tables["landing_deals.deals"]["rows"] == 0  # the run changed no deal
    lifecycle = summary.check("landing.contacts.lifecycle_stage_known")
    assert lifecycle.observed["changed_rows"] == 1
    assert lifecycle.observed["state_rows"] == 20
    assert lifecycle.observed["state_violations"] == 0


def test_a_bulk_load_is_checked_through_the_aggregates_and_gx_sees_the_broken_rows_only(
    paths: Paths, fixture_landing, monkeypatch
):
    # GIVEN runs landing more records of an object than GX validates one by one (here: any)
    monkeypatch.setenv("ONEFUNNEL_QUALITY_MAX_CHANGED_ROWS", "0")
    first = fixture_landing.started_at
    bad_id = _land_changed(
        paths, "deals", "properties__amount", "-5000", record=1, at=first + timedelta(minutes=1)
    )
    # WHEN the landing checkpoint runs
    summary = _check(paths, now=first + timedelta(minutes=2))
    # THEN the defect still fails its check by name, GX was given only the broken row, and the run says so
    result = summary.check("landing.deals.amount_non_negative")
    assert result.status is CheckStatus.FAILED
    assert f"id={bad_id}" in result.message
    assert summary.metrics["tables"]["landing_deals.deals"]["rows"] == 1
    assert summary.metrics["bulk_loaded"] == {"deals": 1}
    assert any("bulk load: deals 1 records" in note for note in summary.notes)


def test_a_malformed_changed_rows_limit_is_named(paths: Paths, fixture_landing, monkeypatch):
    monkeypatch.setenv("ONEFUNNEL_QUALITY_MAX_CHANGED_ROWS", "lots")
    with pytest.raises(SourceError, match="ONEFUNNEL_QUALITY_MAX_CHANGED_ROWS='lots' is not a whole number"):
        _check(paths, now=fixture_landing.started_at + timedelta(minutes=1))

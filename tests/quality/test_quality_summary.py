"""Severity arithmetic, failure messages, the summary file and the history the row-count check uses."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest
from quality_helpers import make_summary, make_warehouse

from onefunnel.quality import history
from onefunnel.quality.severity import CheckStatus, RunStatus, Severity, run_status
from onefunnel.quality.summary import failure_message, jsonable, read_summary

pytestmark = pytest.mark.unit

C, W = Severity.CRITICAL, Severity.WARNING
OK, FAIL, ERR = CheckStatus.PASSED, CheckStatus.FAILED, CheckStatus.ERROR


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        ([], RunStatus.PASSED),
        ([(C, OK), (W, OK)], RunStatus.PASSED),
        ([(C, OK), (W, FAIL)], RunStatus.WARNING),
        ([(W, ERR)], RunStatus.WARNING),
        ([(W, FAIL), (C, FAIL)], RunStatus.FAILED),
        ([(C, ERR)], RunStatus.FAILED),  # a critical check that could not run blocks too
    ],
)
def test_run_status_from_severities(outcomes, expected):
    assert run_status(outcomes) is expected
    assert expected.publishable is (expected is not RunStatus.FAILED)


def test_a_row_failure_message_counts_and_names_the_rows():
    # GIVEN a GX SUMMARY result with identifying columns
    result = {
        "element_count": 46,
        "unexpected_count": 7,
        "partial_unexpected_index_list": [{"id": str(i), "amount": -1.0 * i} for i in range(1, 8)],
    }
    # WHEN it is turned into a message
    message = failure_message("every deal amount is zero or more", "deals", result, {"min_value": 0})
    # THEN it states the rule, the count, the total and the first examples
    assert message.startswith(
        "every deal amount is zero or more: 7 of 46 deals rows break it — id=1 amount=-1;"
    )
    assert "(+2 more)" in message


def test_an_aggregate_failure_message_shows_observed_and_expected():
    message = failure_message("rows exist", "t", {"observed_value": 0}, {"min_value": 1, "max_value": None})
    assert message == "rows exist: observed 0 (expected min_value=1)"


def test_gx_values_become_plain_json():
    moment = datetime(2026, 1, 2, tzinfo=UTC)
    assert jsonable({"a": np.int64(3), "b": float("nan"), "c": (np.float64(1.5), moment)}) == {
        "a": 3,
        "b": None,
        "c": [1.5, "2026-01-02T00:00:00+00:00"],
    }
    assert not math.isnan(jsonable(np.float64(2.0)))


def test_summary_round_trips_and_history_keeps_the_last_good_baseline(tmp_path):
    # GIVEN a good run, then a failed one
    make_warehouse(tmp_path / "wh.duckdb")
    good = make_summary(tmp_path / "wh.duckdb", run_id="20260101T000000000Z-good01")
    bad = make_summary(tmp_path / "wh.duckdb", run_id="20260102T000000000Z-bad001", failed=(("x", C),))
    bad.metrics = {"active_records": {"contacts": 1}}
    history.record_run(tmp_path, good)
    history.record_run(tmp_path, bad)
    # THEN the latest summary is the failed run, read back intact
    latest = read_summary(history.summary_path(tmp_path))
    assert latest.run_id == bad.run_id
    assert latest.status is RunStatus.FAILED
    assert latest.check("x").severity is C
    assert history.summary_of(tmp_path, good.run_id).status is RunStatus.PASSED
    # AND the baseline for row counts is the last run that could be published, not the failed one
    assert history.baseline(tmp_path) == (good.run_id, good.metrics)
    assert [entry["status"] for entry in history.read_history(tmp_path)] == ["passed", "failed"]

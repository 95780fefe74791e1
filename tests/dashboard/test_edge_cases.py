"""Edge cases on hand-built snapshots: nothing published, no months, a quiet month, a run published with
warnings, the last good snapshot served after a failed run, and frozen months with restatements."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import snapshot_fixture as fixture
from dashboard_apptest import PAGES, metrics, open_page, point_at, texts

pytestmark = pytest.mark.integration

DATA_PAGES = tuple(page for page in PAGES if page != "definitions")


@pytest.fixture
def snapshot_at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Build a fixture snapshot under tmp_path and point the app at it; returns (serving, quality)."""

    def build(**kwargs) -> tuple[Path, Path]:
        serving = fixture.build_snapshot(tmp_path / "serving" / "serving.duckdb", **kwargs)
        quality = tmp_path / "quality"
        quality.mkdir(exist_ok=True)
        point_at(monkeypatch, serving, quality)
        return serving, quality

    return build


@pytest.mark.parametrize("page", PAGES)
def test_nothing_published_yet_is_said_in_words(tmp_path, monkeypatch, page):
    # GIVEN no snapshot at the configured path
    point_at(monkeypatch, tmp_path / "serving" / "serving.duckdb", tmp_path / "quality")
    # WHEN a page opens
    app = open_page(page)
    # THEN it says nothing is published, without a traceback
    assert not app.exception, [exception.value for exception in app.exception]
    if page != "definitions":
        assert "No numbers have been published yet" in texts(app)
    assert "No snapshot has been published yet" in texts(app) or page == "definitions"


@pytest.mark.parametrize("page", DATA_PAGES)
def test_a_snapshot_without_months_is_said_in_words(snapshot_at, page):
    snapshot_at()
    app = open_page(page)
    assert not app.exception, [exception.value for exception in app.exception]
    assert "holds no months of data yet" in texts(app)


@pytest.mark.parametrize("page", PAGES)
def test_a_quiet_month_shows_sentences_not_tracebacks(snapshot_at, page):
    # GIVEN months in which nothing happened
    snapshot_at(rows=fixture.quiet_rows(date(2026, 5, 1), date(2026, 10, 1)))
    # WHEN a page opens
    app = open_page(page)
    # THEN no exception, and every empty section says so in a sentence
    assert not app.exception, [exception.value for exception in app.exception]
    if page in ("funnel", "sla", "reps", "sources", "accountability"):
        assert app.info, "an empty section must say it is empty"
        assert all(info.value.strip().endswith((".", ")")) for info in app.info)


@pytest.mark.parametrize("page", PAGES)
def test_warnings_banner_on_every_page_when_published_with_warnings(snapshot_at, page):
    # GIVEN a run published with two warnings
    snapshot_at(
        rows=fixture.quiet_rows(date(2026, 9, 1), date(2026, 10, 1)),
        run={
            "quality_status": "warning",
            "warnings": [
                "contacts.email_valid: 3 invalid emails",
                "deals.amount_present: 1 deal without amount",
            ],
            "checks_failed": 2,
        },
    )
    app = open_page(page)
    # THEN every page carries the warning banner, naming the count
    assert any("Published with 2 quality warnings" in warning.value for warning in app.warning)


@pytest.mark.parametrize("page", PAGES)
def test_failed_run_banner_when_the_last_good_snapshot_is_served(snapshot_at, page):
    # GIVEN a snapshot, then a later run that failed its checks and was refused
    published_at = datetime.now(UTC) - timedelta(hours=2)
    _serving, quality = snapshot_at(
        rows=fixture.quiet_rows(date(2026, 9, 1), date(2026, 10, 1)), run={"published_at": published_at}
    )
    fixture.write_failed_run(quality, after=published_at)
    # WHEN a page opens
    app = open_page(page)
    # THEN it says the latest run failed and this is the last good snapshot
    assert any("latest pipeline run failed its checks" in error.value for error in app.error)
    assert any("last good snapshot" in error.value for error in app.error)


def test_no_failed_run_banner_when_the_failure_is_older_than_the_snapshot(snapshot_at):
    # GIVEN a failed run, and a snapshot published after it (the problem was fixed)
    published_at = datetime.now(UTC) - timedelta(minutes=5)
    _, quality = snapshot_at(
        rows=fixture.quiet_rows(date(2026, 9, 1), date(2026, 10, 1)), run={"published_at": published_at}
    )
    fixture.write_failed_run(quality, after=published_at - timedelta(hours=3))
    app = open_page("funnel")
    assert not app.error


def test_accountability_shows_reported_targets_restatements_and_causes(snapshot_at):
    # GIVEN two frozen months; September was restated (late data, a deleted deal, a definition change)
    snapshot_at(rows=fixture.accountability_rows())
    # WHEN the page opens (latest frozen month by default)
    app = open_page("accountability")
    assert not app.exception, [exception.value for exception in app.exception]
    shown = metrics(app)
    # THEN the tiles are the reported (frozen) numbers, with the restatement beside them
    assert shown["MQLs"] == "300"
    assert shown["Won revenue"] == "$250,000"
    deltas = {metric.label: metric.delta for metric in app.metric}
    assert deltas["MQLs"] == "+2 since"
    assert deltas["Won revenue"] == "-$12,000 since"
    # AND the table has reported, target, today, the restatement with its cause, and last month
    table = app.dataframe[0].value.set_index("Metric")
    assert table.loc["MQLs", "Reported (frozen)"] == "300"
    assert table.loc["MQLs", "Target"] == "320"
    assert table.loc["MQLs", "Attainment"] == "94%"
    assert table.loc["MQLs", "Today"] == "302"
    assert "late data" in table.loc["MQLs", "Causes"]
    assert table.loc["MQLs", "Previous month (reported)"] == "280"
    assert table.loc["MQLs", "Change vs previous month"] == "+20"
    assert table.loc["Share of MQLs touched within SLA", "Reported (frozen)"] == "80.0%"
    # AND the definitions change is said in words, and each cause is listed
    assert "The definitions have changed since" in texts(app)
    causes = app.dataframe[1].value
    assert set(causes["Cause"]) == {
        "late data (records that arrived or changed after the freeze)",
        "deleted or merged records",
        "a change of the definitions",
    }


def test_accountability_month_is_picked_from_the_link(snapshot_at):
    snapshot_at(rows=fixture.accountability_rows())
    app = open_page("accountability", frozen="August 2026")
    assert metrics(app)["MQLs"] == "280"
    assert any("Nothing was restated" in success.value for success in app.success)


def test_accountability_downloads_csv_and_printable_page(snapshot_at):
    from dashboards.lib import accountability

    snapshot_at(rows=fixture.accountability_rows())
    app = open_page("accountability")
    # GIVEN the rows the page builds its downloads from (the same function, fed the same frozen rows)
    buttons = {button.proto.label: button for button in app.get("download_button")}
    assert set(buttons) >= {"Download CSV", "Printable page"}
    # THEN the CSV holds the raw reported values and the HTML the formatted ones, escaped
    table = accountability.pack(
        pd.DataFrame(fixture.accountability_rows()["monthly_accountability"]).query(
            "month_start == @date(2026, 9, 1)"
        ),
        pd.DataFrame(fixture.accountability_rows()["monthly_accountability"]).query(
            "month_start == @date(2026, 8, 1)"
        ),
        pd.DataFrame(fixture.accountability_rows()["target_attainment_monthly"]).query(
            "month_start == @date(2026, 9, 1)"
        ),
    )
    csv = accountability.csv_bytes(table, date(2026, 9, 1)).decode()
    assert "2026-09-01,stage_entered__mql,MQLs,300.0,320.0" in csv
    page = accountability.printable_html(
        date(2026, 9, 1),
        table,
        pd.DataFrame(fixture.accountability_rows()["metric_restatements"]),
        currency="USD",
        frozen_at=None,
        frozen_data_as_of=None,
        reported_version="a<b",
        current_version="c",
        data_as_of="now",
    )
    assert "September 2026" in page
    assert "$250,000" in page
    assert "a&lt;b" in page

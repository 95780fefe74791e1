"""The Definitions preview page (issue 19): shown only while a preview exists, it reads the preview's own file
(never the published snapshot) and shows each changed metric-month and the records that move."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from dashboard_apptest import texts

from onefunnel.warehouse import preview

pytestmark = [pytest.mark.integration]

MONTH = "2026-10-01"


def _warehouse(path: Path, contributions: list[tuple[str, str, str, float]]) -> Path:
    """A warehouse with just what the preview compares: per-record contributions and the monthly metrics."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_metric_contributions (month_start date, metric_key varchar, "
            "record_type varchar, record_id varchar, contribution double)"
        )
        con.executemany(
            "insert into marts.fct_metric_contributions values (?, ?, ?, ?, ?)",
            [(MONTH, metric, kind, record, share) for metric, kind, record, share in contributions],
        )
        con.execute(
            "create table marts.metrics_monthly as select month_start, metric_key, "
            "sum(contribution) as metric_value from marts.fct_metric_contributions group by all"
        )
        con.execute(
            "create table marts.fct_leads as select * from (values "
            "('c1', 'salesqualifiedlead', 'REFERRALS'), ('c2', 'marketingqualifiedlead', 'PAID_SEARCH'), "
            "('c3', 'lead', 'ORGANIC_SEARCH')) as t(contact_id, lifecycle_stage, original_source)"
        )
        con.execute(
            "create table marts.fct_deals as "
            "select * from (values ('d1', 'Acme renewal')) as t(deal_id, deal_name)"
        )
    return path


@pytest.fixture
def written_preview(tmp_path, monkeypatch) -> Path:
    # GIVEN a preview whose proposed file counts c3 as an MQL within SLA instead of c1, and halves deal d1
    current = _warehouse(
        tmp_path / "current.duckdb",
        [("mqls_within_sla", "contact", "c1", 1.0), ("mqls_within_sla", "contact", "c2", 1.0),
         ("deals_won", "deal", "d1", 1.0)],
    )  # fmt: skip
    proposed = _warehouse(
        tmp_path / "proposed.duckdb",
        [("mqls_within_sla", "contact", "c2", 1.0), ("mqls_within_sla", "contact", "c3", 1.0),
         ("mqls_within_sla", "contact", "c4", 1.0), ("deals_won", "deal", "d1", 0.5)],
    )  # fmt: skip
    folder = tmp_path / "preview"
    folder.mkdir()
    path = folder / "preview.duckdb"
    changes, compared = preview._compare(current, proposed, path)
    result = preview.PreviewResult(
        Path("definitions.yml"), Path("proposed.yml"), "aaaa", "bbbb", "2026-11-20T12:00:00+00:00",
        path, folder / "preview.md", changes, compared,
    )  # fmt: skip
    preview._write_meta(result, preview.render_markdown(result, preview._report_moves(path)))
    monkeypatch.setenv(preview.PREVIEW_DIR_ENV, str(folder))
    return path


def test_the_comparison_counts_what_moves_under_the_proposed_file(written_preview):
    # THEN each changed metric-month carries its values and its records added, removed and changed
    with duckdb.connect(str(written_preview), read_only=True) as con:
        rows = con.execute(
            "select metric_key, record_id, movement from preview_moves order by metric_key, record_id"
        ).fetchall()
    assert rows == [
        ("deals_won", "d1", "changed"),
        ("mqls_within_sla", "c1", "removed"),
        ("mqls_within_sla", "c3", "added"),
        ("mqls_within_sla", "c4", "added"),
    ]


def test_the_page_shows_each_change_and_its_records(real_app, written_preview):
    # WHEN the Definitions preview page is opened
    app = real_app("definitions_preview")
    # THEN it names both versions and shows the net change per metric
    shown = texts(app)
    assert "`aaaa`" in shown
    assert "`bbbb`" in shown
    tiles = {metric.label: metric.value for metric in app.metric}
    assert tiles == {"deals_won": "-0.50", "mqls_within_sla": "+1"}
    # AND the first metric-month's records: the table lists what moved, with the movement
    changes = app.dataframe[0].value
    assert set(changes["metric_key"]) == {"deals_won", "mqls_within_sla"}
    moved = app.dataframe[1].value
    assert list(moved["movement"]) == ["changed"]  # deals_won, the first option: d1 halved
    assert not app.exception


def test_without_a_preview_the_page_is_not_offered(real_app, tmp_path, monkeypatch):
    # GIVEN no preview file
    monkeypatch.setenv(preview.PREVIEW_DIR_ENV, str(tmp_path / "no-preview"))
    # WHEN the preview page's address is opened
    app = real_app("definitions_preview")
    # THEN the page is not there: no preview title, no preview text, no error
    assert "Definitions preview" not in [title.value for title in app.title]
    assert not app.exception

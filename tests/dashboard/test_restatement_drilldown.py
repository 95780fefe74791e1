"""After late data restates a closed month, the Accountability page drills from each restated number to the
records added, removed or changed since the freeze: added minus removed records is the restatement the tile
shows (a count), the changes sum to it (an amount); each record links to HubSpot and the list downloads.

Two real pipeline runs of its own (a portal 40 days back, then moved on 35 days: deletions, merges, late
edits), so the test carries the scale marker."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import dashboard_pipeline as pipeline
import dashboard_truth as truth
import pytest
from dashboard_apptest import open_page, point_at
from dashboard_pipeline import DataDir
from dashboards.lib import accountability

from onefunnel.portal.generate import generate_portal

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.scale]

# Tile label -> (metric key, kind) of the accountability tiles with records behind them.
TILES = {
    "MQLs": ("stage_entered__mql", "count"),
    "SQLs": ("stage_entered__sql", "count"),
    "Marketing pipeline": ("sourced_pipeline__marketing", "money"),
    "Won revenue": ("revenue_won", "money"),
}


@pytest.fixture(scope="module")
def restated(tmp_path_factory) -> DataDir:
    """A tiny portal whose clock is 40 days back, run through the pipeline (freezing the months closed by
    then), moved on 35 days (deletions, merges, late edits of records in frozen months) and run again."""
    data = DataDir(tmp_path_factory.mktemp("restated") / "data")
    as_of = datetime.now(UTC).replace(microsecond=0) - timedelta(days=40)
    generate_portal(data.portal, size="tiny", seed=42, as_of=as_of)
    pipeline.run_once(data, mode="full", build_docs=False)
    pipeline.advance(data, days=35)
    pipeline.run_once(data, mode="incremental", build_docs=False)
    return data


def _restated_table(app):
    tables = [frame.value for frame in app.dataframe if "Change in value" in frame.value.columns]
    return tables[0] if tables else None


def _governed(path, month, key) -> tuple[float, int, int, float]:
    """(restatement on the tile's model, added, removed, sum of changes) of the governed models."""
    restatement = truth.value(
        path,
        "select restatement from marts.monthly_accountability where month_start = ? and metric_key = ?",
        [month, key],
    )
    added, removed, total = truth.rows(
        path,
        "select count(*) filter (where change = 'added'), count(*) filter (where change = 'removed'), "
        "coalesce(sum(delta), 0) from marts.metric_restatement_records "
        "where month_start = ? and metric_key = ?",
        [month, key],
    )[0]
    return float(restatement or 0), added, removed, float(total)


def test_each_restated_number_drills_to_records_that_add_up_to_it(restated, monkeypatch, downloads):
    point_at(monkeypatch, restated.serving, restated.quality)
    path = restated.serving
    months = [
        row[0] for row in truth.rows(path, "select distinct month_start from marts.monthly_accountability")
    ]
    portal_id = truth.value(path, "select portal_id from marts.dim_portal")
    checked = []
    for month in sorted(months):
        # GIVEN the accountability page on one frozen month
        app = open_page("accountability")
        app.selectbox(key="frozen").set_value(month).run()
        assert not app.exception, [exception.value for exception in app.exception]
        tiles = {metric.label: metric.delta for metric in app.metric}
        (pack,) = [frame.value for frame in app.dataframe if "Reported (frozen)" in frame.value.columns]
        shown_restatement = dict(zip(pack["Metric"], pack["Restatement"], strict=True))
        pickers = [box for box in app.selectbox if box.key == "restated-select"]
        offered = list(pickers[0].options) if pickers else []  # the metrics' labels
        # THEN the page offers the records of every metric with a changed record, restated numbers among them
        keys = [
            key
            for (key,) in truth.rows(
                path,
                "select distinct metric_key from marts.metric_restatement_records where month_start = ?",
                [month],
            )
        ]
        assert sorted(offered) == sorted(accountability.metric_for(key).label for key in keys), (month, keys)
        restated_metrics = {
            key
            for (key,) in truth.rows(
                path,
                "select metric_key from marts.monthly_accountability "
                "where month_start = ? and restatement <> 0",
                [month],
            )
        }
        assert restated_metrics <= set(keys), (month, restated_metrics, keys)
        for label, (key, _kind) in TILES.items():
            if tiles.get(label):
                assert key in keys, f"{label} of {month} shows {tiles[label]} but the page offers no records"
        for key in keys:
            metric = accountability.metric_for(key)
            # WHEN its records are opened
            pickers[0].set_value(key).run()
            table = _restated_table(app)
            assert table is not None, (month, key)
            caption = "\n".join(str(element.value) for element in app.caption)
            shown = shown_restatement[metric.label]
            tile = next((tiles[label] for label, (tile_key, _) in TILES.items() if tile_key == key), None)
            # THEN they are the governed model's records of that restatement
            restatement, added, removed, total = _governed(path, month, key)
            assert total == pytest.approx(restatement), (month, key)
            assert len(table) == truth.value(
                path,
                "select count(*) from marts.metric_restatement_records "
                "where month_start = ? and metric_key = ?",
                [month, key],
            )
            # AND added - removed records is the restatement shown (a count); the changes sum to it (amount)
            if shown == "none":  # changes that cancel out: the pack shows no restatement
                assert total == 0, (month, key)
            elif metric.kind == "count":
                shown_added = int(table["Change"].str.startswith("Added").sum())
                shown_removed = int(table["Change"].str.startswith("Removed").sum())
                assert (shown_added, shown_removed) == (added, removed)
                assert f"{shown_added - shown_removed:+,}" == shown, (month, key, shown)
                assert f"= {shown}." in caption
            else:
                assert f"{shown} in all" in caption, (month, key, shown, caption)
            if tile:
                assert tile == f"{shown} since", (month, key, tile)
            # AND each record links to it in the portal's data centre, and the CSV holds the same rows
            prefix = f"https://app.hubspot.com/contacts/{portal_id}/record/"
            assert table["HubSpot link"].str.startswith(prefix).all()
            name = next(
                button.label for button in app.get("download_button") if "restatement" in button.label
            )
            assert name in downloads.deferred(app)
            rows = list(csv.DictReader(io.StringIO(downloads.of(app)[name].decode("utf-8"))))
            assert [row["HubSpot id"] for row in rows] == list(table["HubSpot id"])
            checked.append((month, key, shown))
    assert checked, "the late data restated no number of any frozen month: the test would prove nothing"

"""After late data restates a closed month, the Accountability page drills from each restated number to the
records added, removed or changed since the freeze: added minus removed records is the restatement the tile
shows (a count), the changes sum to it (an amount); each record links to HubSpot and the list downloads.

One more real pipeline run on a copy of the session's data (the portal moved on 40 days: deletions, merges,
late edits), so the test carries the scale marker."""

from __future__ import annotations

import csv
import io
import shutil

import dashboard_pipeline as pipeline
import dashboard_truth as truth
import pytest
from dashboard_apptest import open_page, point_at
from dashboard_pipeline import DataDir

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.scale]

# Tile label -> (metric key, kind) of the accountability tiles with records behind them.
TILES = {
    "MQLs": ("stage_entered__mql", "count"),
    "SQLs": ("stage_entered__sql", "count"),
    "Marketing pipeline": ("sourced_pipeline__marketing", "money"),
    "Won revenue": ("revenue_won", "money"),
}


@pytest.fixture(scope="module")
def restated(published, tmp_path_factory) -> DataDir:
    if not published.frozen:
        pytest.skip("the session pipeline froze no month (month close failed): nothing can be restated")
    data = DataDir(tmp_path_factory.mktemp("restated") / "data")
    shutil.copytree(published.data.root, data.root)
    pipeline.advance(data, days=40)
    pipeline.run_once(data, mode="incremental")
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
    tiles_checked = 0
    for month in sorted(months):
        # GIVEN the accountability page on one frozen month
        app = open_page("accountability")
        app.selectbox(key="frozen").set_value(month).run()
        assert not app.exception, [exception.value for exception in app.exception]
        deltas = {metric.label: metric.delta for metric in app.metric}
        pickers = [box for box in app.selectbox if box.key == "restated-select"]
        offered = list(pickers[0].options) if pickers else []
        # THEN every metric offered has records adding up to its restatement in the governed model
        for key in offered:
            restatement, added, removed, total = _governed(path, month, key)
            assert total == pytest.approx(restatement), (month, key)
        for label, (key, kind) in TILES.items():
            delta = deltas.get(label)
            if not delta:
                continue  # the tile shows no restatement
            # WHEN a restated tile's records are opened
            assert key in offered, f"{label} of {month} shows {delta} but the page offers no records"
            pickers[0].set_value(key).run()
            table = _restated_table(app)
            assert table is not None, (month, label)
            caption = "\n".join(str(element.value) for element in app.caption)
            shown = delta.removesuffix(" since")
            # THEN added minus removed records is the count on the tile; an amount's changes sum to it
            restatement, added, removed, total = _governed(path, month, key)
            assert len(table) == truth.value(
                path,
                "select count(*) from marts.metric_restatement_records "
                "where month_start = ? and metric_key = ?",
                [month, key],
            )
            if kind == "count":
                shown_added = int(table["Change"].str.startswith("Added").sum())
                shown_removed = int(table["Change"].str.startswith("Removed").sum())
                assert (shown_added, shown_removed) == (added, removed)
                assert f"{shown_added - shown_removed:+,}" == shown.replace("\u2212", "-"), (
                    month,
                    label,
                    delta,
                )
                assert shown_added - shown_removed == restatement
            else:
                assert f"{shown} in all" in caption, (month, label, delta, caption)
            # AND each record links to it in the portal's data centre, and the CSV holds the same rows
            prefix = f"https://app.hubspot.com/contacts/{portal_id}/record/"
            assert table["HubSpot link"].str.startswith(prefix).all()
            name = next(
                button.label for button in app.get("download_button") if "restatement" in button.label
            )
            assert name in downloads.deferred(app)
            rows = list(csv.DictReader(io.StringIO(downloads.of(app)[name].decode("utf-8"))))
            assert [row["HubSpot id"] for row in rows] == list(table["HubSpot id"])
            tiles_checked += 1
    assert tiles_checked > 0, (
        "the late data restated no tile of any frozen month: the test would prove nothing"
    )

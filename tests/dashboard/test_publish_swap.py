"""The dashboard keeps serving while a publish replaces the snapshot under it (os.replace of the file), and a
page never mixes numbers of two snapshots."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import duckdb
import pytest
from dashboard_apptest import Published, metrics, open_page, point_at, texts
from dashboard_pipeline import DataDir

pytestmark = [pytest.mark.integration, pytest.mark.slow]

RERUNS = 8


def test_an_open_read_only_connection_keeps_its_file_across_a_replace(published_copy):
    # GIVEN a read-only connection to the snapshot (as a query holds for a moment)
    path = published_copy.serving
    con = duckdb.connect(str(path), read_only=True)
    try:
        before = con.execute("select run_id from serving_meta.run").fetchone()[0]
        # WHEN a publish replaces the file
        replacement = path.with_name("next.duckdb")
        shutil.copy2(path, replacement)
        with duckdb.connect(str(replacement)) as writer:
            writer.execute("update serving_meta.run set run_id = 'next'")
        os.replace(replacement, path)
        # THEN the open connection still reads its own (old) file, whole
        assert con.execute("select run_id from serving_meta.run").fetchone()[0] == before
        assert con.execute("select count(*) from marts.fct_leads").fetchone()[0] > 0
    finally:
        con.close()
    # AND a new connection sees the new one
    with duckdb.connect(str(path), read_only=True) as fresh:
        assert fresh.execute("select run_id from serving_meta.run").fetchone()[0] == "next"


def _variant(source: Path, target: Path, run_id: str, bump: int) -> tuple[str, str]:
    """A copy of the snapshot as another publish would make it: other numbers, another run. Returns the tiles
    (Leads, Opportunities) of the default month as the dashboard formats them."""
    shutil.copy2(source, target)
    with duckdb.connect(str(target)) as con:
        con.execute("update marts.funnel_period_monthly set contacts_entered = contacts_entered + ?", [bump])
        con.execute("update marts.deals_monthly set deals_created = deals_created + ?", [bump])
        con.execute("update serving_meta.run set run_id = ?, published_at = now()", [run_id])
    return run_id, str(bump)


def test_pages_stay_whole_while_snapshots_are_swapped_under_them(monkeypatch, published_copy, tmp_path):
    # GIVEN two snapshots A and B whose numbers differ in two marts (B = A + 1000)
    serving = published_copy.serving
    snapshot_a = tmp_path / "a.duckdb"
    snapshot_b = tmp_path / "b.duckdb"
    _variant(serving, snapshot_a, "run-a", 0)
    _variant(serving, snapshot_b, "run-b", 1000)
    shutil.copy2(snapshot_a, serving)
    point_at(monkeypatch, serving, published_copy.quality)
    app = open_page("funnel")
    leads_a = int(metrics(app)["Leads"].replace(",", ""))
    opportunities_a = int(metrics(app)["Opportunities"].replace(",", ""))
    whole = {(leads_a, opportunities_a), (leads_a + 1000, opportunities_a + 1000)}

    # WHEN another thread keeps publishing A and B alternately (copy beside, then os.replace) ...
    done = threading.Event()
    swaps = []

    def publisher() -> None:
        index = 0
        while not done.is_set():
            source = (snapshot_a, snapshot_b)[index % 2]
            staging = serving.with_name(f".serving.{index}.tmp")
            shutil.copy2(source, staging)
            os.replace(staging, serving)
            swaps.append(index)
            index += 1
            done.wait(0.05)  # pacing between publishes, not a timing assertion

    thread = threading.Thread(target=publisher, daemon=True)
    thread.start()
    seen = []
    try:
        # ... while the page is drawn again and again
        for _ in range(RERUNS):
            app.run()
            assert not app.exception, [exception.value for exception in app.exception]
            shown = metrics(app)
            if not shown:  # the page asked to be reloaded: the snapshot changed on every retry
                assert any("being republished" in warning.value for warning in app.warning), texts(app)
                continue
            pair = (int(shown["Leads"].replace(",", "")), int(shown["Opportunities"].replace(",", "")))
            seen.append(pair)
            # THEN every drawing is wholly A or wholly B, never a mix of the two
            assert pair in whole, f"tiles {pair} mix two snapshots; expected one of {whole}"
    finally:
        done.set()
        thread.join()
    assert len(swaps) >= RERUNS, "the snapshot was replaced while the page was being drawn"
    assert seen, "at least one drawing completed"


@pytest.fixture
def publishable_copy(published: Published, tmp_path: Path) -> Published:
    """A copy of the warehouse, quality results and snapshot of the real run: enough to publish again."""
    root = tmp_path / "data"
    for folder in ("warehouse", "quality", "serving"):
        shutil.copytree(published.data.root / folder, root / folder)  # copy2: keeps the warehouse fingerprint
    return Published(DataDir(root), published.run_id)


def test_the_dashboard_keeps_serving_during_real_publishes(monkeypatch, publishable_copy):
    from onefunnel.publish.snapshot import publish

    data = publishable_copy.data
    point_at(monkeypatch, data.serving, data.quality)
    app = open_page("funnel")
    expected = metrics(app)

    # WHEN the publish step runs again (three new snapshot files swapped in) while the page reruns
    errors: list[BaseException] = []
    published_runs: list[str] = []

    def publisher() -> None:
        try:
            for _ in range(3):
                result = publish(warehouse_path=data.warehouse, target=data.serving, quality_dir=data.quality)
                published_runs.append(result.published_at)
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    thread = threading.Thread(target=publisher, daemon=True)
    thread.start()
    reruns = 0
    while thread.is_alive() or reruns < 3:
        app.run()
        reruns += 1
        # THEN every rerun draws the page without an exception and with the same numbers (same warehouse)
        assert not app.exception, [exception.value for exception in app.exception]
        if metrics(app):
            assert metrics(app) == expected
    thread.join()
    assert not errors, errors
    assert len(published_runs) == 3
    # AND the page now says it shows the newest publish
    app.run()
    with duckdb.connect(str(data.serving), read_only=True) as con:
        newest = con.execute("select published_at from serving_meta.run").fetchone()[0]
    from onefunnel import formatting

    assert formatting.timestamp(newest, tz_name="America/New_York") in "\n".join(
        m.value for m in app.markdown
    )

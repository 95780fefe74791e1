"""The Prospect audiences page: each rep's audience size and exclusions are the snapshot's numbers, withheld
files say why, and every download is byte for byte the file `onefunnel audiences export` writes."""

from __future__ import annotations

import hashlib
from datetime import date

import dashboard_truth as truth
import pytest
import snapshot_fixture as fixture
from dashboard_apptest import metrics, open_page, point_at, texts

from onefunnel.audiences import exporter, formats

pytestmark = pytest.mark.integration


def _export(serving, tmp_path) -> tuple[dict, object]:
    manifest = exporter.export_audiences(serving_path=serving, exports_root=tmp_path / "exports")
    return manifest, exporter.run_dir(manifest["run_id"], tmp_path / "exports")


@pytest.mark.slow
def test_page_shows_each_reps_audience_and_exclusions_from_the_snapshot(real_app, published):
    # GIVEN the audience mart of a real tiny pipeline run
    rows = truth.rows(
        published.serving,
        "select o.owner_name, count(*), count(*) filter (where is_included), "
        "count(*) filter (where exclusion_reason = 'customer'), "
        "count(*) filter (where exclusion_reason = 'opted_out'), "
        "count(*) filter (where exclusion_reason = 'no_lawful_basis'), "
        "count(*) filter (where exclusion_reason = 'no_email') "
        "from marts.prospect_audiences a join marts.dim_owners o using (owner_id) group by o.owner_name",
    )
    assert rows, "the tiny portal has no working prospects"
    # WHEN the page opens
    app = real_app("audiences")
    assert not app.exception, [exception.value for exception in app.exception]
    # THEN the table holds every rep with its candidates, audience and exclusions by reason
    table = app.dataframe[0].value.set_index("Rep")
    columns = ["Working prospects", "In audience", "Customers", "Opted out", "No lawful basis", "No email"]
    shown = {rep: tuple(int(value) for value in table.loc[rep, columns]) for rep in table.index}
    assert shown == {name: tuple(counts) for name, *counts in rows}
    # AND the tiles add them up
    assert metrics(app)["Reps with prospects"] == str(len(rows))
    assert metrics(app)["Prospects in audiences"] == f"{sum(row[2] for row in rows):,}"
    # AND under the committed definitions (LinkedIn 300, Meta and Google 100) a tiny portal's are withheld
    assert all(value.startswith("withheld") for value in table["LinkedIn Matched Audiences"])
    assert "files need at least 300" in texts(app)


@pytest.mark.slow
def test_the_internal_list_download_is_the_exported_file(monkeypatch, published, downloads, tmp_path):
    # GIVEN the real snapshot, exported as the DAG would
    point_at(monkeypatch, published.serving, published.quality)
    manifest, folder = _export(published.serving, tmp_path)
    # WHEN the page opens (the first rep of the table is chosen for downloads)
    app = open_page("audiences")
    chosen = app.selectbox(key="audience_rep").value
    # THEN its internal-list download is the exported file, byte for byte
    (label, content), *_ = downloads.of(app).items()
    assert label.startswith(formats.spec("csv").label)
    assert content == (folder / formats.file_name(chosen, "csv")).read_bytes()
    assert manifest["owners"][chosen]["files"]["csv"]["sha256"] == hashlib.sha256(content).hexdigest()


def test_every_format_downloads_the_exported_bytes_and_small_lists_say_why(monkeypatch, downloads, tmp_path):
    # GIVEN a snapshot where rep r1 has 5 prospects, r2 has 2, and ad files need at least 3 (privacy floor)
    serving = fixture.build_snapshot(
        tmp_path / "serving" / "serving.duckdb",
        rows=fixture.quiet_rows(date(2026, 9, 1), date(2026, 10, 1)) | fixture.audience_rows(privacy_floor=3),
    )
    point_at(monkeypatch, serving, tmp_path / "quality")
    _, folder = _export(serving, tmp_path)
    # WHEN the page opens on r1 (the first rep)
    app = open_page("audiences")
    assert not app.exception, [exception.value for exception in app.exception]
    assert app.selectbox(key="audience_rep").value == "r1"
    # THEN there is a download per format, none built before it is clicked
    assert len(downloads.deferred(app)) == 4
    assert downloads.clicked == []
    # AND each, when clicked, is the exported file
    got = downloads.of(app)
    assert len(got) == 4
    for format_key in ("linkedin", "meta", "google", "csv"):
        label = next(label for label in got if label.startswith(formats.spec(format_key).label))
        assert got[label] == (folder / formats.file_name("r1", format_key)).read_bytes(), format_key
    # AND the table shows r2's ad files withheld under the privacy floor, its internal list ready
    table = app.dataframe[0].value.set_index("Rep")
    assert table.loc["Sam Seller", "Meta custom audience"] == "withheld: under the privacy floor (3)"
    assert table.loc["Sam Seller", "Prospect list (internal CSV)"] == "2 rows"
    assert table.loc["Rita Rep", "Opted out"] == 1
    # WHEN r2 is chosen  THEN only its internal list downloads, and the others say why not
    app.selectbox(key="audience_rep").set_value("r2").run()
    assert [label.split(" · ")[0] for label in downloads.of(app)] == ["Prospect list (internal CSV)"]
    assert "Withheld: 2 prospects; no ad audience under the privacy floor of 3." in texts(app)


def test_a_snapshot_without_audiences_says_so(monkeypatch, tmp_path):
    # GIVEN a snapshot published before the audience marts existed
    import duckdb

    serving = fixture.build_snapshot(
        tmp_path / "serving.duckdb", rows=fixture.quiet_rows(date(2026, 9, 1), date(2026, 10, 1))
    )
    with duckdb.connect(str(serving)) as con:
        con.execute("drop table marts.prospect_audience_formats")
    point_at(monkeypatch, serving, tmp_path / "quality")
    # WHEN the page opens  THEN it says so in a sentence
    app = open_page("audiences")
    assert not app.exception, [exception.value for exception in app.exception]
    assert "holds no prospect audiences" in texts(app)


@pytest.mark.slow
def test_owner_filter_narrows_the_page_to_that_rep(real_app, published):
    # GIVEN the rep with the most working prospects in the real snapshot
    owner_id, name, included = truth.rows(
        published.serving,
        "select a.owner_id, o.owner_name, count(*) filter (where is_included) "
        "from marts.prospect_audiences a join marts.dim_owners o using (owner_id) "
        "group by all order by count(*) desc, 1 limit 1",
    )[0]
    # WHEN the owner filter is set to that rep
    app = real_app("audiences", owner=name)
    # THEN the table holds only that rep, the tiles are theirs, and their files are the ones offered
    assert list(app.dataframe[0].value["Rep"]) == [name]
    assert metrics(app)["Prospects in audiences"] == f"{included:,}"
    assert app.selectbox(key="audience_rep").value == owner_id
    assert f"Filtered to **{name}**" in texts(app)

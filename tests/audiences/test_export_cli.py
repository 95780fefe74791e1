"""`onefunnel audiences export` on hand-built snapshots: choosing reps and formats, clear errors for unknown
ones, snapshots without audiences, and old runs cleaned away."""

from __future__ import annotations

import duckdb
import orjson
import pytest
from audience_helpers import file_rows
from click.testing import CliRunner

from onefunnel.audiences import exporter
from onefunnel.cli import main

pytestmark = pytest.mark.integration


def _export(*args: str):
    return CliRunner().invoke(main, ["audiences", "export", *args], catch_exceptions=False)


def test_owner_and_format_options_export_only_those_and_keep_the_rest_of_the_run(hand_built, exports_root):
    # GIVEN a snapshot with two reps and every format turned on
    serving = hand_built()
    common = ["--serving-path", str(serving), "--exports-dir", str(exports_root)]
    # WHEN only rep r1's Meta file is exported
    result = _export("--owner", "r1", "--format", "meta", *common)
    # THEN exactly that file is written and the manifest lists only it
    assert result.exit_code == 0, result.output
    _, manifest = exporter.latest_manifest(exports_root)
    folder = exporter.run_dir(manifest["run_id"], exports_root)
    assert sorted(path.name for path in folder.glob("*.csv")) == ["rep-r1-meta.csv"]
    assert {owner: list(entry["files"]) for owner, entry in manifest["owners"].items()} == {"r1": ["meta"]}
    assert "rep-r1-meta.csv" in result.output
    # WHEN r2's internal list follows  THEN the run's manifest holds both, and r1's file is untouched
    assert _export("--owner", "r2", "--format", "csv", *common).exit_code == 0
    _, manifest = exporter.latest_manifest(exports_root)
    assert {owner: list(entry["files"]) for owner, entry in manifest["owners"].items()} == {
        "r1": ["meta"],
        "r2": ["csv"],
    }
    assert [row["contact_id"] for row in file_rows(folder / "rep-r2-csv.csv")] == ["8", "9"]


def test_unknown_owner_or_format_is_a_clear_error(hand_built, exports_root):
    serving = hand_built(minimums={"meta": 1, "csv": 1})
    common = ["--serving-path", str(serving), "--exports-dir", str(exports_root)]
    # WHEN the owner is not a rep with prospects  THEN it fails naming the owner, writing nothing
    result = _export("--owner", "nobody", *common)
    assert result.exit_code == 1
    assert "no prospect audience for owner id(s) nobody" in result.output
    assert not exporter.audiences_dir(exports_root).exists() or exporter.latest_manifest(exports_root) is None
    # WHEN the format is not one onefunnel knows  THEN the command names the valid ones
    result = _export("--format", "tiktok", *common)
    assert result.exit_code == 2
    assert "'tiktok' is not one of 'linkedin', 'meta', 'google', 'csv'" in result.output
    # WHEN the format is known but the definitions do not turn it on  THEN it says so
    result = _export("--format", "linkedin", *common)
    assert result.exit_code == 1
    assert (
        "format 'linkedin' is not turned on in definitions.yml audiences.formats (turned on: meta, csv)"
        in (result.output)
    )


def test_a_snapshot_without_audiences_or_no_snapshot_is_said_in_words(hand_built, exports_root, tmp_path):
    # GIVEN a snapshot published before the audience marts existed
    serving = hand_built()
    with duckdb.connect(str(serving)) as con:
        con.execute("drop table marts.prospect_audiences")
    result = _export("--serving-path", str(serving), "--exports-dir", str(exports_root))
    # THEN the export stops and says what to do
    assert result.exit_code == 1
    assert "the serving snapshot has no marts.prospect_audiences" in result.output
    # AND with nothing published at all it says that
    result = _export("--serving-path", str(tmp_path / "none.duckdb"), "--exports-dir", str(exports_root))
    assert result.exit_code == 1
    assert "nothing has been published yet" in result.output


def test_only_the_newest_runs_are_kept(tmp_path, exports_root, monkeypatch):
    # GIVEN four published snapshots in turn, and the default of three runs kept
    import snapshot_fixture as fixture

    monkeypatch.delenv(exporter.KEEP_RUNS_ENV, raising=False)
    serving = tmp_path / "serving.duckdb"
    for number in range(4):
        fixture.build_snapshot(serving, rows=fixture.audience_rows(), run={"run_id": f"run-{number}"})
        exporter.export_audiences(serving_path=serving, exports_root=exports_root)
    # THEN the oldest run folder (personal data nobody needs any more) is gone, latest names the newest
    folders = sorted(path.name for path in exporter.audiences_dir(exports_root).iterdir() if path.is_dir())
    assert folders == ["run-1", "run-2", "run-3"]
    latest = orjson.loads((exporter.audiences_dir(exports_root) / exporter.LATEST_FILE).read_bytes())
    assert latest == {"run_id": "run-3", "manifest": "run-3/manifest.json"}

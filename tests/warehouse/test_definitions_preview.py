"""Definitions preview (issue 19): what a proposed definitions file would do, before anyone adopts it.

The preview builds the marts twice from one landing zone, side by side; these tests prove it reports nothing
for an unchanged file, that its numbers are those of a full build under the proposed file, that the records it
lists add up to each change, and that a malformed proposed file builds nothing."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from onefunnel.cli import main
from onefunnel.definitions import DEFAULT_DEFINITIONS_FILE
from onefunnel.warehouse import build_warehouse
from onefunnel.warehouse.preview import preview_definitions

AS_OF = "2026-11-20T12:00:00+00:00"


def _proposed(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    text = DEFAULT_DEFINITIONS_FILE.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "proposed.yml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.scale
def test_preview_of_an_unchanged_file_reports_no_differences(fixture_portal, tmp_path):
    # GIVEN a proposed file that is the definitions in use, byte for byte
    proposed = _proposed(tmp_path)
    # WHEN previewed through the CLI
    outcome = CliRunner().invoke(
        main,
        [
            "definitions",
            "preview",
            str(proposed),
            "--current",
            str(DEFAULT_DEFINITIONS_FILE),
            "--landing-dir",
            str(fixture_portal.landing_dir),
            "--preview-dir",
            str(tmp_path / "preview"),
            "--as-of",
            AS_OF,
        ],
    )
    # THEN it exits 0 and says there are no differences, having compared every metric-month
    assert outcome.exit_code == 0, outcome.output
    assert "No differences" in outcome.output
    with duckdb.connect(str(tmp_path / "preview" / "preview.duckdb"), read_only=True) as con:
        compared, moves = con.execute(
            "select (select count(*) from preview_metrics), (select count(*) from preview_moves)"
        ).fetchone()
    assert compared > 0
    assert moves == 0


@pytest.mark.scale
def test_preview_numbers_equal_a_full_build_under_the_proposed_file(fixture_portal, tmp_path):
    # GIVEN a proposed file with a stricter sales SLA (4 hours instead of 24) and referrals sourced by sales
    proposed = _proposed(
        tmp_path,
        ("first_touch_hours: 24", "first_touch_hours: 4"),
        ("  REFERRALS: marketing", "  REFERRALS: sales"),
    )
    # WHEN previewed
    result = preview_definitions(
        proposed,
        current=DEFAULT_DEFINITIONS_FILE,
        landing_dir=fixture_portal.landing_dir,
        preview_dir=tmp_path / "preview",
        as_of=AS_OF,
    )
    # AND, independently, the warehouse is built under the proposed file alone
    independent = tmp_path / "independent" / "warehouse.duckdb"
    independent.parent.mkdir()
    build_warehouse(
        fixture_portal.landing_dir, independent, proposed, as_of=AS_OF, freeze_due=False, run_tests=False
    )
    # THEN the preview's proposed numbers are that build's, metric by metric and month by month
    with duckdb.connect(str(result.preview_path), read_only=True) as con:
        con.execute("attach ? as independent (read_only)", [str(independent)])
        mismatches = con.execute(
            """
            select p.metric_key, p.month_start, p.proposed_value, i.metric_value
            from preview_metrics as p
            full outer join independent.marts.metrics_monthly as i
                on p.metric_key = i.metric_key and p.month_start = i.month_start
            where p.proposed_value is distinct from i.metric_value
            """
        ).fetchall()
        moves_by_change = dict(
            con.execute(
                """
                select metric_key || '/' || cast(month_start as varchar),
                       sum(coalesce(proposed_contribution, 0) - coalesce(current_contribution, 0))
                from preview_moves group by all
                """
            ).fetchall()
        )
    assert mismatches == []
    # AND the SLA change moves MQLs out of "within SLA", and the report says so
    assert result.changes, "a 4-hour SLA must change some month"
    assert any(change.metric_key == "mqls_within_sla" and change.delta < 0 for change in result.changes)
    # AND every change is explained record by record: the moved records' contributions add up to it
    for change in result.changes:
        key = f"{change.metric_key}/{change.month_start}"
        assert moves_by_change.get(key, 0) == pytest.approx(change.delta), key
    report = result.report_path.read_text(encoding="utf-8")
    assert "| mqls_within_sla |" in report
    assert "### Records that move" in report


def test_a_malformed_proposed_file_builds_nothing_and_names_the_key(fixture_portal, tmp_path):
    # GIVEN a proposed file that writes a number as a string
    proposed = _proposed(tmp_path, ("first_touch_hours: 24", 'first_touch_hours: "24"'))
    # WHEN previewed
    outcome = CliRunner().invoke(
        main,
        [
            "definitions",
            "preview",
            str(proposed),
            "--landing-dir",
            str(fixture_portal.landing_dir),
            "--preview-dir",
            str(tmp_path / "preview"),
        ],
    )
    # THEN it exits 2 naming the key, and nothing was built
    assert outcome.exit_code == 2
    assert "first_touch_hours" in outcome.output
    assert not (tmp_path / "preview").exists()


def test_the_demo_previews_a_change_that_applies_to_the_committed_definitions(tmp_path):
    # GIVEN the committed definitions.yml and the change the demo previews after its pipeline run
    from onefunnel.definitions import load_definitions
    from onefunnel.demo import DEMO_PROPOSED_CHANGE

    text = DEFAULT_DEFINITIONS_FILE.read_text(encoding="utf-8")
    # THEN every rule the change rewrites is in the file (else the demo would skip its preview)
    for old, _new in DEMO_PROPOSED_CHANGE:
        assert text.count(old) == 1, old
    # AND the proposed file validates and is a different version
    proposed = _proposed(tmp_path, *DEMO_PROPOSED_CHANGE)
    assert load_definitions(proposed).version != load_definitions(DEFAULT_DEFINITIONS_FILE).version


def test_a_failed_demo_preview_is_reported_and_the_demo_goes_on(tmp_path, monkeypatch, capsys):
    # GIVEN a preview whose build fails (the build's own refusals are tested with the warehouse build)
    from onefunnel.demo import _preview_a_definitions_change
    from onefunnel.warehouse import preview as preview_module
    from onefunnel.warehouse.build import WarehouseBuildError

    def failing_build(*_args, **_kwargs):
        raise WarehouseBuildError("dbt build failed: model fct_leads")

    monkeypatch.setattr(preview_module, "preview_definitions", failing_build)
    monkeypatch.setenv("ONEFUNNEL_PREVIEW_DIR", str(tmp_path / "preview"))
    monkeypatch.setenv("ONEFUNNEL_DEFINITIONS", str(DEFAULT_DEFINITIONS_FILE))
    # WHEN the demo previews its example change
    _preview_a_definitions_change()
    # THEN it says why there is no preview, naming the failure, instead of stopping the demo
    reported = capsys.readouterr().err
    assert "definitions preview failed" in reported
    assert "fct_leads" in reported

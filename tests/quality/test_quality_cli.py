"""`onefunnel check` and `onefunnel publish` from the shell: exit codes and what they print."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from quality_helpers import Paths, make_summary, make_warehouse, record_summary

from onefunnel.quality.cli import check, publish
from onefunnel.quality.severity import Severity

pytestmark = pytest.mark.unit


def test_check_passes_and_prints_json(paths: Paths, fixture_landing):
    # GIVEN a clean landing zone / WHEN the landing checkpoint runs from the shell
    result = CliRunner().invoke(
        check,
        [
            "--checkpoint",
            "landing",
            "--landing-dir",
            str(paths.landing),
            "--warehouse",
            str(paths.warehouse),
            "--quality-dir",
            str(paths.quality),
            "--no-docs",
            "--json",
        ],
    )
    # THEN it exits 0 and prints the machine-readable summary it also wrote to disk
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["status"] == "passed"
    assert printed["landing_run_id"] == fixture_landing.run_id
    assert json.loads((paths.quality / "summary.json").read_text())["run_id"] == printed["run_id"]


def test_check_exits_1_on_a_critical_failure_and_names_it(paths: Paths, fixture_landing):
    (paths.landing / "_runs" / f"{fixture_landing.run_id}.json").write_text(
        json.dumps(
            {
                "run_id": fixture_landing.run_id,
                "ok": False,
                "error": "boom",
                "started_at": fixture_landing.started_at.isoformat(),
                "objects": {},
            }
        )
    )
    result = CliRunner().invoke(
        check,
        [
            "--checkpoint",
            "landing",
            "--landing-dir",
            str(paths.landing),
            "--quality-dir",
            str(paths.quality),
            "--warehouse",
            str(paths.warehouse),
            "--no-docs",
        ],
    )
    assert result.exit_code == 1
    assert "FAILED" in result.output
    assert "landing.run.finished" in result.output


def test_check_rejects_an_unknown_checkpoint(paths: Paths):
    result = CliRunner().invoke(check, ["--checkpoint", "nope", "--quality-dir", str(paths.quality)])
    assert result.exit_code == 2
    assert "unknown checkpoint 'nope'" in result.output


def test_publish_refuses_with_reasons_and_exit_1(paths: Paths):
    make_warehouse(paths.warehouse)
    record_summary(paths.quality, make_summary(paths.warehouse, failed=(("landing.x", Severity.CRITICAL),)))
    result = CliRunner().invoke(
        publish,
        [
            "--warehouse",
            str(paths.warehouse),
            "--target",
            str(paths.serving),
            "--quality-dir",
            str(paths.quality),
        ],
    )
    assert result.exit_code == 1
    assert "Not published; the previous snapshot keeps serving." in result.output
    assert "landing.x" in result.output
    assert not paths.serving.exists()


def test_publish_prints_what_it_published(paths: Paths):
    make_warehouse(paths.warehouse)
    summary = record_summary(paths.quality, make_summary(paths.warehouse))
    result = CliRunner().invoke(
        publish,
        [
            "--warehouse",
            str(paths.warehouse),
            "--target",
            str(paths.serving),
            "--quality-dir",
            str(paths.quality),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["published"] is True
    assert printed["run_id"] == summary.run_id
    assert printed["tables"] == {"marts.deals_monthly": 1, "marts.funnel_period_monthly": 50}

"""A truncated Parquet part in the landing zone made `onefunnel check` crash with a raw DuckDB exception and
no summary; now the check records a failed summary whose critical `landing.run.finished` names the file
(so publish is refused), and the other checks still run on the readable parts."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from quality_helpers import Paths

from onefunnel.quality.cli import check
from onefunnel.quality.history import latest_summary
from onefunnel.quality.runner import CheckOptions, run_checks
from onefunnel.quality.severity import CheckStatus, RunStatus, Severity

pytestmark = pytest.mark.unit


def test_a_truncated_landing_part_fails_check_with_a_summary_naming_the_file(paths: Paths, fixture_landing):
    # GIVEN a landing run with one truncated contacts part
    part = sorted((paths.landing / "contacts").glob("run_id=*/*.parquet"))[0]
    part.write_bytes(part.read_bytes()[:100])
    relative = part.relative_to(paths.landing).as_posix()
    # WHEN the landing checkpoint runs from the shell
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
    # THEN it exits 1 without a traceback, printing and recording a failed summary
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    printed = json.loads(result.output)
    assert printed["status"] == "failed"
    summary = latest_summary(paths.quality)
    assert summary.run_id == printed["run_id"]
    assert summary.status is RunStatus.FAILED
    assert not summary.status.publishable
    # AND the critical check that failed names the file and what to do
    finished = summary.check("landing.run.finished")
    assert (finished.status, finished.severity) == (CheckStatus.FAILED, Severity.CRITICAL)
    assert relative in finished.message
    assert "onefunnel extract" in finished.message
    # AND the checks on the other datasets still ran
    assert summary.check("landing.deals.amount_non_negative").status is CheckStatus.PASSED


def test_a_part_with_a_footer_damaged_in_place_fails_check_naming_the_file(paths: Paths, fixture_landing):
    # GIVEN a deals part whose footer bytes were overwritten (the magic bytes and length still look right)
    part = sorted((paths.landing / "deals").glob("run_id=*/*.parquet"))[0]
    data = bytearray(part.read_bytes())
    footer = int.from_bytes(data[-8:-4], "little")
    data[-8 - footer : -8] = b"\xab" * footer
    part.write_bytes(bytes(data))
    # WHEN the landing checkpoint runs
    summary = run_checks(
        CheckOptions(
            checkpoints=["landing"],
            landing_dir=paths.landing,
            warehouse_path=paths.warehouse,
            quality_dir=paths.quality,
            build_docs=False,
        )
    )
    # THEN the summary is failed and the critical check names the file
    assert summary.status is RunStatus.FAILED
    finished = summary.check("landing.run.finished")
    assert finished.status is CheckStatus.FAILED
    assert part.relative_to(paths.landing).as_posix() in finished.message

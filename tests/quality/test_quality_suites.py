"""The suite files in expectations/: they load, every check becomes a valid GX expectation, and a broken
suite file is rejected with a message naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from onefunnel.quality.gx_engine import build_expectation
from onefunnel.quality.severity import Severity
from onefunnel.quality.suites import SuiteError, load_catalogue

pytestmark = pytest.mark.unit

# Stand-ins for $param values, so every expectation's kwargs can be validated without data.
PARAM_STANDINS = {
    "property_options": ["a"],
    "owner_ids": ["1"],
    "pipeline_ids": ["default"],
    "pipeline_stage_ids": ["closedwon"],
    "lifecycle_stages": ["lead"],
    "definitions_version": ["abc"],
}


def _standin(value):
    if isinstance(value, dict) and "$param" in value:
        return value.get("default", PARAM_STANDINS.get(value["$param"]))
    if isinstance(value, dict):
        return {key: _standin(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_standin(item) for item in value]
    return value


def test_repo_suites_load_and_build_as_gx_expectations():
    # GIVEN the suites kept in the repo
    catalogue = load_catalogue()
    # WHEN every check is turned into a GX expectation
    built = [
        build_expectation(check, _standin(dict(check.kwargs)))
        for suite in catalogue.suites
        for check in suite.checks
    ]
    # THEN each one is valid, both severities are used, and every checkpoint has suites
    assert len(built) >= 30
    severities = {check.severity for suite in catalogue.suites for check in suite.checks}
    assert severities == {Severity.CRITICAL, Severity.WARNING}
    for checkpoint in catalogue.checkpoints:
        assert catalogue.suites_of(checkpoint.name), f"checkpoint {checkpoint.name} has no suite"


def test_every_defect_names_a_check_that_exists():
    # GIVEN the defect catalogue and the suites
    from onefunnel.quality.defects import DEFECTS

    severity = {check.name: check.severity for suite in load_catalogue().suites for check in suite.checks}
    # THEN every defect's check is a real check, and all but the late-data one block publishing
    for defect in DEFECTS.values():
        assert defect.check in severity
    blocking = [name for name, defect in DEFECTS.items() if severity[defect.check] is Severity.CRITICAL]
    assert len(blocking) >= 12


def _write(root: Path, suite_text: str) -> Path:
    (root / "landing").mkdir(parents=True)
    (root / "checkpoints.yml").write_text(
        "checkpoints:\n  - name: landing\n    description: d\n    needs: [landing]\n"
    )
    (root / "landing" / "broken.yml").write_text(suite_text)
    return root


def test_a_check_on_an_unknown_table_is_rejected_naming_file_and_key(tmp_path):
    # GIVEN a suite whose check names a table it does not define
    root = _write(
        tmp_path,
        """
suite: s
checkpoint: landing
description: d
tables:
  t: {description: d, sql: select 1 as a}
checks:
  - {name: s.a, table: nope, column: a, expectation: expect_column_values_to_not_be_null,
     severity: critical, description: d}
""",
    )
    # WHEN it is loaded / THEN the error names the file and the unknown table
    with pytest.raises(SuiteError, match=r"(?s)broken\.yml.*'nope'"):
        load_catalogue(root)


def test_an_unknown_severity_is_rejected(tmp_path):
    root = _write(
        tmp_path,
        """
suite: s
checkpoint: landing
description: d
tables:
  t: {description: d, sql: select 1 as a}
checks:
  - {name: s.a, table: t, column: a, expectation: expect_column_values_to_not_be_null,
     severity: fatal, description: d}
""",
    )
    with pytest.raises(SuiteError, match=r"checks\.0\.severity"):
        load_catalogue(root)


def test_a_suite_for_an_undefined_checkpoint_is_rejected(tmp_path):
    root = _write(
        tmp_path,
        """
suite: s
checkpoint: marts_only
description: d
tables:
  t: {description: d, sql: select 1 as a}
checks:
  - {name: s.a, table: t, column: a, expectation: expect_column_values_to_not_be_null,
     severity: warning, description: d}
""",
    )
    with pytest.raises(SuiteError, match="marts_only"):
        load_catalogue(root)

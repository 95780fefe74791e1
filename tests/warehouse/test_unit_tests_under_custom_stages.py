"""dbt unit tests are written for the default stage mapping: under a portal's custom lifecycle stages they are
left out of the build with a stated reason instead of failing to compile (the custom-stages demo died).
"""

from __future__ import annotations

import pytest

from onefunnel.config import REPO_ROOT
from onefunnel.definitions import load_definitions
from onefunnel.warehouse.build import unit_tests_unsupported_reason

pytestmark = pytest.mark.unit


def test_unit_tests_run_under_the_default_definitions():
    # GIVEN the shipped definitions WHEN asked whether the unit tests can run THEN nothing stops them
    assert unit_tests_unsupported_reason(load_definitions(REPO_ROOT / "definitions.yml")) is None


def test_unit_tests_are_skipped_naming_the_unmapped_stages_under_custom_lifecycle_stages():
    # GIVEN definitions for a portal that removed the default `opportunity` stage
    custom = load_definitions(REPO_ROOT / "definitions.custom-stages.yml")
    # WHEN asked whether the unit tests (default stage mapping) can run
    reason = unit_tests_unsupported_reason(custom)
    # THEN they are skipped with a reason naming the stage they need and saying what still checks the numbers
    assert reason is not None
    assert "'opportunity'" in reason
    assert "quality gate still run" in reason

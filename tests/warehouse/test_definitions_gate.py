"""A malformed definitions file stops the build before dbt starts, naming the key, and builds nothing."""

from __future__ import annotations

import pytest
import yaml
from click.testing import CliRunner

from onefunnel.definitions import DEFAULT_DEFINITIONS_FILE, DefinitionsError
from onefunnel.warehouse import build_warehouse
from onefunnel.warehouse.cli import transform

pytestmark = pytest.mark.unit


def _bad_definitions(tmp_path):
    content = yaml.safe_load(DEFAULT_DEFINITIONS_FILE.read_text())
    content["sla"]["first_touch_hours"] = "a day"
    path = tmp_path / "definitions.yml"
    path.write_text(yaml.safe_dump(content))
    return path


def test_malformed_definitions_fail_naming_the_key_and_build_nothing(tmp_path):
    # GIVEN a definitions file whose SLA hours are not a number
    definitions = _bad_definitions(tmp_path)
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"
    # WHEN the warehouse is built THEN the error names the key
    with pytest.raises(DefinitionsError, match=r"sla\.first_touch_hours"):
        build_warehouse(tmp_path / "landing", warehouse, definitions)
    # AND nothing was built: no warehouse file, not even its folder
    assert not warehouse.parent.exists()


def test_transform_command_reports_the_bad_key(tmp_path):
    # GIVEN the same bad file WHEN `onefunnel transform` runs THEN it exits 2 naming the key
    result = CliRunner().invoke(
        transform,
        ["--definitions", str(_bad_definitions(tmp_path)), "--warehouse", str(tmp_path / "w.duckdb")],
    )
    assert result.exit_code == 2
    assert "sla.first_touch_hours" in result.output


def test_print_vars_carries_the_definitions_and_their_version():
    # GIVEN the committed definitions WHEN printed as dbt vars THEN they hold the rules and the version
    import json

    from onefunnel.definitions import load_definitions

    result = CliRunner().invoke(transform, ["--print-vars"])
    assert result.exit_code == 0
    variables = json.loads(result.output)
    assert variables["definitions_version"] == load_definitions().version
    assert variables["onefunnel_definitions"]["sla"]["first_touch_hours"] == 24

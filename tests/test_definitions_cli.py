"""Nothing is built from a bad definitions file (issue 13, item 9): the commands that read definitions.yml
stop with one clear line naming the key, and the warehouse is left as it was."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from onefunnel.cli import main
from onefunnel.definitions import DEFAULT_DEFINITIONS_FILE

SECOND_SLA_BLOCK = (
    "\nsla:\n  first_touch_hours: 1\n  mql_to_sql_window_days: 90\n"
    "  mql_to_sql_target_rate: 0.3\n  untouched_aging_days: 7\n"
)


@pytest.fixture
def duplicate_sla_definitions(tmp_path) -> Path:
    path = tmp_path / "definitions.yml"
    path.write_text(DEFAULT_DEFINITIONS_FILE.read_text() + SECOND_SLA_BLOCK, encoding="utf-8")
    return path


@pytest.fixture
def existing_warehouse(tmp_path) -> Path:
    # Stands in for last night's warehouse: only its bytes and mtime matter, nothing may open it.
    warehouse = tmp_path / "data" / "warehouse" / "warehouse.duckdb"
    warehouse.parent.mkdir(parents=True)
    warehouse.write_bytes(b"last good build")
    return warehouse


def _state(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        str(path.relative_to(folder)): (
            hashlib.sha256(path.read_bytes()).hexdigest(),
            path.stat().st_mtime_ns,
        )
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.mark.unit
def test_transform_with_a_second_sla_block_exits_2_in_one_line_and_builds_nothing(
    tmp_path, duplicate_sla_definitions, existing_warehouse, monkeypatch
):
    # GIVEN a data folder with a warehouse and a definitions file with a second `sla:` block (1-hour SLA)
    monkeypatch.setenv("ONEFUNNEL_DATA_DIR", str(tmp_path / "data"))
    before = _state(tmp_path / "data")
    # WHEN `onefunnel transform` runs with it
    result = CliRunner().invoke(
        main,
        [
            "transform",
            "--definitions",
            str(duplicate_sla_definitions),
            "--warehouse",
            str(existing_warehouse),
        ],
    )
    # THEN it exits 2 with one line naming the file, the key and both lines
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("definitions: definitions.yml: duplicate key sla at lines ")
    # AND nothing in the data folder was created or touched (no dbt folder, the warehouse as it was)
    assert _state(tmp_path / "data") == before
    assert not (existing_warehouse.parent / "dbt").exists()


@pytest.mark.unit
def test_transform_with_a_boolean_sla_says_so_in_one_line(tmp_path, existing_warehouse):
    # GIVEN `first_touch_hours: true` (YAML's boolean, which used to mean a 1-hour SLA)
    definitions = tmp_path / "definitions.yml"
    definitions.write_text(
        DEFAULT_DEFINITIONS_FILE.read_text().replace("first_touch_hours: 24", "first_touch_hours: true"),
        encoding="utf-8",
    )
    # WHEN `onefunnel transform` runs
    result = CliRunner().invoke(
        main, ["transform", "--definitions", str(definitions), "--warehouse", str(existing_warehouse)]
    )
    # THEN it exits 2 with one line naming the key and why
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [
        "definitions: definitions.yml is invalid: "
        "sla.first_touch_hours: must be a number, not the boolean true"
    ]


@pytest.mark.unit
def test_print_vars_with_a_second_sla_block_exits_2_instead_of_printing_a_one_hour_sla(
    duplicate_sla_definitions,
):
    # GIVEN the same file WHEN the dbt vars are printed (the documented way to run dbt by hand)
    result = CliRunner().invoke(
        main, ["transform", "--print-vars", "--definitions", str(duplicate_sla_definitions)]
    )
    # THEN no vars are printed: it exits 2 naming the duplicate key
    assert result.exit_code == 2
    assert "duplicate key sla" in result.output
    assert "first_touch_hours" not in result.output


@pytest.mark.unit
def test_month_close_with_a_boolean_close_day_exits_2_and_freezes_nothing(tmp_path, existing_warehouse):
    # GIVEN `month_close_day: true` (YAML's boolean, which used to count as day 1)
    definitions = tmp_path / "definitions.yml"
    definitions.write_text(
        DEFAULT_DEFINITIONS_FILE.read_text().replace("month_close_day: 5", "month_close_day: true"),
        encoding="utf-8",
    )
    before = _state(tmp_path / "data")
    # WHEN `onefunnel month-close` runs
    result = CliRunner().invoke(
        main, ["month-close", "--definitions", str(definitions), "--warehouse", str(existing_warehouse)]
    )
    # THEN it exits 2 naming the key, and nothing was frozen
    assert result.exit_code == 2, result.output
    assert "month_close_day: must be a number, not the boolean true" in result.output
    assert _state(tmp_path / "data") == before


@pytest.mark.integration
@pytest.mark.slow
def test_check_with_a_second_sla_block_never_passes_and_names_the_key(
    tmp_path, duplicate_sla_definitions, monkeypatch
):
    # GIVEN a data folder and a definitions file with a second `sla:` block
    monkeypatch.setenv("ONEFUNNEL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ONEFUNNEL_DEFINITIONS", str(duplicate_sla_definitions))
    # WHEN the quality gate runs
    result = CliRunner().invoke(main, ["check", "--no-docs", "--json"])
    # THEN it does not pass (so publish refuses) and the summary names the duplicate key
    assert result.exit_code != 0
    summary = json.loads(result.stdout)
    assert summary["status"] == "failed"
    assert summary["definitions_version"] is None
    assert any("duplicate key sla at lines" in note for note in summary["notes"])

"""The dashboard's SQL and its hand-built test snapshot follow the real schema: the dbt YAML of the marts
and a snapshot a real pipeline published. And SQL is only ever parameterised."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import dashboard_truth as truth
import pytest
import snapshot_fixture as fixture
import yaml
from dashboard_apptest import REPO_ROOT
from dashboards.lib import queries, sql

MARTS_DIR = REPO_ROOT / "dbt_project" / "models" / "marts"
DASHBOARDS = REPO_ROOT / "dashboards"
TABLE = re.compile(r"\bmarts\.([a-z_]+)")
# Values for every named parameter any query uses (types as the pages pass them).
PARAMETERS = {
    "start": date(2025, 1, 1),
    "end": date(2026, 12, 1),
    "month": date(2026, 9, 1),
    "team": "marketing",
    "owner": "1",
    "source": "ORGANIC_SEARCH",
    "pipeline": "default",
    "as_of": datetime(2026, 11, 1),
    "limit": 10,
}


def _family(kind: str) -> str:
    kind = kind.lower()
    if kind.startswith(("bigint", "hugeint", "integer", "double", "decimal", "float", "smallint", "ubigint")):
        return "number"
    if kind.startswith(("varchar", "text")):
        return "text"
    return kind.split("(")[0]


def _queries() -> dict[str, str]:
    return {
        name: text
        for name, text in vars(sql).items()
        if name.isupper() and isinstance(text, str) and "select" in text.lower()
    }


@pytest.mark.unit
def test_every_mart_the_dashboard_reads_is_in_the_dbt_yaml_and_in_the_fixture():
    # GIVEN the marts the dbt project declares and the ones the dashboard's SQL names
    declared = {
        model["name"]: model
        for path in sorted(MARTS_DIR.rglob("_*models.yml"))
        for model in yaml.safe_load(path.read_text())["models"]
    }
    read = {table for text in _queries().values() for table in TABLE.findall(text)}
    # THEN each is declared by dbt and laid out by the fixture
    assert read - set(declared) == set(), "the dashboard reads a mart the dbt project does not declare"
    assert read - set(fixture.MARTS) == set(), "the fixture lacks a mart the dashboard reads"
    # AND the fixture has every column the YAML names for those models
    for name in fixture.MARTS:
        yaml_columns = {column["name"] for column in declared[name].get("columns", [])}
        assert yaml_columns <= set(fixture.MARTS[name]), (name, yaml_columns - set(fixture.MARTS[name]))


@pytest.mark.integration
@pytest.mark.slow
def test_fixture_layout_matches_a_real_published_snapshot(published):
    # GIVEN the columns of a snapshot the real pipeline published
    real: dict[str, dict[str, str]] = {}
    for table, column, kind in truth.rows(
        published.serving,
        "select table_name, column_name, data_type from information_schema.columns where table_schema = "
        "'marts'",
    ):
        real.setdefault(table, {})[column] = kind
    # THEN every fixture table and column exists there, with the same kind of type
    for table, columns in fixture.MARTS.items():
        assert table in real, f"marts.{table} is not in a real snapshot"
        for column, kind in columns.items():
            assert column in real[table], f"marts.{table}.{column} is not in a real snapshot"
            assert _family(kind) == _family(real[table][column]), (table, column, kind, real[table][column])


@pytest.mark.integration
def test_every_query_runs_on_the_fixture_layout(tmp_path):
    # GIVEN an empty snapshot in the fixture's layout
    path = fixture.build_snapshot(tmp_path / "serving.duckdb")
    version, _ = queries.current_version(path)
    # THEN every named query runs, with its parameters bound (the definitions tables are read only when a
    # snapshot carries them, see queries.settings)
    for name in set(_queries()) - {"DEFINITIONS_CURRENT"}:
        queries.run_query(version, name, **PARAMETERS)


@pytest.mark.unit
def test_sql_is_fixed_text_with_named_parameters_only():
    for name, text in _queries().items():
        # no leftovers of string formatting: every value is a $parameter
        for leftover in ("{", "}", "%s", "?"):
            assert leftover not in text, (name, leftover)
        for parameter in re.findall(r"\$([a-z_]+)", text):
            assert parameter in PARAMETERS, (name, parameter)


@pytest.mark.unit
def test_only_the_query_layer_talks_to_duckdb():
    # The pages and helpers never build or run SQL themselves: all of it goes through lib/sql.py + queries.py.
    allowed = {DASHBOARDS / "lib" / "queries.py", DASHBOARDS / "lib" / "snapshot.py"}
    for path in DASHBOARDS.rglob("*.py"):
        source = path.read_text()
        if path in allowed:
            assert 'execute(f"' not in source, path
            assert "execute(f'" not in source, path
            continue
        assert ".execute(" not in source, f"{path.relative_to(REPO_ROOT)} runs SQL outside the query layer"
        assert "duckdb.connect" not in source, path


@pytest.mark.unit
def test_the_dashboard_never_names_the_warehouse():
    for path in DASHBOARDS.rglob("*.py"):
        source = path.read_text().lower()
        assert "warehouse.duckdb" not in source, Path(path).name
        assert "onefunnel_warehouse" not in source, Path(path).name

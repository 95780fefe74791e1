"""Names dbt turns into PostgreSQL relations fit PostgreSQL's 63-character identifier limit (fast: reads the
project's YAML; the Postgres build itself is the scale test test_postgres_warehouse.py)."""

from __future__ import annotations

import pytest
import yaml

from onefunnel.warehouse.build import DBT_PROJECT_DIR

pytestmark = pytest.mark.unit

POSTGRES_IDENTIFIER_LIMIT = 63


def test_unit_test_and_model_names_fit_postgres_identifiers():
    # GIVEN every unit test and model the project declares (unit tests run as relations named after them)
    too_long = []
    for path in sorted((DBT_PROJECT_DIR / "models").rglob("*.yml")):
        document = yaml.safe_load(path.read_text()) or {}
        for entry in (document.get("unit_tests") or []) + (document.get("models") or []):
            if len(entry["name"]) > POSTGRES_IDENTIFIER_LIMIT:
                too_long.append(
                    f"{path.relative_to(DBT_PROJECT_DIR)}: {entry['name']} ({len(entry['name'])})"
                )
    for path in sorted((DBT_PROJECT_DIR / "models").rglob("*.sql")):
        if len(path.stem) > POSTGRES_IDENTIFIER_LIMIT:
            too_long.append(f"{path.relative_to(DBT_PROJECT_DIR)} ({len(path.stem)})")
    # THEN none is longer than PostgreSQL accepts (dbt build --target postgres fails on it)
    assert not too_long, too_long

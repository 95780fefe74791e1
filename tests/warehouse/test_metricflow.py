"""The semantic layer: `mf validate-configs` passes; metrics queried through MetricFlow equal the marts."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from onefunnel.warehouse import DBT_PROJECT_DIR

pytestmark = [pytest.mark.integration, pytest.mark.slow]

MF = Path(sys.executable).with_name("mf")


def _mf_project(tmp_path: Path, built_warehouse) -> tuple[Path, dict]:
    """A copy of the dbt project whose target/ holds the build's semantic manifest (mf reads it there)."""
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    (project / "target").mkdir()
    manifest = built_warehouse.path.parent / "dbt" / "target" / "semantic_manifest.json"
    shutil.copy(manifest, project / "target" / "semantic_manifest.json")
    environment = {
        **os.environ,
        "ONEFUNNEL_WAREHOUSE": str(built_warehouse.path),
        "ONEFUNNEL_LANDING_DIR": str(built_warehouse.portal.landing_dir),
        "DBT_PROFILES_DIR": str(project),
        "DBT_PROJECT_DIR": str(project),
    }
    return project, environment


def test_mf_validate_configs_passes(tmp_path, built_warehouse):
    # GIVEN the built warehouse and its semantic manifest WHEN MetricFlow validates every config
    project, environment = _mf_project(tmp_path, built_warehouse)
    completed = subprocess.run(
        [str(MF), "validate-configs"],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # THEN it succeeds, against the warehouse too
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "ERRORS: 0" in completed.stdout
    assert "Successfully validated metrics against data warehouse" in completed.stdout


def test_metrics_through_metricflow_equal_the_marts(tmp_path, built_warehouse):
    # GIVEN the semantic layer WHEN MQLs, closed-won revenue and MQL->SQL conversion are queried by month
    project, environment = _mf_project(tmp_path, built_warehouse)
    output = tmp_path / "metrics.csv"
    completed = subprocess.run(
        [
            str(MF),
            "query",
            "--metrics",
            "mqls,closed_won_revenue",
            "--group-by",
            "metric_time__month",
            "--csv",
            str(output),
        ],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    through_metricflow = {}
    with output.open() as handle:
        for row in csv.DictReader(handle):
            if row["metric_time__month"]:
                month = row["metric_time__month"][:10]
                through_metricflow[month] = (
                    int(float(row["mqls"] or 0)),
                    float(row["closed_won_revenue"] or 0),
                )
    # THEN every month equals the period funnel and deals marts
    in_marts = {
        str(month): (mqls, revenue)
        for month, mqls, revenue in built_warehouse.query("""
            select period.month_start, period.contacts_entered, deals.revenue_won
            from marts.funnel_period_monthly as period
            inner join marts.deals_monthly as deals on period.month_start = deals.month_start
            where period.stage_key = 'mql'""")
    }
    assert through_metricflow
    for month, values in through_metricflow.items():
        assert values == pytest.approx(in_marts[month]), month
    assert sum(v[0] for v in through_metricflow.values()) == sum(v[0] for v in in_marts.values())

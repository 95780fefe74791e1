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
    rows = _mf_query(
        project, environment, tmp_path / "metrics.csv", ["mqls", "closed_won_revenue"], ["metric_time__month"]
    )
    through_metricflow = {
        row["metric_time__month"][:10]: (int(float(row["mqls"] or 0)), float(row["closed_won_revenue"] or 0))
        for row in rows
        if row["metric_time__month"]
    }
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


# ----------------------------------------------------------------------------- every headline metric by slice
# Each family of headline metrics, the entity path of its team / owner / source dimensions, and the slice mart
# (models/marts/slices) that holds the same numbers: (mart, the mart's column per metric, a fixed filter).
ALL_PIPELINES = "pipeline_id = '(all)'"  # deals are sliced by pipeline too: every pipeline here
FAMILIES = {
    "funnel": (
        "lead",
        {
            "leads": ("funnel_period_slices", "contacts_entered", "stage_key = 'lead'"),
            "mqls": ("funnel_period_slices", "contacts_entered", "stage_key = 'mql'"),
            "sqls": ("funnel_period_slices", "contacts_entered", "stage_key = 'sql'"),
        },
    ),
    "sla": (
        "lead",
        {
            "mqls_within_sla": ("sla_sales_slices", "mqls_within_sla", "true"),
            "mqls_breached": ("sla_sales_slices", "mqls_breached", "true"),
            "mqls_untouched": ("sla_sales_slices", "mqls_untouched", "true"),
            "mqls_unassigned": ("sla_sales_slices", "mqls_unassigned", "true"),
        },
    ),
    "deals": (
        "deal",
        {
            "deals_created": ("deals_slices", "deals_created", ALL_PIPELINES),
            "pipeline_created": ("deals_slices", "pipeline_created", ALL_PIPELINES),
            "deals_won": ("deals_slices", "deals_won", ALL_PIPELINES),
            "closed_won_revenue": ("deals_slices", "revenue_won", ALL_PIPELINES),
        },
    ),
}
SLICE_COLUMNS = {"source_team": "source_team", "owner_id": "owner_id", "original_source": "original_source"}


def _mf_query(
    project: Path, environment: dict, output: Path, metrics: list[str], group_by: list[str]
) -> list[dict]:
    completed = subprocess.run(
        [
            str(MF),
            "query",
            "--metrics",
            ",".join(metrics),
            "--group-by",
            ",".join(group_by),
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
    with output.open() as handle:
        return list(csv.DictReader(handle))


def _from_slices(built_warehouse, mart: str, column: str, where: str, dimension: str | None) -> dict:
    """{(month, member): value} of the slice mart, every other slice dimension rolled up ('(all)')."""
    rolled_up = " and ".join(
        f"{name} <> '(all)'" if name == dimension else f"{name} = '(all)'" for name in SLICE_COLUMNS
    )
    member = dimension or "'(all)'"
    rows = built_warehouse.query(
        f"select month_start, {member}, {column} from marts.{mart} where {where} and {rolled_up}"
    )
    return {(str(month), str(key)): float(value) for month, key, value in rows if value}


@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("dimension", [None, *SLICE_COLUMNS])
def test_headline_metrics_by_month_team_owner_and_source_equal_the_slice_marts(
    tmp_path, built_warehouse, family, dimension
):
    # GIVEN a family of headline metrics and the entity that carries its team / owner / source
    entity, metrics = FAMILIES[family]
    project, environment = _mf_project(tmp_path, built_warehouse)
    group_by = ["metric_time__month"] + ([f"{entity}__{dimension}"] if dimension else [])
    # WHEN they are queried through MetricFlow by month and the dimension
    rows = _mf_query(project, environment, tmp_path / "metrics.csv", list(metrics), group_by)
    # THEN each metric equals its slice mart, month by month and member by member (no value = '(none)')
    for metric, (mart, column, where) in metrics.items():
        through_metricflow = {}
        for row in rows:
            if not row["metric_time__month"] or not row[metric] or float(row[metric]) == 0:
                continue
            member = (row[group_by[1]] or "(none)") if dimension else "(all)"
            through_metricflow[(row["metric_time__month"][:10], member)] = float(row[metric])
        in_mart = _from_slices(built_warehouse, mart, column, where, dimension)
        assert through_metricflow, metric
        assert through_metricflow == pytest.approx(in_mart), (metric, dimension)


def test_sourced_pipeline_by_team_through_metricflow_equals_credit_monthly(tmp_path, built_warehouse):
    # GIVEN pipeline created grouped by the deal's source team WHEN queried through MetricFlow
    project, environment = _mf_project(tmp_path, built_warehouse)
    rows = _mf_query(
        project,
        environment,
        tmp_path / "sourced.csv",
        ["pipeline_created"],
        ["metric_time__month", "deal__source_team"],
    )
    through_metricflow = {
        (row["metric_time__month"][:10], row["deal__source_team"] or None): float(row["pipeline_created"])
        for row in rows
        if row["metric_time__month"] and row["pipeline_created"] and float(row["pipeline_created"]) != 0
    }
    # THEN it is the first-touch sourced pipeline of credit_monthly, per month and team
    in_mart = {
        (str(month), team): float(value)
        for month, team, value in built_warehouse.query("""
            select month_start, team, sum(sourced_pipeline)
            from marts.credit_monthly
            where attribution = 'first_touch'
            group by month_start, team
            having sum(sourced_pipeline) <> 0""")
    }
    assert through_metricflow
    assert through_metricflow == pytest.approx(in_mart)

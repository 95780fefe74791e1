"""An incremental build after a new extraction run equals a full refresh of the same landing zone."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from landing_fixture import random_landing

from onefunnel.warehouse import build_warehouse

pytestmark = [pytest.mark.integration, pytest.mark.slow]

COMPARED = (
    "staging.stg_hubspot__contacts",
    "staging.stg_hubspot__deals",
    "staging.stg_hubspot__calls",
    "staging.stg_hubspot__deal_contacts",
    "staging.stg_hubspot__contact_property_history",
    "marts.fct_contact_stages",
    "marts.fct_leads",
    "marts.fct_deals",
    "marts.funnel_period_monthly",
    "marts.funnel_cohort_monthly",
    "marts.sla_sales_monthly",
    "marts.rep_follow_up_monthly",
    "marts.credit_monthly",
    "marts.metrics_monthly",
    "marts.fct_metric_contributions",
)


def test_incremental_build_after_a_new_run_equals_a_full_refresh(tmp_path):
    # GIVEN a landing zone with two extraction runs, of which the warehouse first sees only the first
    complete = tmp_path / "complete"
    portal = random_landing(complete, contacts=200, seed=11)
    first_run, second_run = portal.runs
    partial = tmp_path / "partial"
    shutil.copytree(
        complete, partial, ignore=lambda folder, names: [n for n in names if n == f"run_id={second_run}"]
    )
    incremental = tmp_path / "incremental.duckdb"
    build_warehouse(partial, incremental, freeze_due=False, run_tests=False)
    # WHEN the second run lands and the warehouse is built incrementally
    for dataset in complete.iterdir():
        source = dataset / f"run_id={second_run}"
        if source.exists():
            shutil.copytree(source, partial / dataset.name / source.name)
    build_warehouse(partial, incremental, freeze_due=False, run_tests=False)
    # AND another warehouse is built from scratch from the same landing zone
    full = tmp_path / "full.duckdb"
    build_warehouse(partial, full, freeze_due=False, run_tests=False, full_refresh=True)
    # THEN every compared table holds exactly the same rows (extraction bookkeeping aside)
    with duckdb.connect(str(incremental), read_only=True) as connection:
        connection.execute(f"attach '{full}' as full_refresh (read_only)")
        for table in COMPARED:
            columns = [
                row[0]
                for row in connection.execute(f"describe {table}").fetchall()
                if row[0] not in ("extracted_at", "last_run_id")
            ]
            listed = ", ".join(f'"{column}"' for column in columns)
            differences = connection.execute(f"""
                select count(*) from (
                    (select {listed} from {table} except all select {listed} from full_refresh.{table})
                    union all
                    (select {listed} from full_refresh.{table} except all select {listed} from {table})
                )
            """).fetchall()[0][0]
            assert differences == 0, table
        # and the incremental build really did see the second run
        merged = connection.execute(
            "select count(*) from marts.dim_contact_status where contact_status = 'merged_away'"
        ).fetchall()[0][0]
    assert merged == len(portal.merged_away) > 0
    assert first_run < second_run

"""Month close freezes the records behind each number too (with the definitions version whose rule counted
each), so a restated number is explained record by record: marts.metric_restatement_records lists the
records added, removed or changed since the freeze, and they add up to the restatement of every metric."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from landing_fixture import land_changes, query, random_landing

from onefunnel.warehouse import build_warehouse, freeze_month

# Each test builds its own warehouse twice (about a minute on this machine): deselected from `make test`,
# run by `make test-scale` (and CI); the dbt unit tests of the models run in every build.
pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.scale]

AMOUNT_METRICS = ("pipeline_created", "revenue_won")


def _is_amount(metric_key: str) -> bool:
    return metric_key in AMOUNT_METRICS or metric_key.startswith("sourced_pipeline__")


def test_restated_months_are_explained_by_their_records_for_every_metric(tmp_path):
    # GIVEN a warehouse whose months are all frozen at month close
    landing, warehouse, accountability = tmp_path / "landing", tmp_path / "warehouse.duckdb", tmp_path / "acc"
    portal = random_landing(landing, contacts=200, seed=11)
    build_warehouse(landing, warehouse, accountability_dir=accountability, freeze_due=False, run_tests=False)
    months = [
        row[0].strftime("%Y-%m")
        for row in query(warehouse, "select distinct month_start from marts.metrics_monthly")
    ]
    for month in months:
        assert freeze_month(month, warehouse, accountability)
    # THEN a month's frozen records are its fct_metric_contributions rows, with the rule's definitions version
    month = months[-2]
    frozen = pq.read_table(accountability / "reported_contributions" / f"month={month}.parquet").to_pylist()
    today = query(
        warehouse,
        "select metric_key, record_type, record_id, contribution, definitions_version "
        "from marts.fct_metric_contributions where strftime(month_start, '%Y-%m') = ?",
        [month],
    )
    assert sorted(
        (r["metric_key"], r["record_type"], r["record_id"], r["contribution"], r["definitions_version"])
        for r in frozen
    ) == sorted(today)
    assert all(row["definitions_version"] and row["frozen_at"] for row in frozen)

    # WHEN late data arrives (stage moves, deleted contacts and deals, a deal out of closed-won, merges ...)
    land_changes(portal, day=3)
    build_warehouse(landing, warehouse, accountability_dir=accountability, freeze_due=False, run_tests=False)

    # THEN per month and metric the records' changes add up to the restatement on the accountability tile
    tiles = query(
        warehouse,
        "select month_start, metric_key, restatement, current_record_count - reported_record_count "
        "from marts.monthly_accountability",
    )
    records = {
        (row[0], row[1]): row[2:]
        for row in query(
            warehouse,
            """
            select month_start, metric_key, sum(delta), count(*) filter (where change = 'added'),
                   count(*) filter (where change = 'removed')
            from marts.metric_restatement_records group by all""",
        )
    }
    restated = 0
    for month_start, metric_key, restatement, count_change in tiles:
        total, added, removed = records.get((month_start, metric_key), (0.0, 0, 0))
        assert total == pytest.approx(restatement), (month_start, metric_key)
        assert added - removed == count_change, (month_start, metric_key)
        if not _is_amount(metric_key):
            assert added - removed == restatement, (month_start, metric_key)
        restated += restatement != 0
    assert restated > 0, "the late data restated no frozen number: the test would prove nothing"
    # AND every changed record names why (late data, a deleted record ...) and the rule's version then and now
    rows = query(
        warehouse,
        "select distinct cause, reported_definitions_version is not null, definitions_version is not null "
        "from marts.metric_restatement_records",
    )
    assert {row[0] for row in rows} <= {"late_data", "deleted_records", "definition_change", "unexplained"}
    assert all(row[1] and row[2] for row in rows)
    # AND metric_restatements is the same records summed per cause
    by_cause = query(
        warehouse,
        """
        select count(*) from marts.metric_restatements m
        full join (
            select month_start, metric_key, cause, sum(delta) as total
            from marts.metric_restatement_records group by all
        ) r using (month_start, metric_key, cause)
        where m.restatement is null or r.total is null or abs(m.restatement - r.total) > 1e-6""",
    )
    assert by_cause == [(0,)]


def test_months_frozen_before_the_rule_was_kept_still_build(tmp_path):
    # GIVEN a month frozen by an older release: its records file has no definitions version or freeze time
    landing, warehouse, accountability = tmp_path / "landing", tmp_path / "warehouse.duckdb", tmp_path / "acc"
    random_landing(landing, contacts=60, seed=3)
    build_warehouse(landing, warehouse, accountability_dir=accountability, freeze_due=False, run_tests=False)
    month = query(warehouse, "select max(month_start) from marts.metrics_monthly")[0][0].strftime("%Y-%m")
    assert freeze_month(month, warehouse, accountability)
    path = accountability / "reported_contributions" / f"month={month}.parquet"
    old = pq.read_table(path).drop_columns(["definitions_version", "frozen_at"])
    path.unlink()
    pq.write_table(old, path)
    # WHEN the warehouse is built again
    build_warehouse(landing, warehouse, accountability_dir=accountability, freeze_due=False, run_tests=False)
    # THEN nothing is restated, and the month's records read back with an unknown rule version
    assert query(warehouse, "select count(*) from marts.metric_restatement_records") == [(0,)]
    assert query(
        warehouse,
        "select count(*), count(reported_definitions_version) "
        "from staging.stg_accountability__reported_contributions",
    ) == [(old.num_rows, 0)]

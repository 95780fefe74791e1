"""`dbt build` on a landing zone written like the extractor writes it: every model, data test and unit test
passes, and the marts agree with numbers computed independently from the landing files."""

from __future__ import annotations

import duckdb
import pytest

from onefunnel.definitions import load_definitions
from onefunnel.warehouse.reference import period_funnel

pytestmark = [pytest.mark.integration, pytest.mark.slow]

MARTS = (
    "dim_owners",
    "dim_contact_status",
    "fct_contact_stages",
    "fct_leads",
    "fct_deals",
    "funnel_period_monthly",
    "funnel_cohort_monthly",
    "deals_monthly",
    "sla_sales_monthly",
    "sla_marketing_monthly",
    "rep_follow_up_monthly",
    "lead_quality_monthly",
    "lead_disqualification_reasons",
    "credit_monthly",
    "target_attainment_monthly",
    "target_attainment_quarterly",
    "fct_metric_contributions",
    "metrics_monthly",
)


def test_build_passes_every_model_data_test_and_unit_test(built_warehouse):
    # GIVEN a built warehouse WHEN its dbt results are read
    statuses = built_warehouse.result.statuses
    # THEN nothing failed, and models, data tests and the business-rule unit tests all ran
    assert not {
        node: status for node, status in statuses.items() if status not in ("success", "pass", "no-op")
    }
    assert sum(node.startswith("model.") for node in statuses) >= 60
    assert sum(node.startswith("unit_test.") for node in statuses) >= 15
    assert sum(node.startswith("test.") for node in statuses) >= 150


def test_every_mart_row_records_the_definitions_version(built_warehouse):
    # GIVEN the committed definitions WHEN every mart is read THEN each row carries their version
    version = load_definitions().version
    for mart in MARTS:
        versions = built_warehouse.query(f"select distinct definitions_version from marts.{mart}")
        assert versions == [(version,)], mart


def test_deleted_and_merged_contacts_are_auditable_but_not_counted(built_warehouse):
    # GIVEN the fixture's merged-away and deleted contacts
    portal = built_warehouse.portal
    statuses = dict(
        built_warehouse.query("select contact_status, count(*) from marts.dim_contact_status group by 1")
    )
    # THEN the audit table lists them, and none of them is a lead
    assert statuses == {
        "live": len(portal.contact_ids) - len(portal.merged_away) - len(portal.archived_contacts),
        "merged_away": len(portal.merged_away),
        "archived": len(portal.archived_contacts),
    }
    gone = [str(i) for i in [*portal.merged_away, *portal.archived_contacts]]
    counted = built_warehouse.query(
        f"select count(*) from marts.fct_leads where contact_id in ({', '.join('?' * len(gone))})", gone
    )
    assert counted == [(0,)]
    # every fixture contact has a lead date, so every live contact is a lead
    assert built_warehouse.query("select count(*) from marts.fct_leads") == [(statuses["live"],)]


def test_period_funnel_equals_the_hand_written_query_on_the_landing_files(built_warehouse):
    # GIVEN an independent single DuckDB query over the raw landing files
    expected = period_funnel(built_warehouse.portal.landing_dir, load_definitions())
    # WHEN the mart is read THEN every (month, stage) count is the same
    actual = built_warehouse.query(
        "select month_start, stage_key, contacts_entered from marts.funnel_period_monthly "
        "where contacts_entered > 0 order by month_start, stage_key"
    )
    assert actual == expected
    assert sum(row[2] for row in actual) > 300


def test_closed_won_revenue_equals_won_deals_in_the_landing_files(built_warehouse):
    # GIVEN the landed deals (latest version, not deleted) in a closed stage with probability 1
    landing = built_warehouse.portal.landing_dir
    with duckdb.connect() as connection:
        expected = connection.execute(f"""
            with deals as (
                select * from read_parquet('{landing}/deals/*/*.parquet', union_by_name = true)
                qualify row_number() over (partition by id order by "updatedAt" desc, _extracted_at desc) = 1
            ),
            stages as (
                select distinct pipeline_id, id as stage_id,
                    json_extract_string(metadata, '$.isClosed') = 'true' as is_closed,
                    cast(json_extract_string(metadata, '$.probability') as double) as probability
                from read_parquet('{landing}/pipeline_stages/*/*.parquet', union_by_name = true)
            )
            select sum(cast(properties__amount_in_home_currency as double)), count(*)
            from deals
            inner join stages
                on deals.properties__pipeline = stages.pipeline_id
                and deals.properties__dealstage = stages.stage_id
            where not deals.archived and stages.is_closed and stages.probability = 1
        """).fetchall()[0]
    # WHEN the marts are read THEN revenue and won count agree, and deleted won deals are not in them
    assert built_warehouse.query("select sum(revenue_won), sum(deals_won) from marts.deals_monthly") == [
        expected
    ]
    archived = [str(i) for i in built_warehouse.portal.archived_deals]
    if archived:
        assert built_warehouse.query(
            f"select count(*) from marts.fct_deals where deal_id in ({', '.join('?' * len(archived))})",
            archived,
        ) == [(0,)]


def test_sla_buckets_add_up_and_rates_stay_within_bounds(built_warehouse):
    # GIVEN the SLA marts WHEN totals are compared with the lead grain THEN every MQL is in one bucket
    rows = built_warehouse.query("""
        select sum(mqls), sum(mqls_within_sla + mqls_breached + mqls_untouched + mqls_unassigned),
               min(pct_within_sla), max(pct_within_sla)
        from marts.sla_sales_monthly""")
    mqls, buckets, lowest, highest = rows[0]
    assert (
        mqls
        == buckets
        == built_warehouse.query("select count(*) from marts.fct_leads where mql_at is not null")[0][0]
    )
    assert 0 <= lowest <= highest <= 1
    # the fixture has fast and slow touches and unowned MQLs: every bucket occurs
    statuses = {row[0] for row in built_warehouse.query("select distinct sla_status from marts.fct_leads")}
    assert {"within_sla", "breached", "untouched", "unassigned", "not_mql"} <= statuses


def test_marts_have_no_missing_months(built_warehouse):
    # GIVEN the monthly marts WHEN their months are listed THEN they are the same gap-free spine
    spine = built_warehouse.query("select month_start from intermediate.int_months order by 1")
    for mart in ("deals_monthly", "sla_sales_monthly", "sla_marketing_monthly"):
        assert built_warehouse.query(f"select month_start from marts.{mart} order by 1") == spine, mart
    first, last = spine[0][0], spine[-1][0]
    assert len(spine) == (last.year - first.year) * 12 + last.month - first.month + 1

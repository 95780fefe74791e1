"""The slice marts (models/marts/slices): a filtered slice read as one row per month equals a direct count of
the records in that slice, for every combination of the dashboard's filters; the unfiltered row equals the
monthly mart. (The dbt test slices_add_up_to proves the sums; this proves each filtered row on its own.)"""

from __future__ import annotations

import itertools

import pytest

pytestmark = [pytest.mark.integration]

ALL = "(all)"


def _filter_values(built_warehouse) -> dict[str, list[str | None]]:
    """None (filter off) and the most common value of each lead filter."""
    (team,) = built_warehouse.query(
        "select source_team from marts.fct_leads group by 1 order by count(*) desc, 1 limit 1"
    )[0]
    (owner,) = built_warehouse.query(
        "select coalesce(sla_owner_id, owner_id) from marts.fct_leads where coalesce(sla_owner_id, owner_id) "
        "is not null group by 1 order by count(*) desc, 1 limit 1"
    )[0]
    (source,) = built_warehouse.query(
        "select original_source from marts.fct_leads group by 1 order by count(*) desc, 1 limit 1"
    )[0]
    return {"team": [None, team], "owner": [None, owner], "source": [None, source]}


def _combinations(values: dict[str, list]) -> list[dict]:
    return [dict(zip(values, chosen, strict=True)) for chosen in itertools.product(*values.values())]


def _approx_rows(rows: list[tuple]) -> dict:
    return {
        row[0]: tuple(pytest.approx(value) if value is not None else None for value in row[1:])
        for row in rows
    }


LEAD_SLICE = """
    ($team is null or source_team = $team)
    and ($owner is null or coalesce(sla_owner_id, owner_id) = $owner)
    and ($source is null or original_source = $source)
"""
SLICE_ROW = """
    source_team = coalesce($team, '(all)')
    and owner_id = coalesce($owner, '(all)')
    and original_source = coalesce($source, '(all)')
"""


def test_sla_slices_equal_a_direct_count_for_every_filter_combination(built_warehouse):
    # GIVEN every combination of team / owner / source filters
    for chosen in _combinations(_filter_values(built_warehouse)):
        # WHEN the slice row is read and the same MQLs are counted directly from fct_leads
        from_slices = built_warehouse.query(
            f"select month_start, mqls, mqls_within_sla, mqls_breached, mqls_untouched, mqls_unassigned, "
            f"mqls_sla_due, median_speed_to_lead_hours, p75_speed_to_lead_hours "
            f"from marts.sla_sales_slices where {SLICE_ROW}",
            chosen,
        )
        direct = built_warehouse.query(
            f"""
            select mql_month, count(*),
                count(case when sla_status = 'within_sla' then 1 end),
                count(case when sla_status = 'breached' then 1 end),
                count(case when sla_status = 'untouched' then 1 end),
                count(case when sla_status = 'unassigned' then 1 end),
                count(case when sla_status <> 'unassigned' and not is_sla_pending then 1 end),
                quantile_cont(speed_to_lead_hours, 0.5), quantile_cont(speed_to_lead_hours, 0.75)
            from marts.fct_leads where mql_at is not null and {LEAD_SLICE}
            group by mql_month""",
            chosen,
        )
        # THEN they are equal month by month, medians included
        assert direct, chosen
        assert {row[0]: row[1:] for row in from_slices} == _approx_rows(direct), chosen


def test_deal_slices_equal_a_direct_count_for_every_filter_combination(built_warehouse):
    values = _filter_values(built_warehouse)
    (owner,) = built_warehouse.query(
        "select owner_id from marts.fct_deals where owner_id is not null "
        "group by 1 order by count(*) desc, 1 limit 1"
    )[0]
    (pipeline,) = built_warehouse.query(
        "select pipeline_id from marts.fct_deals group by 1 order by count(*) desc, 1 limit 1"
    )[0]
    values = {**values, "owner": [None, owner], "pipeline": [None, pipeline]}
    deal_slice = """
        ($team is null or source_team = $team) and ($owner is null or owner_id = $owner)
        and ($source is null or original_source = $source) and ($pipeline is null or pipeline_id = $pipeline)
    """
    for chosen in _combinations(values):
        # GIVEN a filter combination WHEN the slice row is read and the deals are counted directly
        from_slices = built_warehouse.query(
            f"select month_start, deals_won, revenue_won, median_sales_cycle_days, p75_sales_cycle_days "
            f"from marts.deals_slices where {SLICE_ROW} and pipeline_id = coalesce($pipeline, '(all)') "
            f"and (deals_won > 0 or deals_lost > 0)",
            chosen,
        )
        direct = built_warehouse.query(
            f"""
            select closed_month, count(case when is_won then 1 end),
                sum(case when is_won then amount else 0 end),
                quantile_cont(sales_cycle_days, 0.5), quantile_cont(sales_cycle_days, 0.75)
            from marts.fct_deals where closed_month is not null and (is_won or is_lost) and {deal_slice}
            group by closed_month""",
            chosen,
        )
        created_slices = built_warehouse.query(
            f"select month_start, deals_created, pipeline_created from marts.deals_slices "
            f"where {SLICE_ROW} and pipeline_id = coalesce($pipeline, '(all)') and deals_created > 0",
            chosen,
        )
        created = built_warehouse.query(
            f"select created_month, count(*), sum(amount) from marts.fct_deals where {deal_slice} group by 1",
            chosen,
        )
        # THEN both equal, month by month
        assert {row[0]: row[1:] for row in from_slices} == _approx_rows(direct), chosen
        assert {row[0]: row[1:] for row in created_slices} == _approx_rows(created), chosen


def test_cohort_slices_equal_a_direct_count_of_the_cohort_conversions(built_warehouse):
    for chosen in _combinations(_filter_values(built_warehouse)):
        # GIVEN a filter combination WHEN the lead cohort's slice rows are read and counted directly
        from_slices = built_warehouse.query(
            f"select cohort_month, stage_key, cohort_size, contacts_reached, contacts_reached_within_window, "
            f"median_days_to_reach from marts.funnel_cohort_slices "
            f"where cohort_stage_key = 'lead' and contacts_reached > 0 and {SLICE_ROW}",
            chosen,
        )
        direct = built_warehouse.query(
            f"""
            with members as (
                select conversions.*
                from marts.fct_cohort_conversions as conversions
                left join marts.fct_leads using (contact_id)
                where conversions.cohort_stage_key = 'lead' and {LEAD_SLICE}
            ),
            sizes as (
                select cohort_month, count(*) as cohort_size from members where stage_key = 'lead' group by 1
            )
            select members.cohort_month, members.stage_key, any_value(sizes.cohort_size), count(*),
                count(case when is_within_window then 1 end),
                quantile_cont(case when is_within_window then days_to_reach end, 0.5)
            from members inner join sizes using (cohort_month)
            group by members.cohort_month, members.stage_key""",
            chosen,
        )
        # THEN each cohort cell with members is the same
        assert direct, chosen
        assert {(row[0], row[1]): row[2:] for row in from_slices} == {
            (row[0], row[1]): _approx_rows([(None, *row[2:])])[None] for row in direct
        }, chosen


def test_lead_quality_slices_count_customers_at_the_definitions_last_stage(built_warehouse):
    # GIVEN the last funnel stage of the definitions the warehouse was built with
    (last_stage,) = built_warehouse.query(
        "select stage_key from definitions.definitions_funnel_stages order by stage_order desc limit 1"
    )[0]
    for chosen in _combinations(_filter_values(built_warehouse)):
        # WHEN the source segment's slice rows are read and the leads counted directly
        from_slices = built_warehouse.query(
            f"select month_start, segment_value, leads, mqls, sqls, customers, disqualified "
            f"from marts.lead_quality_slices where segment_type = 'source' and {SLICE_ROW}",
            chosen,
        )
        direct = built_warehouse.query(
            f"""
            select lead_month, original_source, count(*), count(mql_at), count(sql_at),
                count({last_stage}_at),
                count(case when is_disqualified then 1 end)
            from marts.fct_leads where {LEAD_SLICE}
            group by 1, 2""",
            chosen,
        )
        # THEN they are equal
        assert {(row[0], row[1]): row[2:] for row in from_slices} == {
            (row[0], row[1]): row[2:] for row in direct
        }, chosen


def test_lead_grade_slices_summed_over_a_range_equal_the_grade_conversion_of_its_leads(built_warehouse):
    (last_stage,) = built_warehouse.query(
        "select stage_key from definitions.definitions_funnel_stages order by stage_order desc limit 1"
    )[0]
    (start, end) = built_warehouse.query("select min(lead_month), max(lead_month) from marts.fct_leads")[0]
    for chosen in _combinations(_filter_values(built_warehouse)):
        parameters = {**chosen, "start": start, "end": end}
        # GIVEN a filter combination and the whole range WHEN the grade rows are summed over the months
        from_slices = built_warehouse.query(
            f"select lead_grade, sum(leads), sum(mqls), sum(sqls), sum(customers), sum(disqualified), "
            f"sum(fit_score_sum) / nullif(sum(fit_scored_leads), 0), "
            f"sum(engagement_score_sum) / nullif(sum(engagement_scored_leads), 0) "
            f"from marts.lead_grade_slices where month_start between $start and $end and {SLICE_ROW} "
            f"group by lead_grade",
            parameters,
        )
        # AND the leads are counted directly
        direct = built_warehouse.query(
            f"""
            select lead_grade, count(*), count(mql_at), count(sql_at), count({last_stage}_at),
                count(case when is_disqualified then 1 end), avg(fit_score), avg(engagement_score)
            from marts.fct_leads where lead_month between $start and $end and {LEAD_SLICE}
            group by lead_grade""",
            parameters,
        )
        # THEN they are equal, averages included
        assert direct, chosen
        assert {row[0]: row[1:] for row in from_slices} == _approx_rows(direct), chosen


def test_speed_to_lead_slices_bucket_every_mql_of_the_slice(built_warehouse):
    for chosen in _combinations(_filter_values(built_warehouse)):
        # GIVEN a filter combination WHEN the buckets are read and the MQLs bucketed directly by their hours
        from_slices = built_warehouse.query(
            f"select month_start, bucket, sum(mqls) from marts.speed_to_lead_slices where {SLICE_ROW} "
            f"group by 1, 2",
            chosen,
        )
        direct = built_warehouse.query(
            f"""
            select mql_month,
                case
                    when sla_status = 'unassigned' then 'No owner'
                    when first_touch_at is null and is_sla_pending then 'Not touched yet (clock running)'
                    when first_touch_at is null then 'Not touched'
                    when speed_to_lead_hours <= 1 then 'Up to 1 h'
                    when speed_to_lead_hours <= 4 then '1–4 h'
                    when speed_to_lead_hours <= 24 then '4–24 h'
                    when speed_to_lead_hours <= 72 then '1–3 days'
                    when speed_to_lead_hours <= 168 then '3–7 days'
                    else 'Over 7 days'
                end,
                count(*)
            from marts.fct_leads where mql_at is not null and {LEAD_SLICE}
            group by 1, 2""",
            chosen,
        )
        # THEN every bucket holds the same MQLs
        assert direct, chosen
        assert sorted(from_slices) == sorted(direct), chosen


SLICE_MARTS = (
    "funnel_period_slices",
    "deals_slices",
    "funnel_cohort_slices",
    "sla_sales_slices",
    "rep_follow_up_slices",
    "credit_slices",
    "lead_quality_slices",
    "disqualification_reason_slices",
    "lead_grade_slices",
    "speed_to_lead_slices",
    "fct_cohort_conversions",
)


def test_every_slice_mart_row_records_the_definitions_version(built_warehouse):
    # GIVEN the committed definitions WHEN every slice mart is read THEN each row carries their version
    from onefunnel.definitions import load_definitions

    version = load_definitions().version
    for mart in SLICE_MARTS:
        assert built_warehouse.query(f"select distinct definitions_version from marts.{mart}") == [
            (version,)
        ], mart

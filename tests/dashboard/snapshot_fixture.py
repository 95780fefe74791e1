"""A small serving snapshot built by hand, for the edge cases a real pipeline run does not produce on demand:
nothing published, no months, a quiet month, published with warnings, served after a failed run, frozen months
with restatements, a portal id for HubSpot links.

The tables and columns are the marts the dashboard reads, as dbt builds them (dbt_project/models/marts/*.yml
names the models and their key columns; test_schema.py proves this layout matches the YAML and a real
snapshot). Rows are given per table as dicts; a column a row leaves out is NULL.

    path = build_snapshot(tmp_path / "serving.duckdb", rows={"funnel_period_monthly": [...]}, run={...})
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson


def _columns(spec: str) -> dict[str, str]:
    """'a varchar, b date' -> {'a': 'varchar', 'b': 'date'}."""
    pairs = [part.strip().split(" ", 1) for part in spec.split(",") if part.strip()]
    return {name: kind for name, kind in pairs}


MARTS: dict[str, dict[str, str]] = {
    "funnel_period_monthly": _columns(
        "funnel_period_id varchar, month_start date, stage_key varchar, stage_label varchar, stage_order "
        "integer, fiscal_year integer, fiscal_quarter integer, contacts_entered bigint, "
        "contacts_entered_by_skipping bigint, definitions_version varchar"
    ),
    "deals_monthly": _columns(
        "month_start date, fiscal_year integer, fiscal_quarter integer, deals_created bigint, "
        "pipeline_created double, deals_won bigint, revenue_won double, deals_lost bigint, amount_lost "
        "double, win_rate_by_count double, win_rate_by_amount double, median_sales_cycle_days double, "
        "p75_sales_cycle_days double, definitions_version varchar"
    ),
    "target_attainment_monthly": _columns(
        "attainment_id varchar, month_start date, team varchar, metric varchar, fiscal_year integer, "
        "fiscal_quarter integer, actual_value double, target_value double, attainment double, "
        "definitions_version varchar"
    ),
    "funnel_cohort_monthly": _columns(
        "funnel_cohort_id varchar, cohort_stage_key varchar, cohort_month date, stage_key varchar, "
        "stage_label varchar, stage_order integer, step_window_days integer, window_days bigint, "
        "is_incomplete boolean, cohort_size bigint, contacts_reached bigint, "
        "contacts_reached_within_window bigint, conversion_rate double, "
        "previous_stage_reached_within_window bigint, step_conversion_rate double, median_days_to_reach "
        "double, definitions_version varchar"
    ),
    "sla_marketing_monthly": _columns(
        "month_start date, is_quality_incomplete boolean, mqls_delivered bigint, mql_target double, "
        "mql_target_attainment double, mql_cohort_size bigint, mqls_reaching_sql_within_window bigint, "
        "mql_to_sql_rate double, mql_to_sql_target_rate double, definitions_version varchar"
    ),
    "sla_sales_monthly": _columns(
        "month_start date, mqls bigint, mqls_assigned bigint, mqls_unassigned bigint, mqls_within_sla "
        "bigint, mqls_breached bigint, mqls_untouched bigint, mqls_pending bigint, mqls_aging bigint, "
        "mqls_sla_due bigint, pct_within_sla double, median_speed_to_lead_hours double, "
        "p75_speed_to_lead_hours double, definitions_version varchar"
    ),
    "fct_leads": _columns(
        "contact_id varchar, owner_id varchar, sla_owner_id varchar, company_id varchar, lifecycle_stage "
        "varchar, lead_status varchar, persona varchar, seniority varchar, lead_grade varchar, grade_band "
        "varchar, original_source varchar, source_team varchar, latest_source varchar, latest_source_team "
        "varchar, first_touch_campaign varchar, last_touch_campaign varchar, furthest_stage_order "
        "integer, lead_date_source varchar, mql_date_source varchar, sql_date_source varchar, "
        "opportunity_date_source varchar, customer_date_source varchar, is_stage_date_fallback boolean, "
        "is_stage_date_from_create_date boolean, "
        "is_disqualified boolean, disqualified_by varchar, disqualification_reason varchar, "
        "sla_status varchar, is_sla_pending boolean, is_aging boolean, merged_contacts bigint, created_at "
        "timestamp, lead_at timestamp, mql_at timestamp, sql_at timestamp, opportunity_at timestamp, "
        "customer_at timestamp, lead_month date, mql_month date, mql_local_at timestamp, disqualified_at "
        "timestamp, sla_started_at timestamp, first_touch_at timestamp, fit_score double, "
        "engagement_score double, speed_to_lead_hours double, untouched_age_days double, "
        "definitions_version varchar"
    ),
    "stage_date_sources": _columns(
        "stage_date_source_id varchar, stage_key varchar, date_source varchar, stage_label varchar, "
        "stage_order integer, source_order integer, is_fallback boolean, contacts bigint, stage_contacts "
        "bigint, contacts_share double, definitions_version varchar"
    ),
    "dim_owners": _columns(
        "owner_id varchar, user_id varchar, owner_name varchar, owner_email varchar, team_name varchar, "
        "team_role varchar, is_archived boolean, definitions_version varchar"
    ),
    "fct_contact_stages": _columns(
        "contact_stage_id varchar, contact_id varchar, stage_key varchar, stage_label varchar, "
        "stage_order integer, is_skipped boolean, date_source varchar, is_stage_date_fallback boolean, "
        "is_date_from_create_date boolean, is_disqualified "
        "boolean, entered_at timestamp, own_entered_at timestamp, entered_local_at timestamp, "
        "entered_month date, definitions_version varchar"
    ),
    "fct_deals": _columns(
        "deal_id varchar, pipeline_id varchar, deal_stage_id varchar, owner_id varchar, "
        "sourcing_contact_id varchar, deal_name varchar, deal_type varchar, pipeline_label varchar, "
        "deal_stage_label varchar, is_closed boolean, is_won boolean, is_lost boolean, closed_lost_reason "
        "varchar, source_team varchar, original_source varchar, latest_source varchar, latest_source_team "
        "varchar, is_marketing_influenced boolean, associated_contacts bigint, currency_code varchar, "
        "is_home_amount_missing boolean, created_at timestamp, "
        "closed_at timestamp, first_influence_at timestamp, amount double, amount_in_deal_currency double, "
        "sales_cycle_days double, "
        "created_local_at timestamp, closed_local_at timestamp, created_month date, closed_month date, "
        "definitions_version varchar"
    ),
    "rep_follow_up_monthly": _columns(
        "rep_month_id varchar, owner_id varchar, month_start date, owner_name varchar, team_name varchar, "
        "mqls_assigned bigint, mqls_within_sla bigint, mqls_breached bigint, mqls_untouched bigint, "
        "mqls_pending bigint, mqls_aging bigint, oldest_untouched_age_days double, pct_within_sla double, "
        "median_speed_to_lead_hours double, high_grade_mqls bigint, high_grade_mqls_touched bigint, "
        "low_grade_mqls bigint, low_grade_mqls_touched bigint, cherry_picking_index double, "
        "definitions_version varchar"
    ),
    "credit_monthly": _columns(
        "credit_id varchar, month_start date, attribution varchar, team varchar, channel varchar, "
        "deals_created bigint, sourced_pipeline double, influenced_deals_created bigint, "
        "influenced_pipeline double, deals_won bigint, sourced_revenue double, influenced_revenue double, "
        "definitions_version varchar"
    ),
    "lead_quality_monthly": _columns(
        "lead_quality_id varchar, month_start date, segment_type varchar, segment_value varchar, leads "
        "bigint, mqls bigint, sqls bigint, customers bigint, disqualified bigint, mql_to_sql_rate double, "
        "sql_to_won_rate double, disqualified_rate double, definitions_version varchar"
    ),
    "lead_disqualification_reasons": _columns(
        "reason_row_id varchar, month_start date, segment_type varchar, segment_value varchar, "
        "reason_type varchar, reason varchar, occurrences bigint, definitions_version varchar"
    ),
    "monthly_accountability": _columns(
        "accountability_id varchar, month_start date, metric_key varchar, reported_definitions_version "
        "varchar, definitions_version varchar, is_definition_changed boolean, restatement_causes varchar, "
        "frozen_at timestamp, frozen_data_as_of timestamp, reported_value double, current_value double, "
        "restatement double, reported_record_count bigint, current_record_count bigint"
    ),
    "metric_restatements": _columns(
        "restatement_id varchar, month_start date, metric_key varchar, cause varchar, restatement double, "
        "records_added_or_increased bigint, records_removed_or_decreased bigint, definitions_version "
        "varchar"
    ),
    "prospect_audiences": _columns(
        "prospect_audience_id varchar, owner_id varchar, contact_id varchar, company_id varchar, owner_name "
        "varchar, team_name varchar, email varchar, first_name varchar, last_name varchar, phone varchar, "
        "job_title varchar, company_name varchar, country varchar, city varchar, postal_code varchar, "
        "lifecycle_stage varchar, lead_status varchar, legal_basis varchar, has_prospecting_status boolean, "
        "has_open_deal boolean, prospect_reason varchar, is_customer boolean, is_email_opted_out boolean, "
        "has_lawful_basis boolean, has_email boolean, is_included boolean, exclusion_reason varchar, "
        "definitions_version varchar"
    ),
    "prospect_audience_formats": _columns(
        "audience_format varchar, min_audience_size integer, privacy_floor integer, definitions_version "
        "varchar"
    ),
    # the slice marts (models/marts/slices) and the records behind the cohort view
    "funnel_period_slices": _columns(
        "funnel_period_slice_id varchar, month_start date, stage_key varchar, source_team varchar, "
        "owner_id varchar, original_source varchar, stage_label varchar, stage_order integer, "
        "contacts_entered bigint, contacts_entered_by_skipping bigint, definitions_version varchar"
    ),
    "deals_slices": _columns(
        "deals_slice_id varchar, month_start date, source_team varchar, owner_id varchar, original_source "
        "varchar, pipeline_id varchar, deals_created bigint, pipeline_created double, deals_won bigint, "
        "revenue_won double, deals_lost bigint, amount_lost double, win_rate_by_count double, "
        "win_rate_by_amount double, median_sales_cycle_days double, p75_sales_cycle_days double, "
        "definitions_version varchar"
    ),
    "funnel_cohort_slices": _columns(
        "funnel_cohort_slice_id varchar, cohort_stage_key varchar, cohort_month date, stage_key varchar, "
        "source_team varchar, owner_id varchar, original_source varchar, stage_label varchar, stage_order "
        "integer, step_window_days integer, window_days bigint, is_incomplete boolean, cohort_size "
        "bigint, contacts_reached bigint, contacts_reached_within_window bigint, conversion_rate double, "
        "previous_stage_reached_within_window bigint, step_conversion_rate double, median_days_to_reach "
        "double, definitions_version varchar"
    ),
    "sla_sales_slices": _columns(
        "sla_sales_slice_id varchar, month_start date, source_team varchar, owner_id varchar, "
        "original_source varchar, mqls bigint, mqls_assigned bigint, mqls_unassigned bigint, "
        "mqls_within_sla bigint, mqls_breached bigint, mqls_untouched bigint, mqls_pending bigint, "
        "mqls_aging bigint, mqls_sla_due bigint, pct_within_sla double, median_speed_to_lead_hours "
        "double, p75_speed_to_lead_hours double, definitions_version varchar"
    ),
    "rep_follow_up_slices": _columns(
        "rep_follow_up_slice_id varchar, owner_id varchar, month_start date, source_team varchar, "
        "original_source varchar, owner_name varchar, team_name varchar, mqls_assigned bigint, "
        "mqls_within_sla bigint, mqls_breached bigint, mqls_untouched bigint, mqls_pending bigint, "
        "mqls_aging bigint, oldest_untouched_age_days double, pct_within_sla double, "
        "median_speed_to_lead_hours double, high_grade_mqls bigint, high_grade_mqls_touched bigint, "
        "low_grade_mqls bigint, low_grade_mqls_touched bigint, cherry_picking_index double, "
        "definitions_version varchar"
    ),
    "credit_slices": _columns(
        "credit_slice_id varchar, month_start date, attribution varchar, team varchar, channel varchar, "
        "owner_id varchar, pipeline_id varchar, deals_created bigint, sourced_pipeline double, "
        "influenced_deals_created bigint, influenced_pipeline double, deals_won bigint, sourced_revenue "
        "double, influenced_revenue double, definitions_version varchar"
    ),
    "lead_quality_slices": _columns(
        "lead_quality_slice_id varchar, month_start date, segment_type varchar, segment_value varchar, "
        "source_team varchar, owner_id varchar, original_source varchar, leads bigint, mqls bigint, sqls "
        "bigint, mqls_reaching_sql bigint, customers bigint, sqls_won bigint, disqualified bigint, "
        "mql_to_sql_rate double, sql_to_won_rate double, disqualified_rate double, definitions_version "
        "varchar"
    ),
    "disqualification_reason_slices": _columns(
        "reason_slice_id varchar, month_start date, segment_type varchar, segment_value varchar, "
        "reason_type varchar, reason varchar, source_team varchar, owner_id varchar, original_source "
        "varchar, occurrences bigint, definitions_version varchar"
    ),
    "lead_grade_slices": _columns(
        "lead_grade_slice_id varchar, month_start date, lead_grade varchar, source_team varchar, owner_id "
        "varchar, original_source varchar, leads bigint, mqls bigint, sqls bigint, customers bigint, "
        "disqualified bigint, fit_score_sum double, fit_scored_leads bigint, engagement_score_sum double, "
        "engagement_scored_leads bigint, definitions_version varchar"
    ),
    "speed_to_lead_slices": _columns(
        "speed_to_lead_slice_id varchar, month_start date, sla_status varchar, is_sla_pending boolean, "
        "source_team varchar, owner_id varchar, original_source varchar, bucket_order integer, bucket "
        "varchar, mqls bigint, definitions_version varchar"
    ),
}

RUN_COLUMNS = _columns(
    "run_id varchar, landing_run_id varchar, data_as_of timestamptz, published_at timestamptz, "
    "definitions_version varchar, quality_status varchar, warnings varchar[], checks_total integer, "
    "checks_failed integer, warehouse_built_at timestamptz, data_docs varchar"
)
CHECK_COLUMNS = _columns(
    "name varchar, checkpoint varchar, suite varchar, table_name varchar, severity varchar, status varchar, "
    "waived boolean, message varchar"
)
STAGES = [
    ("lead", "Lead", 1),
    ("mql", "MQL", 2),
    ("sql", "SQL", 3),
    ("opportunity", "Opportunity", 4),
    ("customer", "Customer", 5),
]
DEFINITIONS_VERSION = "fixture00001"


def default_run(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC).replace(microsecond=0)
    run = {
        "run_id": "20260101T000000000Z-fixture",
        "landing_run_id": "20260101T000000000Z-landing",
        "data_as_of": now - timedelta(hours=1),
        "published_at": now - timedelta(minutes=30),
        "definitions_version": DEFINITIONS_VERSION,
        "quality_status": "passed",
        "warnings": [],
        "checks_total": 3,
        "checks_failed": 0,
        "warehouse_built_at": now - timedelta(minutes=40),
        "data_docs": "/srv/onefunnel/quality/data_docs/index.html",
    }
    run.update(overrides)
    return run


def _create(con, schema: str, table: str, columns: dict[str, str], rows: Iterable[dict[str, Any]]) -> None:
    con.execute(f"create schema if not exists {schema}")
    body = ", ".join(f'"{name}" {kind}' for name, kind in columns.items())
    con.execute(f"create table {schema}.{table} ({body})")
    rows = list(rows)
    unknown = {key for row in rows for key in row} - set(columns)
    if unknown:
        raise KeyError(f"{schema}.{table} has no column(s) {sorted(unknown)}")
    if rows:
        placeholders = ", ".join("?" for _ in columns)
        con.executemany(
            f"insert into {schema}.{table} values ({placeholders})",
            [[row.get(name) for name in columns] for row in rows],
        )


def build_snapshot(
    path: Path,
    rows: dict[str, list[dict[str, Any]]] | None = None,
    run: dict[str, Any] | None = None,
    checks: list[dict[str, Any]] | None = None,
) -> Path:
    """Write a snapshot file at `path` (atomically, as publish does) with every mart the dashboard reads."""
    import duckdb

    rows = rows or {}
    unknown = set(rows) - set(MARTS)
    if unknown:
        raise KeyError(f"no mart(s) {sorted(unknown)} in the fixture layout")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.fixture.tmp")
    temporary.unlink(missing_ok=True)
    con = duckdb.connect(str(temporary))
    try:
        con.execute("set TimeZone = 'UTC'")
        for table, columns in MARTS.items():
            _create(con, "marts", table, columns, rows.get(table, []))
        _create(con, "serving_meta", "run", RUN_COLUMNS, [default_run(**(run or {}))])
        _create(con, "serving_meta", "checks", CHECK_COLUMNS, checks or [])
        con.execute(
            "create table serving_meta.tables as select table_schema, table_name, 0::bigint as row_count, "
            "'' as checksum from information_schema.tables where table_schema = 'marts'"
        )
        con.execute("checkpoint")
    finally:
        con.close()
    os.replace(temporary, path)
    return path


# ----------------------------------------------------------------------------- ready-made row sets
def months_between(first: date, last: date) -> list[date]:
    months, current = [], first
    while current <= last:
        months.append(current)
        current = date(current.year + (current.month == 12), current.month % 12 + 1, 1)
    return months


def quiet_rows(first: date, last: date) -> dict[str, list[dict[str, Any]]]:
    """Months exist (the spine), but nothing happened in them: every count is zero, no records."""
    months = months_between(first, last)
    return {
        "funnel_period_monthly": [
            {
                "funnel_period_id": f"{month}-{key}",
                "month_start": month,
                "stage_key": key,
                "stage_label": label,
                "stage_order": order,
                "contacts_entered": 0,
                "contacts_entered_by_skipping": 0,
                "definitions_version": DEFINITIONS_VERSION,
            }
            for month in months
            for key, label, order in STAGES
        ],
        "deals_monthly": [
            {
                "month_start": month,
                "deals_created": 0,
                "pipeline_created": 0.0,
                "deals_won": 0,
                "revenue_won": 0.0,
                "deals_lost": 0,
                "amount_lost": 0.0,
            }
            for month in months
        ],
        "sla_marketing_monthly": [
            {
                "month_start": month,
                "is_quality_incomplete": False,
                "mqls_delivered": 0,
                "mql_target": 100.0,
                "mql_target_attainment": 0.0,
                "mql_cohort_size": 0,
                "mqls_reaching_sql_within_window": 0,
                "mql_to_sql_target_rate": 0.3,
            }
            for month in months
        ],
        "sla_sales_monthly": [
            {
                "month_start": month,
                "mqls": 0,
                "mqls_assigned": 0,
                "mqls_unassigned": 0,
                "mqls_within_sla": 0,
                "mqls_breached": 0,
                "mqls_untouched": 0,
                "mqls_pending": 0,
                "mqls_aging": 0,
                "mqls_sla_due": 0,
            }
            for month in months
        ],
    }


ACCOUNTABILITY_MONTHS = (date(2026, 8, 1), date(2026, 9, 1))


def accountability_rows() -> dict[str, list[dict[str, Any]]]:
    """Two frozen months; September restated: two late MQLs, one deleted won deal, a definition change."""
    august, september = ACCOUNTABILITY_MONTHS
    frozen_at = datetime(2026, 10, 5, 6, 0)

    def metric(
        month: date,
        key: str,
        reported: float,
        current: float,
        causes: str | None = None,
        version: str = DEFINITIONS_VERSION,
    ) -> dict[str, Any]:
        return {
            "accountability_id": f"{month}-{key}",
            "month_start": month,
            "metric_key": key,
            "reported_definitions_version": version,
            "definitions_version": DEFINITIONS_VERSION,
            "is_definition_changed": version != DEFINITIONS_VERSION,
            "restatement_causes": causes,
            "frozen_at": frozen_at if month == september else datetime(2026, 9, 5, 6, 0),
            "frozen_data_as_of": frozen_at - timedelta(hours=2),
            "reported_value": reported,
            "current_value": current,
            "restatement": current - reported,
            "reported_record_count": int(reported),
            "current_record_count": int(current),
        }

    rows = {
        "monthly_accountability": [
            metric(august, "stage_entered__mql", 280, 280),
            metric(august, "stage_entered__sql", 90, 90),
            metric(august, "revenue_won", 210000, 210000),
            metric(august, "sourced_pipeline__marketing", 700000, 700000),
            metric(august, "mqls_within_sla", 150, 150),
            metric(august, "mqls_sla_due", 200, 200),
            metric(september, "stage_entered__mql", 300, 302, "late_data", "olderversion1"),
            metric(september, "stage_entered__sql", 100, 100, None, "olderversion1"),
            metric(september, "revenue_won", 250000, 238000, "deleted_records", "olderversion1"),
            metric(september, "sourced_pipeline__marketing", 800000, 800000, None, "olderversion1"),
            metric(september, "mqls_within_sla", 160, 161, "definition_change", "olderversion1"),
            metric(september, "mqls_sla_due", 200, 200, None, "olderversion1"),
        ],
        "metric_restatements": [
            {
                "restatement_id": f"{september}-stage_entered__mql-late_data",
                "month_start": september,
                "metric_key": "stage_entered__mql",
                "cause": "late_data",
                "restatement": 2.0,
                "records_added_or_increased": 2,
                "records_removed_or_decreased": 0,
            },
            {
                "restatement_id": f"{september}-revenue_won-deleted_records",
                "month_start": september,
                "metric_key": "revenue_won",
                "cause": "deleted_records",
                "restatement": -12000.0,
                "records_added_or_increased": 0,
                "records_removed_or_decreased": 1,
            },
            {
                "restatement_id": f"{september}-mqls_within_sla-definition_change",
                "month_start": september,
                "metric_key": "mqls_within_sla",
                "cause": "definition_change",
                "restatement": 1.0,
                "records_added_or_increased": 1,
                "records_removed_or_decreased": 0,
            },
        ],
        "target_attainment_monthly": [
            {
                "attainment_id": f"{month}-{team}-{metric_name}",
                "month_start": month,
                "team": team,
                "metric": metric_name,
                "actual_value": 0.0,
                "target_value": target,
                "attainment": 0.0,
            }
            for month in ACCOUNTABILITY_MONTHS
            for team, metric_name, target in (
                ("marketing", "mqls", 320.0),
                ("sales", "sqls", 110.0),
                ("sales", "closed_won_revenue", 260000.0),
                ("marketing", "sourced_pipeline", 900000.0),
            )
        ],
    }
    quiet = quiet_rows(date(2026, 7, 1), date(2026, 10, 1))
    return quiet | rows


def write_failed_run(
    quality_dir: Path,
    *,
    after: datetime,
    run_id: str = "20260102T000000000Z-failed",
    reason: str = "landing.contacts.ids_unique: 12 duplicate contact ids",
) -> None:
    """The quality summary and publish log of a run that failed after the snapshot was published."""
    quality_dir.mkdir(parents=True, exist_ok=True)
    finished = (after + timedelta(minutes=5)).isoformat()
    summary = {
        "run_id": run_id,
        "status": "failed",
        "publishable": False,
        "started_at": finished,
        "finished_at": finished,
        "blocking": [reason],
        "warnings": [],
        "checks": [],
        "counts": {},
    }
    (quality_dir / "summary.json").write_bytes(orjson.dumps(summary))
    refused = {
        "at": finished,
        "event": "refused",
        "run_id": run_id,
        "reasons": [f"quality run {run_id} failed"],
    }
    with open(quality_dir / "publish_log.jsonl", "ab") as handle:
        handle.write(orjson.dumps(refused) + b"\n")


# ----------------------------------------------------------------------------- prospect audiences
AUDIENCE_REPS = (("r1", "Rita Rep", "SDR"), ("r2", "Sam Seller", "Account Executives"))


def audience_rows(
    included: dict[str, int] | None = None,
    excluded: dict[str, dict[str, int]] | None = None,
    minimums: dict[str, int] | None = None,
    privacy_floor: int = 3,
) -> dict[str, list[dict[str, Any]]]:
    """Prospect audiences of two reps: `included` prospects per rep (default r1: 5, r2: 2) and `excluded`
    ones by reason, plus the format rules (`minimums` per format, default 1 each: every format on)."""
    included = {"r1": 5, "r2": 2} if included is None else included
    excluded = (
        {"r1": {"opted_out": 1, "no_lawful_basis": 1}, "r2": {"customer": 1}}
        if excluded is None
        else excluded
    )
    minimums = minimums or {"linkedin": 1, "meta": 1, "google": 1, "csv": 1}
    countries = ("United Kingdom", "Germany", "United States", "Netherlands", None)
    postal_codes = {"United Kingdom": "WC2H 8LG", "Germany": "10115", "United States": "94107-1234"}
    rows, number = [], 0
    for owner_id, owner_name, team in AUDIENCE_REPS:
        people = [(None, True)] * included.get(owner_id, 0) + [
            (reason, False) for reason, count in excluded.get(owner_id, {}).items() for _ in range(count)
        ]
        for reason, is_included in people:
            number += 1
            rows.append(
                {
                    "prospect_audience_id": f"{owner_id}-{number}",
                    "owner_id": owner_id,
                    "contact_id": str(number),
                    "owner_name": owner_name,
                    "team_name": team,
                    "email": f"Person.{number}@Example{number}.com" if reason != "no_email" else None,
                    "first_name": f"Ana{number}",
                    "last_name": f"O'Neil-{number}",
                    "phone": f"+44 20 7946 {number:04d}" if number % 2 else None,
                    "job_title": "=Head of Growth" if number == 1 else "Director",
                    "company_name": f"Company {number}",
                    "country": countries[number % len(countries)],
                    "city": "London",
                    "postal_code": postal_codes.get(countries[number % len(countries)]),
                    "lifecycle_stage": "customer" if reason == "customer" else "salesqualifiedlead",
                    "lead_status": "OPEN",
                    "has_prospecting_status": True,
                    "has_open_deal": False,
                    "prospect_reason": "lead_status",
                    "is_customer": reason == "customer",
                    "is_email_opted_out": reason == "opted_out",
                    "has_lawful_basis": reason != "no_lawful_basis",
                    "has_email": reason != "no_email",
                    "is_included": is_included,
                    "exclusion_reason": reason,
                    "definitions_version": DEFINITIONS_VERSION,
                }
            )
    formats = [
        {
            "audience_format": key,
            "min_audience_size": minimum,
            "privacy_floor": privacy_floor,
            "definitions_version": DEFINITIONS_VERSION,
        }
        for key, minimum in minimums.items()
    ]
    return {"prospect_audiences": rows, "prospect_audience_formats": formats}

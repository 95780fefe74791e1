"""The quality gate's data checks written by hand as one DuckDB script: the yardstick `bench_freshness.py`
times `onefunnel check` against (issue 16: check <= 2x this, on the same data).

One pass per landing dataset: the current state of each CRM object (newest version per id, ties kept as the
gate keeps them) is computed once, with only the columns the rules read, into a temporary table; every rule
is then one aggregate over those tables, and the warehouse rules one query each. It shares no code with the
gate (no suites, no GX, no SQL derived from expectations): tests/quality/test_bench_limits.py checks that it
reaches the same verdict as the gate, check by check, on a small portal, clean and with a defect.

    python bench/reference_check.py LANDING_DIR WAREHOUSE [--now ISO]   # prints {check: rows breaking it}

Not covered (they compare with the quality history or describe Parquet schemas, not the data):
landing.run.no_sudden_record_drop, landing.run.no_notable_record_drop, landing.contacts.required_columns,
landing.deals.required_columns, warehouse.build.completed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import orjson

CRM = ("contacts", "companies", "deals", "calls", "emails", "meetings", "notes", "tasks")
NUMBER = r"^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$"
ISO = r"^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
NOT_COVERED = (
    "landing.run.no_sudden_record_drop",
    "landing.run.no_notable_record_drop",
    "landing.contacts.required_columns",
    "landing.deals.required_columns",
    "warehouse.build.completed",
)


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _files(landing: Path, dataset: str) -> str:
    return f"read_parquet({_q(str(landing / dataset / '*' / '*.parquet'))}, union_by_name = true)"


def _columns(con, landing: Path, dataset: str) -> set[str]:
    return {row[0] for row in con.execute(f"describe select * from {_files(landing, dataset)}").fetchall()}


def _in(values: list[str]) -> str:
    return "(" + ", ".join(_q(value) for value in values) + ")" if values else "(null)"


def reference_check(
    landing: Path,
    warehouse: Path | None,
    now: datetime,
    lifecycle_in_definitions: list[str],
    definitions_version: str | None,
    max_age_hours: float = 48.0,
    warn_age_hours: float = 26.0,
) -> dict[str, int]:
    """{check name: rows (or runs, tables) breaking it} for every check the gate runs but NOT_COVERED."""
    landing = Path(landing)
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    out: dict[str, int] = {}
    runs = sorted((landing / "_runs").glob("*.json"))
    run = orjson.loads(runs[-1].read_bytes()) if runs else {}
    run_id = run.get("run_id", "")

    # reference snapshots: the newest run of each
    def newest(dataset: str, columns: str) -> str:
        return (
            f"select {columns} from {_files(landing, dataset)} "
            f"where _run_id = (select max(_run_id) from {_files(landing, dataset)})"
        )

    con.execute(f"create temp table owners as {newest('owners', 'id, email')}")
    con.execute(f"create temp table stages as {newest('pipeline_stages', '*')} ")
    con.execute(f"create temp table pipelines as {newest('pipelines', 'id, object_type')}")
    con.execute(f"create temp table props as {newest('property_definitions', 'object_type, name, options')}")

    def options(obj: str, prop: str) -> list[str]:
        rows = con.execute(
            "select options from props where object_type = ? and name = ?", [obj, prop]
        ).fetchall()
        return sorted(
            {
                str(o["value"])
                for (text,) in rows
                if text
                for o in orjson.loads(text)
                if o.get("value") is not None
            }
        )

    owner_ids = [
        row[0] for row in con.execute("select distinct id from owners where id is not null").fetchall()
    ]

    # one pass per CRM object: its current state, with the columns the rules read
    contact_columns = _columns(con, landing, "contacts")
    stage_date_columns = sorted(
        c for c in contact_columns if c.startswith("properties__hs_lifecyclestage_") and c.endswith("_date")
    )
    extra = {
        "contacts": [
            "properties__lifecyclestage",
            "properties__hs_lead_status",
            "properties__hs_analytics_source",
            *stage_date_columns,
        ],
        "deals": [
            "properties__amount",
            "properties__pipeline",
            "properties__dealstage",
            "properties__closedate",
        ],
    }
    for obj in CRM:
        present = _columns(con, landing, obj)
        wanted = [c for c in extra.get(obj, []) if c in present]
        owner = "properties__hubspot_owner_id" if "properties__hubspot_owner_id" in present else "null"
        select = ", ".join(
            [
                "id",
                "createdAt",
                "updatedAt",
                "archived",
                "_extracted_at",
                "_run_id",
                f"{owner} as owner_id",
                *[f'"{c}"' for c in wanted],
            ]
        )
        con.execute(
            f"create temp table {obj} as select {select} from {_files(landing, obj)} "
            "qualify rank() over (partition by id order by _run_id desc, updatedAt desc nulls last, "
            "archived desc) = 1"
        )

    # records: ids, timestamps, owners, over all objects at once
    records = " union all ".join(
        f"select {_q(obj)} as object, id, createdAt, updatedAt, archived, owner_id, "
        "try_cast(createdAt as timestamptz) as created_at, "
        "try_cast(updatedAt as timestamptz) as updated_at, "
        f"_extracted_at + interval 1 hour as horizon from {obj}"
        for obj in CRM
    )
    row = con.execute(f"""
        with r as ({records})
        select
            count(*) filter (where id is null),
            count(*) - count(distinct (object, id)),
            count(*) filter (where createdAt is not null and not regexp_matches(createdAt, {_q(ISO)})),
            count(*) filter (where updatedAt is not null and not regexp_matches(updatedAt, {_q(ISO)})),
            count(*) filter (where not coalesce(horizon >= created_at, false)),
            count(*) filter (where not coalesce(horizon >= updated_at, false)),
            count(*) filter (where not (updated_at is null and created_at is null)
                                   and not coalesce(updated_at >= created_at, false)),
            count(*) filter (where not archived and owner_id is not null and owner_id <> ''
                                   and owner_id not in {_in(owner_ids)})
        from r
    """).fetchone()
    for name, value in zip(
        [
            "id_not_null",
            "id_unique",
            "created_at_parseable",
            "updated_at_parseable",
            "created_at_not_in_future",
            "updated_at_not_in_future",
            "updated_not_before_created",
            "owner_exists",
        ],
        row,
        strict=True,
    ):
        out[f"landing.records.{name}"] = int(value)

    # contacts: allowed values and stage dates
    lifecycle = options("contacts", "lifecyclestage")
    row = con.execute(f"""
        select
            count(*) filter (where properties__lifecyclestage not in {_in(lifecycle)}),
            count(*) filter (where properties__lifecyclestage not in {_in(lifecycle_in_definitions)}),
            count(*) filter (where properties__hs_lead_status
                             not in {_in(options("contacts", "hs_lead_status"))}),
            count(*) filter (where properties__hs_analytics_source
                             not in {_in(options("contacts", "hs_analytics_source"))})
        from contacts where not archived
    """).fetchone()
    for name, value in zip(
        [
            "lifecycle_stage_known",
            "lifecycle_stage_in_definitions",
            "lead_status_known",
            "original_source_known",
        ],
        row,
        strict=True,
    ):
        out[f"landing.contacts.{name}"] = int(value)
    if stage_date_columns:
        unpivot = " union all ".join(
            f'select "{c}" as date_text, try_cast("{c}" as timestamptz) as stage_at, '
            "try_cast(createdAt as timestamptz) - interval 1 minute as created_min, "
            f"_extracted_at + interval 1 hour as horizon from contacts where not archived and \"{c}\" <> ''"
            for c in stage_date_columns
        )
        row = con.execute(f"""
            with d as ({unpivot})
            select count(*) filter (where not regexp_matches(date_text, {_q(ISO)})),
                   count(*) filter (where not (stage_at is null and created_min is null)
                                          and not coalesce(stage_at >= created_min, false)),
                   count(*) filter (where not coalesce(horizon >= stage_at, false))
            from d where date_text is not null
        """).fetchone()
    else:
        row = (0, 0, 0)
    for name, value in zip(
        ["stage_date_parseable", "stage_date_not_before_create", "stage_date_not_in_future"], row, strict=True
    ):
        out[f"landing.contacts.{name}"] = int(value)

    # deals
    pipelines = [r[0] for r in con.execute("select id from pipelines where object_type = 'deals'").fetchall()]
    stage_ids = [r[0] for r in con.execute("select id from stages where object_type = 'deals'").fetchall()]
    row = con.execute(f"""
        with s as (
            select id as stage_id, pipeline_id, json_extract_string(metadata, '$.isClosed') = 'true' as closed
            from stages where object_type = 'deals'
        )
        select
            count(*) filter (where properties__amount is not null
                             and not regexp_matches(properties__amount, {_q(NUMBER)})),
            count(*) filter (where try_cast(properties__amount as double) < 0),
            count(*) filter (where properties__pipeline not in {_in(pipelines)}),
            count(*) filter (where properties__dealstage not in {_in(stage_ids)}),
            count(*) filter (where properties__closedate is not null
                             and not regexp_matches(properties__closedate, {_q(ISO)})),
            count(*) filter (where s.closed and nullif(properties__closedate, '') is null)
        from deals left join s on s.stage_id = deals.properties__dealstage
                              and s.pipeline_id = deals.properties__pipeline
        where not deals.archived
    """).fetchone()
    for name, value in zip(
        [
            "amount_is_a_number",
            "amount_non_negative",
            "pipeline_known",
            "stage_known",
            "closedate_parseable",
            "closed_deal_has_close_date",
        ],
        row,
        strict=True,
    ):
        out[f"landing.deals.{name}"] = int(value)

    # reference snapshots
    row = con.execute("""
        select (select count(*) filter (where id is null) from owners),
               (select count(id) - count(distinct id) from owners),
               count(*) filter (where json_extract_string(metadata, '$.isClosed') not in ('true', 'false')),
               count(*) filter (where try_cast(json_extract_string(metadata, '$.probability') as double)
                                not between 0 and 1),
               count(*) filter (where try_cast(json_extract_string(metadata, '$.probability') as double)
                                is null)
        from stages where object_type = 'deals'
    """).fetchone()
    for name, value in zip(
        [
            "owners.id_not_null",
            "owners.id_unique",
            "deal_stages.closed_flag_present",
            "deal_stages.probability_is_a_share",
            "deal_stages.probability_present",
        ],
        row,
        strict=True,
    ):
        out[f"landing.{name}"] = int(value)

    # associations: newest set per record, targets that never landed
    missing = 0
    for folder in sorted(landing.glob("associations_*")):
        _, _from, to = folder.name.split("_", 2)
        known = (
            f"select distinct id from {_files(landing, to)}"
            if (landing / to).is_dir()
            else "select null::varchar as id where false"
        )
        missing += con.execute(f"""
            with a as (select to_id from {_files(landing, folder.name)} where to_id is not null
                       qualify dense_rank() over
                           (partition by from_id order by _run_id desc, _extracted_at desc) = 1)
            select count(*) from a where not exists (select 1 from ({known}) k where k.id = a.to_id)
        """).fetchone()[0]
    out["landing.associations.target_exists"] = int(missing)

    # the run under check
    started = (
        datetime.fromisoformat(run["started_at"].replace("Z", "+00:00")) if run.get("started_at") else None
    )
    age = None if started is None else (now - started).total_seconds() / 3600
    out["landing.run.finished"] = 0 if run.get("ok") else 1
    out["landing.run.has_start_time"] = 0 if started else 1
    out["landing.run.fresh"] = 0 if age is None or 0 <= age <= max_age_hours else 1
    out["landing.run.fresh_for_a_daily_schedule"] = 0 if age is None or age <= warn_age_hours else 1
    empty = 0
    for obj, entry in (run.get("objects") or {}).items():
        dataset = "property_definitions" if obj == "properties" else obj
        if entry.get("mode") in ("full", "snapshot") and (landing / dataset).is_dir():
            archived = "and not archived" if dataset in CRM else ""
            before = con.execute(
                f"select count(*) from {_files(landing, dataset)} where _run_id = (select max(_run_id) from "
                f"{_files(landing, dataset)} where _run_id < {_q(run_id)} {archived}) {archived}"
            ).fetchone()[0]
            empty += int(before > 0 and int(entry.get("records") or 0) < 1)
    out["landing.run.complete_extraction_not_empty"] = empty

    if warehouse is not None:
        out.update(_warehouse(con, Path(warehouse), run_id, definitions_version))
    con.close()
    return out


def _warehouse(con, warehouse: Path, run_id: str, definitions_version: str | None) -> dict[str, int]:
    out: dict[str, int] = {}
    con.execute(f"attach {_q(str(warehouse))} as wh (read_only)")
    row = con.execute("""
        select count(*) filter (where amount < 0), count(*) filter (where is_won and closed_at is null)
        from wh.marts.fct_deals
    """).fetchone()
    out["warehouse.fct_deals.amount_non_negative"], out["warehouse.fct_deals.won_deal_has_close_date"] = map(
        int, row
    )
    row = con.execute("""
        select count(*) filter (where a.email is null),
               count(*) filter (where not coalesce(a.owner_id = c.owner_id, false)
                                and not (a.owner_id is null and c.owner_id is null)),
               count(*) filter (where coalesce(c.is_email_opted_out, false)),
               count(*) filter (where a.is_customer),
               count(*) filter (where not a.has_lawful_basis)
        from wh.marts.prospect_audiences a left join wh.staging.stg_hubspot__contacts c using (contact_id)
        where a.is_included
    """).fetchone()
    for name, value in zip(
        [
            "included_have_email",
            "included_belong_to_their_rep",
            "included_not_opted_out",
            "included_not_customers",
            "included_have_lawful_basis",
        ],
        row,
        strict=True,
    ):
        out[f"warehouse.prospect_audiences.{name}"] = int(value)
    outside = 0
    for table, column in con.execute("""
            select table_name, column_name from information_schema.columns
            where table_catalog = 'wh' and table_schema = 'marts'
              and regexp_matches(column_name, '(_rate($|_)|^pct_|_share$)')
              and (data_type in ('DOUBLE', 'FLOAT', 'REAL') or data_type like 'DECIMAL%')""").fetchall():
        outside += int(
            con.execute(
                f'select count(*) filter (where "{column}" < 0 or "{column}" > 1) from wh.marts."{table}"'
            ).fetchone()[0]
            > 0
        )
    out["warehouse.rates.within_zero_and_one"] = outside
    pipelines = con.execute(
        "select counted_deal_pipelines from wh.definitions.definitions_current"
    ).fetchone()[0]
    counted = "true" if pipelines == "all" else f"d.pipeline_id in {_in(pipelines.split(','))}"
    row = con.execute(f"""
        with staged as (
            select coalesce(s.is_closed and s.probability = 1, false) as won
            from wh.staging.stg_hubspot__deals d
            left join wh.staging.stg_hubspot__deal_pipeline_stages s
                on s.pipeline_id = d.pipeline_id and s.deal_stage_id = d.deal_stage_id
            where not d.is_archived and {counted}
        )
        select
            (select count(*) from wh.marts.fct_deals) is distinct from (select count(*) from staged),
            (select sum(deals_won) from wh.marts.deals_monthly)
                is distinct from (select count(*) from staged where won),
            (select count(*) from wh.marts.dim_contact_status)
                is distinct from (select count(distinct contact_id) from wh.staging.stg_hubspot__contacts),
            (select count(*) from wh.marts.fct_leads) is distinct from
                (select count(*) from wh.marts.fct_contact_stages
                 where stage_key = 'lead' having count(*) > 0)
    """).fetchone()
    out["warehouse.reconciliation.marts_match_staging"] = sum(map(int, row))
    landed = 0
    for obj, model in (("contacts", "stg_hubspot__contacts"), ("deals", "stg_hubspot__deals")):
        mine = con.execute(
            f"select count(*) from wh.staging.{model} where last_run_id = ?", [run_id]
        ).fetchone()[0]
        landed += int(
            mine
            != con.execute(f"select count(distinct id) from {obj} where _run_id = ?", [run_id]).fetchone()[0]
        )
    out["warehouse.build.includes_run_under_check"] = landed
    version = con.execute("select definitions_version from wh.definitions.definitions_current").fetchone()[0]
    out["warehouse.build.current_definitions"] = int(version is not None and version != definitions_version)
    out["warehouse.revenue.won_deals_have_home_currency_amount"] = int(
        con.execute(
            "select count(*) from wh.marts.fct_deals where is_won and is_home_amount_missing"
        ).fetchone()[0]
    )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("landing", type=Path)
    parser.add_argument("warehouse", type=Path, nargs="?")
    parser.add_argument("--now", default=None)
    args = parser.parse_args()
    from onefunnel.definitions import load_definitions

    definitions = load_definitions()
    known = {value for stage in definitions.stages for value in stage.lifecycle_stages}
    known |= set(definitions.not_in_funnel) | set(definitions.disqualification.lifecycle_stages)
    now = datetime.fromisoformat(args.now) if args.now else datetime.now(UTC)
    started = time.perf_counter()
    result = reference_check(args.landing, args.warehouse, now, sorted(known), definitions.version)
    print(json.dumps({"seconds": round(time.perf_counter() - started, 2), "violations": result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

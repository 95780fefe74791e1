"""The monthly period funnel as one hand-written DuckDB query straight from the landing files.

Not used by the warehouse: it is the independent yardstick that tests compare the dbt marts with, and the
baseline `make bench` times the full dbt build against. It applies the same rules (latest version per id,
deleted and merged-away contacts out, a merged group's earliest dates, stage date = earliest of the stage
and later stages, disqualification cut-off, calendar months in the portal's time zone) without any of the
warehouse's code.
"""

from __future__ import annotations

from pathlib import Path

from onefunnel.definitions import Definitions


def _column(value: str) -> str:
    return f"properties__hs_lifecyclestage_{value}_date"


def period_funnel_sql(landing_dir: Path, definitions: Definitions) -> str:
    """SQL returning (month_start, stage_key, contacts_entered) for months with entries."""
    landing = Path(landing_dir)
    contacts = f"read_parquet('{landing}/contacts/*/*.parquet', union_by_name = true)"
    history = f"read_parquet('{landing}/contacts_property_history/*/*.parquet', union_by_name = true)"
    values = []
    for stage in definitions.stages:
        values += [value for value in stage.lifecycle_stages if value not in values]
    values += [value for value in definitions.disqualification.lifecycle_stages if value not in values]
    ts = "timezone('UTC', try_cast({} as timestamptz))"
    group_mins = ",\n".join(f"min({ts.format(_column(value))}) as d_{i}" for i, value in enumerate(values))
    filled = ",\n".join(
        f"coalesce(g.d_{i}, case when l.lifecyclestage = '{value}' then g.created_at end) as d_{i}"
        for i, value in enumerate(values)
    )
    index = {value: i for i, value in enumerate(values)}
    stage_selects = []
    for position, stage in enumerate(definitions.stages):
        later = [
            f"d_{index[value]}" for later in definitions.stages[position:] for value in later.lifecycle_stages
        ]
        entered = f"least({', '.join(later)})" if len(later) > 1 else later[0]
        stage_selects.append(
            f"select contact_id, '{stage.key}' as stage_key, {entered} as entered_at from dated"
        )
    dq_values = definitions.disqualification.lifecycle_stages
    dq_case = (
        " ".join(
            f"when d.lifecyclestage = '{value}' then coalesce(d.d_{index[value]}, lc.changed_at)"
            for value in dq_values
        )
        or "when false then null"
    )
    statuses = ", ".join(f"'{status}'" for status in definitions.disqualification.lead_statuses) or "''"
    tz = definitions.time_zone
    return f"""
with latest as (
    select *
    from {contacts}
    qualify row_number() over (
        partition by id
        order by {ts.format('"updatedAt"')} desc nulls last, _extracted_at desc, archived desc
    ) = 1
),
listed as (
    select id as survivor_id, trim(unnest(string_split(properties__hs_merged_object_ids, ';'))) as merged_id
    from latest
    where not archived and properties__hs_merged_object_ids is not null
),
merged_away as (
    select distinct merged_id from listed where merged_id <> '' and merged_id <> survivor_id
),
grouped as (
    select coalesce(listed.survivor_id, latest.id) as group_id, latest.*
    from latest
    left join listed
        on latest.id = listed.merged_id
        and listed.survivor_id not in (select merged_id from merged_away)
),
group_dates as (
    select
        group_id,
        min(coalesce({ts.format("properties__createdate")}, {ts.format('"createdAt"')})) as created_at,
        {group_mins}
    from grouped
    group by group_id
),
live as (
    select id, properties__lifecyclestage as lifecyclestage, properties__hs_lead_status as lead_status
    from latest
    where not archived and id not in (select merged_id from merged_away)
),
dated as (
    select l.id as contact_id, l.lifecyclestage, l.lead_status,
        {filled}
    from live as l
    inner join group_dates as g on l.id = g.group_id
),
changes as (
    select object_id, property, value, max({ts.format('"timestamp"')}) as changed_at
    from {history}
    group by object_id, property, value
),
cuts as (
    select
        d.contact_id,
        least(
            coalesce(case {dq_case} end, timestamp '9999-12-31'),
            coalesce(case when d.lead_status in ({statuses}) then ls.changed_at end, timestamp '9999-12-31')
        ) as cut_at
    from dated as d
    left join changes as lc
        on d.contact_id = lc.object_id and lc.property = 'lifecyclestage' and lc.value = d.lifecyclestage
    left join changes as ls
        on d.contact_id = ls.object_id and ls.property = 'hs_lead_status' and ls.value = d.lead_status
),
stages as (
    {" union all ".join(stage_selects)}
)
select
    cast(date_trunc('month', timezone('{tz}', timezone('UTC', stages.entered_at))) as date) as month_start,
    stages.stage_key,
    count(*) as contacts_entered
from stages
inner join cuts on stages.contact_id = cuts.contact_id
where stages.entered_at is not null and stages.entered_at <= cuts.cut_at
group by all
order by month_start, stage_key
"""


def period_funnel(landing_dir: Path, definitions: Definitions) -> list[tuple]:
    import duckdb

    with duckdb.connect() as connection:
        connection.execute("set TimeZone = 'UTC'")
        return connection.execute(period_funnel_sql(landing_dir, definitions)).fetchall()

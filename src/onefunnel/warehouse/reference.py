"""The monthly period funnel as one hand-written DuckDB query straight from the landing files.

Not used by the warehouse: it is the independent yardstick that tests compare the dbt marts with, and the
baseline `make bench` times the full dbt build against. It applies the rules of metrics.md (latest version per
id, deleted and merged-away contacts out, a merged group's earliest dates, stage date = earliest of the stage
and later stages, disqualification cut-off, calendar months in the portal's time zone) without any of the
warehouse's code.

Stage dates: per lifecycle stage value, the first of HubSpot's stage date property
`hs_lifecyclestage_<value>_date`, its "date entered" property `hs_v2_date_entered_<value>` (custom stages have
only this one) and the first time the `lifecyclestage` property history took the value. A contact (merged
group) with no date for any funnel stage value from those takes its create date for the funnel stage it is in
now, when definitions `stage_dates.create_date_fallback` is on. A landing zone may lack any of these property
columns or the property-history dataset altogether: a missing column is all nulls, missing history is empty.
"""

from __future__ import annotations

from pathlib import Path

from onefunnel.definitions import Definitions

# Landing column of a HubSpot property (every property lands as text, flattened under `properties__`).
PROPERTY = "properties__{}"
# What a property-history row holds, for a landing zone without the dataset.
HISTORY_COLUMNS = ("object_id", "property", "value", "timestamp")


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _stage_property(value: str) -> str:
    return PROPERTY.format(f"hs_lifecyclestage_{value}_date")


def _date_entered_property(value: str) -> str:
    return PROPERTY.format(f"hs_v2_date_entered_{value}")


def _ts(expression: str) -> str:
    """HubSpot text timestamp (ISO text, with or without offset, or epoch milliseconds) -> naive UTC."""
    return (
        f"coalesce(timezone('UTC', try_cast({expression} as timestamptz)), "
        f"make_timestamp(try_cast({expression} as bigint) * 1000))"
    )


def period_funnel_sql(landing_dir: Path, definitions: Definitions) -> str:
    """SQL returning (month_start, stage_key, contacts_entered) for months with entries."""
    landing = Path(landing_dir)
    funnel_values: list[str] = []
    for stage in definitions.stages:
        funnel_values += [value for value in stage.lifecycle_stages if value not in funnel_values]
    values = funnel_values + [
        value for value in definitions.disqualification.lifecycle_stages if value not in funnel_values
    ]
    index = {value: i for i, value in enumerate(values)}

    # every property column read, padded with nulls where this landing zone never had it
    properties = [
        PROPERTY.format(name)
        for name in ("createdate", "lifecyclestage", "hs_lead_status", "hs_merged_object_ids")
    ]
    for value in values:
        properties += [_stage_property(value), _date_entered_property(value)]
    padding = ", ".join(f"cast(null as varchar) as {_identifier(column)}" for column in properties)
    contacts = f"read_parquet('{landing}/contacts/*/*.parquet', union_by_name = true)"
    if any(landing.glob("contacts_property_history/*/*.parquet")):
        history = f"read_parquet('{landing}/contacts_property_history/*/*.parquet', union_by_name = true)"
    else:
        history = "(select {} where false)".format(
            ", ".join(f"cast(null as varchar) as {_identifier(column)}" for column in HISTORY_COLUMNS)
        )

    # per contact and value: stage date property, else date entered property, else first history entry
    changed_at = _ts('"timestamp"')
    first_set = ",\n        ".join(
        f"min(case when value = {_literal(value)} then {changed_at} end) as h_{i}"
        for i, value in enumerate(values)
    )
    chained = ",\n        ".join(
        f"coalesce({_ts('c.' + _identifier(_stage_property(value)))}, "
        f"{_ts('c.' + _identifier(_date_entered_property(value)))}, f.h_{i}) as v_{i}"
        for i, value in enumerate(values)
    )
    group_mins = ",\n        ".join(f"min(v_{i}) as d_{i}" for i in range(len(values)))
    # no date for any funnel value from any source: the create date for the current (funnel) stage
    undated = " and ".join(f"g.d_{index[value]} is null" for value in funnel_values)
    fallback = definitions.stage_dates.create_date_fallback
    filled = ",\n        ".join(
        (
            f"coalesce(g.d_{i}, case when {undated} and l.lifecyclestage = {_literal(value)} "
            f"then g.created_at end) as d_{i}"
        )
        if fallback and value in funnel_values
        else f"g.d_{i} as d_{i}"
        for i, value in enumerate(values)
    )
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
            f"when d.lifecyclestage = {_literal(value)} then coalesce(d.d_{index[value]}, lc.changed_at)"
            for value in dq_values
        )
        or "when false then null"
    )
    statuses = ", ".join(_literal(status) for status in definitions.disqualification.lead_statuses) or "''"
    tz = definitions.time_zone
    return f"""
with landed as (
    select * from {contacts}
    union all by name
    select {padding} where false
),
latest as (
    select *
    from landed
    qualify row_number() over (
        partition by id
        order by {_ts('"updatedAt"')} desc nulls last, _extracted_at desc, archived desc
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
history as (
    select cast(object_id as varchar) as object_id, property, value, "timestamp" from {history}
),
first_set as (
    select object_id,
        {first_set}
    from history
    where property = 'lifecyclestage'
    group by object_id
),
contact_dates as (
    select c.group_id,
        coalesce({_ts("c.properties__createdate")}, {_ts('c."createdAt"')}) as created_at,
        {chained}
    from grouped as c
    left join first_set as f on c.id = f.object_id
),
group_dates as (
    select group_id, min(created_at) as created_at,
        {group_mins}
    from contact_dates
    group by group_id
),
live as (
    select id, nullif(properties__lifecyclestage, '') as lifecyclestage,
        nullif(properties__hs_lead_status, '') as lead_status
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
    select object_id, property, value, max({changed_at}) as changed_at
    from history
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

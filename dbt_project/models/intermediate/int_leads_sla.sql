{#- One row per live contact that reached MQL: who owned it for the SLA, when the SLA clock started, its
    first sales touch and the SLA bucket (definitions.yml `sla.first_touch_hours`).
    - SLA owner / clock start: the owner at the MQL date (clock = MQL date); if it had none then, the first
      owner assigned after it (clock = assignment time). Reassigning an owned MQL does not restart the clock
      (otherwise a stale lead could be hidden by handing it on). Without owner history the current owner and
      its assignment date are used.
    - First sales touch: the earliest sales touch at or after the MQL date and not after the as-of time
      (int_as_of; a meeting booked for tonight is not a touch yet). A touch between the MQL date and a later
      assignment counts as speed 0.
    - Buckets: within (speed <= H hours), breached (> H), untouched (no touch yet; pending while younger
      than H), unassigned (no owner at or after the MQL date).
    Incremental by changed contact, plus the untouched MQLs whose pending flag flips or whose first touch the
    as-of time passes; the other untouched MQLs only age, moved in place (post-hook refresh_untouched_age). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed('contact_id', 'lead_sla') }}",
    post_hook="{{ refresh_untouched_age() }}",
) }}
{%- set sla = definitions()['sla'] %}

with funnel_dates as (
    select * from {{ ref('int_contact_funnel_dates') }}
),

contacts as (
    select * from {{ ref('int_contacts_resolved') }}
),

history as (
    select * from {{ ref('stg_hubspot__contact_property_history') }}
    where property_name = 'hubspot_owner_id'
),

touches as (
    select * from {{ ref('int_sales_touches') }}
),

as_of as (
    select * from {{ ref('int_as_of') }}
),

mqls as (
    select
        funnel_dates.contact_id,
        funnel_dates.mql_at,
        contacts.owner_id as current_owner_id,
        coalesce(contacts.owner_assigned_at, contacts.created_at) as current_owner_assigned_at
    from funnel_dates
    inner join contacts
        on funnel_dates.contact_id = contacts.contact_id
    where funnel_dates.mql_at is not null
      and {{ where_changed('funnel_dates.contact_id', 'lead_sla') }}
),

owner_changes as (
    select
        history.contact_id,
        history.changed_at,
        nullif(history.property_value, '') as owner_id,
        mqls.mql_at
    from history
    inner join mqls
        on history.contact_id = mqls.contact_id
),

owner_at_mql as (
    select
        contact_id,
        owner_id,
        row_number() over (partition by contact_id order by changed_at desc, owner_id) as change_rank
    from owner_changes
    where changed_at <= mql_at
),

first_assignment_after_mql as (
    select
        contact_id,
        owner_id,
        changed_at,
        row_number() over (partition by contact_id order by changed_at, owner_id) as change_rank
    from owner_changes
    where changed_at > mql_at
      and owner_id is not null
),

has_history as (
    select distinct contact_id from owner_changes
),

sla_owners as (
    select
        mqls.contact_id,
        mqls.mql_at,
        mqls.current_owner_id,
        case
            when has_history.contact_id is null then mqls.current_owner_id
            when owner_at_mql.owner_id is not null then owner_at_mql.owner_id
            else first_assignment_after_mql.owner_id
        end as sla_owner_id,
        case
            when has_history.contact_id is null and mqls.current_owner_id is not null then
                case when mqls.current_owner_assigned_at > mqls.mql_at then mqls.current_owner_assigned_at
                     else mqls.mql_at end
            when has_history.contact_id is null then null
            when owner_at_mql.owner_id is not null then mqls.mql_at
            else first_assignment_after_mql.changed_at
        end as sla_started_at
    from mqls
    left join has_history
        on mqls.contact_id = has_history.contact_id
    left join owner_at_mql
        on mqls.contact_id = owner_at_mql.contact_id
        and owner_at_mql.change_rank = 1
    left join first_assignment_after_mql
        on mqls.contact_id = first_assignment_after_mql.contact_id
        and first_assignment_after_mql.change_rank = 1
),

-- a touch counts from the MQL date up to the data's as-of time: a meeting booked for later is no touch yet
-- (int_sales_touches keeps it; once the as-of time passes it, this untouched MQL is recomputed and counts it)
first_touches as (
    select
        sla_owners.contact_id,
        min(touches.occurred_at) as first_touch_at
    from sla_owners
    cross join as_of
    inner join touches
        on sla_owners.contact_id = touches.contact_id
        and touches.occurred_at >= sla_owners.mql_at
        and touches.occurred_at <= as_of.as_of_at
    group by sla_owners.contact_id
),

measured as (
    select
        sla_owners.*,
        first_touches.first_touch_at,
        case
            when first_touches.first_touch_at is null or sla_owners.sla_started_at is null then null
            when first_touches.first_touch_at <= sla_owners.sla_started_at then 0.0
            else {{ hours_between('sla_owners.sla_started_at', 'first_touches.first_touch_at') }}
        end as speed_to_lead_hours,
        case
            when sla_owners.sla_started_at is null or first_touches.first_touch_at is not null then null
            else {{ days_between('sla_owners.sla_started_at', 'as_of.as_of_at') }}
        end as untouched_age_days
    from sla_owners
    cross join as_of
    left join first_touches
        on sla_owners.contact_id = first_touches.contact_id
),

final as (
    select
        -- ids
        contact_id,
        sla_owner_id,
        current_owner_id,

        -- dimensions
        case
            when sla_owner_id is null then 'unassigned'
            when first_touch_at is null then 'untouched'
            when speed_to_lead_hours <= {{ sla['first_touch_hours'] }} then 'within_sla'
            else 'breached'
        end as sla_status,
        sla_owner_id is not null and first_touch_at is null
            and untouched_age_days * 24 <= {{ sla['first_touch_hours'] }} as is_sla_pending,
        sla_owner_id is not null and first_touch_at is null
            and untouched_age_days > {{ sla['untouched_aging_days'] }} as is_aging,
        first_touch_at is not null as is_touched,

        -- timestamps
        mql_at,
        {{ local_month('mql_at') }} as mql_month,
        sla_started_at,
        first_touch_at,

        -- measures
        cast(speed_to_lead_hours as double precision) as speed_to_lead_hours,
        cast(untouched_age_days as double precision) as untouched_age_days,
        {{ batch_loaded_at() }} as _loaded_at
    from measured
)

select * from final

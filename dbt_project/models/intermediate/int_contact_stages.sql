{#- One row per live contact per funnel stage reached. Reached S = a date for S or any later stage (skipped
    stages still count); stage date = the earliest date among S and all later stages (never runs
    backwards); a disqualified contact keeps the stages reached up to its disqualification and stops
    counting for stages dated after it. -#}

with events as (
    select * from {{ ref('int_contact_lifecycle_events') }}
),

stages as (
    select * from {{ ref('definitions_funnel_stages') }}
),

disqualifications as (
    select * from {{ ref('int_contact_disqualifications') }}
),

own_dates as (
    select
        contact_id,
        stage_key,
        min(entered_at) as own_entered_at,
        min(case when is_date_from_create_date then 1 else 0 end) = 1 as is_date_from_create_date
    from events
    group by contact_id, stage_key
),

contact_stage_grid as (
    select
        contacts.contact_id,
        stages.stage_key,
        stages.stage_label,
        stages.stage_order,
        own_dates.own_entered_at,
        own_dates.is_date_from_create_date
    from (select distinct contact_id from events) as contacts
    cross join stages
    left join own_dates
        on contacts.contact_id = own_dates.contact_id
        and stages.stage_key = own_dates.stage_key
),

inferred as (
    select
        *,
        min(own_entered_at) over (
            partition by contact_id
            order by stage_order desc
            rows between unbounded preceding and current row
        ) as entered_at
    from contact_stage_grid
),

final as (
    select
        -- ids
        inferred.contact_id,
        inferred.stage_key,

        -- dimensions
        inferred.stage_label,
        inferred.stage_order,
        inferred.own_entered_at is null as is_skipped,
        coalesce(inferred.is_date_from_create_date, false) as is_date_from_create_date,
        disqualifications.contact_id is not null as is_disqualified,

        -- timestamps
        inferred.entered_at,
        inferred.own_entered_at,
        {{ local_month('inferred.entered_at') }} as entered_month
    from inferred
    left join disqualifications
        on inferred.contact_id = disqualifications.contact_id
    where inferred.entered_at is not null
      and (
        disqualifications.disqualified_at is null
        or inferred.entered_at <= disqualifications.disqualified_at
      )
)

select * from final

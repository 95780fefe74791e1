{#- One row per account (HubSpot company with live contacts) and funnel stage it reached (grain: account x
    stage): an account reaches a stage when its first contact does (the earliest stage date among its
    contacts, fct_contact_stages), with that contact and how many of its contacts reached the stage. -#}

with stages as (
    select * from {{ ref('fct_contact_stages') }}
),

contacts as (
    select * from {{ ref('int_contacts_resolved') }}
),

account_contacts as (
    select
        contacts.company_id as account_id,
        stages.contact_id,
        stages.stage_key,
        stages.stage_label,
        stages.stage_order,
        stages.entered_at,
        row_number() over (
            partition by contacts.company_id, stages.stage_key order by stages.entered_at, stages.contact_id
        ) as arrival_rank,
        count(*) over (partition by contacts.company_id, stages.stage_key) as contacts_reached
    from stages
    inner join contacts
        on stages.contact_id = contacts.contact_id
    where contacts.company_id is not null
),

final as (
    select
        -- ids
        {{ dbt.concat(['account_id', "'-'", 'stage_key']) }} as account_stage_id,
        account_id,
        contact_id as first_contact_id,

        -- dimensions
        stage_key,
        stage_label,
        stage_order,

        -- timestamps
        entered_at,
        {{ local_month('entered_at') }} as entered_month,

        -- measures
        contacts_reached,
        {{ definitions_version_column() }}
    from account_contacts
    where arrival_rank = 1
)

select * from final

-- Each period count equals a direct count from staging, written independently of the intermediate models:
-- live contacts (not archived, not listed as merged on a live survivor), a stage value's date from the first
-- source that has one (stage date property, "date entered" property, first lifecyclestage history entry),
-- a merged group's earliest dates, a contact with no stage date at all dated at its create date in its
-- current stage (when definitions stage_dates.create_date_fallback is on), stage date = earliest of the stage
-- and later stages, disqualified contacts cut at the disqualification date (lifecycle stage date or the
-- newest history change to the current value).
{%- set stages = funnel_stages() %}
{%- set rules = definitions()['disqualification'] %}

with contacts as (
    select * from {{ ref('stg_hubspot__contacts') }}
),

survivors as (
    select contact_id, merged_contact_ids from contacts
    where merged_contact_ids is not null and not is_archived
),

listed as (
    {{ explode_delimited('survivors', 'contact_id', 'merged_contact_ids', ';', 'merged_contact_id') }}
),

merged_away as (
    select distinct merged_contact_id from listed where merged_contact_id <> contact_id
),

groups as (
    select
        coalesce(listed.contact_id, contacts.contact_id) as group_id,
        contacts.*
    from contacts
    left join listed
        on contacts.contact_id = listed.merged_contact_id
        and listed.contact_id not in (select merged_contact_id from merged_away)
),

first_set as (
    select contact_id, property_value, min(changed_at) as changed_at
    from {{ ref('stg_hubspot__contact_property_history') }}
    where property_name = 'lifecyclestage'
    group by contact_id, property_value
),

group_dates as (
    select
        groups.group_id as contact_id,
        min(coalesce(groups.hubspot_created_at, groups.created_at)) as group_created_at,
        {%- for value in lifecycle_values() %}
        min(coalesce(
            groups.{{ lifecycle_date_column(value) }},
            groups.{{ lifecycle_date_entered_column(value) }},
            first_set_{{ loop.index }}.changed_at
        )) as {{ lifecycle_date_column(value) }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from groups
    {%- for value in lifecycle_values() %}
    left join first_set as first_set_{{ loop.index }}
        on groups.contact_id = first_set_{{ loop.index }}.contact_id
        and first_set_{{ loop.index }}.property_value = {{ dbt.string_literal(value) }}
    {%- endfor %}
    group by groups.group_id
),

live as (
    select
        contacts.contact_id,
        contacts.lifecycle_stage,
        contacts.lead_status,
        {%- for value in lifecycle_values() %}
        {%- if value in funnel_lifecycle_values() and stage_date_create_date_fallback() %}
        coalesce(
            group_dates.{{ lifecycle_date_column(value) }},
            case
                when contacts.lifecycle_stage = {{ dbt.string_literal(value) }}
                    {%- for funnel_value in funnel_lifecycle_values() %}
                    and group_dates.{{ lifecycle_date_column(funnel_value) }} is null
                    {%- endfor %}
                    then group_dates.group_created_at
            end
        ) as {{ lifecycle_date_column(value) }}{% if not loop.last %},{% endif %}
        {%- else %}
        group_dates.{{ lifecycle_date_column(value) }}{% if not loop.last %},{% endif %}
        {%- endif %}
        {%- endfor %}
    from contacts
    inner join group_dates
        on contacts.contact_id = group_dates.contact_id
    where not contacts.is_archived
      and contacts.contact_id not in (select merged_contact_id from merged_away)
),

status_changes as (
    select contact_id, property_name, property_value, max(changed_at) as changed_at
    from {{ ref('stg_hubspot__contact_property_history') }}
    group by contact_id, property_name, property_value
),

stage_dates as (
    {%- for stage in stages %}
    {%- set columns = [] %}
    {%- for later in stages[loop.index0:] %}
        {%- for value in later['lifecycle_stages'] %}{%- do columns.append('live.' ~ lifecycle_date_column(value)) %}{%- endfor %}
    {%- endfor %}
    select
        live.contact_id,
        {{ dbt.string_literal(stage['key']) }} as stage_key,
        {% if columns | length > 1 %}least({{ columns | join(', ') }}){% else %}{{ columns[0] }}{% endif %} as entered_at
    from live
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

disqualified_at as (
    select
        live.contact_id,
        least(
            coalesce(
                case
                {%- for value in rules['lifecycle_stages'] %}
                    when live.lifecycle_stage = {{ dbt.string_literal(value) }}
                        then coalesce(live.{{ lifecycle_date_column(value) }}, lifecycle_change.changed_at)
                {%- endfor %}
                end,
                cast('9999-12-31' as {{ dbt.type_timestamp() }})
            ),
            coalesce(
                case when live.lead_status in {{ sql_list(rules['lead_statuses']) }} then status_change.changed_at end,
                cast('9999-12-31' as {{ dbt.type_timestamp() }})
            )
        ) as cut_at
    from live
    left join status_changes as lifecycle_change
        on live.contact_id = lifecycle_change.contact_id
        and lifecycle_change.property_name = 'lifecyclestage'
        and lifecycle_change.property_value = live.lifecycle_stage
    left join status_changes as status_change
        on live.contact_id = status_change.contact_id
        and status_change.property_name = 'hs_lead_status'
        and status_change.property_value = live.lead_status
),

direct_counts as (
    select
        {{ local_month('stage_dates.entered_at') }} as month_start,
        stage_dates.stage_key,
        count(*) as contacts_entered
    from stage_dates
    inner join disqualified_at
        on stage_dates.contact_id = disqualified_at.contact_id
    where stage_dates.entered_at is not null
      and stage_dates.entered_at <= disqualified_at.cut_at
    group by 1, 2
),

mart as (
    select month_start, stage_key, contacts_entered
    from {{ ref('funnel_period_monthly') }}
    where contacts_entered > 0
),

compared as (
    select
        coalesce(direct_counts.month_start, mart.month_start) as month_start,
        coalesce(direct_counts.stage_key, mart.stage_key) as stage_key,
        coalesce(direct_counts.contacts_entered, 0) as direct_count,
        coalesce(mart.contacts_entered, 0) as mart_count
    from direct_counts
    full outer join mart
        on direct_counts.month_start = mart.month_start
        and direct_counts.stage_key = mart.stage_key
)

select * from compared where direct_count <> mart_count

{#- One row per engagement and live contact it touched that counts as a sales touch (definitions.yml
    `sales_touch`): one of the engagement types, emails only in the given directions, owned by a user in a
    sales team, not deleted. Touches of merged-away contacts count for the survivor. Whether it is at or
    after the MQL date is decided where the MQL date is known (int_leads_sla). Incremental by changed
    engagement (an engagement whose contact now resolves differently counts as changed). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed_typed('engagement_type', 'engagement_id') }}",
) }}
{%- set rules = definitions()['sales_touch'] %}
{%- set singular = {'calls': 'call', 'emails': 'email', 'meetings': 'meeting', 'notes': 'note', 'tasks': 'task'} %}

with owners as (
    select * from {{ ref('int_owners_teams') }}
),

merges as (
    select * from {{ ref('int_contact_merges') }}
),

live_contacts as (
    select contact_id from {{ ref('int_contacts_resolved') }}
),

{%- for engagement_type in rules['engagement_types'] %}
{%- set one = singular[engagement_type] %}

{{ engagement_type }} as (
    select
        {{ engagement_type }}.{{ one }}_id as engagement_id,
        {{ dbt.string_literal(engagement_type) }} as engagement_type,
        {{ engagement_type }}.owner_id,
        {{ engagement_type }}.occurred_at,
        associations.contact_id
    from {{ ref('stg_hubspot__' ~ engagement_type) }} as {{ engagement_type }}
    inner join {{ ref('stg_hubspot__' ~ one ~ '_contacts') }} as associations
        on {{ engagement_type }}.{{ one }}_id = associations.{{ one }}_id
    where not {{ engagement_type }}.is_archived
      and associations.contact_id is not null
      and {{ where_changed(engagement_type ~ '.' ~ one ~ '_id', engagement_type) }}
      {%- if engagement_type == 'emails' %}
      and {{ engagement_type }}.email_direction in {{ sql_list(rules['email_directions']) }}
      {%- endif %}
),
{%- endfor %}

engagements as (
    {%- for engagement_type in rules['engagement_types'] %}
    select * from {{ engagement_type }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select distinct
        -- ids
        engagements.engagement_id,
        coalesce(merges.survivor_contact_id, engagements.contact_id) as contact_id,
        engagements.owner_id,

        -- dimensions
        engagements.engagement_type,

        -- timestamps
        engagements.occurred_at,
        {{ batch_loaded_at() }} as _loaded_at
    from engagements
    inner join owners
        on engagements.owner_id = owners.owner_id
        and owners.team_role = 'sales'
    left join merges
        on engagements.contact_id = merges.merged_contact_id
    where coalesce(merges.survivor_contact_id, engagements.contact_id) in (select contact_id from live_contacts)
)

select * from final

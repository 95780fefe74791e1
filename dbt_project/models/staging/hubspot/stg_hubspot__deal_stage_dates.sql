{#- One row per deal (its newest landed version) and deal stage it has a "date entered" for: HubSpot's
    hs_v2_date_entered_<stage id> properties (the last time the deal entered that stage), unpivoted from the
    columns the landing zone holds. int_deal_stage_spells uses them for deals without dealstage history. -#}
{%- set landed_columns = landing_columns('deals') %}
{%- set prefix = 'properties__hs_v2_date_entered_' %}
{%- set stage_ids = [] %}
{%- for column in landed_columns %}
    {%- if column.startswith(prefix) and column | length > prefix | length %}
        {%- do stage_ids.append(column[prefix | length:]) %}
    {%- endif %}
{%- endfor %}

{%- if stage_ids | length == 0 %}

select
    cast(null as {{ dbt.type_string() }}) as deal_id,
    cast(null as {{ dbt.type_string() }}) as deal_stage_id,
    cast(null as {{ dbt.type_timestamp() }}) as entered_at
where 1 = 0

{%- else %}

with landed as (
    {{ landed_rows('deals', crm_empty_columns()) }}
),

newest as (
    select
        *,
        row_number() over (
            partition by id
            order by {{ parse_hubspot_timestamp(landed_identifier('updatedAt')) }} desc nulls last, _extracted_at desc, run_id desc
        ) as version_rank
    from landed
),

dates as (
    {%- for stage_id in stage_ids %}
    select
        cast(id as {{ dbt.type_string() }}) as deal_id,
        {{ dbt.string_literal(stage_id) }} as deal_stage_id,
        {{ hs_timestamp(landed_columns, 'hs_v2_date_entered_' ~ stage_id) }} as entered_at
    from newest
    where version_rank = 1
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        -- ids
        deal_id,
        deal_stage_id,

        -- timestamps
        entered_at
    from dates
    where entered_at is not null
)

select * from final

{%- endif %}

{#- Which HubSpot lifecycle stage value belongs to which funnel stage (definitions.yml `stages`). -#}
{%- set rows = [] %}
{%- for stage in funnel_stages() %}
    {%- for value in stage['lifecycle_stages'] %}
        {%- do rows.append([value, stage['key'], lifecycle_date_column(value)]) %}
    {%- endfor %}
{%- endfor %}

with lifecycle_stages as (
    {{ values_table([('lifecycle_stage', dbt.type_string()), ('stage_key', dbt.type_string()),
                     ('date_column', dbt.type_string())], rows) }}
),

final as (
    select
        lifecycle_stage,
        stage_key,
        date_column,
        {{ definitions_version_column() }}
    from lifecycle_stages
)

select * from final

{#- The funnel stages of definitions.yml, in order, with the conversion window of the step into each stage
    and the summed window from each possible cohort stage. -#}
{%- set defs = definitions() %}
{%- set rows = [] %}
{%- set ns = namespace(previous=none) %}
{%- for stage in funnel_stages() %}
    {%- set window = none if ns.previous is none else defs['conversion_windows_days'][ns.previous ~ '_to_' ~ stage['key']] %}
    {%- do rows.append([stage['key'], stage['label'], stage['order'], window]) %}
    {%- set ns.previous = stage['key'] %}
{%- endfor %}

with stages as (
    {{ values_table([('stage_key', dbt.type_string()), ('stage_label', dbt.type_string()),
                     ('stage_order', dbt.type_int()), ('step_window_days', dbt.type_int())], rows) }}
),

final as (
    select
        stage_key,
        stage_label,
        stage_order,
        step_window_days,
        {{ definitions_version_column() }}
    from stages
)

select * from final

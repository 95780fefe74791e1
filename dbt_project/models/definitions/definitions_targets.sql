{#- Monthly targets per team and metric: the default (target_month null) and month overrides. -#}
{%- set defs = definitions() %}
{%- set rows = [] %}
{%- for team, metrics in defs['targets'].items() | sort %}
    {%- for metric, target in metrics.items() | sort %}
        {%- for key, value in target.items() | sort %}
            {%- do rows.append([team, metric, none if key == 'default' else key ~ '-01', value]) %}
        {%- endfor %}
    {%- endfor %}
{%- endfor %}

with targets as (
    {{ values_table([('team', dbt.type_string()), ('metric', dbt.type_string()),
                     ('target_month', 'date'), ('target_value', 'double precision')], rows) }}
),

final as (
    select
        team,
        metric,
        target_month,
        target_value,
        {{ definitions_version_column() }}
    from targets
)

select * from final

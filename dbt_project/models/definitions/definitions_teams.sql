{#- HubSpot team names -> sales or marketing (definitions.yml `teams`). -#}
{%- set defs = definitions() %}
{%- set rows = [] %}
{%- for role in ['sales', 'marketing'] %}
    {%- for team_name in defs['teams'][role] %}
        {%- do rows.append([team_name, role]) %}
    {%- endfor %}
{%- endfor %}

with teams as (
    {{ values_table([('team_name', dbt.type_string()), ('team_role', dbt.type_string())], rows) }}
),

final as (
    select
        team_name,
        team_role,
        {{ definitions_version_column() }}
    from teams
)

select * from final

{#- Original source (hs_analytics_source) -> the team credited with it (definitions.yml `source_team`). -#}
{%- set defs = definitions() %}
{%- set rows = [] %}
{%- for source, team in defs['source_team'].items() | sort %}
    {%- do rows.append([source, team, 'yes' if source in defs['source_team_from_creator'] else 'no']) %}
{%- endfor %}

with source_teams as (
    {{ values_table([('source', dbt.type_string()), ('team', dbt.type_string()),
                     ('team_from_creator', dbt.type_string())], rows) }}
),

final as (
    select
        source,
        team,
        team_from_creator = 'yes' as is_team_from_creator,
        {{ definitions_version_column() }}
    from source_teams
)

select * from final

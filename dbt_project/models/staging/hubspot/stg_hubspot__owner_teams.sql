{%- set team_columns = [
    ('owner_id', dbt.type_string()), ('id', dbt.type_string()), ('name', dbt.type_string()),
    ('primary', dbt.type_boolean()), ('_extracted_at', dbt.type_timestamp()), ('_run_id', dbt.type_string())] %}

with landed as (
    {{ landed_rows('owner_teams', team_columns) }}
),

newest_snapshot as (
    select
        *,
        max(run_id) over () as newest_run_id
    from landed
),

final as (
    select distinct
        -- ids
        cast(owner_id as {{ dbt.type_string() }}) as owner_id,
        cast(id as {{ dbt.type_string() }}) as team_id,

        -- dimensions
        name as team_name,
        coalesce("primary", false) as is_primary_team
    from newest_snapshot
    where run_id = newest_run_id
)

select * from final

{%- set campaign_columns = [
    ('id', dbt.type_string()), ('properties__hs_name', dbt.type_string()),
    ('properties__hs_start_date', dbt.type_string()), ('properties__hs_end_date', dbt.type_string()),
    ('properties__hs_utm', dbt.type_string()), ('_extracted_at', dbt.type_timestamp()),
    ('_run_id', dbt.type_string())] %}
{%- set landed_columns = landing_columns('campaigns') or campaign_columns | map(attribute=0) | list %}

with landed as (
    {{ landed_rows('campaigns', campaign_columns) }}
),

newest_snapshot as (
    select
        *,
        max(run_id) over () as newest_run_id
    from landed
),

final as (
    select
        -- ids
        cast(id as {{ dbt.type_string() }}) as campaign_id,

        -- dimensions
        {{ hs_text(landed_columns, 'hs_name') }} as campaign_name,
        {{ hs_text(landed_columns, 'hs_utm') }} as campaign_utm,

        -- timestamps
        {{ hs_timestamp(landed_columns, 'hs_start_date') }} as starts_at,
        {{ hs_timestamp(landed_columns, 'hs_end_date') }} as ends_at
    from newest_snapshot
    where run_id = newest_run_id
)

select * from final

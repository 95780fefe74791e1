{%- set stage_columns = [
    ('pipeline_id', dbt.type_string()), ('id', dbt.type_string()), ('label', dbt.type_string()),
    ('displayOrder', dbt.type_string()), ('archived', dbt.type_boolean()), ('metadata', dbt.type_string()),
    ('object_type', dbt.type_string()), ('_extracted_at', dbt.type_timestamp()), ('_run_id', dbt.type_string())] %}

with landed as (
    {{ landed_rows('pipeline_stages', stage_columns) }}
),

newest_snapshot as (
    select
        *,
        max(run_id) over () as newest_run_id
    from landed
    where coalesce(object_type, 'deals') = 'deals'
),

final as (
    select
        -- ids
        cast(pipeline_id as {{ dbt.type_string() }}) as pipeline_id,
        cast(id as {{ dbt.type_string() }}) as deal_stage_id,

        -- dimensions
        label as deal_stage_label,
        cast(displayOrder as {{ dbt.type_int() }}) as display_order,
        coalesce(archived, false) as is_archived,
        lower(coalesce({{ json_text('metadata', 'isClosed') }}, 'false')) = 'true' as is_closed,

        -- measures
        {{ dbt.safe_cast(json_text('metadata', 'probability'), 'numeric(9, 6)') }} as probability
    from newest_snapshot
    where run_id = newest_run_id
)

select * from final

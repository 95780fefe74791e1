{%- set pipeline_columns = [
    ('id', dbt.type_string()), ('label', dbt.type_string()), ('displayOrder', dbt.type_string()),
    ('archived', dbt.type_boolean()), ('object_type', dbt.type_string()),
    ('_extracted_at', dbt.type_timestamp()), ('_run_id', dbt.type_string())] %}

with landed as (
    {{ landed_rows('pipelines', pipeline_columns) }}
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
        cast(id as {{ dbt.type_string() }}) as pipeline_id,

        -- dimensions
        label as pipeline_label,
        cast(displayOrder as {{ dbt.type_int() }}) as display_order,
        coalesce(archived, false) as is_archived
    from newest_snapshot
    where run_id = newest_run_id
)

select * from final

{{ config(unique_key=['deal_id', 'property_name', 'changed_at', 'property_value']) }}

{%- set history_columns = [
    ('object_id', dbt.type_string()), ('property', dbt.type_string()), ('value', dbt.type_string()),
    ('timestamp', dbt.type_string()), ('sourceType', dbt.type_string()), ('updatedByUserId', dbt.type_string()),
    ('_extracted_at', dbt.type_timestamp()), ('_run_id', dbt.type_string())] %}
{%- set landed_columns = landing_columns('deals_property_history') %}

with landed as (
    {{ landed_rows('deals_property_history', history_columns) }}
),

typed as (
    select
        -- ids
        cast(object_id as {{ dbt.type_string() }}) as deal_id,
        cast({{ landed_column(landed_columns, 'updatedByUserId') }} as {{ dbt.type_string() }}) as updated_by_user_id,

        -- dimensions
        property as property_name,
        coalesce(value, '') as property_value,
        {{ landed_column(landed_columns, 'sourceType') }} as change_source_type,

        -- timestamps
        {{ parse_hubspot_timestamp('"timestamp"') }} as changed_at,
        {{ utc_naive('_extracted_at') }} as extracted_at,
        run_id as last_run_id
    from landed
),

ranked as (
    select
        *,
        row_number() over (
            partition by deal_id, property_name, changed_at, property_value
            order by extracted_at desc
        ) as version_rank
    from typed
),

final as (
    select
        deal_id,
        updated_by_user_id,
        property_name,
        property_value,
        change_source_type,
        changed_at,
        extracted_at,
        last_run_id,
        {{ batch_loaded_at() }} as _loaded_at
    from ranked
    where version_rank = 1
)

select * from final

{#- Incremental by changed contact. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed('contact_id', 'contact') }}",
) }}

with stages as (
    select * from {{ ref('int_contact_stages') }}
    where {{ where_changed('contact_id', 'contact') }}
),

final as (
    select
        -- ids
        {{ dbt.concat(['contact_id', "'-'", 'stage_key']) }} as contact_stage_id,
        contact_id,
        stage_key,

        -- dimensions
        stage_label,
        stage_order,
        is_skipped,
        date_source,
        is_stage_date_fallback,
        is_date_from_create_date,
        is_disqualified,

        -- timestamps
        entered_at,
        own_entered_at,
        {{ local_timestamp('entered_at') }} as entered_local_at,
        entered_month,
        {{ definitions_version_column() }},
        {{ batch_loaded_at() }} as _loaded_at
    from stages
)

select * from final

{#- Incremental by changed deal. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed('deal_id', 'deal') }}",
) }}

with deals as (
    select * from {{ ref('int_deals_enriched') }}
    where {{ where_changed('deal_id', 'deal') }}
),

final as (
    select
        {{ star_except(['_loaded_at'], ref('int_deals_enriched')) }},
        {{ local_timestamp('created_at') }} as created_local_at,
        case when is_won or is_lost then {{ local_timestamp('closed_at') }} end as closed_local_at,
        {{ local_month('created_at') }} as created_month,
        case when is_won or is_lost then {{ local_month('closed_at') }} end as closed_month,
        {{ definitions_version_column() }},
        {{ batch_loaded_at() }} as _loaded_at
    from deals
)

select * from final

with deals as (
    select * from {{ ref('int_deals_enriched') }}
),

final as (
    select
        deals.*,
        {{ local_timestamp('created_at') }} as created_local_at,
        case when is_won or is_lost then {{ local_timestamp('closed_at') }} end as closed_local_at,
        {{ local_month('created_at') }} as created_month,
        case when is_won or is_lost then {{ local_month('closed_at') }} end as closed_month,
        {{ definitions_version_column() }}
    from deals
)

select * from final

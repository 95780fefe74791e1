{#- Every attribution model gives each live deal exactly its amount: the shares of a deal's touches add up to
    1 (within the 10-decimal rounding of the shares), and every live deal has touches. Rows returned fail. -#}

with touches as (
    select * from {{ ref('fct_attribution_touches') }}
),

deals as (
    select * from {{ ref('int_deals_enriched') }}
),

per_deal as (
    select
        deals.deal_id,
        sum(touches.first_touch_share) as first_touch,
        sum(touches.last_touch_share) as last_touch,
        sum(touches.linear_share) as linear,
        sum(touches.w_shaped_share) as w_shaped
    from deals
    left join touches
        on deals.deal_id = touches.deal_id
    group by deals.deal_id
)

select * from per_deal
where first_touch is null
   or abs(first_touch - 1) > 0.000001
   or abs(last_touch - 1) > 0.000001
   or abs(linear - 1) > 0.000001
   or abs(w_shaped - 1) > 0.000001

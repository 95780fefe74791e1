{#- Multi-touch credit by month: one row per month, attribution model (first_touch, last_touch, linear,
    w_shaped), dimension (channel, campaign, touch_type) and its value (grain: month x model x dimension x
    value). Pipeline credit by the deal's create month (every live deal in a counted pipeline), won revenue
    credit by its close month; deals_created / deals_won are the deals' shares (fractions of deals).
    is_agreed_model marks definitions.yml attribution.model, the one both teams read. Each model's credits of
    a month add up to the month's pipeline created and revenue won. -#}
{%- set rules = attribution_rules() %}

with touches as (
    select * from {{ ref('fct_attribution_touches') }}
),

by_model as (
    {%- for model in attribution_models() %}
    select
        {{ dbt.string_literal(model) }} as attribution_model,
        created_month,
        closed_month,
        channel,
        campaign,
        touch_type,
        is_won,
        amount,
        {{ model }}_share as credit_share
    from touches
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

by_dimension as (
    {%- for dimension in ['channel', 'campaign', 'touch_type'] %}
    select
        attribution_model,
        {{ dbt.string_literal(dimension) }} as dimension,
        {{ dimension }} as dimension_value,
        created_month,
        closed_month,
        is_won,
        amount,
        credit_share
    from by_model
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

monthly as (
    select
        attribution_model, dimension, dimension_value, created_month as month_start,
        credit_share as deals_created, credit_share * amount as pipeline_credit,
        0.0 as deals_won, 0.0 as revenue_credit
    from by_dimension
    union all
    select
        attribution_model, dimension, dimension_value, closed_month,
        0.0, 0.0,
        credit_share, credit_share * amount
    from by_dimension
    where is_won
),

final as (
    select
        -- ids
        {{ dbt.concat(["cast(month_start as " ~ dbt.type_string() ~ ")", "'-'", 'attribution_model', "'-'", 'dimension', "'-'", 'dimension_value']) }} as attribution_id,
        month_start,
        attribution_model,
        dimension,
        dimension_value,

        -- dimensions
        attribution_model = {{ dbt.string_literal(rules['model']) }} as is_agreed_model,

        -- measures
        -- rounded to 6 decimals: a sum of fractional credits must not depend on the order rows are added in
        -- (an incremental build equals a full one)
        {%- for measure in ['deals_created', 'pipeline_credit', 'deals_won', 'revenue_credit'] %}
        cast(round(cast(sum({{ measure }}) as numeric(38, 10)), 6) as double precision) as {{ measure }},
        {%- endfor %}
        {{ definitions_version_column() }}
    from monthly
    group by month_start, attribution_model, dimension, dimension_value
)

select * from final

{#- One row: "now" for the data - the var `as_of` when given, else the newest change seen in the landing zone
    (for a live portal that is about the extraction time; for a synthetic portal it is the portal's clock).
    Every model cross-joins it, so it must never have more than one row. -#}

with contacts as (
    select * from {{ ref('stg_hubspot__contacts') }}
),

deals as (
    select * from {{ ref('stg_hubspot__deals') }}
),

newest_changes as (
    select max(updated_at) as changed_at from contacts
    union all
    select max(updated_at) as changed_at from deals
),

-- one row: the var as a literal (no rows to read), else the newest change of the two (empty: the clock)
as_of as (
    {%- if var('as_of', none) %}
    select {{ timestamp_literal(var('as_of')) }} as as_of_at
    {%- else %}
    select coalesce(max(changed_at), {{ utc_naive(dbt.current_timestamp()) }}) as as_of_at
    from newest_changes
    {%- endif %}
),

final as (
    select
        cast(as_of_at as {{ dbt.type_timestamp() }}) as as_of_at,
        {{ local_month('cast(as_of_at as ' ~ dbt.type_timestamp() ~ ')') }} as as_of_month
    from as_of
)

select * from final

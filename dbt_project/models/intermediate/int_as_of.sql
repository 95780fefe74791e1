{#- "Now" for the data: the var `as_of` when given, else the newest change seen in the landing zone (for a
    live portal that is about the extraction time; for a synthetic portal it is the portal's clock). -#}

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

as_of as (
    select
        {%- if var('as_of', none) %}
        {{ timestamp_literal(var('as_of')) }} as as_of_at
        {%- else %}
        coalesce(max(changed_at), {{ utc_naive(dbt.current_timestamp()) }}) as as_of_at
        {%- endif %}
    from newest_changes
),

final as (
    select
        cast(as_of_at as {{ dbt.type_timestamp() }}) as as_of_at,
        {{ local_month('cast(as_of_at as ' ~ dbt.type_timestamp() ~ ')') }} as as_of_month
    from as_of
)

select * from final

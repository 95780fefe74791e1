{#- Owners are landed as a complete snapshot every run: the newest run is the truth. -#}
{%- set owner_columns = [
    ('id', dbt.type_string()), ('email', dbt.type_string()), ('firstName', dbt.type_string()),
    ('lastName', dbt.type_string()), ('userId', dbt.type_string()), ('userIdIncludingInactive', dbt.type_string()),
    ('archived', dbt.type_boolean()), ('createdAt', dbt.type_string()), ('updatedAt', dbt.type_string()),
    ('_extracted_at', dbt.type_timestamp()), ('_run_id', dbt.type_string())] %}

with landed as (
    {{ landed_rows('owners', owner_columns) }}
),

newest_snapshot as (
    select
        *,
        max(run_id) over () as newest_run_id,
        row_number() over (partition by run_id, id order by archived) as duplicate_rank
    from landed
),

final as (
    select
        -- ids
        cast(id as {{ dbt.type_string() }}) as owner_id,
        cast(coalesce(userIdIncludingInactive, userId) as {{ dbt.type_string() }}) as user_id,

        -- dimensions
        email as owner_email,
        trim(concat(coalesce(firstName, ''), ' ', coalesce(lastName, ''))) as owner_name,
        coalesce(archived, false) as is_archived,

        -- timestamps
        {{ parse_hubspot_timestamp('createdAt') }} as created_at,
        {{ parse_hubspot_timestamp('updatedAt') }} as updated_at,
        {{ utc_naive('_extracted_at') }} as extracted_at
    from newest_snapshot
    where run_id = newest_run_id
      and duplicate_rank = 1
)

select * from final

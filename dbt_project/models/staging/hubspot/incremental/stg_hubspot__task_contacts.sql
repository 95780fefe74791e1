{{ config(unique_key='task_id') }}

{#- Associations are replaced as a whole: a task's newest extraction lists all its contacts
    (or one row with a null to_id when it has none now). -#}
{%- set association_columns = [
    ('from_id', dbt.type_string()), ('to_id', dbt.type_string()), ('association_types', dbt.type_string()),
    ('_extracted_at', dbt.type_timestamp()), ('_run_id', dbt.type_string())] %}

with landed as (
    {{ landed_rows('associations_tasks_contacts', association_columns) }}
),

typed as (
    select
        cast(from_id as {{ dbt.type_string() }}) as task_id,
        cast(to_id as {{ dbt.type_string() }}) as contact_id,
        {{ utc_naive('_extracted_at') }} as extracted_at,
        run_id as last_run_id
    from landed
),

ranked as (
    select
        *,
        max(last_run_id) over (partition by task_id) as newest_run_id
    from typed
),

-- A run can land the same association twice (at-least-once landing: overlapping read chains,
-- retried pages), with different extraction times: keep one row per pair.
final as (
    select
        task_id,
        contact_id,
        max(extracted_at) as extracted_at,
        last_run_id
    from ranked
    where last_run_id = newest_run_id
    group by task_id, contact_id, last_run_id
)

select * from final

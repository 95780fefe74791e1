{#- One row per live contact that reached any funnel stage: its (inferred) date per stage and where that date
    came from (<stage>_date_source), side by side, and whether any of them rests on a fallback date.
    Incremental by changed contact. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed('contact_id', 'contact') }}",
) }}

with stages as (
    select * from {{ ref('int_contact_stages') }}
    where {{ where_changed('contact_id', 'contact') }}
),

disqualifications as (
    select * from {{ ref('int_contact_disqualifications') }}
    where {{ where_changed('contact_id', 'contact') }}
),

pivoted as (
    select
        contact_id,
        {%- for stage in funnel_stages() %}
        min(case when stage_key = {{ dbt.string_literal(stage['key']) }} then entered_at end) as {{ stage['key'] }}_at,
        {%- endfor %}
        {%- for stage in funnel_stages() %}
        min(case when stage_key = {{ dbt.string_literal(stage['key']) }} then date_source end)
            as {{ stage['key'] }}_date_source,
        {%- endfor %}
        -- a reached stage's date rests on a fallback (lifecycle history or create date; metrics.md)
        coalesce(max(case when is_stage_date_fallback then 1 else 0 end) = 1, false) as is_stage_date_fallback,
        coalesce(max(case when is_date_from_create_date then 1 else 0 end) = 1, false) as is_stage_date_from_create_date,
        max(stage_order) as furthest_stage_order
    from stages
    group by contact_id
),

final as (
    select
        pivoted.*,
        disqualifications.contact_id is not null as is_disqualified,
        disqualifications.disqualified_at,
        disqualifications.disqualified_by,
        disqualifications.disqualification_reason,
        {{ batch_loaded_at() }} as _loaded_at
    from pivoted
    left join disqualifications
        on pivoted.contact_id = disqualifications.contact_id
)

select * from final

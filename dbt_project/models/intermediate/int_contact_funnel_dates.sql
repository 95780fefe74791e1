{#- One row per live contact that reached any funnel stage: its (inferred) date per stage, side by side.
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

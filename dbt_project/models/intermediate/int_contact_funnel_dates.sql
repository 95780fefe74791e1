{#- One row per live contact that reached any funnel stage: its (inferred) date per stage, side by side. -#}

with stages as (
    select * from {{ ref('int_contact_stages') }}
),

disqualifications as (
    select * from {{ ref('int_contact_disqualifications') }}
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
        disqualifications.disqualification_reason
    from pivoted
    left join disqualifications
        on pivoted.contact_id = disqualifications.contact_id
)

select * from final

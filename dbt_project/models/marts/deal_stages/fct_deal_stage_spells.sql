{#- One row per live deal and stay in a deal stage (int_deal_stage_spells) with the deal's name, owner and
    amount, and whether the stay is a stalled deal now: an open deal in its current stage for at least
    definitions.yml deal_stages.stalled_after_days (its pipeline's own number when it has one). -#}

with spells as (
    select * from {{ ref('int_deal_stage_spells') }}
),

deals as (
    select * from {{ ref('int_deals_enriched') }}
),

final as (
    select
        -- ids
        spells.deal_stage_spell_id,
        spells.deal_id,
        spells.pipeline_id,
        spells.deal_stage_id,
        spells.next_deal_stage_id,
        deals.owner_id,

        -- dimensions
        deals.deal_name,
        deals.pipeline_label,
        spells.deal_stage_label,
        spells.display_order,
        spells.spell_number,
        spells.is_closed_stage,
        spells.is_won_stage,
        spells.is_lost_stage,
        spells.is_current,
        spells.movement,
        spells.is_current
            and not spells.is_closed_stage
            and spells.days_in_stage >= {{ stalled_after_days('spells.pipeline_id') }} as is_stalled,
        {{ stalled_after_days('spells.pipeline_id') }} as stalled_after_days,

        -- timestamps
        spells.entered_at,
        spells.exited_at,
        {{ local_timestamp('spells.entered_at') }} as entered_local_at,
        {{ local_month('spells.entered_at') }} as entered_month,

        -- measures
        spells.days_in_stage,
        spells.probability,
        deals.amount,
        {{ definitions_version_column() }}
    from spells
    inner join deals
        on spells.deal_id = deals.deal_id
)

select * from final

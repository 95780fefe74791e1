{#- Merged-away contact -> its surviving contact. HubSpot lists merged ids on the survivor
    (hs_merged_object_ids "id1;id2"); a survivor that was itself merged later is followed to the end. -#}

with contacts as (
    select * from {{ ref('stg_hubspot__contacts') }}
),

survivors as (
    select
        contact_id,
        merged_contact_ids,
        updated_at
    from contacts
    where merged_contact_ids is not null
      and not is_archived
),

listed as (
    {{ explode_delimited('survivors', 'contact_id', 'merged_contact_ids', ';', 'merged_contact_id') }}
),

pairs as (
    select
        listed.merged_contact_id,
        listed.contact_id as survivor_contact_id,
        survivors.updated_at as survivor_updated_at
    from listed
    inner join survivors
        on listed.contact_id = survivors.contact_id
    where listed.merged_contact_id <> listed.contact_id
),

-- a merged id listed by several survivors (a chain A -> B -> C lists A on both B and C): the survivor that
-- is not merged away itself wins; among several, the most recently updated.
ranked as (
    select
        pairs.merged_contact_id,
        pairs.survivor_contact_id,
        row_number() over (
            partition by pairs.merged_contact_id
            order by
                case when survivor_is_merged.merged_contact_id is null then 0 else 1 end,
                pairs.survivor_updated_at desc,
                pairs.survivor_contact_id
        ) as survivor_rank
    from pairs
    left join (select distinct merged_contact_id from pairs) as survivor_is_merged
        on pairs.survivor_contact_id = survivor_is_merged.merged_contact_id
),

direct as (
    select
        merged_contact_id,
        survivor_contact_id
    from ranked
    where survivor_rank = 1
),

-- follow chains whose intermediate survivor did not list the first contact (up to three hops)
final as (
    select
        direct.merged_contact_id,
        coalesce(third_hop.survivor_contact_id, second_hop.survivor_contact_id, direct.survivor_contact_id)
            as survivor_contact_id
    from direct
    left join direct as second_hop
        on direct.survivor_contact_id = second_hop.merged_contact_id
    left join direct as third_hop
        on second_hop.survivor_contact_id = third_hop.merged_contact_id
    where direct.merged_contact_id <> coalesce(
        third_hop.survivor_contact_id, second_hop.survivor_contact_id, direct.survivor_contact_id
    )
)

select * from final

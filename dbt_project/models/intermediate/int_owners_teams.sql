{#- One row per owner with the role of its team (sales / marketing / other) from definitions.yml `teams`:
    the primary team decides; an owner without a primary team takes any sales, then marketing team. -#}

with owners as (
    select * from {{ ref('stg_hubspot__owners') }}
),

owner_teams as (
    select * from {{ ref('stg_hubspot__owner_teams') }}
),

teams as (
    select * from {{ ref('definitions_teams') }}
),

ranked_teams as (
    select
        owner_teams.owner_id,
        owner_teams.team_name,
        coalesce(teams.team_role, 'other') as team_role,
        row_number() over (
            partition by owner_teams.owner_id
            order by
                case when owner_teams.is_primary_team then 0 else 1 end,
                case coalesce(teams.team_role, 'other') when 'sales' then 0 when 'marketing' then 1 else 2 end,
                owner_teams.team_name
        ) as team_rank
    from owner_teams
    left join teams
        on owner_teams.team_name = teams.team_name
),

final as (
    select
        -- ids
        owners.owner_id,
        owners.user_id,

        -- dimensions
        owners.owner_name,
        owners.owner_email,
        ranked_teams.team_name,
        coalesce(ranked_teams.team_role, 'other') as team_role,
        owners.is_archived
    from owners
    left join ranked_teams
        on owners.owner_id = ranked_teams.owner_id
        and ranked_teams.team_rank = 1
)

select * from final

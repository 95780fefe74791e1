with owners as (
    select * from {{ ref('int_owners_teams') }}
),

final as (
    select
        owner_id,
        user_id,
        owner_name,
        owner_email,
        team_name,
        team_role,
        is_archived,
        {{ definitions_version_column() }}
    from owners
)

select * from final

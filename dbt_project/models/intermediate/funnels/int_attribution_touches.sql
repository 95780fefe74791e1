{#- One row per live contact and marketing touch (definitions.yml attribution.touch_interactions, besides the
    contact's creation), with the channel and campaign it is credited to:
      contact_created        - when the contact was created; its original source and first-touch campaign
      form_submission        - first and last form submission; the first with the original source and
                               first-touch campaign, the last with the latest source and last-touch campaign
      marketing_email_click  - first and last marketing email click; channel EMAIL_MARKETING, no campaign
    HubSpot keeps first and last dates only, so a contact has at most five touches (a lower bound). Two
    touches of one type at the same moment are one touch (the first's channel and campaign). -#}
{%- set rules = attribution_rules() %}

with contacts as (
    select * from {{ ref('int_contacts_resolved') }}
),

touches as (
    select contact_id, 'contact_created' as touch_type, 1 as touch_priority, created_at as touched_at,
           original_source as channel, first_touch_campaign as campaign
    from contacts
    {%- if 'form_submission' in rules['touch_interactions'] %}
    union all
    select contact_id, 'form_submission', 2, first_form_submission_at, original_source, first_touch_campaign
    from contacts
    union all
    select contact_id, 'form_submission', 3, last_form_submission_at, latest_source, last_touch_campaign
    from contacts
    {%- endif %}
    {%- if 'marketing_email_click' in rules['touch_interactions'] %}
    union all
    select contact_id, 'marketing_email_click', 4, first_email_click_at, 'EMAIL_MARKETING', cast(null as {{ dbt.type_string() }})
    from contacts
    union all
    select contact_id, 'marketing_email_click', 5, last_email_click_at, 'EMAIL_MARKETING', cast(null as {{ dbt.type_string() }})
    from contacts
    {%- endif %}
),

ranked as (
    select
        *,
        row_number() over (
            partition by contact_id, touch_type, touched_at order by touch_priority
        ) as same_moment_rank
    from touches
    where touched_at is not null
),

final as (
    select
        -- ids
        {{ dbt.concat(['contact_id', "'-'", 'touch_type', "'-'", 'cast(touch_priority as ' ~ dbt.type_string() ~ ')']) }} as contact_touch_id,
        contact_id,

        -- dimensions
        touch_type,
        touch_priority,
        coalesce(channel, 'UNKNOWN') as channel,
        coalesce(campaign, '(none)') as campaign,

        -- timestamps
        touched_at
    from ranked
    where same_moment_rank = 1
)

select * from final

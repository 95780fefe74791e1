{#- One row per record whose derived rows may have changed since the last complete build
    (definitions.build_log), so the incremental models downstream recompute only these (macros/incremental.sql):
      contact         contact ids whose contact-grain rows may change: a new or changed record, history or
                      company; a change of how it resolves (deleted, merged away, into whom); a change to any
                      contact merged into it; a changed engagement that touches it now or touched it before
      grade           contact + contacts with an activity between the last and the new as-of date (the lead
                      grade of a contact that is no MQL yet counts activities up to the as-of date)
      lead_sla        contact + the untouched MQLs whose pending flag flips at the new as-of date, and the
                      contacts of touches the as-of time passed (their age alone is moved in place)
      lead            grade + lead_sla (fct_leads and the contacts' metric contributions)
      contact_record  contact ids whose own record or resolution changed (dim_contact_status)
      deal            deals whose record or associations changed, or whose associated contacts did
      calls, emails, meetings, notes, tasks
                      engagements whose record or associations changed, or whose contact now resolves
                      differently
    It reads the previous build's dim_contact_status, int_contacts_resolved, int_sales_touches and
    int_leads_sla before they are updated (the old resolution of a contact, its old activity dates, the old
    contact of a touch, the old untouched MQLs); that is sound because build.py builds incrementally only right
    after a complete build (every incremental model built) of the same model code and definitions.
    Everything is listed when there is no such build to compare with, or when the reference snapshots (owners
    and teams, campaigns, pipelines) changed; nothing in a full refresh (nothing downstream reads it then). -#}
-- depends_on: {{ ref('int_owners_teams') }}, {{ ref('stg_hubspot__campaigns') }}
-- depends_on: {{ ref('stg_hubspot__deal_pipelines') }}, {{ ref('stg_hubspot__deal_pipeline_stages') }}
-- depends_on: {{ ref('stg_hubspot__contact_property_history') }}, {{ ref('stg_hubspot__companies') }}
-- depends_on: {{ ref('stg_hubspot__deals') }}, {{ ref('int_as_of') }}
{%- set engagement_types = ['calls', 'emails', 'meetings', 'notes', 'tasks'] %}
{%- set singular = {'calls': 'call', 'emails': 'email', 'meetings': 'meeting', 'notes': 'note', 'tasks': 'task'} %}
{%- for engagement_type in engagement_types %}
-- depends_on: {{ ref('stg_hubspot__' ~ engagement_type) }}
-- depends_on: {{ ref('stg_hubspot__' ~ singular[engagement_type] ~ '_contacts') }}
{%- endfor %}
{#- every record of every type: when there is nothing to compare with, or the reference snapshots changed -#}
{%- set every_record %}
    {%- for record_type in ['contact', 'grade', 'lead_sla', 'lead', 'contact_record'] %}
    select {{ dbt.string_literal(record_type) }} as record_type, contact_id as record_id from contacts
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    union all
    select 'deal', deal_id from {{ ref('stg_hubspot__deals') }}
    {%- for engagement_type in engagement_types %}
    union all
    select {{ dbt.string_literal(engagement_type) }}, {{ singular[engagement_type] }}_id
    from {{ ref('stg_hubspot__' ~ engagement_type) }}
    {%- endfor %}
{%- endset %}
{%- set previous = last_complete_build() if not flags.FULL_REFRESH else none %}
{%- set stored = {} %}
{%- for schema, name in [('marts', 'dim_contact_status'), ('intermediate', 'int_sales_touches'),
                         ('intermediate', 'int_contacts_resolved'), ('intermediate', 'int_leads_sla')] %}
    {%- do stored.update({name: adapter.get_relation(database=target.database, schema=schema, identifier=name)
                                if execute else none}) %}
{%- endfor %}
{%- set compare = previous is not none and previous['as_of_at'] is not none
    and stored.values() | select('none') | list | length == 0 %}

with contacts as (
    select * from {{ ref('stg_hubspot__contacts') }}
),

merges as (
    select * from {{ ref('int_contact_merges') }}
),

deal_contacts as (
    select * from {{ ref('stg_hubspot__deal_contacts') }}
),

{%- if flags.FULL_REFRESH %}

final as (
    select
        cast(null as {{ dbt.type_string() }}) as record_type,
        cast(null as {{ dbt.type_string() }}) as record_id
    where 1 = 0
)

{%- elif not compare %}

-- nothing to compare with: every record counts as changed
final as (
    {{ every_record }}
)

{%- else %}

reference_changed as (
    select {{ reference_fingerprint() }} is distinct from {{ previous['reference_fingerprint'] }} as is_changed
),

-- records landed since the last build
new_contact_records as (
    select contact_id from contacts
    where _loaded_at > {{ previous['loaded_at'] }}
),

new_history as (
    select distinct contact_id from {{ ref('stg_hubspot__contact_property_history') }}
    where _loaded_at > {{ previous['loaded_at'] }}
),

new_companies as (
    select company_id from {{ ref('stg_hubspot__companies') }}
    where _loaded_at > {{ previous['loaded_at'] }}
),

-- how contacts resolve now and at the last build (candidates: new records, and every contact that is or
-- was merged, or that is or was a survivor; nothing else can change its resolution)
stored_status as (
    select contact_id, contact_status, survivor_contact_id from {{ stored['dim_contact_status'] }}
),

candidates as (
    select contact_id from new_contact_records
    union
    select merged_contact_id from merges
    union
    select survivor_contact_id from merges
    union
    select contact_id from stored_status where contact_status = 'merged_away'
    union
    select survivor_contact_id from stored_status where survivor_contact_id is not null
),

resolution_now as (
    select
        contacts.contact_id,
        case
            when merges.merged_contact_id is not null then 'merged_away'
            when contacts.is_archived then 'archived'
            else 'live'
        end as contact_status,
        merges.survivor_contact_id
    from contacts
    inner join candidates
        on contacts.contact_id = candidates.contact_id
    left join merges
        on contacts.contact_id = merges.merged_contact_id
),

resolution_changed as (
    select
        resolution_now.contact_id,
        resolution_now.survivor_contact_id,
        stored_status.survivor_contact_id as previous_survivor_contact_id
    from resolution_now
    left join stored_status
        on resolution_now.contact_id = stored_status.contact_id
    where stored_status.contact_id is null
       or resolution_now.contact_status <> stored_status.contact_status
       or coalesce(resolution_now.survivor_contact_id, '') <> coalesce(stored_status.survivor_contact_id, '')
),

changed_records as (
    select
        new_contact_records.contact_id,
        merges.survivor_contact_id,
        stored_status.survivor_contact_id as previous_survivor_contact_id
    from new_contact_records
    left join merges
        on new_contact_records.contact_id = merges.merged_contact_id
    left join stored_status
        on new_contact_records.contact_id = stored_status.contact_id
    union all
    select contact_id, survivor_contact_id, previous_survivor_contact_id from resolution_changed
),

-- engagements landed since, or associated with a contact that resolves differently now
{%- for engagement_type in engagement_types %}
{%- set one = singular[engagement_type] %}

changed_{{ engagement_type }} as (
    select {{ one }}_id as engagement_id from {{ ref('stg_hubspot__' ~ engagement_type) }}
    where _loaded_at > {{ previous['loaded_at'] }}
    union
    select {{ one }}_id from {{ ref('stg_hubspot__' ~ one ~ '_contacts') }}
    where _loaded_at > {{ previous['loaded_at'] }}
       or contact_id in (select contact_id from resolution_changed)
),
{%- endfor %}

changed_engagement_contacts as (
    {%- for engagement_type in engagement_types %}
    {%- set one = singular[engagement_type] %}
    select associations.contact_id
    from {{ ref('stg_hubspot__' ~ one ~ '_contacts') }} as associations
    inner join changed_{{ engagement_type }}
        on associations.{{ one }}_id = changed_{{ engagement_type }}.engagement_id
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

changed_engagements as (
    {%- for engagement_type in engagement_types %}
    select {{ dbt.string_literal(engagement_type) }} as engagement_type, engagement_id
    from changed_{{ engagement_type }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

changed_contacts as (
    select contact_id from changed_records
    union
    select survivor_contact_id from changed_records where survivor_contact_id is not null
    union
    select previous_survivor_contact_id from changed_records where previous_survivor_contact_id is not null
    union
    select contact_id from new_history
    union
    select contacts.contact_id from contacts
    inner join new_companies
        on contacts.company_id = new_companies.company_id
    union
    -- the contact a changed engagement touched before
    select stored_touches.contact_id
    from {{ stored['int_sales_touches'] }} as stored_touches
    inner join changed_engagements
        on stored_touches.engagement_type = changed_engagements.engagement_type
        and stored_touches.engagement_id = changed_engagements.engagement_id
    union
    -- and the contact it touches now
    select coalesce(merges.survivor_contact_id, associations.contact_id)
    from changed_engagement_contacts as associations
    left join merges
        on associations.contact_id = merges.merged_contact_id
    where associations.contact_id is not null
),

as_of_moved as (
    select
        least(as_of_at, {{ previous['as_of_at'] }}) as moved_from,
        greatest(as_of_at, {{ previous['as_of_at'] }}) as moved_to
    from {{ ref('int_as_of') }}
),

grade_contacts as (
    select contact_id from changed_contacts
    union
    select stored_resolved.contact_id
    from {{ stored['int_contacts_resolved'] }} as stored_resolved
    cross join as_of_moved
    where
        {%- for column in ['first_visit_at', 'last_visit_at', 'first_form_submission_at', 'last_form_submission_at',
                           'first_email_click_at', 'last_email_click_at'] %}
        (stored_resolved.{{ column }} > as_of_moved.moved_from and stored_resolved.{{ column }} <= as_of_moved.moved_to)
        {%- if not loop.last %} or{% endif %}
        {%- endfor %}
),

{#- An untouched MQL's row changes with the as-of date in its age only (moved in place by the post-hook
    refresh_untouched_age), except when its pending flag flips (fct_metric_contributions counts it as due from
    then: the flag as stored vs the same expression at the new as-of date) or the as-of time passes a touch
    already landed (a meeting booked ahead): those are recomputed. -#}
lead_sla_contacts as (
    select contact_id from changed_contacts
    union
    select stored_sla.contact_id
    from {{ stored['int_leads_sla'] }} as stored_sla
    cross join {{ ref('int_as_of') }} as as_of
    where stored_sla.sla_status = 'untouched'
      and stored_sla.is_sla_pending
          is distinct from ({{ days_between('stored_sla.sla_started_at', 'as_of.as_of_at') }} * 24
                            <= {{ definitions()['sla']['first_touch_hours'] }})
    union
    select stored_touches.contact_id
    from {{ stored['int_sales_touches'] }} as stored_touches
    cross join as_of_moved
    where stored_touches.occurred_at > as_of_moved.moved_from
      and stored_touches.occurred_at <= as_of_moved.moved_to
),

changed_deals as (
    select deal_id from {{ ref('stg_hubspot__deals') }}
    where _loaded_at > {{ previous['loaded_at'] }}
    union
    select deal_contacts.deal_id
    from deal_contacts
    left join merges
        on deal_contacts.contact_id = merges.merged_contact_id
    where deal_contacts._loaded_at > {{ previous['loaded_at'] }}
       or deal_contacts.contact_id in (select contact_id from resolution_changed)
       or coalesce(merges.survivor_contact_id, deal_contacts.contact_id) in (select contact_id from changed_contacts)
),

changed as (
    select 'contact' as record_type, contact_id as record_id from changed_contacts
    union all
    select 'grade', contact_id from grade_contacts
    union all
    select 'lead_sla', contact_id from lead_sla_contacts
    union all
    select 'lead', contact_id from grade_contacts
    union all
    select 'lead', contact_id from lead_sla_contacts
    union all
    select 'contact_record', contact_id from changed_records
    union all
    select 'deal', deal_id from changed_deals
    union all
    select engagement_type, engagement_id from changed_engagements
),

everything as (
    {{ every_record }}
),

final as (
    select distinct record_type, record_id from changed
    where not (select is_changed from reference_changed)
    union all
    select record_type, record_id from everything
    where (select is_changed from reference_changed)
)

{%- endif %}

select * from final

{#- One row per live contact with its lead grade from definitions.yml `lead_grade`:
    fit = seniority + company size + target industry points (capped at 100);
    engagement = page views, form submissions and marketing email clicks before the MQL date (or before
    now when not an MQL), each capped, total capped at 100. HubSpot keeps only totals and first/last dates
    of these activities, so an activity type counts in full when its last one precedes the cut-off, as one
    event when only its first one does, and not at all otherwise (a lower bound, never a guess upwards).
    engagement_cutoff_at is the MQL date (null: no MQL yet, activities up to the as-of date count).
    Incremental by changed contact, plus the contacts with an activity the moved as-of date now counts. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed('contact_id', 'grade') }}",
) }}
{%- set grade_rules = definitions()['lead_grade'] %}
{%- set fit = grade_rules['fit'] %}
{%- set engagement = grade_rules['engagement'] %}
{%- set size_bands = fit['company_size'] | sort(attribute='min_employees', reverse=true) %}

with contacts as (
    select * from {{ ref('int_contacts_resolved') }}
    where {{ where_changed('contact_id', 'grade') }}
),

companies as (
    select * from {{ ref('stg_hubspot__companies') }}
),

funnel_dates as (
    select * from {{ ref('int_contact_funnel_dates') }}
),

as_of as (
    select * from {{ ref('int_as_of') }}
),

inputs as (
    select
        contacts.contact_id,
        contacts.seniority,
        companies.employees,
        companies.industry,
        funnel_dates.mql_at,
        coalesce(funnel_dates.mql_at, as_of.as_of_at) as cutoff_at,
        contacts.page_views,
        contacts.first_visit_at,
        contacts.last_visit_at,
        contacts.form_submissions,
        contacts.first_form_submission_at,
        contacts.last_form_submission_at,
        contacts.email_clicks,
        contacts.first_email_click_at,
        contacts.last_email_click_at
    from contacts
    cross join as_of
    left join companies
        on contacts.company_id = companies.company_id
        and not companies.is_archived
    left join funnel_dates
        on contacts.contact_id = funnel_dates.contact_id
),

counted as (
    select
        *,
        case
            when last_visit_at <= cutoff_at then page_views
            when first_visit_at <= cutoff_at then least(page_views, 1)
            else 0
        end as page_views_before_cutoff,
        case
            when last_form_submission_at <= cutoff_at then form_submissions
            when first_form_submission_at <= cutoff_at then least(form_submissions, 1)
            else 0
        end as form_submissions_before_cutoff,
        case
            when last_email_click_at <= cutoff_at then email_clicks
            when first_email_click_at <= cutoff_at then least(email_clicks, 1)
            else 0
        end as email_clicks_before_cutoff
    from inputs
),

scored as (
    select
        contact_id,
        least(
            100,
            case seniority
                {%- for level, points in fit['seniority'].items() %}
                when {{ dbt.string_literal(level) }} then {{ points }}
                {%- endfor %}
                else 0
            end
            + case
                {%- for band in size_bands %}
                when employees >= {{ band['min_employees'] }} then {{ band['points'] }}
                {%- endfor %}
                else 0
            end
            + case when industry in {{ sql_list(fit['target_industries']) }} then {{ fit['target_industry_points'] }} else 0 end
        ) as fit_score,
        least(
            100,
            least({{ engagement['page_view_cap'] }}, page_views_before_cutoff * {{ engagement['page_view_points'] }})
            + least({{ engagement['form_submission_cap'] }}, form_submissions_before_cutoff * {{ engagement['form_submission_points'] }})
            + email_clicks_before_cutoff * {{ engagement['email_click_points'] }}
        ) as engagement_score,
        mql_at as engagement_cutoff_at
    from counted
),

final as (
    select
        contact_id,
        cast(fit_score as double precision) as fit_score,
        cast(engagement_score as double precision) as engagement_score,
        engagement_cutoff_at,
        case
            {%- for band in grade_rules['grades'] %}
            when fit_score >= {{ band['min_fit'] }} and engagement_score >= {{ band['min_engagement'] }}
                then {{ dbt.string_literal(band['grade']) }}
            {%- endfor %}
        end as lead_grade,
        case
            when false then null
            {%- for band in grade_rules['grades'] %}
            when fit_score >= {{ band['min_fit'] }} and engagement_score >= {{ band['min_engagement'] }}
                then {{ dbt.string_literal('high' if band['grade'] in grade_rules['cherry_picking']['high_grades']
                                           else 'low' if band['grade'] in grade_rules['cherry_picking']['low_grades']
                                           else 'middle') }}
            {%- endfor %}
        end as grade_band,
        {{ batch_loaded_at() }} as _loaded_at
    from scored
)

select * from final

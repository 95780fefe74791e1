{{ config(unique_key='contact_id') }}

{%- set landed_columns = landing_columns('contacts') %}

with landed as (
    {{ landed_rows('contacts', crm_empty_columns()) }}
),

typed as (
    select
        -- ids
        cast(id as {{ dbt.type_string() }}) as contact_id,
        {{ hs_text(landed_columns, 'hubspot_owner_id') }} as owner_id,
        {{ hs_text(landed_columns, 'associatedcompanyid') }} as company_id,
        {{ hs_text(landed_columns, 'hs_created_by_user_id') }} as created_by_user_id,
        {{ hs_text(landed_columns, 'hs_merged_object_ids') }} as merged_contact_ids,

        -- dimensions
        {{ hs_text(landed_columns, 'email') }} as email,
        {{ hs_text(landed_columns, 'lifecyclestage') }} as lifecycle_stage,
        {{ hs_text(landed_columns, 'hs_lead_status') }} as lead_status,
        {{ hs_text(landed_columns, 'hs_analytics_source') }} as original_source,
        {{ hs_text(landed_columns, 'hs_analytics_source_data_1') }} as original_source_detail,
        {{ hs_text(landed_columns, 'hs_latest_source') }} as latest_source,
        {{ hs_text(landed_columns, 'hs_latest_source_data_1') }} as latest_source_detail,
        {{ hs_text(landed_columns, 'hs_analytics_first_touch_converting_campaign') }} as first_touch_campaign,
        {{ hs_text(landed_columns, 'hs_analytics_last_touch_converting_campaign') }} as last_touch_campaign,
        {{ hs_text(landed_columns, 'hs_persona') }} as persona,
        {{ hs_text(landed_columns, 'hs_seniority') }} as seniority,
        {{ hs_text(landed_columns, 'jobtitle') }} as job_title,

        -- identity and consent (prospect audiences: raw as HubSpot sent them, normalised at export)
        {{ hs_text(landed_columns, 'firstname') }} as first_name,
        {{ hs_text(landed_columns, 'lastname') }} as last_name,
        {{ hs_text(landed_columns, 'phone') }} as phone,
        {{ hs_text(landed_columns, 'company') }} as company_name,
        {{ hs_text(landed_columns, 'country') }} as country,
        {{ hs_text(landed_columns, 'city') }} as city,
        {{ hs_text(landed_columns, 'zip') }} as postal_code,
        {{ hs_boolean(landed_columns, audience_opt_out_property()) }} as is_email_opted_out,
        {{ hs_text(landed_columns, audience_legal_basis_property()) }} as legal_basis,

        -- timestamps
        {{ hs_timestamp(landed_columns, 'createdate') }} as hubspot_created_at,
        {{ hs_timestamp(landed_columns, 'hubspot_owner_assigneddate') }} as owner_assigned_at,
        {%- for value in lifecycle_values() %}
        {{ hs_timestamp(landed_columns, 'hs_lifecyclestage_' ~ value ~ '_date') }} as {{ lifecycle_date_column(value) }},
        {%- endfor %}
        -- HubSpot's "date entered" per stage (custom stages have only these); null where the portal has none
        {%- for value in lifecycle_values() %}
        {{ hs_timestamp(landed_columns, 'hs_v2_date_entered_' ~ value) }} as {{ lifecycle_date_entered_column(value) }},
        {%- endfor %}
        {{ hs_timestamp(landed_columns, 'hs_analytics_first_visit_timestamp') }} as first_visit_at,
        {{ hs_timestamp(landed_columns, 'hs_analytics_last_visit_timestamp') }} as last_visit_at,
        {{ hs_timestamp(landed_columns, 'first_conversion_date') }} as first_form_submission_at,
        {{ hs_timestamp(landed_columns, 'recent_conversion_date') }} as last_form_submission_at,
        {{ hs_timestamp(landed_columns, 'hs_email_first_click_date') }} as first_email_click_at,
        {{ hs_timestamp(landed_columns, 'hs_email_last_click_date') }} as last_email_click_at,

        -- measures
        coalesce({{ hs_integer(landed_columns, 'hs_analytics_num_page_views') }}, 0) as page_views,
        coalesce({{ hs_integer(landed_columns, 'num_conversion_events') }}, 0) as form_submissions,
        coalesce({{ hs_integer(landed_columns, 'hs_email_click') }}, 0) as email_clicks,

        -- landing bookkeeping
        {{ crm_landing_columns() }}
    from landed
),

final as (
    {{ keep_latest_version('typed', 'contact_id') }}
)

select * from final

{#- The account details (HubSpot's account-info API) of the newest run that landed them: one row, or none
    when no run has (a token refused them: record links then come from configuration). -#}
{%- set detail_columns = [
    ('portalId', dbt.type_string()), ('uiDomain', dbt.type_string()),
    ('dataHostingLocation', dbt.type_string()), ('timeZone', dbt.type_string()),
    ('companyCurrency', dbt.type_string()), ('accountType', dbt.type_string()),
    ('_extracted_at', dbt.type_timestamp()), ('_run_id', dbt.type_string())] %}
{%- set landed_columns = landing_columns('account_details') or detail_columns | map(attribute=0) | list %}
{%- set landed = {} %}
{%- for name, _ in detail_columns %}
    {%- do landed.update({name: "nullif(cast(" ~ landed_column(landed_columns, name) ~ " as " ~ dbt.type_string() ~ "), '')"}) %}
{%- endfor %}

with landed as (
    {{ landed_rows('account_details', detail_columns) }}
),

newest as (
    select
        *,
        row_number() over (order by run_id desc, _extracted_at desc) as newest_rank
    from landed
),

final as (
    select
        -- ids
        {{ landed['portalId'] }} as portal_id,

        -- dimensions
        lower({{ landed['uiDomain'] }}) as ui_domain,
        lower({{ landed['dataHostingLocation'] }}) as data_hosting_location,
        {{ landed['timeZone'] }} as time_zone,
        upper({{ landed['companyCurrency'] }}) as company_currency,
        {{ landed['accountType'] }} as account_type,

        -- timestamps
        cast(_extracted_at as {{ dbt.type_timestamp() }}) as extracted_at,

        -- lineage
        cast(run_id as {{ dbt.type_string() }}) as run_id
    from newest
    where newest_rank = 1
)

select * from final

{#- Where the funnel's stage dates come from, for the Data health page: per funnel stage and date source
    ('stage_property', 'date_entered_property', 'history', 'create_date'), the live contacts that reached the
    stage with their stage date from that source - so the page can say how many numbers rest on a fallback
    date (history or create date; metrics.md: imported contacts without stage dates). Stage `any_stage` counts
    contacts (every lead once) by the weakest source any of their reached stages rests on. Every stage x source
    pair is a row, zero when none. -#}
{%- set sources = stage_date_sources() %}
{%- set fallbacks = stage_date_fallback_sources() %}

with stages as (
    select * from {{ ref('definitions_funnel_stages') }}
),

contact_stages as (
    select * from {{ ref('fct_contact_stages') }}
),

leads as (
    select * from {{ ref('fct_leads') }}
),

date_sources as (
    {%- set rows = [] %}
    {%- for source in sources %}{%- do rows.append([source, loop.index]) %}{%- endfor %}
    {{ values_table([('date_source', dbt.type_string()), ('source_order', dbt.type_int())], rows) }}
),

scopes as (
    select
        'any_stage' as stage_key,
        'Any stage (contacts)' as stage_label,
        0 as stage_order
    union all
    select
        stage_key,
        stage_label,
        stage_order
    from stages
),

-- per lead: the weakest source of its stage dates (create date, else history, else date entered, else stage)
lead_sources as (
    select
        contact_id,
        case
            {%- for source in sources | reverse %}
            when {% for stage in funnel_stages() %}{{ stage['key'] }}_date_source = {{ dbt.string_literal(source) }}{% if not loop.last %} or {% endif %}{% endfor %}
                then {{ dbt.string_literal(source) }}
            {%- endfor %}
        end as date_source
    from leads
),

counted as (
    select
        'any_stage' as stage_key,
        date_source,
        count(*) as contacts
    from lead_sources
    group by date_source
    union all
    select
        stage_key,
        date_source,
        count(*) as contacts
    from contact_stages
    group by stage_key, date_source
),

final as (
    select
        -- ids
        {{ dbt.concat(['scopes.stage_key', "'-'", 'date_sources.date_source']) }} as stage_date_source_id,
        scopes.stage_key,
        date_sources.date_source,

        -- dimensions
        scopes.stage_label,
        scopes.stage_order,
        date_sources.source_order,
        date_sources.date_source in {{ sql_list(fallbacks) }} as is_fallback,

        -- measures
        coalesce(counted.contacts, 0) as contacts,
        cast(sum(coalesce(counted.contacts, 0)) over (partition by scopes.stage_key) as {{ dbt.type_bigint() }})
            as stage_contacts,
        cast(coalesce(counted.contacts, 0) as double precision)
            / nullif(sum(coalesce(counted.contacts, 0)) over (partition by scopes.stage_key), 0) as contacts_share,
        {{ definitions_version_column() }}
    from scopes
    cross join date_sources
    left join counted
        on scopes.stage_key = counted.stage_key
        and date_sources.date_source = counted.date_source
)

select * from final

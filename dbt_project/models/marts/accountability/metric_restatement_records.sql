{#- The records behind each restatement of a frozen month: one row per frozen month, metric and record whose
    contribution now differs from the one frozen at month close (reported_contributions) - added (counted
    now, not then), removed (counted then, not now), increased or decreased (an amount changed) - with the
    cause that explains it:
    - deleted_records: a reported record is now deleted (archived) or merged away;
    - late_data: the record arrived (first extracted) after the freeze or changed after the data the freeze
      saw (HubSpot updatedAt later than the frozen data's as-of);
    - definition_change: nothing about the record changed but the definitions version did;
    - unexplained: none of the above could be told.
    The rule that counted a record is the metric's under the definitions version named (reported: then;
    definitions_version: now). metric_restatements sums these rows per cause, so a tile's restatement and
    its records are one computation. -#}

with reported as (
    select * from {{ ref('stg_accountability__reported_contributions') }}
),

reported_months as (
    select * from {{ ref('stg_accountability__reported_metrics') }}
),

current_contributions as (
    select * from {{ ref('fct_metric_contributions') }}
    where month_start in (select month_start from {{ ref('stg_accountability__reported_metrics') }})
),

contact_status as (
    select * from {{ ref('dim_contact_status') }}
),

staged_deals as (
    select * from {{ ref('stg_hubspot__deals') }}
),

freezes as (
    select distinct
        month_start,
        metric_key,
        frozen_at,
        frozen_data_as_of,
        reported_definitions_version
    from reported_months
),

compared as (
    select
        coalesce(reported.month_start, current_contributions.month_start) as month_start,
        coalesce(reported.metric_key, current_contributions.metric_key) as metric_key,
        coalesce(reported.record_type, current_contributions.record_type) as record_type,
        coalesce(reported.record_id, current_contributions.record_id) as record_id,
        coalesce(reported.reported_contribution, 0) as reported_contribution,
        coalesce(current_contributions.contribution, 0) as current_contribution
    from reported
    full outer join current_contributions
        on reported.month_start = current_contributions.month_start
        and reported.metric_key = current_contributions.metric_key
        and reported.record_type = current_contributions.record_type
        and reported.record_id = current_contributions.record_id
),

-- only the records whose contribution changed (a semi-join first: the stores are large, the changes few)
contacts as (
    select * from contact_status
    where contact_id in (
        select record_id from compared
        where record_type = 'contact' and current_contribution <> reported_contribution
    )
),

deals as (
    select * from staged_deals
    where deal_id in (
        select record_id from compared
        where record_type = 'deal' and current_contribution <> reported_contribution
    )
),

changed as (
    select
        compared.*,
        compared.current_contribution - compared.reported_contribution as delta,
        freezes.frozen_at,
        freezes.frozen_data_as_of,
        freezes.reported_definitions_version,
        coalesce(contacts.first_extracted_at, deals.first_extracted_at) as record_first_extracted_at,
        coalesce(contacts.updated_at, deals.updated_at) as record_updated_at,
        case
            when compared.record_type = 'contact' then coalesce(contacts.contact_status, 'missing') <> 'live'
            when compared.record_type = 'deal' then coalesce(deals.is_archived, true)
            else false
        end as is_record_gone
    from compared
    inner join freezes
        on compared.month_start = freezes.month_start
        and compared.metric_key = freezes.metric_key
    left join contacts
        on compared.record_type = 'contact'
        and compared.record_id = contacts.contact_id
    left join deals
        on compared.record_type = 'deal'
        and compared.record_id = deals.deal_id
    where compared.current_contribution <> compared.reported_contribution
),

classified as (
    select
        *,
        case
            when is_record_gone and current_contribution = 0 then 'deleted_records'
            when record_first_extracted_at > frozen_at then 'late_data'
            when record_updated_at > frozen_data_as_of then 'late_data'
            when reported_definitions_version <> {{ definitions_version() }} then 'definition_change'
            else 'unexplained'
        end as cause
    from changed
),

final as (
    select
        -- ids
        {{ dbt.concat(["cast(month_start as " ~ dbt.type_string() ~ ")", "'-'", 'metric_key', "'-'", 'record_type', "'-'", 'record_id']) }} as restatement_record_id,
        month_start,
        metric_key,
        record_type,
        record_id,

        -- dimensions
        case
            when reported_contribution = 0 then 'added'
            when current_contribution = 0 then 'removed'
            when delta > 0 then 'increased'
            else 'decreased'
        end as change,
        cause,
        reported_definitions_version,

        -- timestamps
        frozen_at,
        frozen_data_as_of,
        record_first_extracted_at,
        record_updated_at,

        -- measures
        cast(reported_contribution as double precision) as reported_contribution,
        cast(current_contribution as double precision) as current_contribution,
        cast(delta as double precision) as delta,
        {{ definitions_version_column() }}
    from classified
)

select * from final

{#- Calendar helpers in the portal's time zone (definitions: time_zone, fiscal_year_start_month). -#}

{% macro local_month(utc_timestamp) %}
    cast({{ dbt.date_trunc('month', to_local_timestamp(utc_timestamp, definitions()['time_zone'])) }} as date)
{% endmacro %}

{% macro local_timestamp(utc_timestamp) %}
    {{- to_local_timestamp(utc_timestamp, definitions()['time_zone']) -}}
{% endmacro %}

{#- Fiscal year named for the calendar year it ends in (a year starting in February 2026 is FY2027). -#}
{% macro fiscal_year(month_date) %}
    {%- set start = definitions()['fiscal_year_start_month'] -%}
    {%- if start == 1 -%}
        cast(extract(year from {{ month_date }}) as {{ dbt.type_int() }})
    {%- else -%}
        cast(extract(year from {{ month_date }}) as {{ dbt.type_int() }})
        + case when extract(month from {{ month_date }}) >= {{ start }} then 1 else 0 end
    {%- endif -%}
{% endmacro %}

{% macro fiscal_quarter(month_date) %}
    {%- set start = definitions()['fiscal_year_start_month'] -%}
    cast(floor(mod(cast(extract(month from {{ month_date }}) as {{ dbt.type_int() }}) - {{ start }} + 12, 12) / 3) as {{ dbt.type_int() }}) + 1
{% endmacro %}

{#- Integers 0..9999 from cross-joined digits: a portable numbers table. -#}
{% macro numbers_0_to_9999() %}
    {%- set digits -%}
        select 0 as d union all select 1 union all select 2 union all select 3 union all select 4
        union all select 5 union all select 6 union all select 7 union all select 8 union all select 9
    {%- endset -%}
    select ones.d + 10 * tens.d + 100 * hundreds.d + 1000 * thousands.d as n
    from ({{ digits }}) as ones
    cross join ({{ digits }}) as tens
    cross join ({{ digits }}) as hundreds
    cross join ({{ digits }}) as thousands
{% endmacro %}

{#- Hours between two UTC timestamps, from milliseconds so the SLA boundary is exact. -#}
{% macro hours_between(start, finish) %}
    ({{ dbt.datediff(start, finish, 'millisecond') }} / 3600000.0)
{% endmacro %}

{% macro days_between(start, finish) %}
    ({{ dbt.datediff(start, finish, 'millisecond') }} / 86400000.0)
{% endmacro %}

{% macro safe_ratio(numerator, denominator) %}
    case when ({{ denominator }}) = 0 or ({{ denominator }}) is null then null
         else cast(({{ numerator }}) as double precision) / ({{ denominator }}) end
{% endmacro %}

{#- Timestamps: HubSpot sends ISO-8601 text (sometimes epoch milliseconds, sometimes a bare date).
    The warehouse keeps every timestamp as a naive UTC `timestamp`; local time only for calendar months. -#}

{% macro parse_hubspot_timestamp(expression) %}
    {{- return(adapter.dispatch('parse_hubspot_timestamp', 'onefunnel')(expression)) -}}
{% endmacro %}

{% macro default__parse_hubspot_timestamp(expression) %}
    case
        when {{ expression }} is null or {{ expression }} = '' then null
        when {{ expression }} not like '%-%' then cast(to_timestamp(cast({{ expression }} as bigint) / 1000.0) at time zone 'UTC' as timestamp)
        else cast(cast({{ expression }} as timestamp with time zone) at time zone 'UTC' as timestamp)
    end
{% endmacro %}

{% macro duckdb__parse_hubspot_timestamp(expression) %}
    {#- Fast path for HubSpot's usual UTC text ("...Z") and bare dates; offsets go through timestamptz;
        all digits = epoch milliseconds. -#}
    coalesce(
        case
            when right({{ expression }}, 1) = 'Z' or length({{ expression }}) = 10
                then try_cast({{ expression }} as timestamp)
        end,
        timezone('UTC', try_cast({{ expression }} as timestamptz)),
        make_timestamp(try_cast({{ expression }} as bigint) * 1000)
    )
{% endmacro %}


{#- timestamp with time zone -> naive UTC timestamp -#}
{% macro utc_naive(expression) %}
    {{- return(adapter.dispatch('utc_naive', 'onefunnel')(expression)) -}}
{% endmacro %}

{% macro default__utc_naive(expression) %}
    cast({{ expression }} at time zone 'UTC' as timestamp)
{% endmacro %}

{% macro duckdb__utc_naive(expression) %}
    timezone('UTC', cast({{ expression }} as timestamptz))
{% endmacro %}


{#- naive UTC timestamp -> naive wall-clock timestamp in an IANA time zone -#}
{% macro to_local_timestamp(expression, time_zone) %}
    {{- return(adapter.dispatch('to_local_timestamp', 'onefunnel')(expression, time_zone)) -}}
{% endmacro %}

{% macro default__to_local_timestamp(expression, time_zone) %}
    (({{ expression }} at time zone 'UTC') at time zone '{{ time_zone }}')
{% endmacro %}

{% macro duckdb__to_local_timestamp(expression, time_zone) %}
    timezone('{{ time_zone }}', timezone('UTC', {{ expression }}))
{% endmacro %}


{#- a literal ISO timestamp text (UTC) as a naive UTC timestamp -#}
{% macro timestamp_literal(text) %}
    cast('{{ text | replace("T", " ") | replace("Z", "") }}' as {{ dbt.type_timestamp() }})
{% endmacro %}

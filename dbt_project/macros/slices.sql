{#- The slice dimensions of the *_slices marts (the dashboard's filters: team, owner, source, pipeline).
    Each slice mart groups by every combination of its dimensions (grouping sets): a row's member is the
    record's value, '(none)' when the record has none, or '(all)' when the row rolls that dimension up. So a
    filtered slice is one row per month (member = the filter's value, '(all)' for a filter left unset), and
    the medians / p75 in it are computed over exactly that slice's records. -#}

{#- A record's member of a slice dimension: its value, '(none)' when it has none. -#}
{% macro slice_value(column) -%}
    coalesce(cast({{ column }} as {{ dbt.type_string() }}), '(none)')
{%- endmacro %}

{#- A grouping-sets row's member of a slice dimension: '(all)' when the row rolls the dimension up. -#}
{% macro slice_member(column) -%}
    case when grouping({{ column }}) = 1 then '(all)' else {{ column }} end
{%- endmacro %}

{#- The slice id of a grouping-sets row: its members joined with '|', after the given key columns. -#}
{% macro slice_id(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first %}{%- do parts.append("'|'") -%}{%- endif -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '(null)')") -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}

{#- The shared definitions (definitions.yml), validated in Python and passed in as dbt vars.
    Every rule a model applies comes from here, so changing the file is the only way to change a number. -#}

{% macro definitions() %}
    {%- set defs = var('onefunnel_definitions', none) -%}
    {%- if defs is none -%}
        {{ exceptions.raise_compiler_error(
            "The onefunnel definitions are missing. Build through `onefunnel transform` (it validates "
            ~ "definitions.yml and passes it in), or pass them yourself: "
            ~ "dbt build --vars \"$(onefunnel transform --print-vars)\"") }}
    {%- endif -%}
    {{ return(defs) }}
{% endmacro %}


{% macro definitions_version() %}
    {%- set version = var('definitions_version', none) -%}
    {%- if version is none -%}
        {{ exceptions.raise_compiler_error("The var definitions_version is missing: build through `onefunnel transform`.") }}
    {%- endif -%}
    {{ return(dbt.string_literal(version)) }}
{% endmacro %}


{#- Funnel stages in order: [{key, label, order, lifecycle_stages}] -#}
{% macro funnel_stages() %}
    {%- set stages = [] -%}
    {%- for stage in definitions()['stages'] -%}
        {%- do stages.append({'key': stage['key'], 'label': stage['label'], 'order': loop.index,
                              'lifecycle_stages': stage['lifecycle_stages']}) -%}
    {%- endfor -%}
    {{ return(stages) }}
{% endmacro %}


{#- Every lifecycle stage value whose date property the warehouse reads. -#}
{% macro lifecycle_values() %}
    {%- set values = [] -%}
    {%- for stage in definitions()['stages'] -%}
        {%- for value in stage['lifecycle_stages'] -%}
            {%- if value not in values -%}{%- do values.append(value) -%}{%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for value in definitions()['disqualification']['lifecycle_stages'] -%}
        {%- if value not in values -%}{%- do values.append(value) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(values) }}
{% endmacro %}


{#- Column name for a lifecycle stage's date: entered_<value>_at (custom stage ids are numbers). In staging it
    holds HubSpot's hs_lifecyclestage_<value>_date; from int_contacts_resolved on, the stage's date from the
    first source that has one (lifecycle_date_source_column says which). -#}
{% macro lifecycle_date_column(value) %}
    {{- return('entered_' ~ modules.re.sub('[^a-z0-9_]', '_', value | lower) ~ '_at') -}}
{% endmacro %}

{#- Column name for HubSpot's "date entered" property of a lifecycle stage, hs_v2_date_entered_<value>
    (HubSpot keeps one for every stage, custom stages included): date_entered_<value>_at. -#}
{% macro lifecycle_date_entered_column(value) %}
    {{- return('date_entered_' ~ modules.re.sub('[^a-z0-9_]', '_', value | lower) ~ '_at') -}}
{% endmacro %}

{#- Column name for where a lifecycle stage's date came from: entered_<value>_source. -#}
{% macro lifecycle_date_source_column(value) %}
    {{- return('entered_' ~ modules.re.sub('[^a-z0-9_]', '_', value | lower) ~ '_source') -}}
{% endmacro %}

{#- Every lifecycle stage value of the funnel stages, in funnel order. -#}
{% macro funnel_lifecycle_values() %}
    {%- set values = [] -%}
    {%- for stage in definitions()['stages'] -%}
        {%- for value in stage['lifecycle_stages'] -%}
            {%- if value not in values -%}{%- do values.append(value) -%}{%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(values) }}
{% endmacro %}

{#- definitions.yml stage_dates.create_date_fallback: may a contact with no stage date from any source take
    its create date for the stage it is in? (On when the key is absent, as in definitions.py.) -#}
{% macro stage_date_create_date_fallback() %}
    {%- set stage_dates = definitions().get('stage_dates') or {} -%}
    {{ return(stage_dates.get('create_date_fallback', true)) }}
{% endmacro %}

{#- Where a stage date comes from, in order of precedence; the last two are fallbacks (metrics.md: contacts
    without stage dates), counted on the Data health page. -#}
{% macro stage_date_sources() %}
    {{ return(['stage_property', 'date_entered_property', 'history', 'create_date']) }}
{% endmacro %}

{% macro stage_date_fallback_sources() %}
    {{ return(['history', 'create_date']) }}
{% endmacro %}


{#- A Jinja list rendered as a SQL list of string literals: ('a', 'b'); never empty. -#}
{% macro sql_list(values) %}
    {%- if values | length == 0 -%}
        ({{ dbt.string_literal('') }})
    {%- else -%}
        ({% for value in values %}{{ dbt.string_literal(value | string) }}{% if not loop.last %}, {% endif %}{% endfor %})
    {%- endif -%}
{% endmacro %}


{#- The stamp every mart row carries. -#}
{% macro definitions_version_column() %}
    {{ definitions_version() }} as definitions_version
{% endmacro %}


{#- A small table from Jinja rows: columns = [(name, sql type)], rows = [[value, ...]]. Portable (union all). -#}
{% macro values_table(columns, rows) %}
    {%- if rows | length == 0 %}
    select
        {%- for column in columns %}
        cast(null as {{ column[1] }}) as {{ column[0] }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    where 1 = 0
    {%- else %}
    {%- for row in rows %}
    select
        {%- for column in columns %}
        {%- set value = row[loop.index0] %}
        cast({% if value is none %}null{% elif value is number %}{{ value }}{% else %}{{ dbt.string_literal(value | string) }}{% endif %} as {{ column[1] }}) as {{ column[0] }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- endif %}
{% endmacro %}

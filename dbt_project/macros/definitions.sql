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


{#- Column name for a lifecycle stage's date: entered_<value>_at (custom stage ids are numbers). -#}
{% macro lifecycle_date_column(value) %}
    {{- return('entered_' ~ modules.re.sub('[^a-z0-9_]', '_', value | lower) ~ '_at') -}}
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

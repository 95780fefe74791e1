{#- Layers land in schemas named for the layer (staging, intermediate, marts, ...), not <target>_<layer>,
    so the dashboard and the semantic layer read `marts.<table>` whatever the profile's schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}

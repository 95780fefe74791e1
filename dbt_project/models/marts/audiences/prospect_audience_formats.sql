{#- One row per audience file format definitions.yml `audiences.formats` turns on, with its minimum audience
    size and the privacy floor: the export rules travel in the serving snapshot with the audiences they apply
    to, so an export always follows the definitions version that built the numbers. -#}
{{ config(materialized='table', tags=['audiences']) }}
{%- set rules = audience_rules() %}
{%- set rows = [] %}
{%- for format_key, format_rule in rules['formats'].items() | sort %}
    {%- do rows.append([format_key, format_rule['min_audience_size'], rules['privacy_floor']]) %}
{%- endfor %}

with formats as (
    {{ values_table(
        [('audience_format', dbt.type_string()), ('min_audience_size', dbt.type_int()),
         ('privacy_floor', dbt.type_int())],
        rows) }}
),

final as (
    select
        audience_format,
        min_audience_size,
        privacy_floor,
        {{ definitions_version_column() }}
    from formats
)

select * from final

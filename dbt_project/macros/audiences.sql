{#- Prospect audiences (definitions.yml `audiences`): the rules the audience marts and the consent columns
    of stg_hubspot__contacts read. The property names are validated in Python (lowercase letters, digits,
    underscores only), because they become column names here. -#}

{% macro audience_rules() %}
    {{ return(definitions()['audiences']) }}
{% endmacro %}


{#- The HubSpot property holding "unsubscribed from all email" (a boolean property). -#}
{% macro audience_opt_out_property() %}
    {{- return(audience_rules()['consent']['email_opt_out_property']) -}}
{% endmacro %}


{#- The HubSpot property holding the legal basis for processing (";"-separated values). -#}
{% macro audience_legal_basis_property() %}
    {{- return(audience_rules()['consent']['legal_basis_property']) -}}
{% endmacro %}


{#- True when the ";"-separated list in `column` holds at least one lawful basis of the definitions (always
    true when the definitions do not require one). -#}
{% macro audience_has_lawful_basis(column) %}
    {%- set consent = audience_rules()['consent'] -%}
    {%- if not consent['require_lawful_basis'] -%}
        true
    {%- else -%}
        (
        {%- for basis in consent['lawful_bases'] %}
            {{ dbt.position(dbt.string_literal(';' ~ basis ~ ';'), dbt.concat(["';'", "coalesce(" ~ column ~ ", '')", "';'"])) }} > 0
            {%- if not loop.last %} or{% endif %}
        {%- endfor %}
        )
    {%- endif -%}
{% endmacro %}

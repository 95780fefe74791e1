{#- Rules of the issue 19 funnels (definitions.yml deal_stages, attribution, accounts, pipeline_coverage),
    with the defaults of src/onefunnel/definitions.py when a section is absent. -#}

{% macro deal_stage_rules() %}
    {%- set rules = definitions().get('deal_stages') or {} -%}
    {{ return({'stalled_after_days': rules.get('stalled_after_days', 30),
               'by_pipeline': rules.get('stalled_after_days_by_pipeline') or {}}) }}
{% endmacro %}

{#- The stalled threshold in days of the pipeline in `pipeline_column`: its own number, else the default. -#}
{% macro stalled_after_days(pipeline_column) %}
    {%- set rules = deal_stage_rules() -%}
    {%- if rules['by_pipeline'] | length == 0 -%}
        {{ rules['stalled_after_days'] }}
    {%- else -%}
        case {{ pipeline_column }}
        {%- for pipeline, days in rules['by_pipeline'].items() | sort %}
            when {{ dbt.string_literal(pipeline) }} then {{ days }}
        {%- endfor %}
            else {{ rules['stalled_after_days'] }}
        end
    {%- endif -%}
{% endmacro %}

{% macro attribution_rules() %}
    {%- set rules = definitions().get('attribution') or {} -%}
    {{ return({
        'model': rules.get('model', 'w_shaped'),
        'lookback_days': rules.get('lookback_days', 365),
        'touch_interactions': rules.get('touch_interactions', ['form_submission', 'marketing_email_click']),
        'w_shaped': rules.get('w_shaped') or {'first_touch': 0.3, 'lead_creation': 0.3,
                                              'opportunity_creation': 0.3, 'other_touches': 0.1},
    }) }}
{% endmacro %}

{#- Every attribution model, computed side by side; definitions.yml attribution.model picks the headline. -#}
{% macro attribution_models() %}
    {{ return(['first_touch', 'last_touch', 'linear', 'w_shaped']) }}
{% endmacro %}

{% macro account_rules() %}
    {%- set rules = definitions().get('accounts') or {} -%}
    {{ return({'expansion_rule': rules.get('expansion_rule', 'prior_won_deal')}) }}
{% endmacro %}

{% macro coverage_rules() %}
    {%- set rules = definitions().get('pipeline_coverage') or {} -%}
    {{ return({'target_team': rules.get('target_team', 'sales'),
               'open_deals': rules.get('open_deals', 'closing_in_period'),
               'healthy_coverage': rules.get('healthy_coverage', 3.0)}) }}
{% endmacro %}

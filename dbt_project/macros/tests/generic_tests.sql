{#- Generic tests written here instead of pulled from the dbt hub (the build runs without `dbt deps`). -#}

{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}
    select *
    from {{ model }}
    where {{ column_name }} is not null
      and (
        1 = 0
        {%- if min_value is not none %}
        or {{ column_name }} {{ '<' if inclusive else '<=' }} {{ min_value }}
        {%- endif %}
        {%- if max_value is not none %}
        or {{ column_name }} {{ '>' if inclusive else '>=' }} {{ max_value }}
        {%- endif %}
      )
{% endtest %}


{% test expression_is_true(model, expression, where_clause=none) %}
    select *
    from {{ model }}
    where not ({{ expression }})
    {%- if where_clause %}
      and ({{ where_clause }})
    {%- endif %}
{% endtest %}


{% test at_least_one(model, column_name) %}
    select count({{ column_name }}) as non_null_values
    from {{ model }}
    having count({{ column_name }}) = 0
{% endtest %}


{% test unique_combination_of_columns(model, combination_of_columns) %}
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as rows_with_this_key
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
{% endtest %}


{#- Every month between the first and the last month of each partition is present. -#}
{% test no_missing_months(model, column_name, partition_by=[]) %}
    with months as (
        select distinct
            {% for column in partition_by %}{{ column }}, {% endfor %}
            {{ column_name }} as month_start
        from {{ model }}
    ),

    bounds as (
        select
            {% for column in partition_by %}{{ column }}, {% endfor %}
            min(month_start) as first_month,
            max(month_start) as last_month,
            count(*) as months_present
        from months
        {%- if partition_by %}
        group by {{ partition_by | join(', ') }}
        {%- endif %}
    )

    select *
    from bounds
    where months_present <> {{ dbt.datediff('first_month', 'last_month', 'month') }} + 1
{% endtest %}


{#- A value never increases along an ordered sequence within a partition (e.g. the cohort funnel). -#}
{% test never_increases(model, column_name, order_by, partition_by) %}
    with ordered as (
        select
            {{ column_name }} as current_value,
            lag({{ column_name }}) over (
                partition by {{ partition_by | join(', ') }}
                order by {{ order_by }}
            ) as previous_value
        from {{ model }}
    )

    select *
    from ordered
    where previous_value is not null
      and current_value > previous_value
{% endtest %}


{#- unique and not null in one pass (a key column): one test node instead of two. -#}
{% test primary_key(model, column_name) %}
    select
        {{ column_name }},
        count(*) as rows_with_this_key
    from {{ model }}
    group by {{ column_name }}
    having count(*) > 1 or {{ column_name }} is null
{% endtest %}

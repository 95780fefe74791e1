{#- A slice mart (macros/slices.sql) against the unsliced mart it slices, for every key (e.g. month):
    the additive measures summed over the finest slices (no dimension rolled up) and the all-'(all)' rows
    both equal the mart; the non-additive ones (medians, rates) are compared on the all-'(all)' rows only.
    Mart rows whose measures are all zero or null may be missing from the slices (no records, no slice).
    The unsliced marts select their slice mart's all-'(all)' rows (one definition of each number), so the
    comparison that can fail is the finest slices' sums against them: a record counted in no finest slice, or
    in two, shows here. -#}
{% test slices_add_up_to(model, mart, keys, slice_columns, measures, all_member_measures=[], mart_where=none) %}
{%- set all_measures = measures + all_member_measures %}

with finest as (
    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        {%- for measure in measures %}
        sum({{ measure }}) as {{ measure }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ model }}
    where {% for column in slice_columns %}{{ column }} <> '(all)' and {% endfor %}true
    group by {{ keys | join(', ') }}
),

rolled_up as (
    {%- if slice_columns %}
    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        {%- for measure in all_measures %}
        {{ measure }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ model }}
    where {% for column in slice_columns %}{{ column }} = '(all)'{% if not loop.last %} and {% endif %}{% endfor %}
    {%- else %}
    {#- no slice dimension of its own (a finer breakdown of a slice mart's rows): the sums are the check #}
    select * from finest
    {%- endif %}
),

unsliced as (
    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        {%- for measure in all_measures %}
        {{ measure }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ mart }}
    {%- if mart_where %}
    where {{ mart_where }}
    {%- endif %}
),

compared as (
    select
        {%- for key in keys %}
        coalesce(unsliced.{{ key }}, rolled_up.{{ key }}, finest.{{ key }}) as {{ key }},
        {%- endfor %}
        {%- for measure in measures %}
        coalesce(unsliced.{{ measure }}, 0) as mart_{{ measure }},
        coalesce(finest.{{ measure }}, 0) as finest_{{ measure }},
        coalesce(rolled_up.{{ measure }}, 0) as all_{{ measure }},
        {%- endfor %}
        {%- for measure in all_member_measures %}
        unsliced.{{ measure }} as mart_{{ measure }},
        rolled_up.{{ measure }} as all_{{ measure }},
        {%- endfor %}
        rolled_up.{{ keys[0] }} is null as is_missing_from_slices
    from unsliced
    full outer join rolled_up
        on {% for key in keys %}{{ full_join_equal('unsliced.' ~ key, 'rolled_up.' ~ key) }}{% if not loop.last %} and {% endif %}{% endfor %}
    full outer join finest
        on {% for key in keys %}{{ full_join_equal('coalesce(unsliced.' ~ key ~ ', rolled_up.' ~ key ~ ')', 'finest.' ~ key) }}{% if not loop.last %} and {% endif %}{% endfor %}
)

select *
from compared
where
    {%- for measure in measures %}
    abs(mart_{{ measure }} - finest_{{ measure }}) > 1e-6
    or abs(mart_{{ measure }} - all_{{ measure }}) > 1e-6
    or
    {%- endfor %}
    {%- for measure in all_member_measures %}
    (not is_missing_from_slices and abs(coalesce(mart_{{ measure }}, -1) - coalesce(all_{{ measure }}, -1)) > 1e-6)
    or
    {%- endfor %}
    false
{% endtest %}

{#- Incremental builds past staging.

    Every build stamps the rows it writes into an incremental model with `_loaded_at` (the build's start time).
    After staging, int_records_changed lists the records whose derived rows may differ from the last complete
    build (definitions.build_log): contacts, deals and engagements. Each incremental intermediate model and
    mart then deletes the rows of those records (pre-hook `delete_changed`) and inserts them freshly computed
    (`where_changed` in the model, strategy append), so a record that no longer qualifies (deleted, merged
    away, disqualified) simply loses its rows. In a full build `where_changed` is always true.

    build.py runs a build incrementally only when the last build that touched incremental models built all of
    them and passed its tests, with the same model code and definitions (otherwise --full-refresh), so the
    stored state an incremental build starts from is always exactly a full build of the previous landing
    zone. -#}


{#- The batch stamp of this build: a timestamp literal, the same for every model of one dbt invocation. -#}
{% macro batch_loaded_at() %}
    {{- return("cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f') ~ "' as " ~ dbt.type_timestamp() ~ ")") -}}
{% endmacro %}


{#- The ids of one record type changed in this build (a subquery). -#}
{% macro changed_ids(record_type) %}
    (select record_id from {{ ref('int_records_changed') }} where record_type = {{ dbt.string_literal(record_type) }})
{%- endmacro %}


{#- Row filter of an incremental model: only the changed records when incremental, everything otherwise.
    The ref is rendered in both cases so the dependency on int_records_changed always exists (but not in a
    unit test, which tests the full-build logic and need not mock the list of changes). -#}
{% macro where_changed(column, record_type) %}
    {%- if model.resource_type == 'unit_test' -%}
        1 = 1
    {%- elif is_incremental() -%}
        {{ column }} in {{ changed_ids(record_type) }}
    {%- else -%}
        {%- set changes = ref('int_records_changed') -%}
        1 = 1
    {%- endif -%}
{% endmacro %}


{#- Pre-hook of an incremental model: drop the stored rows of the records changed in this build. -#}
{% macro delete_changed(column, record_type) %}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ column }} in {{ changed_ids(record_type) }}
    {%- endif -%}
{% endmacro %}


{#- delete_changed for rows keyed by record type and id together (engagements: type + id). -#}
{% macro delete_changed_typed(type_column, id_column) %}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ dbt.concat([type_column, "'|'", id_column]) }} in (
            select {{ dbt.concat(['record_type', "'|'", 'record_id']) }} from {{ ref('int_records_changed') }}
        )
    {%- endif -%}
{% endmacro %}


{#- The last complete build (every incremental model built) recorded in definitions.build_log, as a dict
    {loaded_at, as_of_at, reference_fingerprint} of SQL literals (as_of_at none when unknown), or none. -#}
{% macro last_complete_build() %}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set log = adapter.get_relation(database=target.database, schema='definitions', identifier='build_log') -%}
    {%- if log is none -%}{{ return(none) }}{%- endif -%}
    {%- set rows = run_query(
        "select cast(loaded_at as " ~ dbt.type_string() ~ "), cast(as_of_at as " ~ dbt.type_string() ~ "), "
        ~ "reference_fingerprint from " ~ log ~ " where is_complete "
        ~ "order by loaded_at desc limit 1") -%}
    {%- if rows | length == 0 -%}{{ return(none) }}{%- endif -%}
    {%- set row = rows.rows[0] -%}
    {{ return({
        'loaded_at': "cast(" ~ dbt.string_literal(row[0]) ~ " as " ~ dbt.type_timestamp() ~ ")",
        'as_of_at': ("cast(" ~ dbt.string_literal(row[1]) ~ " as " ~ dbt.type_timestamp() ~ ")") if row[1] is not none else none,
        'reference_fingerprint': dbt.string_literal(row[2]) if row[2] is not none else 'null',
    }) }}
{% endmacro %}


{#- A fingerprint of the reference snapshots the contact and deal models read besides the CRM records:
    owners and their teams, campaigns, deal pipelines and stages. When it changes, every record is recomputed.
    `relations`: none in a model (refs), or the relations by name in the on-run-end hook (no refs there). -#}
{% macro reference_fingerprint(relations=none) %}
    {%- set names = ['int_owners_teams', 'stg_hubspot__campaigns', 'stg_hubspot__deal_pipelines',
                     'stg_hubspot__deal_pipeline_stages'] -%}
    {%- set source = {} -%}
    {%- for name in names -%}
        {%- do source.update({name: relations[name] if relations is not none else ref(name)}) -%}
    {%- endfor -%}
    (
        select {{ dbt.hash(dbt.listagg('part', "'|'", 'order by part')) }}
        from (
            select {{ dbt.concat(["'o'", "coalesce(owner_id, '')", "coalesce(user_id, '')", "coalesce(team_name, '')",
                                  'team_role', "cast(is_archived as " ~ dbt.type_string() ~ ")"]) }} as part
            from {{ source['int_owners_teams'] }}
            union all
            select {{ dbt.concat(["'c'", 'campaign_id', "coalesce(campaign_name, '')"]) }}
            from {{ source['stg_hubspot__campaigns'] }}
            union all
            select {{ dbt.concat(["'p'", 'pipeline_id', "coalesce(pipeline_label, '')", "cast(is_archived as " ~ dbt.type_string() ~ ")"]) }}
            from {{ source['stg_hubspot__deal_pipelines'] }}
            union all
            select {{ dbt.concat(["'s'", 'pipeline_id', 'deal_stage_id', "coalesce(deal_stage_label, '')",
                                  "cast(is_closed as " ~ dbt.type_string() ~ ")",
                                  "coalesce(cast(probability as " ~ dbt.type_string() ~ "), '')"]) }}
            from {{ source['stg_hubspot__deal_pipeline_stages'] }}
        ) as reference_parts
    )
{%- endmacro %}


{#- on-run-end: one row per dbt invocation in definitions.build_log - its batch, the model code and
    definitions versions, whether it was a full refresh, whether every incremental model was built
    (`is_complete`), whether everything succeeded, whether the unit tests and the data tests ran and passed
    (data tests on the rows this build wrote, which with the earlier builds' is every row), and the as-of date
    and reference fingerprint the models were built with. build.py reads it to choose incremental or full;
    int_records_changed reads it for what changed since. -#}
{% macro record_build(results) %}
    {%- if not execute or invocation_args_dict.get('which') not in ('build', 'run', 'test') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set failed = [] -%}
    {%- set built = [] -%}
    {%- set unit_tests = [] -%}
    {%- for result in results -%}
        {%- if result.status in ('error', 'fail', 'skipped', 'runtime error') -%}
            {%- do failed.append(result.node.unique_id) -%}
        {%- elif result.node.resource_type == 'model' -%}
            {%- do built.append(result.node.unique_id) -%}
        {%- elif result.node.resource_type == 'unit_test' -%}
            {%- do unit_tests.append(result.node.unique_id) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set incremental_models = [] -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.package_name == project_name
              and node.config.materialized == 'incremental' -%}
            {%- do incremental_models.append(node.unique_id) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set touched = incremental_models | select('in', built) | list -%}
    {%- set is_complete = (touched | length) == (incremental_models | length) -%}
    {%- set excluded = invocation_args_dict.get('exclude') or [] -%}
    {%- set selected = invocation_args_dict.get('select') or [] -%}
    {%- set unit_tests_passed = (failed | length) == 0 and (unit_tests | length) > 0 and (selected | length) == 0
                                and 'resource_type:unit_test' not in excluded -%}
    {%- set data_tests_passed = (failed | length) == 0 and 'resource_type:test' not in excluded -%}
    {%- set as_of = adapter.get_relation(database=target.database, schema='intermediate', identifier='int_as_of') -%}
    {%- set reference = {} -%}
    {%- for schema, name in [('intermediate', 'int_owners_teams'), ('staging', 'stg_hubspot__campaigns'),
                             ('staging', 'stg_hubspot__deal_pipelines'), ('staging', 'stg_hubspot__deal_pipeline_stages')] -%}
        {%- set relation = adapter.get_relation(database=target.database, schema=schema, identifier=name) -%}
        {%- if relation is not none -%}{%- do reference.update({name: relation}) -%}{%- endif -%}
    {%- endfor -%}
    {%- set log = api.Relation.create(database=target.database, schema='definitions', identifier='build_log') -%}
    create schema if not exists {{ log.include(database=false, identifier=false) }};
    create table if not exists {{ log }} (
        loaded_at {{ dbt.type_timestamp() }},
        invocation_id {{ dbt.type_string() }},
        definitions_version {{ dbt.type_string() }},
        model_code_version {{ dbt.type_string() }},
        is_full_refresh {{ dbt.type_boolean() }},
        touched_incremental_models {{ dbt.type_int() }},
        is_complete {{ dbt.type_boolean() }},
        succeeded {{ dbt.type_boolean() }},
        unit_tests_passed {{ dbt.type_boolean() }},
        data_tests_passed {{ dbt.type_boolean() }},
        as_of_at {{ dbt.type_timestamp() }},
        reference_fingerprint {{ dbt.type_string() }}
    );
    insert into {{ log }}
    select
        {{ batch_loaded_at() }},
        {{ dbt.string_literal(invocation_id) }},
        {{ dbt.string_literal(var('definitions_version', none) or '') }},
        {{ dbt.string_literal(var('model_code_version', none) or '') }},
        {{ 'true' if flags.FULL_REFRESH else 'false' }},
        {{ touched | length }},
        {{ 'true' if is_complete else 'false' }},
        {{ 'true' if (failed | length) == 0 else 'false' }},
        {{ 'true' if unit_tests_passed else 'false' }},
        {{ 'true' if data_tests_passed else 'false' }},
        {% if as_of is not none %}(select max(as_of_at) from {{ as_of }}){% else %}cast(null as {{ dbt.type_timestamp() }}){% endif %},
        {% if is_complete and (reference | length) == 4 %}{{ reference_fingerprint(reference) }}{% else %}cast(null as {{ dbt.type_string() }}){% endif %}
{% endmacro %}


{#- Post-hook of the models that carry an untouched MQL's age (int_leads_sla, fct_leads). The age and its two
    flags (pending while younger than the SLA, aging past `sla.untouched_aging_days`) move with the as-of date
    for every untouched MQL, but nothing else of its row does: an incremental build recomputes only the
    untouched MQLs whose pending flag flips or whose first touch the as-of time passes (int_records_changed,
    record type lead_sla), and moves the age of all the others here, in place, with the same expressions as
    int_leads_sla. A full build computes them in the model (nothing to do here). -#}
{% macro refresh_untouched_age() %}
    {%- if is_incremental() -%}
        {%- set sla = definitions()['sla'] -%}
        {%- set age = days_between('sla_started_at', 'as_of.as_of_at') -%}
        update {{ this }}
        set
            untouched_age_days = cast({{ age }} as double precision),
            is_sla_pending = {{ age }} * 24 <= {{ sla['first_touch_hours'] }},
            is_aging = {{ age }} > {{ sla['untouched_aging_days'] }}
        from {{ ref('int_as_of') }} as as_of
        where sla_status = 'untouched'
          and sla_started_at is not null
    {%- endif -%}
{% endmacro %}

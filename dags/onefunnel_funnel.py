"""
### onefunnel_funnel — HubSpot → landing → warehouse → quality gate → serving snapshot → exports

One run of the shared sales + marketing funnel:

1. **extract** — one task per HubSpot object (contacts, companies, deals, the five engagement types) plus
   one for the reference snapshots (owners, pipelines, property definitions, campaigns), concurrently
   inside the `hubspot_api` pool (slots sized to the HubSpot tier, `ONEFUNNEL_HUBSPOT_TIER`). Incremental
   from each object's watermark; the connection `hubspot_default` holds the token (and, for the local
   portal, the host).
2. **build_warehouse** — `dbt build` (models, data tests, unit tests) of the DuckDB warehouse; freezes
   months whose close day has passed. One task, not one per model: see docs/airflow.md ("Why one dbt task").
3. **quality_gate** — the Great Expectations checkpoints; a critical failure stops the run here.
4. **publish** — atomic replace of the serving snapshot the dashboard reads; emits the Asset
   `onefunnel_serving_snapshot` so other DAGs can run on each publish.
5. **exports** — the exports of the new snapshot: by default the prospect audiences (`onefunnel audiences
   export`: one file per sales rep and ad-platform format under `<data>/exports/audiences/<run id>/`, with a
   manifest; lists below their minimum size are withheld; docs/audiences.md). More exporters:
   `ONEFUNNEL_EXPORTS`; `ONEFUNNEL_DEFAULT_EXPORTS=none` turns the audiences off.
6. **dbt_docs** — dbt docs next to the snapshot for the dashboard's Docs page, generated again only when the
   dbt project or the definitions changed since the published page.

Every task that opens DuckDB files runs in the `onefunnel_warehouse` pool (1 slot): one writer at a time.
A failed run never publishes: the last good snapshot keeps serving. Failure messages name the cause; with
`ONEFUNNEL_ALERT_EMAILS` set, Airflow's SmtpNotifier e-mails them over the `smtp_default` connection.

**Full refresh** (recovering from a bad state): trigger with `{"full_refresh": true}` — every object is
extracted from scratch (watermarks and checkpoints dropped) and dbt rebuilds its incremental models.

Schedule: `ONEFUNNEL_SCHEDULE` (default `@hourly`; `none` = manual only), `catchup=False`, one run at a time.
"""

from __future__ import annotations

from datetime import datetime, timezone

from airflow.sdk import Asset, Param, dag, task, task_group

from onefunnel.orchestration import settings

SERVING_SNAPSHOT = Asset(name=settings.SERVING_ASSET_NAME, uri=settings.SERVING_ASSET_URI)


@dag(
    dag_id="onefunnel_funnel",
    schedule=settings.schedule(),
    start_date=datetime(2025, 1, 1, tzinfo=timezone.utc),  # noqa: UP017 - Airflow docs' spelling
    catchup=False,
    max_active_runs=1,
    default_args=settings.default_args(),
    tags=[*settings.TAGS, "funnel"],
    doc_md=__doc__,
    params={
        "full_refresh": Param(
            False,
            type="boolean",
            description="Re-extract every object from scratch and rebuild dbt's incremental models.",
        )
    },
    on_failure_callback=settings.dag_failure_callback(),
)
def onefunnel_funnel():
    @task(pool=settings.HUBSPOT_POOL)
    def extract(group: str, params: dict | None = None) -> dict:
        from onefunnel.orchestration.extraction import extract_group

        return extract_group(group, full_refresh=bool((params or {}).get("full_refresh")))

    @task_group(group_id="extract")
    def extract_all():
        return [extract.override(task_id=group)(group) for group in settings.EXTRACT_GROUPS]

    @task(pool=settings.WAREHOUSE_POOL)
    def build_warehouse(params: dict | None = None) -> dict:
        from onefunnel.orchestration.steps import build_warehouse

        return build_warehouse(full_refresh=bool((params or {}).get("full_refresh")))

    @task(pool=settings.WAREHOUSE_POOL)
    def quality_gate() -> dict:
        from onefunnel.orchestration.steps import quality_gate

        return quality_gate()

    @task(pool=settings.WAREHOUSE_POOL, outlets=[SERVING_SNAPSHOT])
    def publish(gate: dict) -> dict:
        from onefunnel.orchestration.steps import publish_snapshot

        return publish_snapshot(gate["quality_run_id"])

    @task(pool=settings.WAREHOUSE_POOL)
    def dbt_docs(published: dict) -> dict:
        from onefunnel.orchestration.steps import refresh_dbt_docs

        return refresh_dbt_docs()

    @task
    def exports(published: dict) -> dict:
        from onefunnel.orchestration.exports import run_exports

        return run_exports(published)

    built = build_warehouse()
    extract_all() >> built
    gate = quality_gate()
    built >> gate
    published = publish(gate)
    exports(published)
    dbt_docs(published)


onefunnel_funnel()

"""
### onefunnel_month_close — freeze the reported monthly tables on the close day

Checks daily (`ONEFUNNEL_MONTH_CLOSE_SCHEDULE`, default `0 6 * * *`) whether a month's close day
(`month_close_day` in definitions.yml, in the portal's time zone) has passed; if so it freezes that month's
accountability numbers as "reported" — exactly once, never rewritten — rebuilds the accountability models so
restatements show against them, then runs the quality gate and publishes. When nothing is due the rebuild,
gate and publish are skipped (short-circuit). A missed day is caught up by the next run.

Last, **email_pack** sends the newest frozen month's accountability pack (the printable page and its CSV) to
each recipient list of `ONEFUNNEL_PACK_EMAILS` over the SMTP connection (`smtp_default`), once per month and
list — also when the main DAG froze the month first. Nothing is sent while the setting is empty.

The main DAG also freezes due months after each warehouse build; this DAG guarantees the freeze happens
on the close day even when the main DAG is paused or failing. All tasks share the `onefunnel_warehouse`
pool (1 slot) with the main DAG: one DuckDB writer at a time.
"""

from __future__ import annotations

from datetime import datetime, timezone

from airflow.sdk import Asset, dag, task

from onefunnel.orchestration import settings

SERVING_SNAPSHOT = Asset(name=settings.SERVING_ASSET_NAME, uri=settings.SERVING_ASSET_URI)


@dag(
    dag_id="onefunnel_month_close",
    schedule=settings.month_close_schedule(),
    start_date=datetime(2025, 1, 1, tzinfo=timezone.utc),  # noqa: UP017 - Airflow docs' spelling
    catchup=False,
    max_active_runs=1,
    default_args=settings.default_args(),
    tags=[*settings.TAGS, "month-close"],
    doc_md=__doc__,
    on_failure_callback=settings.dag_failure_callback(),
)
def onefunnel_month_close():
    # Skips only the rebuild path when nothing is due; email_pack's trigger rule still lets it run.
    @task.short_circuit(pool=settings.WAREHOUSE_POOL, ignore_downstream_trigger_rules=False)
    def freeze_due_months() -> list[str]:
        from onefunnel.orchestration.steps import close_months

        return close_months()

    @task(pool=settings.WAREHOUSE_POOL)
    def rebuild_accountability() -> dict:
        from onefunnel.orchestration.steps import rebuild_accountability

        return rebuild_accountability()

    @task(pool=settings.WAREHOUSE_POOL)
    def quality_gate() -> dict:
        from onefunnel.orchestration.steps import quality_gate

        return quality_gate()

    @task(pool=settings.WAREHOUSE_POOL, outlets=[SERVING_SNAPSHOT])
    def publish(gate: dict) -> dict:
        from onefunnel.orchestration.steps import publish_snapshot

        return publish_snapshot(gate["quality_run_id"])

    @task(trigger_rule="none_failed")
    def email_pack() -> dict:
        from onefunnel.orchestration.pack_mail import send_month_pack

        return send_month_pack()

    rebuilt = rebuild_accountability()
    freeze_due_months() >> rebuilt
    gate = quality_gate()
    rebuilt >> gate
    publish(gate) >> email_pack()


onefunnel_month_close()

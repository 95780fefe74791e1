"""The pipeline steps after extraction, as the DAG tasks call them: warehouse build, quality gate, publish,
exports hook, month close. Each returns a small JSON-able summary (XCom) and raises an error whose message
names the cause (orchestration.failures). Heavy modules are imported inside each step.
"""

from __future__ import annotations

import logging

from onefunnel.orchestration import failures, paths

log = logging.getLogger("onefunnel.orchestration")

ACCOUNTABILITY_MODELS = (
    "stg_accountability__reported_metrics+",
    "stg_accountability__reported_contributions+",
)


def build_warehouse(
    *, full_refresh: bool = False, select: list[str] | None = None, freeze_due: bool = True
) -> dict:
    """dbt build of the warehouse from the landing zone (the warehouse's only writer)."""
    from onefunnel.definitions import DefinitionsError
    from onefunnel.warehouse.build import WarehouseBuildError
    from onefunnel.warehouse.build import build_warehouse as build

    try:
        result = build(
            paths.landing_dir(),
            paths.warehouse_path(),
            select=select,
            full_refresh=full_refresh,
            freeze_due=freeze_due,
        )
    except DefinitionsError as error:
        raise failures.final(
            "warehouse build", f"definitions file: {error}", "Fix definitions.yml; nothing was built"
        ) from None
    except WarehouseBuildError as error:
        if error.failures:  # a model or data test failed: the same data fails the same way again
            raise failures.final(
                "warehouse build", str(error), "Fix the model or the data it names, then clear this task"
            ) from None
        raise failures.retryable("warehouse build", str(error)) from None
    summary = {
        "warehouse": str(result.warehouse_path),
        "definitions_version": result.definitions_version,
        "full_refresh": result.full_refresh,
        "models_built": result.models_built,
        "tests_passed": result.tests_passed,
        "frozen_months": result.frozen_months,
        "seconds": round(result.seconds, 1),
        "notes": result.notes,  # e.g. unit tests left out under custom lifecycle stages, and why
    }
    log.info("warehouse built: %s", summary)
    for note in result.notes:
        log.warning("%s", note)
    return summary


def quality_gate() -> dict:
    """Run every quality checkpoint; fail (without retry) when a critical check fails."""
    from onefunnel.quality.runner import CheckOptions, run_checks

    summary = run_checks(
        CheckOptions(
            landing_dir=paths.landing_dir(),
            warehouse_path=paths.warehouse_path(),
            quality_dir=paths.quality_dir(),
        )
    )
    counts = summary.counts()
    result = {
        "quality_run_id": summary.run_id,
        "status": summary.status.value,
        "checks": counts["checks"],
        "passed": counts["passed"],
        "warnings": [f"{check.name}: {check.message}" for check in summary.warnings][:20],
        "report": summary.data_docs,
    }
    if not summary.status.publishable:
        blocking = summary.blocking
        shown = "; ".join(f"{check.name}: {check.message}" for check in blocking[:5])
        more = f" (+{len(blocking) - 5} more)" if len(blocking) > 5 else ""
        raise failures.final(
            "quality gate",
            f"quality run {summary.run_id} failed {len(blocking)} critical check(s): {shown}{more}",
            f"Read the report ({summary.data_docs or paths.quality_dir()}), fix the source or waive the "
            "check "
            "with `onefunnel check --waive NAME` and publish",
        )
    log.info("quality gate passed: %s", result)
    return result


def publish_snapshot(quality_run_id: str | None = None) -> dict:
    """Publish the checked warehouse as the new serving snapshot (atomic replace)."""
    from onefunnel.publish.snapshot import PublishRefused, publish

    try:
        result = publish(
            warehouse_path=paths.warehouse_path(),
            target=paths.serving_path(),
            quality_dir=paths.quality_dir(),
            run_id=quality_run_id,
        )
    except PublishRefused as refused:
        raise failures.final(
            "publish", "; ".join(refused.reasons), "Rerun the warehouse build and the quality gate"
        ) from None
    summary = {
        "quality_run_id": result.run_id,
        "serving_path": result.serving_path,
        "tables": result.tables,
        "data_as_of": result.data_as_of,
        "definitions_version": result.definitions_version,
        "quality_status": result.quality_status,
        "published_at": result.published_at,
    }
    log.info("published %s tables to %s", len(result.tables), result.serving_path)
    return summary


def refresh_dbt_docs() -> dict:
    """dbt docs (`dbt docs generate --static`) next to the serving snapshot, where the dashboard's Docs page
    serves them. The docs describe the project and the definitions it was built with, so they are generated
    again only when the model code or the definitions version changed since the published page (or it is
    missing); otherwise the step says so and costs nothing."""
    import json

    from onefunnel.definitions import DefinitionsError, load_definitions
    from onefunnel.files import write_private
    from onefunnel.warehouse.build import model_code_version
    from onefunnel.warehouse.docs import (
        DbtDocsError,
        generate_dbt_docs,
        publish_dbt_docs,
        published_dbt_docs_path,
    )

    page = published_dbt_docs_path(paths.serving_path())
    stamp = page.with_suffix(".json")
    try:
        definitions_version = load_definitions().version
    except DefinitionsError as error:
        raise failures.final("dbt docs", f"definitions file: {error}", "Fix definitions.yml") from None
    wanted = {"model_code_version": model_code_version(), "definitions_version": definitions_version}
    if page.is_file() and stamp.is_file() and json.loads(stamp.read_text(encoding="utf-8")) == wanted:
        log.info("dbt docs are current for %s: not generated again", wanted)
        return {"dbt_docs": str(page), "generated": False, **wanted}
    try:
        docs = generate_dbt_docs(paths.warehouse_path(), paths.landing_dir())
        published = publish_dbt_docs(docs.path, paths.serving_path())
    except DbtDocsError as error:
        raise failures.retryable("dbt docs", str(error)) from None
    write_private(stamp, json.dumps(wanted).encode("utf-8"))
    log.info("dbt docs generated in %.1f s and published to %s", docs.seconds, published)
    return {"dbt_docs": str(published), "generated": True, "seconds": round(docs.seconds, 1), **wanted}


def close_months() -> list[str]:
    """Freeze every month whose close day (definitions.yml month_close_day) has passed and that is not
    frozen yet; returns the months frozen now (empty: nothing was due)."""
    from onefunnel.definitions import DefinitionsError, load_definitions
    from onefunnel.warehouse.freeze import default_accountability_dir, due_months, freeze_month

    warehouse = paths.warehouse_path()
    if not warehouse.exists():
        raise failures.final(
            "month close", f"there is no warehouse at {warehouse}", "Run the onefunnel_funnel DAG first"
        )
    try:
        definitions = load_definitions()
    except DefinitionsError as error:
        raise failures.final(
            "month close", f"definitions file: {error}", "Fix definitions.yml; no month was frozen"
        ) from None
    accountability = default_accountability_dir(warehouse)
    frozen = [
        month
        for month in due_months(warehouse, definitions, accountability)
        if freeze_month(month, warehouse, accountability)
    ]
    log.info("months frozen: %s", frozen or "none due")
    return frozen


def rebuild_accountability() -> dict:
    """After a freeze: rebuild the accountability models so reported vs current shows the new month."""
    return build_warehouse(select=list(ACCOUNTABILITY_MODELS), freeze_due=False)

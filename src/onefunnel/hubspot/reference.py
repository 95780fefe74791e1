"""Reference datasets, landed as a complete snapshot every run (they are small): owners (+ their teams),
deal pipelines (+ stages), property definitions, marketing campaigns and the account details."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from onefunnel.hubspot import settings
from onefunnel.hubspot.errors import AuthError, RequestError
from onefunnel.hubspot.streams import RunContext, StreamProgress, now_utc
from onefunnel.landing.writer import concat, document_table


def _run(progress: StreamProgress, ctx: RunContext, body: Callable[[], None]) -> None:
    progress.status = "running"
    progress.started = time.monotonic()
    try:
        body()
        progress.status = "done"
    except BaseException as error:
        progress.status = "failed"
        progress.error = str(error)
        ctx.stop.set()
        raise
    finally:
        progress.finished = time.monotonic()


def owners_stream(ctx: RunContext) -> tuple[StreamProgress, Callable[[], None]]:
    progress = StreamProgress("owners", "owners", "snapshot", "full")

    def body() -> None:
        extracted_at = now_utc()
        owners: list[dict] = []
        for archived in (False, True):
            after = None
            while True:
                ctx.check_stop()
                answer = ctx.api.owners_page(after=after, archived=archived, stats=progress.stats)
                owners.extend(answer.get("results") or [])
                progress.pages += 1
                after = ((answer.get("paging") or {}).get("next") or {}).get("after")
                if not after:
                    break
        teams = [
            {"owner_id": str(owner.get("id")), **team}
            for owner in owners
            for team in owner.get("teams") or ()
        ]
        if owners:
            ctx.landing.write("owners", document_table(owners, extracted_at, ctx.run_id))
        if teams:
            ctx.landing.write("owner_teams", document_table(teams, extracted_at, ctx.run_id))
        progress.records = len(owners)

    return progress, lambda: _run(progress, ctx, body)


def pipelines_stream(ctx: RunContext) -> tuple[StreamProgress, Callable[[], None]]:
    progress = StreamProgress("pipelines", "pipelines", "snapshot", "full")

    def body() -> None:
        extracted_at = now_utc()
        pipeline_tables, stage_tables = [], []
        for object_type in settings.PIPELINE_OBJECTS:
            ctx.check_stop()
            answer = ctx.api.pipelines(object_type, stats=progress.stats)
            progress.pages += 1
            pipelines = answer.get("results") or []
            stages = [
                {"pipeline_id": str(pipeline.get("id")), **stage}
                for pipeline in pipelines
                for stage in pipeline.get("stages") or ()
            ]
            if pipelines:
                pipeline_tables.append(
                    document_table(pipelines, extracted_at, ctx.run_id, object_type=object_type)
                )
                progress.records += len(pipelines)
            if stages:
                stage_tables.append(document_table(stages, extracted_at, ctx.run_id, object_type=object_type))
        ctx.landing.write("pipelines", concat(pipeline_tables))
        ctx.landing.write("pipeline_stages", concat(stage_tables))

    return progress, lambda: _run(progress, ctx, body)


def property_definitions_stream(
    ctx: RunContext, definitions: dict[str, list[dict]]
) -> tuple[StreamProgress, Callable[[], None]]:
    """No requests of its own: the definitions were read once at the start of the run (discovery)."""
    progress = StreamProgress("properties", "properties", "snapshot", "full")

    def body() -> None:
        extracted_at = now_utc()
        tables = [
            document_table(defs, extracted_at, ctx.run_id, object_type=object_type)
            for object_type, defs in definitions.items()
            if defs
        ]
        ctx.landing.write("property_definitions", concat(tables))
        progress.records = sum(len(defs) for defs in definitions.values())

    return progress, lambda: _run(progress, ctx, body)


def campaigns_stream(ctx: RunContext) -> tuple[StreamProgress, Callable[[], None]]:
    progress = StreamProgress("campaigns", "campaigns", "snapshot", "full")

    def body() -> None:
        extracted_at = now_utc()
        campaigns: list[dict] = []
        after = None
        while True:
            ctx.check_stop()
            answer = ctx.api.campaigns_page(after=after, stats=progress.stats)
            campaigns.extend(answer.get("results") or [])
            progress.pages += 1
            after = ((answer.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                break
        if campaigns:
            ctx.landing.write("campaigns", document_table(campaigns, extracted_at, ctx.run_id))
        progress.records = len(campaigns)

    return progress, lambda: _run(progress, ctx, body)


# Answers that mean "this token may not read the account details" (403) or "this host has no such
# endpoint" (404, 400 from older proxies): the dataset is skipped, record links then come from
# configuration. A 401 (wrong token) and every other error still fail the run.
ACCOUNT_UNAVAILABLE_STATUSES = (400, 403, 404)
ACCOUNT_DATASET = "account_details"

log = logging.getLogger("onefunnel.extract")


def account_stream(ctx: RunContext, skipped: dict[str, str]) -> tuple[StreamProgress, Callable[[], None]]:
    """The account details, one row (`account_details`); when HubSpot refuses them, `skipped["account"]`
    says why and nothing lands."""
    progress = StreamProgress("account", "account", "snapshot", "full")

    def body() -> None:
        extracted_at = now_utc()
        ctx.check_stop()
        try:
            details = ctx.api.account_details(stats=progress.stats)
        except (AuthError, RequestError) as error:
            status = getattr(error, "status", None)
            if status not in ACCOUNT_UNAVAILABLE_STATUSES:
                raise
            endpoint = getattr(error, "endpoint", None) or f"GET {ctx.api.paths.account_details}"
            skipped["account"] = (
                f"HubSpot answered {status} on {endpoint} (the account details); record links in the "
                "dashboard then need ONEFUNNEL_HUBSPOT_PORTAL_ID and ONEFUNNEL_HUBSPOT_UI_DOMAIN. "
                "The run continues without them."
            )
            log.warning("account details skipped: %s", skipped["account"])
            return
        progress.pages += 1
        if not isinstance(details, dict) or details.get("portalId") in (None, ""):
            raise RequestError(f"account details without a portalId: {str(details)[:200]}")
        ctx.landing.write(ACCOUNT_DATASET, document_table([details], extracted_at, ctx.run_id))
        progress.records = 1

    return progress, lambda: _run(progress, ctx, body)

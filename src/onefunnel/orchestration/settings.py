"""What the DAG files read at parse time: schedules, pools, retries, extract groups, the serving Asset name.

Cheap on purpose (a DAG file is parsed every few seconds): environment variables and constants only, no
data reads, no heavy imports. Every value has a default and an environment override (documented in
.env.example and docs/airflow.md).
"""

from __future__ import annotations

import os
from datetime import timedelta

from onefunnel.hubspot.settings import CRM_OBJECTS, REFERENCE_OBJECTS, TIERS

OWNER = os.environ.get("ONEFUNNEL_DAG_OWNER", "data-engineering")
TAGS = ["onefunnel", "hubspot"]

# Main funnel DAG: hourly by default; any cron or preset ("@daily", "0 */2 * * *") or "none" (manual only).
SCHEDULE_ENV = "ONEFUNNEL_SCHEDULE"
DEFAULT_SCHEDULE = "@hourly"
# Month close: checked daily; the close day itself comes from definitions.yml (month_close_day), so a missed
# day is caught up on the next run instead of waiting a month.
MONTH_CLOSE_SCHEDULE_ENV = "ONEFUNNEL_MONTH_CLOSE_SCHEDULE"
DEFAULT_MONTH_CLOSE_SCHEDULE = "0 6 * * *"

# Pools. HubSpot: how many object extractions may share the account's rate-limit window at once.
HUBSPOT_POOL = "hubspot_api"
HUBSPOT_POOL_SLOTS_ENV = "ONEFUNNEL_HUBSPOT_POOL_SLOTS"
TIER_ENV = "ONEFUNNEL_HUBSPOT_TIER"
DEFAULT_TIER = "professional"
# Slots per tier: each extraction paces itself to the tier's window and follows HubSpot's
# X-HubSpot-RateLimit-Remaining header, so a few concurrent object runs share the window without 429 storms;
# more concurrent runs than this only queue on the rate limit. (Larger tiers allow more requests per 10 s.)
TIER_POOL_SLOTS = {"free": 2, "starter": 2, "professional": 4, "enterprise": 4, "api_pack": 6, "unlimited": 8}
# Warehouse: DuckDB has one writer. Every task that opens the warehouse or the serving snapshot (dbt build,
# month freeze, quality gate, publish) takes this single slot, across all DAGs.
WAREHOUSE_POOL = "onefunnel_warehouse"

# Extract task groups: one task per CRM object; the four small reference snapshots share one task.
EXTRACT_GROUPS: dict[str, tuple[str, ...]] = {name: (name,) for name in CRM_OBJECTS}
EXTRACT_GROUPS["reference"] = tuple(REFERENCE_OBJECTS)

# Retries with exponential backoff (30 s, 60 s, ... capped at 10 min). Failures that a retry cannot fix
# (wrong token, definitions error, failed quality gate) fail at once instead (orchestration.failures).
RETRIES_ENV = "ONEFUNNEL_TASK_RETRIES"
DEFAULT_RETRIES = 2
RETRY_DELAY = timedelta(seconds=30)
MAX_RETRY_DELAY = timedelta(minutes=10)
RETRY_BACKOFF = 2.0

# The published serving snapshot as an Airflow Asset: DAGs with `schedule=[SERVING_ASSET_NAME asset]` run
# after every publish (exports, notifications). "x-" URIs are opaque to Airflow, so the URI does not depend
# on where the data folder is mounted.
SERVING_ASSET_NAME = "onefunnel_serving_snapshot"
SERVING_ASSET_URI = "x-onefunnel://serving/snapshot"


def schedule() -> str | None:
    value = os.environ.get(SCHEDULE_ENV, DEFAULT_SCHEDULE).strip()
    return None if value.lower() in ("", "none", "manual") else value


def month_close_schedule() -> str | None:
    value = os.environ.get(MONTH_CLOSE_SCHEDULE_ENV, DEFAULT_MONTH_CLOSE_SCHEDULE).strip()
    return None if value.lower() in ("", "none", "manual") else value


def hubspot_tier() -> str:
    tier = os.environ.get(TIER_ENV, DEFAULT_TIER).strip()
    if tier not in TIERS and tier != "unlimited":
        raise ValueError(f"{TIER_ENV}={tier!r}: choose one of {', '.join([*TIERS, 'unlimited'])}")
    return tier


def hubspot_pool_slots() -> int:
    configured = os.environ.get(HUBSPOT_POOL_SLOTS_ENV)
    return max(1, int(configured)) if configured else TIER_POOL_SLOTS[hubspot_tier()]


def task_retries() -> int:
    # Never fewer than 2: a transient failure (HubSpot 5xx burst, a locked file) must not page anyone.
    return max(DEFAULT_RETRIES, int(os.environ.get(RETRIES_ENV, DEFAULT_RETRIES)))


def default_args() -> dict:
    from onefunnel.orchestration.notify import task_failure_callbacks

    return {
        "owner": OWNER,
        "retries": task_retries(),
        "retry_delay": RETRY_DELAY,
        "retry_exponential_backoff": RETRY_BACKOFF,
        "max_retry_delay": MAX_RETRY_DELAY,
        "on_failure_callback": task_failure_callbacks(),
    }


def dag_failure_callback():
    from onefunnel.orchestration.notify import on_dag_failure

    return on_dag_failure

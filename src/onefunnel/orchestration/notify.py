"""The notification hook: one place where task and DAG failures (and publishes) can be sent somewhere.

Nothing is sent by default; the callback only logs a one-line summary. To send notifications set
ONEFUNNEL_NOTIFY_CALLBACK=package.module:function; the function receives a small dict (event, dag_id,
task_id, run_id, try_number, message, log_url) and never the Airflow context, so no secret can leak
through it. A failing notifier is logged and never fails the task.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from importlib import import_module
from typing import Any

NOTIFY_ENV = "ONEFUNNEL_NOTIFY_CALLBACK"
log = logging.getLogger("onefunnel.notify")


def configured_notifier() -> Callable[[dict], Any] | None:
    target = os.environ.get(NOTIFY_ENV, "").strip()
    if not target:
        return None
    module_name, _, attribute = target.partition(":")
    if not attribute:
        raise ValueError(f"{NOTIFY_ENV}={target!r}: expected 'package.module:function'")
    return getattr(import_module(module_name), attribute)


def event_from_context(event: str, context: dict) -> dict:
    ti = context.get("ti") or context.get("task_instance")
    dag_run = context.get("dag_run")
    exception = context.get("exception")
    return {
        "event": event,
        "dag_id": getattr(ti, "dag_id", None) or getattr(dag_run, "dag_id", None),
        "task_id": getattr(ti, "task_id", None),
        "run_id": getattr(ti, "run_id", None) or getattr(dag_run, "run_id", None),
        "try_number": getattr(ti, "try_number", None),
        "message": _redacted(str(exception)) if exception else context.get("reason"),
        "log_url": getattr(ti, "log_url", None),
    }


def send(event: dict) -> None:
    log.warning("onefunnel %s: %s", event.get("event"), _summary(event))
    try:
        notifier = configured_notifier()
        if notifier is not None:
            notifier(event)
    except Exception:  # a broken notifier must never turn a run into a different failure
        log.exception("the notification callback %s failed", os.environ.get(NOTIFY_ENV))


def on_task_failure(context: dict) -> None:
    """Airflow on_failure_callback for tasks (default_args of every onefunnel DAG)."""
    send(event_from_context("task_failed", context))


def on_dag_failure(context: dict) -> None:
    """Airflow on_failure_callback for DAG runs."""
    send(event_from_context("dag_run_failed", context))


def _summary(event: dict) -> str:
    where = ".".join(str(part) for part in (event.get("dag_id"), event.get("task_id")) if part)
    return f"{where} run {event.get('run_id')}: {event.get('message')}"


def _redacted(text: str) -> str:
    try:
        from onefunnel.hubspot.client import redact
    except ImportError:
        return text
    return redact(text)

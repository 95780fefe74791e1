"""Failure notifications with Airflow's own notifiers.

Every task failure logs one line naming the DAG, task, run and cause. When `ONEFUNNEL_ALERT_EMAILS` lists
recipients, the failure also goes out by e-mail through Airflow's `SmtpNotifier` (SMTP provider), over the
Airflow connection `smtp_default` (another one with `ONEFUNNEL_SMTP_CONN_ID`): host, port, login and the
sender (`from_email` in its extra) live in that connection, never in the code or the logs. The e-mail
carries the clear failure message of orchestration.failures (step, cause, what to do), redacted of tokens.

Other channels (Slack, Teams, PagerDuty…) are Airflow notifiers too: add the provider and append its
notifier to `task_failure_callbacks()`'s list.
"""

from __future__ import annotations

import logging
import os
import re

ALERT_EMAILS_ENV = "ONEFUNNEL_ALERT_EMAILS"
SMTP_CONN_ENV = "ONEFUNNEL_SMTP_CONN_ID"
DEFAULT_SMTP_CONN = "smtp_default"
log = logging.getLogger("onefunnel.notify")

# Deliberately plain: one @, no spaces or separators, a dot in the domain. Enough to catch a typo or a
# wrong separator in the setting; the SMTP server has the last word.
_ADDRESS = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


class NotificationSettingError(ValueError):
    """A recipient setting that cannot be used; the message names the variable and the bad value."""


def addresses(value: str, variable: str) -> list[str]:
    """'a@x.com, b@y.org' -> ['a@x.com', 'b@y.org']; a malformed address raises naming it."""
    found = [part.strip() for part in value.split(",") if part.strip()]
    for address in found:
        if not _ADDRESS.match(address):
            raise NotificationSettingError(
                f"{variable}: {address!r} is not an e-mail address (separate addresses with ',')"
            )
    return found


def recipient_lists(value: str, variable: str) -> list[list[str]]:
    """'a@x.com, b@x.com; c@y.org' -> [['a@x.com', 'b@x.com'], ['c@y.org']]: lists separated by ';'."""
    lists = [addresses(part, variable) for part in value.split(";") if part.strip()]
    return [found for found in lists if found]


def alert_recipients() -> list[str]:
    return addresses(os.environ.get(ALERT_EMAILS_ENV, ""), ALERT_EMAILS_ENV)


def smtp_conn_id() -> str:
    return os.environ.get(SMTP_CONN_ENV, "").strip() or DEFAULT_SMTP_CONN


def event_from_context(event: str, context: dict) -> dict:
    """The few facts of a failure worth sending: never the Airflow context itself."""
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


def log_task_failure(context: dict) -> None:
    """One log line per failed task (always on)."""
    event = event_from_context("task_failed", context)
    log.warning("onefunnel %s: %s", event["event"], summary(event))


def on_dag_failure(context: dict) -> None:
    """Airflow on_failure_callback for DAG runs: one log line (the failed task already notified)."""
    event = event_from_context("dag_run_failed", context)
    log.warning("onefunnel %s: %s", event["event"], summary(event))


def task_failure_callbacks() -> list:
    """The `on_failure_callback` list of every onefunnel task: the log line, plus Airflow's SmtpNotifier
    when ONEFUNNEL_ALERT_EMAILS is set. Read when a DAG file is parsed: a malformed address fails the parse
    with a message naming it (shown as the DAG's import error)."""
    callbacks: list = [log_task_failure]
    recipients = alert_recipients()
    if recipients:
        from onefunnel.orchestration.alerts import FailureEmail

        callbacks.append(FailureEmail(to=recipients, smtp_conn_id=smtp_conn_id()))
    return callbacks


def summary(event: dict) -> str:
    where = ".".join(str(part) for part in (event.get("dag_id"), event.get("task_id")) if part)
    return f"{where} run {event.get('run_id')}: {event.get('message')}"


def _redacted(text: str) -> str:
    try:
        from onefunnel.hubspot.client import redact
    except ImportError:
        return text
    return redact(text)

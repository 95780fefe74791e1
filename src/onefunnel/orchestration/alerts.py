"""The failure e-mail: Airflow's SmtpNotifier with onefunnel's message (imported only when e-mails are on)."""

from __future__ import annotations

import html

from airflow.providers.smtp.notifications.smtp import SmtpNotifier

from onefunnel.orchestration.notify import event_from_context


def failure_subject(event: dict) -> str:
    where = ".".join(str(part) for part in (event.get("dag_id"), event.get("task_id")) if part)
    return f"[onefunnel] {where} failed (run {event.get('run_id')})"


def failure_html(event: dict) -> str:
    rows = [
        ("DAG", event.get("dag_id")),
        ("Task", event.get("task_id")),
        ("Run", event.get("run_id")),
        ("Try", event.get("try_number")),
    ]
    table = "".join(
        f"<tr><th align='left'>{name}</th><td>{html.escape(str(value))}</td></tr>" for name, value in rows
    )
    log_link = (
        f"<p><a href='{html.escape(str(event['log_url']))}'>The task's log in Airflow</a></p>"
        if event.get("log_url")
        else ""
    )
    return (
        f"<p><strong>{html.escape(str(event.get('message') or 'no message'))}</strong></p>"
        f"<table>{table}</table>{log_link}"
        "<p>Nothing downstream of a failed task runs: the dashboard keeps serving the last good snapshot.</p>"
    )


class FailureEmail(SmtpNotifier):
    """SmtpNotifier whose subject and body are the failure's clear message (step, cause, what to do)."""

    def _fill(self, context) -> None:
        event = event_from_context("task_failed", context)
        self.subject = failure_subject(event)
        self.html_content = failure_html(event)

    def notify(self, context) -> None:
        self._fill(context)
        super().notify(context)

    async def async_notify(self, context) -> None:
        self._fill(context)
        await super().async_notify(context)

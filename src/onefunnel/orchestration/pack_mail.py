"""The monthly pack by e-mail: after month close, the newest frozen month's accountability pack (the printable
page as the e-mail's body and as an attachment, plus its CSV) goes to each recipient list of
ONEFUNNEL_PACK_EMAILS, over the Airflow SMTP connection (smtp_default, or ONEFUNNEL_SMTP_CONN_ID).

Each list gets the month once: a ledger (paths.deliveries_path()) records month -> lists sent, written after
every message, so a retried task or the next daily run sends only what is missing (a list added later gets
the month too). Only the newest frozen month is sent: on a first deployment the back catalogue is not.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from onefunnel.orchestration import failures, notify, paths

PACK_EMAILS_ENV = "ONEFUNNEL_PACK_EMAILS"
log = logging.getLogger("onefunnel.orchestration")


def pack_recipient_lists() -> list[list[str]]:
    return notify.recipient_lists(os.environ.get(PACK_EMAILS_ENV, ""), PACK_EMAILS_ENV)


def _ledger(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise failures.final(
            "pack e-mail",
            f"the delivery ledger {path} is not JSON ({error})",
            "Fix or delete the file (deleting it re-sends the newest month to every list)",
        ) from None


def _write_ledger(path: Path, ledger: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(ledger, indent=2, sort_keys=True))
    temporary.replace(path)


def send_month_pack() -> dict:
    """E-mail the newest frozen month's pack to every list that has not had it; returns what was sent."""
    from onefunnel.accountability.pack import NoFrozenMonth, read_month_pack

    lists = pack_recipient_lists()
    if not lists:
        log.info("%s is empty: the monthly pack is not e-mailed", PACK_EMAILS_ENV)
        return {"month": None, "sent_to": [], "reason": f"{PACK_EMAILS_ENV} is empty"}
    try:
        month_pack = read_month_pack(paths.serving_path())
    except NoFrozenMonth as nothing:
        log.info("no pack to send: %s", nothing)
        return {"month": None, "sent_to": [], "reason": str(nothing)}
    month = month_pack.month.isoformat()
    ledger_path = paths.deliveries_path()
    ledger = _ledger(ledger_path)
    delivered = ledger.setdefault(month, {})
    pending = [recipients for recipients in lists if ", ".join(recipients) not in delivered]
    if not pending:
        return {"month": month, "sent_to": [], "reason": "already sent to every list"}
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    from onefunnel import formatting

    conn_id = notify.smtp_conn_id()
    subject = f"[onefunnel] Monthly accountability pack, {formatting.month_label(month_pack.month)}"
    sent = []
    with tempfile.TemporaryDirectory(prefix="onefunnel-pack-") as folder:
        page = Path(folder) / f"{month_pack.file_stem}.html"
        table = Path(folder) / f"{month_pack.file_stem}.csv"
        page.write_text(month_pack.html, encoding="utf-8")
        table.write_bytes(month_pack.csv)
        for recipients in pending:
            try:
                with SmtpHook(smtp_conn_id=conn_id) as smtp:
                    smtp.send_email_smtp(
                        to=recipients,
                        subject=subject,
                        html_content=month_pack.html,
                        files=[str(page), str(table)],
                    )
            except Exception as error:
                raise failures.retryable(
                    "pack e-mail",
                    f"sending {month} to {', '.join(recipients)} over the connection '{conn_id}' failed: "
                    f"{type(error).__name__}: {error}",
                ) from None
            delivered[", ".join(recipients)] = {
                "sent_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "snapshot_run_id": month_pack.run_id,
            }
            _write_ledger(ledger_path, ledger)
            sent.append(recipients)
            log.info("monthly pack %s sent to %s", month, ", ".join(recipients))
    return {"month": month, "sent_to": [", ".join(recipients) for recipients in sent], "reason": None}

"""The monthly pack e-mail step (onefunnel.orchestration.pack_mail) on a hand-built serving snapshot with two
frozen months (tests/dashboard/snapshot_fixture.py), over Airflow's SMTP hook to a local aiosmtpd sink.
The same step run by the month-close DAG through Airflow: tests/orchestration/test_e2e_airflow.py."""

from __future__ import annotations

import csv
import io
import json

import pytest
from smtp_sink import SmtpSink, attachments, free_port, html_body

from dashboard.snapshot_fixture import accountability_rows, build_snapshot
from onefunnel.orchestration import failures, notify
from onefunnel.orchestration.pack_mail import PACK_EMAILS_ENV, send_month_pack

pytestmark = pytest.mark.integration
LISTS = "ceo@example.test, cmo@example.test; sales-leads@example.test"


@pytest.fixture
def snapshot(tmp_path, monkeypatch):
    path = build_snapshot(tmp_path / "serving" / "serving.duckdb", rows=accountability_rows())
    monkeypatch.setenv("ONEFUNNEL_SERVING_PATH", str(path))
    monkeypatch.setenv("ONEFUNNEL_DELIVERIES_PATH", str(tmp_path / "deliveries" / "month_packs.json"))
    monkeypatch.delenv(notify.SMTP_CONN_ENV, raising=False)
    return path


def _frozen(path, month: str) -> dict[str, float]:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select metric_key, reported_value from marts.monthly_accountability where month_start = ?",
            [month],
        ).fetchall()
    return {key: float(value) for key, value in rows}


def test_the_newest_frozen_month_goes_to_each_list_with_the_page_and_the_csv(snapshot, monkeypatch):
    # GIVEN a snapshot whose newest frozen month is September 2026, and two recipient lists
    monkeypatch.setenv(PACK_EMAILS_ENV, LISTS)
    with SmtpSink() as sink:
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", sink.connection())
        # WHEN the pack step runs
        result = send_month_pack()
        received, envelopes = sink.messages, sink.envelopes
    # THEN one message per list, to that list
    assert result == {
        "month": "2026-09-01",
        "sent_to": ["ceo@example.test, cmo@example.test", "sales-leads@example.test"],
        "reason": None,
    }
    assert [recipients for _, recipients in envelopes] == [
        ["ceo@example.test", "cmo@example.test"],
        ["sales-leads@example.test"],
    ]
    frozen = _frozen(snapshot, "2026-09-01")
    for message in received:
        assert message["Subject"] == "[onefunnel] Monthly accountability pack, September 2026"
        # AND both attachments; the body is the printable page
        files = attachments(message)
        assert sorted(files) == [
            "onefunnel-accountability-2026-09.csv",
            "onefunnel-accountability-2026-09.html",
        ]
        page = files["onefunnel-accountability-2026-09.html"].decode()
        assert html_body(message) == page
        assert "monthly accountability, September 2026" in page
        # AND the CSV's reported numbers are the snapshot's frozen September, metric by metric
        rows = list(csv.DictReader(io.StringIO(files["onefunnel-accountability-2026-09.csv"].decode())))
        assert {row["month"] for row in rows} == {"2026-09-01"}
        assert {
            row["metric_key"]: float(row["reported"]) for row in rows if row["metric_key"] in frozen
        } == frozen


def test_each_list_gets_a_month_once_and_a_new_list_gets_it_too(snapshot, monkeypatch, tmp_path):
    # GIVEN September already sent to both lists
    monkeypatch.setenv(PACK_EMAILS_ENV, LISTS)
    with SmtpSink() as sink:
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", sink.connection())
        send_month_pack()
        # WHEN the step runs again (next daily run, or a retry)  THEN nothing is sent
        assert send_month_pack() == {
            "month": "2026-09-01",
            "sent_to": [],
            "reason": "already sent to every list",
        }
        # AND a list added since gets September, alone
        monkeypatch.setenv(PACK_EMAILS_ENV, LISTS + "; board@example.test")
        assert send_month_pack()["sent_to"] == ["board@example.test"]
        assert len(sink.messages) == 3
    ledger = json.loads((tmp_path / "deliveries" / "month_packs.json").read_text())
    assert sorted(ledger["2026-09-01"]) == [
        "board@example.test",
        "ceo@example.test, cmo@example.test",
        "sales-leads@example.test",
    ]


def test_nothing_is_sent_without_lists_or_without_a_frozen_month(snapshot, monkeypatch, tmp_path):
    # GIVEN no recipient lists  WHEN the step runs  THEN it says why nothing was sent
    monkeypatch.delenv(PACK_EMAILS_ENV, raising=False)
    assert send_month_pack() == {"month": None, "sent_to": [], "reason": f"{PACK_EMAILS_ENV} is empty"}
    # GIVEN lists but a snapshot without any frozen month  THEN the same, naming the snapshot
    empty = build_snapshot(tmp_path / "empty" / "serving.duckdb")
    monkeypatch.setenv("ONEFUNNEL_SERVING_PATH", str(empty))
    monkeypatch.setenv(PACK_EMAILS_ENV, LISTS)
    result = send_month_pack()
    assert result["sent_to"] == []
    assert "has no frozen month yet" in result["reason"]


def test_bad_settings_and_an_unreachable_server_fail_with_clear_messages(snapshot, monkeypatch, tmp_path):
    # GIVEN a malformed address  WHEN the step runs  THEN the error names the variable and the address
    monkeypatch.setenv(PACK_EMAILS_ENV, "ceo@example.test; sales-leads")
    with pytest.raises(notify.NotificationSettingError, match=rf"{PACK_EMAILS_ENV}: 'sales-leads' is not"):
        send_month_pack()
    # GIVEN an SMTP connection to a port nobody listens on  THEN a retryable failure names list and connection
    monkeypatch.setenv(PACK_EMAILS_ENV, "ceo@example.test")
    monkeypatch.setenv(
        "AIRFLOW_CONN_SMTP_DEFAULT",
        json.dumps(
            {
                "conn_type": "smtp",
                "host": "127.0.0.1",
                "port": free_port(),
                "extra": {
                    "disable_ssl": True,
                    "disable_tls": True,
                    "from_email": "x@example.test",
                    "retry_limit": 0,
                },
            }
        ),
    )
    with pytest.raises(failures.StepFailed) as raised:
        send_month_pack()
    assert (
        "pack e-mail failed: sending 2026-09-01 to ceo@example.test over the connection 'smtp_default'"
        in str(raised.value)
    )
    # GIVEN a delivery ledger that is not JSON  THEN a final failure names the file and what to do
    ledger = tmp_path / "deliveries" / "month_packs.json"
    ledger.parent.mkdir(parents=True, exist_ok=True)
    ledger.write_text("{not json")
    with pytest.raises(Exception, match=r"the delivery ledger .*month_packs\.json is not JSON") as raised:
        send_month_pack()
    assert "deleting it re-sends the newest month" in str(raised.value)

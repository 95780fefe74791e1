"""The orchestration package without Airflow running: staging promotion, failure messages, the notification
and exports hooks, pools per tier, schedules from the environment, the local Airflow environment."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from onefunnel import config
from onefunnel.orchestration import bootstrap, exports, failures, notify, settings, steps
from onefunnel.orchestration.extraction import promote_staged

pytestmark = pytest.mark.unit


def _part(folder, name="part-00000.parquet", data=b"PAR1"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def test_promote_moves_finished_runs_and_manifests_but_never_temporaries(tmp_path):
    # GIVEN a task's staging area with a finished run, its manifest and a killed writer's temporary file
    staging, landing, state = (
        tmp_path / "landing" / "_staging" / "contacts",
        tmp_path / "landing",
        tmp_path / "st",
    )
    _part(staging / "contacts" / "run_id=R1")
    _part(staging / "contacts_property_history" / "run_id=R1")
    (staging / "contacts" / "run_id=R1" / ".part-00001.parquet.123.tmp").write_bytes(b"half")
    _part(staging / "_runs", "R1.json", b"{}")
    # AND the landing zone already holds an earlier run
    _part(landing / "contacts" / "run_id=R0")
    # WHEN promoted
    moved = promote_staged(staging, landing, state)
    # THEN the run folders and the manifest are in the landing zone, the earlier run untouched
    assert sorted(moved) == ["_runs/R1.json", "contacts/run_id=R1", "contacts_property_history/run_id=R1"]
    assert (landing / "contacts" / "run_id=R0" / "part-00000.parquet").exists()
    assert (landing / "contacts" / "run_id=R1" / "part-00000.parquet").exists()
    assert (landing / "_runs" / "R1.json").exists()
    # AND the temporary file travelled with its folder but stays invisible to the dataset glob
    assert sorted(p.name for p in (landing / "contacts").glob("*/*.parquet")) == ["part-00000.parquet"] * 2
    # AND a second promotion finds nothing left to move
    assert promote_staged(staging, landing, state) == []


def test_promote_waits_for_nobody_when_the_group_lock_is_taken(tmp_path):
    # GIVEN an extraction of the same group still running (it holds the group's state lock)
    from onefunnel.landing.state import StateLockedError, StateStore

    staging = tmp_path / "staging"
    _part(staging / "deals" / "run_id=R1")
    # WHEN a retry tries to promote  THEN it refuses instead of moving a folder being written
    with StateStore(tmp_path / "state").exclusive(), pytest.raises(StateLockedError):
        promote_staged(staging, tmp_path / "landing", tmp_path / "state")
    assert (staging / "deals" / "run_id=R1").exists()


def test_a_refused_token_fails_at_once_naming_the_cause_and_the_fix():
    # GIVEN the extractor's 401 error (whose text could carry a token if redaction failed)
    from airflow.sdk.exceptions import AirflowFailException

    from onefunnel.hubspot.client import register_secret
    from onefunnel.hubspot.errors import AuthError

    register_secret("secret-token-abc")
    error = AuthError("HTTP 401 from /crm/v3/properties/contacts with secret-token-abc")
    # WHEN mapped to a task failure
    failure = failures.extract_failure("contacts", error)
    # THEN Airflow will not retry it and the message names the object, the cause and the connection to fix
    assert isinstance(failure, AirflowFailException)
    message = str(failure)
    assert message.startswith("extract contacts failed: HubSpot refused the access token (401/403)")
    assert "hubspot_default" in message
    assert "last good serving snapshot keeps serving" in message
    assert "secret-token-abc" not in message


def test_transient_extract_errors_are_retried():
    # GIVEN HubSpot errors a retry can fix  WHEN mapped  THEN plain errors (Airflow retries them)
    from onefunnel.hubspot.errors import RetriesExhausted

    failure = failures.extract_failure("deals", RetriesExhausted("503 x8 on deals page after=100"))
    assert isinstance(failure, failures.StepFailed)
    assert "extract deals failed" in str(failure)
    assert "503 x8" in str(failure)


def test_failures_only_log_when_no_alert_recipients_are_set(monkeypatch, caplog):
    # GIVEN no ONEFUNNEL_ALERT_EMAILS
    monkeypatch.delenv(notify.ALERT_EMAILS_ENV, raising=False)
    # WHEN the tasks' failure callbacks are built  THEN there is only the log line
    callbacks = notify.task_failure_callbacks()
    assert callbacks == [notify.log_task_failure]
    # AND a failure logs one line with the message
    callbacks[0]({"exception": RuntimeError("extract contacts failed: boom")})
    assert "extract contacts failed: boom" in caplog.text


def test_alert_recipients_add_airflows_smtp_notifier_on_the_configured_connection(monkeypatch):
    # GIVEN two recipients and a named SMTP connection
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    monkeypatch.setenv(notify.ALERT_EMAILS_ENV, "data@example.com, oncall@example.org")
    monkeypatch.setenv(notify.SMTP_CONN_ENV, "smtp_alerts")
    # WHEN the callbacks are built  THEN Airflow's SmtpNotifier follows the log line, on that connection
    log_line, email = notify.task_failure_callbacks()
    assert log_line is notify.log_task_failure
    assert isinstance(email, SmtpNotifier)
    assert email.to == ["data@example.com", "oncall@example.org"]
    assert email.smtp_conn_id == "smtp_alerts"


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("data@example.com, oncall", "'oncall'"),
        ("data@example.com; ops@example.com", "'data@example.com; ops@example.com'"),
        ("data@example.com oncall@example.com", "'data@example.com oncall@example.com'"),
        ("data-at-example.com", "'data-at-example.com'"),
    ],
)
def test_a_malformed_alert_address_fails_with_a_message_naming_it(monkeypatch, value, named):
    # GIVEN a recipient setting with a typo  WHEN the callbacks are built (a DAG file is parsed)
    monkeypatch.setenv(notify.ALERT_EMAILS_ENV, value)
    # THEN a clear error names the variable and the bad address
    with pytest.raises(notify.NotificationSettingError) as raised:
        notify.task_failure_callbacks()
    assert notify.ALERT_EMAILS_ENV in str(raised.value)
    assert named in str(raised.value)


def test_recipient_lists_split_on_semicolons_and_commas():
    # GIVEN two lists  WHEN parsed  THEN one list per ';', addresses per ','; empty parts ignored
    assert notify.recipient_lists(" a@x.com, b@x.com ; c@y.org ;", "V") == [
        ["a@x.com", "b@x.com"],
        ["c@y.org"],
    ]
    assert notify.recipient_lists("", "V") == []


def test_the_failure_email_says_what_failed_and_redacts_tokens():
    # GIVEN a failure whose message carries the token the extractor registered as a secret
    from onefunnel.hubspot.client import register_secret
    from onefunnel.orchestration.alerts import failure_html, failure_subject

    register_secret("pat-na1-secret")

    class TaskInstance:
        dag_id, task_id, run_id, try_number, log_url = "onefunnel_funnel", "extract.contacts", "r1", 1, None

    event = notify.event_from_context(
        "task_failed",
        {
            "ti": TaskInstance(),
            "exception": RuntimeError("extract contacts failed: Bearer pat-na1-secret <x>"),
        },
    )
    # WHEN the e-mail is written  THEN the subject names DAG, task and run; the body the escaped message
    assert failure_subject(event) == "[onefunnel] onefunnel_funnel.extract.contacts failed (run r1)"
    body = failure_html(event)
    assert "extract contacts failed" in body
    assert "&lt;x&gt;" in body
    assert "pat-na1-secret" not in body


def test_exports_hook_runs_the_audiences_export_by_default(monkeypatch):
    # GIVEN no exports configuration  WHEN the exporters are listed  THEN the prospect audiences are one
    from onefunnel.audiences.exporter import export_after_publish

    monkeypatch.delenv(exports.DEFAULT_EXPORTS_ENV, raising=False)

    assert exports.default_exporters() == exports.DEFAULT_EXPORTERS
    assert exports.exporters()["audiences"] is export_after_publish


def test_exports_hook_can_be_emptied_and_runs_configured_exporters(monkeypatch):
    # GIVEN the shipped exporters turned off, no other  WHEN exports run  THEN nothing happens, successfully
    monkeypatch.setenv(exports.DEFAULT_EXPORTS_ENV, "none")
    monkeypatch.delenv(exports.EXPORTS_ENV, raising=False)
    assert exports.run_exports({"serving_path": "/x"}) == {}
    # GIVEN a registered exporter  WHEN exports run  THEN it receives the publish summary
    monkeypatch.setitem(
        exports._registered, "audiences", lambda published: {"read": published["serving_path"]}
    )
    assert exports.run_exports({"serving_path": "/x"}) == {"audiences": {"read": "/x"}}
    # GIVEN a failing exporter  THEN the task fails (retryable) naming it
    monkeypatch.setitem(exports._registered, "pack", lambda published: 1 / 0)
    with pytest.raises(failures.StepFailed, match="pack: ZeroDivisionError"):
        exports.run_exports({"serving_path": "/x"})


@pytest.mark.parametrize(("tier", "slots"), [("starter", 2), ("professional", 4), ("api_pack", 6)])
def test_hubspot_pool_is_sized_to_the_tier(monkeypatch, tier, slots):
    # GIVEN a HubSpot tier  WHEN the pools are defined  THEN the HubSpot pool follows it, DuckDB gets one slot
    monkeypatch.delenv(settings.HUBSPOT_POOL_SLOTS_ENV, raising=False)
    pools = bootstrap.pool_definitions(tier)
    assert pools[settings.HUBSPOT_POOL]["slots"] == slots
    assert pools[settings.WAREHOUSE_POOL]["slots"] == 1


def test_schedule_and_retries_come_from_the_environment(monkeypatch):
    # GIVEN nothing set  THEN hourly, 2 retries
    monkeypatch.delenv(settings.SCHEDULE_ENV, raising=False)
    monkeypatch.delenv(settings.RETRIES_ENV, raising=False)
    assert settings.schedule() == "@hourly"
    assert settings.default_args()["retries"] == 2
    # GIVEN overrides  THEN they apply, but retries never drop below 2
    monkeypatch.setenv(settings.SCHEDULE_ENV, "none")
    monkeypatch.setenv(settings.RETRIES_ENV, "0")
    assert settings.schedule() is None
    assert settings.task_retries() == 2


def test_extract_groups_cover_every_object_once():
    # GIVEN the extractor's object list  THEN the DAG's extract groups cover each object exactly once
    from onefunnel.hubspot.settings import ALL_OBJECTS

    covered = [name for group in settings.EXTRACT_GROUPS.values() for name in group]
    assert sorted(covered) == sorted(ALL_OBJECTS)


def test_local_airflow_env_carries_the_connection_but_never_shows_the_token(tmp_path, monkeypatch):
    # GIVEN a shell with a stray token and Airflow settings
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "stray")
    monkeypatch.setenv("AIRFLOW__CORE__EXECUTOR", "CeleryExecutor")
    local = bootstrap.LocalAirflow(tmp_path / "af", tmp_path / "data", "http://127.0.0.1:9", "tok-xyz")
    # WHEN the Airflow children's environment is built
    env = local.env()
    # THEN the connection comes only from AIRFLOW_CONN_HUBSPOT_DEFAULT, the stray settings are gone
    assert json.loads(env["AIRFLOW_CONN_HUBSPOT_DEFAULT"]) == {
        "conn_type": "http",
        "host": "http://127.0.0.1:9",
        "password": "tok-xyz",
    }
    assert "HUBSPOT_ACCESS_TOKEN" not in env
    assert "AIRFLOW__CORE__EXECUTOR" not in env
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("sqlite:///")
    # AND the printable form masks the token
    assert "tok-xyz" not in json.dumps(local.printable_env())


def test_local_airflow_children_find_this_environments_airflow_first(tmp_path, monkeypatch):
    # GIVEN a shell whose PATH does not contain the project's venv (make demo, a fresh terminal)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    local = bootstrap.LocalAirflow(tmp_path / "af", tmp_path / "data", "http://127.0.0.1:9", "tok")
    # WHEN the children's environment is built
    first = local.env()["PATH"].split(os.pathsep)[0]
    # THEN `airflow standalone`, which starts its components as `airflow …` from PATH, finds this venv's
    assert Path(first, "airflow") == Path(bootstrap.airflow_bin())


def test_month_close_with_a_bad_definitions_file_fails_the_task_naming_the_key(tmp_path, monkeypatch):
    # GIVEN a warehouse and a definitions file whose close day is written as a boolean
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    warehouse.write_bytes(b"")
    bad = tmp_path / "definitions.yml"
    good = (config.REPO_ROOT / "definitions.yml").read_text()
    bad.write_text(good.replace("month_close_day: 5", "month_close_day: true"))
    monkeypatch.setenv("ONEFUNNEL_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("ONEFUNNEL_DEFINITIONS", str(bad))
    # WHEN the month-close step runs
    with pytest.raises(Exception, match="month_close_day") as failure:
        steps.close_months()
    # THEN the task fails without retry, naming the key, instead of a raw DefinitionsError traceback
    assert type(failure.value).__name__ in {"AirflowFailException", "StepFailed"}
    assert "no month was frozen" in str(failure.value)


def test_the_failure_notifier_sends_through_the_smtp_connection(monkeypatch):
    # GIVEN alert recipients and an SMTP connection to a local sink
    from smtp_sink import SmtpSink, html_body

    monkeypatch.setenv(notify.ALERT_EMAILS_ENV, "data@example.test")
    monkeypatch.delenv(notify.SMTP_CONN_ENV, raising=False)

    class TaskInstance:
        dag_id, task_id, run_id, try_number = "onefunnel_funnel", "quality_gate", "r7", 1
        log_url = "http://127.0.0.1:8080/log?x=1&y=2"

    with SmtpSink() as sink:
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", sink.connection())
        _, email = notify.task_failure_callbacks()
        # WHEN Airflow calls the task's failure callback with the failure's context
        email({"ti": TaskInstance(), "exception": RuntimeError("quality gate failed: 2 critical check(s)")})
        received, envelopes = sink.messages, sink.envelopes
    # THEN one e-mail reaches the recipient, from the connection's sender, saying what failed
    assert envelopes == [("onefunnel@example.test", ["data@example.test"])]
    (message,) = received
    assert message["Subject"] == "[onefunnel] onefunnel_funnel.quality_gate failed (run r7)"
    body = html_body(message)
    assert "quality gate failed: 2 critical check(s)" in body
    assert "http://127.0.0.1:8080/log?x=1&amp;y=2" in body

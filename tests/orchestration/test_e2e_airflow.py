"""End to end through Airflow: `airflow dags test onefunnel_funnel` (the scheduler's dependency loop, real
task runner, SQLite metadata DB in a temporary AIRFLOW_HOME) against a tiny local portal on 127.0.0.1.

The tests run in order on one pipeline folder: a first run publishes and its exports step writes the
prospect audiences (small audience minimums in the run's definitions file, so files are written), a second
run after the portal's clock moves is incremental and publishes the changes, the month-close DAG e-mails the
newest frozen month's pack to two recipient lists (a local SMTP sink), a run with a wrong token fails at
extraction with a clear message, e-mails the failure through Airflow's SmtpNotifier and leaves the snapshot
untouched. No token ever appears in Airflow's output, logs or database.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from smtp_sink import SmtpSink, attachments, html_body

from onefunnel.definitions import DEFAULT_DEFINITIONS_FILE
from onefunnel.orchestration.bootstrap import LocalAirflow

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TOKEN = "e2e-portal-token-8c1f"
WRONG_TOKEN = "e2e-wrong-token-77aa"
# Audience minimums a tiny portal can reach (LinkedIn's stays out of reach: a withheld file per rep).
AUDIENCES = {
    "privacy_floor": 2,
    "formats": {
        "linkedin": {"min_audience_size": 100000},
        "meta": {"min_audience_size": 2},
        "google": {"min_audience_size": 2},
        "csv": {"min_audience_size": 1},
    },
}


class Pipeline:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.portal = root / "portal"
        self.data = root / "data"
        self.home = root / "airflow"
        self.definitions = root / "definitions.yml"
        self.outputs: list[str] = []

    @property
    def serving(self) -> Path:
        return self.data / "serving" / "serving.duckdb"

    def airflow(self, url: str, token: str, env: dict | None = None) -> LocalAirflow:
        return LocalAirflow(
            home=self.home,
            data_dir=self.data,
            portal_url=url,
            token=token,
            extra_env={"ONEFUNNEL_DEFINITIONS": str(self.definitions), **(env or {})},
        )

    def run_dag(
        self, url: str, token: str, conf: dict | None = None, *, dag_id: str = "onefunnel_funnel", env=None
    ):
        local = self.airflow(url, token, env)
        local.prepare(echo=lambda _message: None)
        completed = local.dags_test(dag_id, conf=conf, capture=True)
        self.outputs.append(completed.stdout + completed.stderr)
        return completed

    def manifest(self) -> dict:
        from onefunnel.portal.manifest import build_manifest

        build_manifest(self.portal)
        return json.loads((self.portal / "manifest.json").read_text())

    def snapshot(self) -> dict:
        """The published snapshot's run, deals and months; live contacts from the warehouse the run built
        (the snapshot holds only the models tagged `published`, and contacts are not among them)."""
        import duckdb

        from onefunnel.publish.serving import open_serving_readonly, read_run_metadata

        with open_serving_readonly(self.serving) as con:
            deals = con.execute("select count(*) from marts.fct_deals").fetchone()[0]
            months = con.execute(
                "select count(distinct month_start) from marts.funnel_period_monthly"
            ).fetchone()[0]
        with duckdb.connect(str(self.data / "warehouse" / "warehouse.duckdb"), read_only=True) as con:
            live = con.execute(
                "select count(*) from marts.dim_contact_status where contact_status = 'live'"
            ).fetchone()[0]
        return {"meta": read_run_metadata(self.serving), "live": live, "deals": deals, "months": months}

    def audience_manifest(self) -> tuple[Path, dict]:
        from onefunnel.audiences.exporter import latest_manifest

        found = latest_manifest(self.data / "exports")
        assert found is not None, "the exports step wrote no audience manifest"
        return found

    def newest_modes(self) -> dict[str, str]:
        """Mode of each object's newest extraction run, from the run manifests in the landing zone."""
        modes: dict[str, tuple[str, str]] = {}
        for path in sorted((self.data / "landing" / "_runs").glob("*.json")):
            run = json.loads(path.read_text())
            for name, row in run["objects"].items():
                modes[name] = (run["run_id"], row["mode"])
        return {name: mode for name, (_, mode) in modes.items()}


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    from onefunnel.portal.generate import generate_portal

    root = tmp_path_factory.mktemp("airflow-e2e")
    # The portal's clock is 3 days back, so advancing it keeps every record in the past (the gate rejects
    # records modified after the extraction).
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    generate_portal(root / "portal", size="tiny", seed=7, as_of=today - timedelta(days=3))
    pipeline = Pipeline(root)
    definitions = yaml.safe_load(DEFAULT_DEFINITIONS_FILE.read_text())
    definitions["audiences"].update(AUDIENCES)
    pipeline.definitions.write_text(yaml.safe_dump(definitions, allow_unicode=True))
    return pipeline


@pytest.fixture
def portal_url(pipeline):
    from onefunnel.portal.server import PortalServer, ServerOptions

    server = PortalServer(pipeline.portal, ServerOptions.fast(TOKEN), host="127.0.0.1", port=0).start()
    try:
        yield server.url
    finally:
        server.stop()


def test_first_run_publishes_the_portal(pipeline, portal_url):
    # GIVEN a fresh tiny portal and an empty data folder
    truth = pipeline.manifest()["objects"]
    # WHEN the main DAG runs through Airflow with the connection from AIRFLOW_CONN_HUBSPOT_DEFAULT
    completed = pipeline.run_dag(portal_url, TOKEN)
    # THEN the run succeeds and the serving snapshot holds the portal's records, checked and published
    assert completed.returncode == 0, completed.stdout[-5000:] + completed.stderr[-3000:]
    snapshot = pipeline.snapshot()
    assert snapshot["meta"]["quality_status"] in ("passed", "warning")
    assert snapshot["live"] == truth["contacts"]["active_count"]
    assert snapshot["deals"] == truth["deals"]["active_count"]
    assert snapshot["months"] > 0
    assert set(pipeline.newest_modes().values()) <= {"full", "snapshot"}
    # AND the staging areas of the extract tasks were all promoted into the landing zone
    staging = pipeline.data / "landing" / "_staging"
    assert not [path for path in staging.rglob("*.parquet")]
    # AND dbt docs were generated next to the snapshot for the dashboard's Docs page, for this project
    docs = pipeline.serving.parent / "docs" / "dbt_docs.html"
    assert b"<html" in docs.read_bytes()[:4096].lower()
    stamp = json.loads(docs.with_suffix(".json").read_text())
    assert stamp["definitions_version"] == snapshot["meta"]["definitions_version"]


def test_first_runs_exports_step_wrote_the_audiences_the_snapshot_holds(pipeline):
    # GIVEN the first run's serving snapshot and the manifest its exports step wrote
    from onefunnel.publish.serving import open_serving_readonly

    with open_serving_readonly(pipeline.serving) as con:
        run_id, version = con.execute("select run_id, definitions_version from serving_meta.run").fetchone()
        mart = con.execute(
            "select owner_id, count(*), count(*) filter (where is_included), "
            "count(*) filter (where exclusion_reason = 'customer'), "
            "count(*) filter (where exclusion_reason = 'opted_out'), "
            "count(*) filter (where exclusion_reason = 'no_lawful_basis'), "
            "count(*) filter (where exclusion_reason = 'no_email') "
            "from marts.prospect_audiences group by owner_id"
        ).fetchall()
    path, manifest = pipeline.audience_manifest()
    # THEN the manifest is of that snapshot (run id, definitions version of the run's definitions file)
    assert (manifest["run_id"], manifest["definitions_version"]) == (run_id, version)
    assert path.parent.name == run_id
    # AND per rep it holds the mart's candidates, audience and exclusions by reason
    assert mart, "the tiny portal has no working prospects"
    reasons = ("customer", "opted_out", "no_lawful_basis", "no_email")
    assert {owner_id: tuple(counts) for owner_id, *counts in mart} == {
        owner_id: (entry["candidates"], entry["included"], *(entry["excluded"][r] for r in reasons))
        for owner_id, entry in manifest["owners"].items()
    }
    # AND each written file is there with its recorded hash and rows; withheld ones are not, with a reason
    written = 0
    for entry in manifest["owners"].values():
        for format_key, file_entry in entry["files"].items():
            if file_entry["status"] == "written":
                content = (path.parent / file_entry["file"]).read_bytes()
                assert hashlib.sha256(content).hexdigest() == file_entry["sha256"]
                assert content.count(b"\r\n") - 1 == file_entry["rows"]
                assert (path.parent / file_entry["file"]).stat().st_mode & 0o777 == 0o600
                written += 1
            else:
                assert file_entry["reason"], format_key
        assert entry["files"]["linkedin"]["reason"] == "below_minimum_audience_size"
    assert written == manifest["totals"]["files_written"] > 0


def test_second_run_after_advance_is_incremental_and_publishes_the_changes(pipeline, portal_url):
    # GIVEN a published snapshot and a portal whose clock moved two days (new and changed records)
    from onefunnel.portal.advance import advance_portal

    before = pipeline.snapshot()
    docs_before = (pipeline.serving.parent / "docs" / "dbt_docs.html").stat().st_mtime_ns
    truth_before = pipeline.manifest()["objects"]
    advance_portal(pipeline.portal, 2)
    truth = pipeline.manifest()["objects"]
    # some records changed (a tiny portal's weekend brings no new contacts, only engagements, so compare all)
    assert truth != truth_before
    # WHEN the DAG runs again
    completed = pipeline.run_dag(portal_url, TOKEN)
    # THEN the CRM objects were extracted incrementally and the new snapshot shows the portal's new state
    assert completed.returncode == 0, completed.stdout[-5000:] + completed.stderr[-3000:]
    modes = pipeline.newest_modes()
    assert {modes[name] for name in ("contacts", "companies", "deals", "calls")} == {"incremental"}
    after = pipeline.snapshot()
    assert after["meta"]["run_id"] != before["meta"]["run_id"]
    assert after["live"] == truth["contacts"]["active_count"]
    assert after["deals"] == truth["deals"]["active_count"]
    # AND the exports step wrote the new snapshot's audiences, and latest.json points at them
    _, manifest = pipeline.audience_manifest()
    assert manifest["run_id"] == after["meta"]["run_id"]
    # AND dbt docs, current for this project and definitions, were not generated again
    docs = pipeline.serving.parent / "docs" / "dbt_docs.html"
    assert docs.stat().st_mtime_ns == docs_before


PACK_LISTS = "ceo@example.test, cmo@example.test; sales-leads@example.test"


@pytest.mark.scale
def test_month_close_emails_the_frozen_months_pack_to_each_list(pipeline, portal_url):
    # GIVEN a published snapshot with frozen months (the main DAG freezes the months whose close day passed)
    from onefunnel.publish.serving import open_serving_readonly

    if not pipeline.serving.exists():  # run alone (make test-scale): publish first
        assert pipeline.run_dag(portal_url, TOKEN).returncode == 0, pipeline.outputs[-1][-5000:]
    with open_serving_readonly(pipeline.serving) as con:
        month = con.execute("select max(month_start) from marts.monthly_accountability").fetchone()[0]
        frozen = dict(
            con.execute(
                "select metric_key, reported_value from marts.monthly_accountability where month_start = ?",
                [month],
            ).fetchall()
        )
    assert month is not None, "the first run froze no month"
    env = {"ONEFUNNEL_PACK_EMAILS": PACK_LISTS}
    with SmtpSink() as sink:
        env["AIRFLOW_CONN_SMTP_DEFAULT"] = sink.connection()
        # WHEN the month-close DAG runs with two recipient lists
        completed = pipeline.run_dag(portal_url, TOKEN, dag_id="onefunnel_month_close", env=env)
        received = sink.messages
        envelopes = sink.envelopes
    # THEN it succeeds and the sink got one message per list, addressed to that list
    assert completed.returncode == 0, completed.stdout[-5000:] + completed.stderr[-3000:]
    assert sorted(recipients for _, recipients in envelopes) == [
        ["ceo@example.test", "cmo@example.test"],
        ["sales-leads@example.test"],
    ]
    stem = f"onefunnel-accountability-{month:%Y-%m}"
    for message in received:
        assert message["Subject"] == f"[onefunnel] Monthly accountability pack, {month:%B %Y}"
        # AND each carries the printable page and its CSV
        files = attachments(message)
        assert sorted(files) == [f"{stem}.csv", f"{stem}.html"]
        assert f"{month:%B %Y}" in files[f"{stem}.html"].decode()
        assert html_body(message) == files[f"{stem}.html"].decode()
        # AND the CSV's reported numbers are the frozen month's in the snapshot, metric by metric
        rows = list(csv.DictReader(io.StringIO(files[f"{stem}.csv"].decode())))
        assert {row["month"] for row in rows} == {month.isoformat()}
        in_csv = {row["metric_key"]: float(row["reported"]) for row in rows if row["metric_key"] in frozen}
        assert in_csv == {key: float(value) for key, value in frozen.items() if value is not None}
        assert len(in_csv) >= 10


@pytest.mark.scale
def test_the_pack_goes_to_each_list_once(pipeline, monkeypatch):
    # GIVEN the month-close run above e-mailed the newest frozen month to both lists
    from onefunnel.orchestration.pack_mail import send_month_pack

    ledger = json.loads((pipeline.data / "deliveries" / "month_packs.json").read_text())
    month = max(ledger)
    assert sorted(ledger[month]) == ["ceo@example.test, cmo@example.test", "sales-leads@example.test"]
    monkeypatch.setenv("ONEFUNNEL_DATA_DIR", str(pipeline.data))
    with SmtpSink() as sink:
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", sink.connection())
        # WHEN the pack step runs again with the same lists  THEN nothing is sent
        monkeypatch.setenv("ONEFUNNEL_PACK_EMAILS", PACK_LISTS)
        assert send_month_pack()["sent_to"] == []
        # AND a list added since gets the month, the others do not get it twice
        monkeypatch.setenv("ONEFUNNEL_PACK_EMAILS", PACK_LISTS + "; board@example.test")
        assert send_month_pack() == {"month": month, "sent_to": ["board@example.test"], "reason": None}
        assert [recipients for _, recipients in sink.envelopes] == [["board@example.test"]]


def test_wrong_token_fails_extraction_clearly_and_keeps_the_snapshot(pipeline, portal_url):
    # GIVEN a published snapshot, and failure e-mails on through an SMTP connection to a local sink
    published = hashlib.sha256(pipeline.serving.read_bytes()).hexdigest()
    with SmtpSink() as sink:
        # WHEN the DAG runs with a connection whose token the portal refuses
        completed = pipeline.run_dag(
            portal_url,
            WRONG_TOKEN,
            env={
                "ONEFUNNEL_ALERT_EMAILS": "data-team@example.test, oncall@example.test",
                "AIRFLOW_CONN_SMTP_DEFAULT": sink.connection(),
            },
        )
        received = sink.messages
        envelopes = sink.envelopes
    output = completed.stdout + completed.stderr
    pipeline.outputs.extend(html_body(message) + str(message["Subject"]) for message in received)
    # THEN the run fails, the extract tasks say the token was refused and what to fix, nothing is published
    assert completed.returncode != 0
    assert "extract contacts failed: HubSpot refused the access token (401/403)" in output
    assert "hubspot_default" in output
    assert hashlib.sha256(pipeline.serving.read_bytes()).hexdigest() == published
    # AND Airflow's SmtpNotifier e-mailed each failed extract task to both recipients, with the clear message
    subjects = {message["Subject"]: message for message in received}
    contacts = [subject for subject in subjects if ".extract.contacts failed" in subject]
    assert len(contacts) == 1, sorted(subjects)
    assert contacts[0].startswith("[onefunnel] onefunnel_funnel.extract.contacts failed (run ")
    body = html_body(subjects[contacts[0]])
    assert "extract contacts failed: HubSpot refused the access token (401/403)" in body
    assert "hubspot_default" in body
    assert all(recipients == ["data-team@example.test", "oncall@example.test"] for _, recipients in envelopes)
    # AND nothing downstream ran, so nothing downstream failed or e-mailed
    assert not [subject for subject in subjects if "build_warehouse" in subject or "publish" in subject]


def test_no_token_in_airflow_output_logs_or_database(pipeline):
    # GIVEN every run above  WHEN searching everything Airflow wrote and printed
    # THEN neither token appears (connection passwords are masked, XComs carry counts only)
    assert pipeline.outputs, "the runs above did not run"
    files = [path for path in pipeline.home.rglob("*") if path.is_file()]
    files += [path for path in (pipeline.data / "landing" / "_runs").glob("*.json")]
    for secret in (TOKEN, WRONG_TOKEN):
        assert all(secret not in output for output in pipeline.outputs)
        leaked = [str(path) for path in files if secret.encode() in path.read_bytes()]
        assert leaked == []

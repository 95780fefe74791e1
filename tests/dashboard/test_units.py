"""Unit tests of the dashboard library: number formats, month and filter helpers, run-status files, the
accountability pack, the glossary, and the `onefunnel dashboard` command line."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import orjson
import pandas as pd
import pytest
import snapshot_fixture as fixture
from dashboards.lib import accountability, filters, glossary, status

from onefunnel import formatting

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("function", "value", "expected"),
    [
        (formatting.count, 1234, "1,234"),
        (formatting.count, None, "—"),
        (formatting.count, float("nan"), "—"),
        (formatting.money, 1234567.8, "$1,234,568"),
        (formatting.percent, 0.4615, "46%"),
        (formatting.points, 0.052, "+5 pts"),
        (formatting.hours, 9.84, "9.8 h"),
        (formatting.hours, 76.8, "3.2 d"),
        (formatting.signed_count, -2, "-2"),
        (formatting.signed_count, 0, "+0"),
    ],
)
def test_formats(function, value, expected):
    assert function(value) == expected


def test_money_compact_and_other_currencies():
    assert formatting.money(9968.4, compact=True) == "$9.97K"
    assert formatting.money(1_250_000, compact=True) == "$1.25M"
    assert formatting.money(-64650, compact=True) == "-$64.65K"
    assert formatting.money(1000, "EUR") == "€1,000"
    assert formatting.money(1000, "SEK") == "SEK 1,000"
    assert formatting.signed_money(12000) == "+$12,000"


def test_month_labels_and_timestamps():
    assert formatting.month_label(date(2026, 10, 1)) == "October 2026"
    assert formatting.month_label("2026-10") == "October 2026"
    assert formatting.short_month(date(2026, 10, 1)) == "Oct 2026"
    moment = datetime(2026, 11, 22, 19, 40, tzinfo=UTC)
    assert formatting.timestamp(moment, tz_name="America/New_York") == "22 Nov 2026, 14:40 EST"


def test_add_months_crosses_years():
    assert filters.add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert filters.add_months(date(2026, 11, 1), -11) == date(2025, 12, 1)
    assert filters.add_months(date(2026, 12, 1), 1) == date(2027, 1, 1)


def test_default_month_is_the_latest_full_month():
    months = [date(2026, 11, 1), date(2026, 10, 1), date(2026, 9, 1)]
    # GIVEN data as of a day in November: November is still running
    assert filters.latest_full_month(months, date(2026, 11, 22)) == (date(2026, 10, 1), True)
    # GIVEN data as of December 1st (the spine already ended in November): November is complete
    assert filters.latest_full_month(months, date(2026, 12, 1)) == (date(2026, 11, 1), False)
    # GIVEN a single running month: it is all there is
    assert filters.latest_full_month([date(2026, 11, 1)], date(2026, 11, 3)) == (date(2026, 11, 1), True)
    assert filters.latest_full_month([], date(2026, 11, 3)) == (None, False)


def test_owner_labels_tell_namesakes_and_inactive_owners_apart():
    owners = pd.DataFrame(
        {
            "owner_id": ["1", "2", "3"],
            "owner_name": ["Ann Lee", "Ann Lee", "Bo Chan"],
            "is_archived": [False, False, True],
        }
    )
    labels = filters.owner_labels(owners)
    assert labels[None] == "All owners"
    assert labels["1"] == "Ann Lee (1)"
    assert labels["2"] == "Ann Lee (2)"
    assert labels["3"] == "Bo Chan (inactive)"
    assert len(set(labels.values())) == len(labels), "labels are what the URL keeps: they must be unique"


def test_source_labels():
    assert filters.source_label("ORGANIC_SEARCH") == "Organic search"
    assert filters.source_label(None) == "All sources"


def _summary(folder, run_id, status_value, finished):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "summary.json").write_bytes(
        orjson.dumps(
            {
                "run_id": run_id,
                "status": status_value,
                "finished_at": finished.isoformat(),
                "blocking": ["x: broken"],
            }
        )
    )


def test_failure_after_reads_the_latest_quality_run_and_the_publish_log(tmp_path):
    published = datetime(2026, 11, 1, 12, tzinfo=UTC)
    run = {"run_id": "good", "published_at": published}
    # GIVEN no quality files: no failure
    assert status.failure_after(run, tmp_path / "none") is None
    # GIVEN the latest run is the published one: no failure
    _summary(tmp_path / "a", "good", "passed", published - timedelta(minutes=1))
    assert status.failure_after(run, tmp_path / "a") is None
    # GIVEN a later failed run: a failure, with its reasons
    _summary(tmp_path / "b", "bad", "failed", published + timedelta(hours=1))
    failure = status.failure_after(run, tmp_path / "b")
    assert failure["run_id"] == "bad"
    assert failure["reasons"] == ["x: broken"]
    # GIVEN a failed run older than the snapshot: no failure
    _summary(tmp_path / "c", "bad", "failed", published - timedelta(hours=1))
    assert status.failure_after(run, tmp_path / "c") is None
    # GIVEN only a refused publish after the snapshot: a failure
    fixture.write_failed_run(tmp_path / "d", after=published)
    (tmp_path / "d" / "summary.json").unlink()
    assert status.failure_after(run, tmp_path / "d")["reasons"]
    # GIVEN a refusal followed by a successful publish: no failure
    with open(tmp_path / "d" / "publish_log.jsonl", "ab") as handle:
        handle.write(
            orjson.dumps({"at": (published + timedelta(hours=2)).isoformat(), "event": "published"}) + b"\n"
        )
    assert status.failure_after(run, tmp_path / "d") is None


def test_definitions_history_groups_publishes_by_version(tmp_path):
    lines = [
        {"event": "published", "definitions_version": "v1", "published_at": "2026-10-01T00:00:00+00:00"},
        {"event": "refused", "reasons": ["x"]},
        {"event": "published", "definitions_version": "v1", "published_at": "2026-10-02T00:00:00+00:00"},
        {"event": "published", "definitions_version": "v2", "published_at": "2026-10-03T00:00:00+00:00"},
    ]
    (tmp_path / "publish_log.jsonl").write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    history = status.definitions_history(tmp_path)
    assert [(entry["definitions_version"], entry["runs"]) for entry in history] == [("v1", 2), ("v2", 1)]
    assert history[-1]["first_published_at"] == "2026-10-03T00:00:00+00:00"


def test_accountability_pack_computes_attainment_sla_share_and_month_over_month():
    rows = pd.DataFrame(fixture.accountability_rows()["monthly_accountability"])
    targets = pd.DataFrame(fixture.accountability_rows()["target_attainment_monthly"])
    september, august = (
        rows[rows["month_start"] == date(2026, 9, 1)],
        rows[rows["month_start"] == date(2026, 8, 1)],
    )
    table = accountability.pack(
        september, august, targets[targets["month_start"] == date(2026, 9, 1)]
    ).set_index("metric_key")
    assert table.loc["stage_entered__mql", "attainment"] == pytest.approx(300 / 320)
    assert table.loc["stage_entered__mql", "change_vs_previous"] == 20
    assert table.loc["revenue_won", "restatement"] == -12000
    assert table.loc["share_within_sla", "reported"] == pytest.approx(0.80)
    assert table.loc["share_within_sla", "current"] == pytest.approx(0.805)
    assert table.loc["share_within_sla", "previous_reported"] == pytest.approx(0.75)
    shown = accountability.display_table(table.reset_index(), "USD").set_index("Metric")
    assert shown.loc["Share of MQLs touched within SLA", "Restatement"] == "+0.5 pts"


def test_every_glossary_rule_renders_from_the_current_definitions():
    from onefunnel.definitions import load_definitions

    rules = load_definitions()
    for term in glossary.TERMS:
        text = term.help(rules)
        assert "see definitions.yml" not in text, term.key
        assert term.model in text


def test_dashboard_command_serves_on_localhost_with_the_chosen_port():
    from click.testing import CliRunner

    from onefunnel import dashboard_cli

    command = dashboard_cli.streamlit_command(8765)
    assert command[1:4] == ["-m", "streamlit", "run"]
    assert command[4].endswith("dashboards/app.py")
    assert command[command.index("--server.address") + 1] == "127.0.0.1"
    assert command[command.index("--server.port") + 1] == "8765"
    result = CliRunner().invoke(dashboard_cli.dashboard, ["--help"])
    assert result.exit_code == 0
    assert "--port" in result.output


def test_failure_after_accepts_timestamps_without_a_zone(tmp_path):
    # GIVEN a quality summary whose finish time has no offset (UTC by convention)
    published = datetime(2026, 11, 1, 12, tzinfo=UTC)
    (tmp_path / "summary.json").write_bytes(
        orjson.dumps(
            {"run_id": "bad", "status": "failed", "finished_at": "2026-11-01T13:00:00", "blocking": []}
        )
    )
    # THEN it is compared as UTC, not rejected
    assert status.failure_after({"run_id": "good", "published_at": published}, tmp_path)["run_id"] == "bad"
    assert status.failure_after({"run_id": "good", "published_at": published.replace(tzinfo=None)}, tmp_path)

"""A truncated Parquet part in the landing zone (disk full, a bad copy) is found by the next extraction:
moved to <landing>/_quarantine/<run id>/ with the reason (bytes kept), its object extracted again in full,
and a clear line says so - nothing HubSpot has is lost."""

from __future__ import annotations

import json
import subprocess

import orjson
import pytest
from portal_helpers import assert_landing_matches, cli_command, cli_env, extract, generate, serve

TOKEN = "pat-na1-corrupt-SECRET-token-0004"


def _truncate(path, keep: int = 100) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:keep])


@pytest.mark.integration
def test_extract_quarantines_a_truncated_part_of_its_runs_and_extracts_its_object_again(tmp_path):
    # GIVEN a full extraction landed, then one contacts part and one owners part truncated
    portal = generate(tmp_path / "portal")
    data = tmp_path / "data"
    landing = data / "landing"
    with serve(portal, TOKEN) as server:
        first = extract(server.url, TOKEN, landing, data / "state")
        contacts_part = sorted((landing / "contacts").glob("*/*.parquet"))[0]
        owners_part = sorted((landing / "owners").glob("*/*.parquet"))[0]
        original = contacts_part.read_bytes()
        _truncate(contacts_part)
        _truncate(owners_part)
        # WHEN the next (incremental) extraction of only the deals runs from the CLI
        second = subprocess.run(
            cli_command("--objects", "deals", "--log-format", "json"),
            env=cli_env(TOKEN, server.url, data),
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert second.returncode == 0, second.stderr[-3000:]
    # THEN both parts were moved to the quarantine of the new run, with their reasons, bytes kept
    run_id = json.loads((sorted((landing / "_runs").glob("*.json"))[-1]).read_text())["run_id"]
    assert run_id != first.run_id
    quarantine = landing / "_quarantine" / run_id
    moved = quarantine / contacts_part.relative_to(landing)
    assert moved.read_bytes() == original[:100]
    assert not contacts_part.exists()
    assert not owners_part.exists()
    reasons = {entry["part"]: entry for entry in orjson.loads((quarantine / "reasons.json").read_bytes())}
    assert reasons[contacts_part.relative_to(landing).as_posix()]["extracted_again"] == "contacts"
    assert reasons[owners_part.relative_to(landing).as_posix()]["extracted_again"] == "owners"
    assert all("unreadable Parquet" in entry["reason"] for entry in reasons.values())
    # AND a clear line names each part and what was done
    events = [json.loads(line) for line in second.stderr.splitlines() if "extract.quarantined" in line]
    assert sorted(event["part"] for event in events) == sorted(reasons)
    # AND the contacts and owners were extracted again in full beside the deals, so nothing is lost
    manifest = orjson.loads((landing / "_runs" / f"{run_id}.json").read_bytes())
    assert manifest["objects"]["contacts"]["mode"] == "full"
    assert manifest["objects"]["owners"]["mode"] == "snapshot"
    assert "deals" in manifest["objects"]
    assert len(manifest["quarantined"]) == 2
    assert_landing_matches(portal, landing, objects=("contacts", "deals"))
    # AND every part left in the landing zone can be read
    from onefunnel.landing.runs import check_landing_zone

    check_landing_zone(landing)

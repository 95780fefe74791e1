"""End to end against the local portal: full and incremental runs land exactly the portal's ids; reference
data, history and associations land; 1,500 properties need no 414; a 15,000-record timestamp burst is
drained incrementally."""

from __future__ import annotations

import orjson
import pytest
from portal_helpers import assert_landing_matches, extract, generate, manifest_ids, serve

from onefunnel.landing.reader import count_rows, has_data

TOKEN = "pat-na1-integration-token"


@pytest.mark.integration
def test_full_then_incremental_after_advance_is_exact(tmp_path):
    from onefunnel.portal.advance import advance_portal

    # GIVEN a tiny portal served without limits
    portal = generate(tmp_path / "portal")
    landing, state = tmp_path / "landing", tmp_path / "state"
    with serve(portal, TOKEN) as server:
        # WHEN a first (full) run extracts it
        full = extract(server.url, TOKEN, landing, state)
        # THEN active and archived ids equal the manifest, and every dataset the funnel needs landed
        assert full.ok
        assert set(full.modes.values()) <= {"full", "snapshot"}
        assert_landing_matches(portal, landing)
        for dataset in (
            "owners",
            "owner_teams",
            "pipelines",
            "pipeline_stages",
            "property_definitions",
            "campaigns",
            "contacts_property_history",
            "deals_property_history",
            "associations_contacts_companies",
            "associations_deals_contacts",
            "associations_deals_companies",
            "associations_calls_contacts",
            "associations_notes_deals",
        ):
            assert has_data(landing, dataset), dataset
        full_requests = full.totals["requests"]
    # WHEN the portal's clock moves one day (new, changed, deleted, merged records) and an incremental runs
    advance_portal(portal, 1)
    with serve(portal, TOKEN) as server:
        incremental = extract(server.url, TOKEN, landing, state)
    # THEN it ran incrementally and the landing zone again equals the manifest exactly
    assert {incremental.modes[name] for name in ("contacts", "deals", "calls")} == {"incremental"}
    assert_landing_matches(portal, landing)
    assert incremental.totals["requests"] < full_requests


@pytest.mark.integration
def test_1500_contact_properties_extract_without_414(tmp_path):
    # GIVEN a portal with 1,500 custom contact properties
    portal = generate(tmp_path / "portal", custom_properties=1500)
    landing, state = tmp_path / "landing", tmp_path / "state"
    with serve(portal, TOKEN) as server:
        # WHEN contacts are extracted fully, then incrementally from the start
        summary = extract(server.url, TOKEN, landing, state, objects=("contacts",))
        stats = server.stats()
    # THEN no request was refused with 414, and every discovered property is a column with the portal's values
    assert summary.ok
    assert stats.get("by_status", {}).get("414", 0) == 0
    assert orjson.loads((landing / "_runs" / f"{summary.run_id}.json").read_bytes())["ok"]
    import duckdb

    from onefunnel.landing import layout
    from onefunnel.portal import store

    source = f"read_parquet('{layout.dataset_glob(landing, 'contacts')}', union_by_name = true)"
    con = duckdb.connect()
    columns = [row[0] for row in con.execute(f"describe select * from {source}").fetchall()]
    custom = [c for c in columns if c.startswith("properties__")]
    assert len(custom) >= 1500
    conn = store.connect(portal, read_only=True)
    object_id, raw = conn.execute(
        "select id, properties from objects where type = 1 and archived = 0 and merged_into is null limit 1"
    ).fetchone()
    conn.close()
    expected = orjson.loads(raw)
    row = con.execute(f"select * from {source} where id = ?", [str(object_id)]).fetchone()
    landed = dict(zip(columns, row, strict=True))
    for name, value in expected.items():
        if f"properties__{name}" in landed:
            assert landed[f"properties__{name}"] == value, name


@pytest.mark.integration
@pytest.mark.slow
def test_15000_contacts_at_one_timestamp_are_extracted_incrementally(tmp_path):
    from onefunnel.landing.state import StateStore

    # GIVEN 16,000 contacts, 15,000 of them modified at one identical timestamp
    portal = generate(tmp_path / "portal", contacts=16000, burst_size=15000)
    landing, state = tmp_path / "landing", tmp_path / "state"
    # AND a watermark older than every record, so the incremental search must return all of them
    StateStore(state).update(
        "contacts", lambda s: s.update(watermark={"lastmodified_gte_ms": 0}, properties=None)
    )
    with serve(portal, TOKEN) as server:
        # WHEN an incremental run extracts contacts
        summary = extract(server.url, TOKEN, landing, state, objects=("contacts",), associations=False)
        stats = server.stats()
    # THEN it ran through search, none is missed, no search was refused at the 10,000 cap
    assert summary.modes["contacts"] == "incremental"
    assert stats.get("by_status", {}).get("400", 0) == 0
    assert_landing_matches(portal, landing, objects=("contacts",))
    blocks = manifest_ids(portal)["contacts"]
    # AND no record was landed twice
    assert count_rows(landing, "contacts") == blocks["active"]["count"] + blocks["archived"]["count"]

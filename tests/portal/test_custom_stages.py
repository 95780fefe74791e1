"""The custom-stages portal profile: customised lifecycle stages as real B2B portals have them.

The default profile must stay byte-identical (its checksums are pinned below); the custom profile holds
the same people and records with renamed stages, `opportunity` removed, two custom stages with numeric
internal values, date-entered / date-exited properties for every stage, and ~3% of contacts dated only
by their lifecyclestage history; it also has HubSpot's Leads object.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from onefunnel.portal import store
from onefunnel.portal.advance import advance_portal
from onefunnel.portal.gen_checks import check_portal
from onefunnel.portal.gen_leads import LEAD_PIPELINE, LEADS_CODE
from onefunnel.portal.gen_lifecycle import CUSTOM_STAGES, OPEN_DEAL, SALES_ACCEPTED_LEAD
from onefunnel.portal.generate import generate_portal
from onefunnel.portal.manifest import build_manifest

AS_OF = datetime(2026, 12, 1, tzinfo=UTC)

# The default tiny portal (seed 42, clock 2026-12-01) as the generator made it before profiles existed.
DEFAULT_TINY_ACTIVE_SHA256 = {
    "calls": "7e6658a959ce7ac9",
    "companies": "3c01f126583c1e9f",
    "contacts": "08ddff73aa844a21",
    "deals": "0dc38431af1804f4",
    "emails": "ea0669af7745d047",
    "meetings": "38f9e36223bfdcb1",
    "notes": "cc8b052825893f38",
    "tasks": "22ba9c3475de829b",
}
DEFAULT_TINY_TABLE_DIGESTS = {
    "meta": "4d6701f025d3d7db",
    "objects": "95607947bc897316",
    "property_history": "59e06584f5f68c89",
    "associations": "92d50ce461e29302",
    "property_definitions": "43e4c34918577e72",
    "pending_events": "90f314e8b7cedfce",
}
_TABLE_QUERIES = {
    "meta": "select key, value from meta order by key",
    "objects": "select * from objects order by id",
    "property_history": "select * from property_history order by object_id, property",
    "associations": "select * from associations order by from_type, to_type, from_id, to_id",
    "property_definitions": "select * from property_definitions order by object_type, name",
    "pending_events": "select * from pending_events order by due, seq",
}


def table_digests(portal_dir: Path) -> dict[str, str]:
    conn = sqlite3.connect(store.portal_file(portal_dir))
    try:
        out = {}
        for name, sql in _TABLE_QUERIES.items():
            digest = hashlib.sha256()
            for row in conn.execute(sql):
                digest.update(repr(row).encode())
            out[name] = digest.hexdigest()[:16]
        return out
    finally:
        conn.close()


def contacts_with_history(portal_dir: Path) -> list[tuple[int, dict, list[dict]]]:
    """(id, properties, lifecyclestage history newest first) of every active, never-merged contact."""
    conn = store.connect(portal_dir, read_only=True)
    try:
        found = conn.execute(
            "select o.id, o.properties, h.history from objects o left join property_history h "
            "on h.object_id = o.id and h.property = 'lifecyclestage' "
            "where o.type = 1 and o.archived = 0 and o.merged_into is null"
        ).fetchall()
    finally:
        conn.close()
    return [(oid, orjson.loads(props), orjson.loads(hist) if hist else []) for oid, props, hist in found]


@pytest.fixture(scope="module")
def default_tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    portal_dir = tmp_path_factory.mktemp("default-tiny")
    generate_portal(portal_dir, size="tiny", as_of=AS_OF)
    return portal_dir


@pytest.fixture(scope="module")
def custom_tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    portal_dir = tmp_path_factory.mktemp("custom-tiny")
    generate_portal(portal_dir, size="tiny", as_of=AS_OF, profile="custom-stages")
    return portal_dir


@pytest.mark.integration
def test_default_profile_is_byte_identical_to_the_generator_before_profiles(default_tiny: Path) -> None:
    # GIVEN the default tiny portal generated with today's code
    manifest = build_manifest(default_tiny)
    # THEN every object type's manifest checksum and every table's content are what they always were
    active = {name: block["active"]["sha256"][:16] for name, block in manifest["objects"].items()}
    assert {name: active[name] for name in DEFAULT_TINY_ACTIVE_SHA256} == DEFAULT_TINY_ACTIVE_SHA256
    assert table_digests(default_tiny) == DEFAULT_TINY_TABLE_DIGESTS


@pytest.mark.integration
def test_custom_profile_holds_the_same_records_as_the_default(default_tiny: Path, custom_tiny: Path) -> None:
    # GIVEN both profiles of the same portal
    default, custom = build_manifest(default_tiny), build_manifest(custom_tiny)
    # THEN the same contacts, companies, deals and activities exist (only lifecycle stages differ)
    for name, block in default["objects"].items():
        assert custom["objects"][name]["active"]["sha256"] == block["active"]["sha256"], name
        assert custom["objects"][name]["archived"]["sha256"] == block["archived"]["sha256"], name
        assert custom["objects"][name]["merged"]["sha256"] == block["merged"]["sha256"], name


@pytest.mark.integration
def test_lifecyclestage_options_are_the_portals_own(custom_tiny: Path) -> None:
    # GIVEN the properties the API serves for contacts and companies
    conn = store.connect(custom_tiny, read_only=True)
    try:
        bodies = {
            (object_type, name): orjson.loads(body)
            for object_type, name, body in conn.execute(
                "select object_type, name, body from property_definitions"
            )
        }
    finally:
        conn.close()
    for object_type in ("contacts", "companies"):
        options = [(o["value"], o["label"]) for o in bodies[(object_type, "lifecyclestage")]["options"]]
        # THEN renamed stages keep their internal value, opportunity is gone, two numeric values are added
        assert options == list(CUSTOM_STAGES.options())
        assert ("lead", "Inquiry") in options
        assert "opportunity" not in dict(options)
        assert {SALES_ACCEPTED_LEAD, OPEN_DEAL} <= set(dict(options))
        # AND every stage has date-entered / date-exited properties; custom stages have no hs_lifecyclestage_
        for value, _label in options:
            assert (object_type, f"hs_v2_date_entered_{value}") in bodies
            assert (object_type, f"hs_v2_date_exited_{value}") in bodies
        assert (object_type, f"hs_lifecyclestage_{SALES_ACCEPTED_LEAD}_date") not in bodies
        assert (object_type, "hs_lifecyclestage_lead_date") in bodies


@pytest.mark.integration
def test_custom_portal_satisfies_the_schema_invariants(custom_tiny: Path) -> None:
    # THEN every property written has a definition, every enumeration value is an option, dates in order
    assert check_portal(custom_tiny) == []


@pytest.mark.integration
def test_stage_dates_agree_with_the_lifecyclestage_history(custom_tiny: Path) -> None:
    # GIVEN the custom portal's contacts with their lifecyclestage history
    contacts = contacts_with_history(custom_tiny)
    reached: set[str] = set()
    for _oid, props, history in contacts:
        if props.get("hs_merged_object_ids"):
            continue  # a survivor keeps the earliest dates of two records
        first_set = {}
        for entry in reversed(history):
            first_set.setdefault(entry["value"], entry["timestamp"])
        entered = {k.removeprefix("hs_v2_date_entered_"): v for k, v in props.items() if "date_entered" in k}
        reached |= set(entered)
        # THEN each stage's date-entered property is the first time the history set that stage
        for value, when in entered.items():
            assert first_set.get(value) == when
            # AND default stages keep HubSpot's own stage date, custom stages have none
            expected = None if value in CUSTOM_STAGES.custom_values else when
            assert props.get(f"hs_lifecyclestage_{value}_date") == expected
        assert "opportunity" not in first_set
    # AND both custom stages are reached by some contacts
    assert {SALES_ACCEPTED_LEAD, OPEN_DEAL} <= reached


@pytest.mark.integration
def test_some_contacts_are_dated_only_by_history(custom_tiny: Path) -> None:
    # GIVEN contacts without any stage date property
    contacts = contacts_with_history(custom_tiny)
    undated = [
        (oid, props, history)
        for oid, props, history in contacts
        if props.get("lifecyclestage")
        and not any(k.startswith(("hs_v2_date_", "hs_lifecyclestage_")) for k in props)
    ]
    # THEN they are about 3% of contacts, every one chosen by the profile, each with a stage history
    assert 0.01 <= len(undated) / len(contacts) <= 0.06
    assert all(CUSTOM_STAGES.is_history_only(oid) for oid, _props, _history in undated)
    assert all(history and history[0]["value"] == props["lifecyclestage"] for _o, props, history in undated)
    # AND they came in by an import (the first history entry says so), as such contacts do in real portals
    assert all(history[-1]["sourceType"] == "IMPORT" for _o, _props, history in undated)
    # AND some of them went past their first stage, so only the history dates their later stages
    assert any(len({entry["value"] for entry in history}) > 1 for _o, _p, history in undated)


@pytest.mark.integration
def test_leaving_a_stage_records_its_date_exited(custom_tiny: Path) -> None:
    for _oid, props, history in contacts_with_history(custom_tiny):
        if props.get("hs_merged_object_ids") or not any(k.startswith("hs_v2_date_entered_") for k in props):
            continue
        values = [entry["value"] for entry in reversed(history)]
        # THEN every stage the contact left has a date-exited at the moment of the next stage; not the current
        for left, entry in zip(values, list(reversed(history))[1:], strict=False):
            assert props.get(f"hs_v2_date_exited_{left}") == entry["timestamp"]
        assert (
            f"hs_v2_date_exited_{props['lifecyclestage']}" not in props
            or values.count(props["lifecyclestage"]) > 1
        )


@pytest.mark.integration
def test_advancing_a_custom_portal_keeps_its_stages(tmp_path: Path) -> None:
    # GIVEN a small custom-stages portal moved forward by two months
    generate_portal(tmp_path, size="tiny", contacts=150, as_of=AS_OF, profile="custom-stages")
    advance_portal(tmp_path, 60)
    # THEN new and progressed records follow the profile too
    assert check_portal(tmp_path) == []
    stages = {props.get("lifecyclestage") for _oid, props, _h in contacts_with_history(tmp_path)}
    assert "opportunity" not in stages


@pytest.mark.unit
def test_unknown_profile_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="custom-stages"):
        generate_portal(tmp_path / "p", size="tiny", as_of=AS_OF, profile="no-such-profile")
    assert not (tmp_path / "p").exists()


@pytest.mark.integration
def test_cli_generates_the_custom_profile(tmp_path: Path) -> None:
    from onefunnel.portal.commands import portal

    result = CliRunner().invoke(
        portal,
        [
            "generate",
            "--dir",
            str(tmp_path),
            "--size",
            "tiny",
            "--contacts",
            "60",
            "--profile",
            "custom-stages",
        ],
    )
    assert result.exit_code == 0, result.output
    conn = store.connect(tmp_path, read_only=True)
    try:
        assert store.get_meta(conn, "lifecycle_profile") == "custom-stages"
    finally:
        conn.close()


@pytest.mark.integration
def test_custom_portal_has_leads_each_with_exactly_one_contact(custom_tiny: Path, default_tiny: Path) -> None:
    # GIVEN the custom portal's Leads records (HubSpot's prospecting object)
    manifest = build_manifest(custom_tiny)
    conn = store.connect(custom_tiny, read_only=True)
    try:
        leads = {
            oid: orjson.loads(props)
            for oid, props in conn.execute("select id, properties from objects where type = ?", (LEADS_CODE,))
        }
        links = conn.execute(
            "select from_id, to_id, is_primary from associations where from_type = ? and to_type = 1",
            (LEADS_CODE,),
        ).fetchall()
        pipelines = conn.execute("select id from pipelines where object_type = 'leads'").fetchall()
        definitions = conn.execute("select name from property_definitions where object_type = 'leads'")
        defined = {name for (name,) in definitions}
    finally:
        conn.close()
    # THEN the manifest counts them, and every lead is associated with exactly one contact, as primary
    assert manifest["objects"]["leads"]["active_count"] == len(leads) > 50
    assert manifest["associations"]["leads->contacts"] == len(leads)
    assert sorted(lead_id for lead_id, _contact, _primary in links) == sorted(leads)
    assert all(primary == 1 for _lead, _contact, primary in links)
    # AND each carries HubSpot's lead properties in the default lead pipeline
    for props in leads.values():
        assert props["hs_pipeline"] == LEAD_PIPELINE
        assert {"hs_lead_name", "hs_pipeline_stage", "hs_lead_type", "hubspot_owner_id"} <= set(props)
        assert props["hs_createdate"]
    assert {"hs_lead_name", "hs_pipeline", "hs_pipeline_stage", "hs_lead_type"} <= defined
    assert pipelines == [(LEAD_PIPELINE,)]
    # AND the default profile has none (its portal stays byte-identical)
    assert "leads" not in build_manifest(default_tiny)["objects"]


@pytest.mark.integration
def test_demo_runs_the_custom_profile_on_its_own_portal_data_and_definitions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import signal

    from onefunnel.demo import CUSTOM_STAGES_DEFINITIONS, demo

    # GIVEN an empty data folder (the demo's environment changes are undone after the test)
    monkeypatch.setenv("ONEFUNNEL_DATA_DIR", str(tmp_path))
    # set, then delete: monkeypatch records the variable, so the demo's own os.environ write is undone too
    # (a bare delenv of an absent variable records nothing and leaked the custom definitions into later tests)
    monkeypatch.setenv("ONEFUNNEL_DEFINITIONS", "unset-by-this-test")
    monkeypatch.delenv("ONEFUNNEL_DEFINITIONS")
    sigterm = signal.getsignal(signal.SIGTERM)
    try:
        # WHEN the demo starts on the custom-stages profile without running the pipeline
        arguments = ["--size", "tiny", "--portal-profile", "custom-stages"]
        result = CliRunner().invoke(demo, [*arguments, "--skip-pipeline", "--no-serve", "--port", "0"])
    finally:
        signal.signal(signal.SIGTERM, sigterm)
    # THEN it generated its own custom-stages portal beside the default ones, and points the pipeline at its
    # own data folder and at definitions.custom-stages.yml (no snapshot yet, so it stops there)
    portal_dir = tmp_path / "portals" / "tiny-custom-stages"
    conn = store.connect(portal_dir, read_only=True)
    try:
        assert store.get_meta(conn, "lifecycle_profile") == "custom-stages"
    finally:
        conn.close()
    assert not (tmp_path / "portals" / "tiny").exists()
    assert f"data in {tmp_path / 'custom-stages'}" in result.output
    assert str(CUSTOM_STAGES_DEFINITIONS) in result.output
    assert "no serving snapshot" in result.output
    assert CUSTOM_STAGES_DEFINITIONS.exists()


@pytest.mark.integration
def test_worker_processes_do_not_change_a_custom_portal(tmp_path: Path) -> None:
    # GIVEN the same custom-stages portal (five blocks) generated in this process and in two workers
    for workers in (1, 2):
        portal_dir = tmp_path / str(workers)
        options = {"size": "tiny", "contacts": 2000, "as_of": AS_OF, "profile": "custom-stages"}
        generate_portal(portal_dir, workers=workers, **options)
    # THEN every table is identical (the profile's additions depend on record ids, not on the process)
    assert table_digests(tmp_path / "1") == table_digests(tmp_path / "2")

"""Portal generation: determinism, safe file handling, schema invariants, sizes and overrides."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from onefunnel.audiences import normalize
from onefunnel.portal import gen_names, model, store
from onefunnel.portal.gen_checks import check_portal
from onefunnel.portal.gen_sim import postal_code
from onefunnel.portal.gen_time import iso
from onefunnel.portal.generate import SIZES, GenerationReport, generate_portal
from onefunnel.portal.manifest import build_manifest, checksum
from onefunnel.portal.properties_catalog import custom_contact_properties

AS_OF = datetime(2025, 11, 15, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]


def content_digest(portal_dir: Path) -> dict[str, str]:
    """sha256 of every logical table's rows in a fixed order (meta, objects, history, associations, ...)."""
    conn = sqlite3.connect(store.portal_file(portal_dir))
    queries = {
        "meta": "select key, value from meta order by key",
        "objects": "select * from objects order by id",
        "property_history": "select * from property_history order by object_id, property",
        "associations": "select * from associations order by from_type, to_type, from_id, to_id",
        "owners": "select * from owners order by id",
        "pipelines": "select * from pipelines order by object_type, id",
        "property_definitions": "select * from property_definitions order by object_type, name",
        "campaigns": "select * from campaigns order by seq",
        "pending_events": "select * from pending_events order by due, seq",
    }
    out = {}
    for name, sql in queries.items():
        h = hashlib.sha256()
        for row in conn.execute(sql):
            h.update(repr(row).encode())
        out[name] = h.hexdigest()
    conn.close()
    return out


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationReport]:
    portal_dir = tmp_path_factory.mktemp("tiny")
    return portal_dir, generate_portal(portal_dir, size="tiny", seed=7, as_of=AS_OF)


def rows(portal_dir: Path, sql: str, *params: object) -> list[tuple]:
    conn = store.connect(portal_dir, read_only=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


# ---------------------------------------------------------------- unit


@pytest.mark.unit
def test_fast_iso_matches_store_format() -> None:
    # GIVEN moments across years, including millisecond edges
    moments = [0, 999, 1_000, 1_741_099_330_123, 1_767_225_599_999, 4_102_444_799_999]
    # WHEN both formatters render them
    # THEN the generator's fast formatter agrees with store.iso_ms exactly
    assert [iso(ms) for ms in moments] == [store.iso_ms(ms) for ms in moments]


@pytest.mark.unit
def test_fit_score_prefers_the_ideal_customer_profile() -> None:
    # GIVEN a VP at a 500-person software company and a student with no company
    ideal = model.fit_score("vp", 500, "COMPUTER_SOFTWARE")
    poor = model.fit_score("student", None, None)
    # THEN fit is bounded and ranks the ideal profile far above
    assert 0.0 <= poor < 0.2 < 0.9 < ideal <= 1.0


@pytest.mark.unit
def test_custom_property_catalog_scales_to_thousands() -> None:
    # GIVEN requests for 60 and 1,500 custom contact properties
    small, big = custom_contact_properties(60), custom_contact_properties(1500)
    # THEN names are unique, types are mixed, and the month-end workflow's properties always exist
    assert len(small) == 60
    assert len(big) == 1500
    assert len({p.name for p in big}) == 1500
    assert {p.type for p in small} >= {"string", "number", "enumeration", "datetime", "date", "bool"}
    assert {"acme_territory", "acme_territory_assigned_date"} <= {
        p.name for p in custom_contact_properties(0)
    }


# How each country the portal generates writes its postal codes
POSTAL_CODE_PATTERNS = {
    "United States": r"\d{5}(-\d{4})?",
    "Canada": r"[A-Z]\d[A-Z] \d[A-Z]\d",
    "United Kingdom": r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}",
    "Germany": r"\d{5}",
    "France": r"\d{5}",
    "Netherlands": r"[1-9]\d{3} [A-Z]{2}",
    "Australia": r"\d{4}",
    "India": r"[1-9]\d{5}",
    "Sweden": r"[1-9]\d{2} \d{2}",
    "Brazil": r"\d{5}-\d{3}",
}


@pytest.mark.unit
def test_postal_codes_follow_the_countrys_format_and_come_from_the_contact_id_alone() -> None:
    # GIVEN 1,000 contact ids in each country the portal generates
    assert set(POSTAL_CODE_PATTERNS) == set(gen_names.COUNTRIES)
    for country, pattern in POSTAL_CODE_PATTERNS.items():
        codes = [postal_code(contact_id, country) for contact_id in range(1, 1001)]
        present = [code for code in codes if code is not None]
        # THEN about 15% have none, the others are written as the country writes them
        assert 0.10 <= 1 - len(present) / len(codes) <= 0.20, country
        assert all(re.fullmatch(pattern, code) for code in present), country
        # AND the same contact always gets the same code (no draw from the generator's random stream)
        assert codes == [postal_code(contact_id, country) for contact_id in range(1, 1001)]
    us_codes = [postal_code(contact_id, "United States") for contact_id in range(1, 1001)]
    assert 0.15 <= sum(len(code) == 10 for code in us_codes if code) / 1000 <= 0.30  # some ZIP+4


@pytest.mark.unit
def test_checksum_recipe_is_sha256_of_sorted_decimal_lines() -> None:
    # GIVEN ids as the manifest lists them
    # WHEN the recipe from the manifest docstring is applied
    # THEN it equals a plain sha256 of newline-joined decimal strings
    assert checksum(["2", "10"]) == hashlib.sha256(b"2\n10").hexdigest()
    assert checksum([]) == hashlib.sha256(b"").hexdigest()


# ---------------------------------------------------------------- generation


@pytest.mark.integration
def test_same_inputs_give_an_identical_portal(tmp_path: Path, tiny: tuple[Path, GenerationReport]) -> None:
    # GIVEN the module's tiny portal (seed 7)
    first_dir, _ = tiny
    # WHEN the same portal is generated again elsewhere
    again = tmp_path / "again"
    generate_portal(again, size="tiny", seed=7, as_of=AS_OF)
    # THEN manifest and every table's content are identical
    assert build_manifest(again) == build_manifest(first_dir)
    assert content_digest(again) == content_digest(first_dir)


@pytest.mark.integration
def test_portal_does_not_depend_on_hash_order(tmp_path: Path, tiny: tuple[Path, GenerationReport]) -> None:
    # GIVEN the module's tiny portal, built with this interpreter's string-hash seed
    first_dir, _ = tiny
    # WHEN the same portal is generated by a fresh interpreter with another PYTHONHASHSEED
    script = (
        "from datetime import datetime, UTC\n"
        "from pathlib import Path\n"
        "from onefunnel.portal.generate import generate_portal\n"
        f"generate_portal(Path({str(tmp_path / 'rehashed')!r}), size='tiny', seed=7,\n"
        "                as_of=datetime(2025, 11, 15, tzinfo=UTC))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", script], check=True, cwd=REPO, env=env)
    # THEN the content is identical (no set or hash order leaks into the data)
    assert content_digest(tmp_path / "rehashed") == content_digest(first_dir)


@pytest.mark.integration
def test_another_seed_gives_another_portal(tmp_path: Path, tiny: tuple[Path, GenerationReport]) -> None:
    # GIVEN the tiny portal with seed 7
    first_dir, _ = tiny
    # WHEN seed 8 is generated
    other = tmp_path / "other"
    generate_portal(other, size="tiny", seed=8, as_of=AS_OF)
    # THEN the objects differ
    assert content_digest(other)["objects"] != content_digest(first_dir)["objects"]
    assert build_manifest(other)["seed"] == 8


@pytest.mark.integration
def test_worker_processes_do_not_change_the_portal(tmp_path: Path) -> None:
    # GIVEN a portal of three blocks generated in this process
    inputs = {"size": "tiny", "as_of": AS_OF, "contacts": 1_200, "burst_size": 600}
    generate_portal(tmp_path / "serial", workers=1, **inputs)
    # WHEN the same portal is generated by two worker processes
    generate_portal(tmp_path / "parallel", workers=2, **inputs)
    # THEN both files hold the same content
    assert content_digest(tmp_path / "parallel") == content_digest(tmp_path / "serial")


@pytest.mark.integration
def test_refuses_to_overwrite_unless_asked(tmp_path: Path) -> None:
    # GIVEN an existing portal
    generate_portal(tmp_path, size="tiny", as_of=AS_OF, contacts=50)
    before = store.portal_file(tmp_path).stat().st_ino
    # WHEN generating again without overwrite
    # THEN it refuses and leaves the portal alone
    with pytest.raises(FileExistsError):
        generate_portal(tmp_path, size="tiny", as_of=AS_OF, contacts=50)
    assert store.portal_file(tmp_path).stat().st_ino == before
    # WHEN asked to overwrite, with another seed
    generate_portal(tmp_path, size="tiny", as_of=AS_OF, contacts=50, seed=3, overwrite=True)
    # THEN the new portal replaced the old one
    assert build_manifest(tmp_path)["seed"] == 3


@pytest.mark.integration
def test_failed_generation_leaves_no_portal(tmp_path: Path) -> None:
    # GIVEN a generation that fails half-way (its progress callback raises)
    def explode(stage: str, done: int, total: int) -> None:
        if stage == "blocks" and done >= 1:
            raise RuntimeError("disk full")

    # WHEN it runs
    with pytest.raises(RuntimeError):
        generate_portal(tmp_path, size="tiny", as_of=AS_OF, contacts=900, progress=explode)
    # THEN neither a portal nor its temporary file is left behind
    assert not store.portal_file(tmp_path).exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.integration
def test_killed_generation_leaves_no_portal(tmp_path: Path) -> None:
    # GIVEN a generation in a child process that reports progress per block
    script = (
        "import sys\n"
        "from datetime import datetime, UTC\n"
        "from pathlib import Path\n"
        "from onefunnel.portal.generate import generate_portal\n"
        "def progress(stage, done, total):\n"
        "    print(stage, done, total, flush=True)\n"
        "    if stage == 'blocks' and done >= 1:\n"
        "        sys.stdin.readline()  # wait here until the test kills us\n"
        f"generate_portal(Path({str(tmp_path)!r}), size='tiny', contacts=1200, workers=1,\n"
        "                as_of=datetime(2025, 11, 15, tzinfo=UTC), progress=progress)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    assert child.stdout is not None
    # WHEN it is killed (SIGKILL) after writing its first block
    for line in child.stdout:
        if line.startswith("blocks 1"):
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    # THEN no portal.sqlite exists: only the abandoned temporary file may remain
    assert not store.portal_file(tmp_path).exists()
    assert all(p.name.startswith(".portal.sqlite.generating-") for p in tmp_path.iterdir())
    # AND the next generation there succeeds and clears the abandoned file
    generate_portal(tmp_path, size="tiny", contacts=50, as_of=AS_OF)
    assert store.portal_file(tmp_path).exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".portal.sqlite.generating-")]


@pytest.mark.integration
def test_report_meta_and_counts(tiny: tuple[Path, GenerationReport]) -> None:
    # GIVEN the tiny portal and its report
    portal_dir, report = tiny
    meta = dict(rows(portal_dir, "select key, value from meta"))
    # THEN meta carries the inputs and the portal's identity
    assert meta["seed"] == "7"
    assert meta["size"] == "tiny"
    assert meta["clock"] == "2025-11-15T00:00:00.000Z"
    assert meta["time_zone"] == "America/New_York"
    assert meta["home_currency"] == "USD"
    assert meta["schema_version"] == store.SCHEMA_VERSION
    assert meta["portal_id"].isdigit()
    # AND the report's counts match the file
    for name, code in store.OBJECT_TYPE_CODES.items():
        assert (
            report.counts[name] == rows(portal_dir, "select count(*) from objects where type = ?", code)[0][0]
        )
    # AND a tiny portal is about the advertised size
    assert 380 <= report.counts["contacts"] <= 450
    assert 7 <= report.owners <= 10
    assert (portal_dir / "manifest.json").exists()


@pytest.mark.integration
def test_tiny_portal_satisfies_the_schema_invariants(tiny: tuple[Path, GenerationReport]) -> None:
    # GIVEN the tiny portal
    portal_dir, _ = tiny
    # WHEN every invariant is checked (updated_at == last-modified property, created_at == createdate,
    # reverse associations, stage-date order, deal stage metadata, string values, known properties ...)
    problems = check_portal(portal_dir)
    # THEN there is nothing to report
    assert problems == []


@pytest.mark.integration
def test_hubspot_shapes_of_owners_pipelines_and_campaigns(tiny: tuple[Path, GenerationReport]) -> None:
    # GIVEN the tiny portal
    portal_dir, _ = tiny
    owners = [orjson.loads(b) for (b,) in rows(portal_dir, "select body from owners")]
    pipelines = [orjson.loads(b) for (b,) in rows(portal_dir, "select body from pipelines")]
    campaigns = [orjson.loads(b) for (b,) in rows(portal_dir, "select body from campaigns")]
    # THEN owners look like /crm/v3/owners, in marketing and sales teams, a couple archived
    assert all(isinstance(o["id"], str) and o["type"] == "PERSON" and o["teams"] for o in owners)
    teams = {o["teams"][0]["name"] for o in owners}
    assert {"Marketing", "SDR", "Account Executives"} <= teams
    assert sum(o["archived"] for o in owners) >= 2
    # AND two deal pipelines with string metadata
    assert {p["id"] for p in pipelines} >= {"default"}
    assert len(pipelines) >= 2
    default = next(p for p in pipelines if p["id"] == "default")
    won = next(s for s in default["stages"] if s["id"] == "closedwon")
    assert won["metadata"] == {"isClosed": "true", "probability": "1.0"}
    # AND campaigns carry the marketing properties contacts refer to
    ids = {c["id"] for c in campaigns}
    assert 10 <= len(campaigns) <= 40
    assert all(c["properties"]["hs_name"] for c in campaigns)
    referenced = {
        v
        for (v,) in rows(
            portal_dir,
            "select json_extract(properties, "
            "'$.hs_analytics_first_touch_converting_campaign') from objects "
            "where type = 1",
        )
        if v
    }
    assert referenced
    assert referenced <= ids


@pytest.mark.integration
def test_lifecycle_history_matches_stage_dates(tiny: tuple[Path, GenerationReport]) -> None:
    # GIVEN contacts with lifecycle history
    portal_dir, _ = tiny
    found = rows(
        portal_dir,
        "select o.properties, h.history from objects o join property_history h "
        "on h.object_id = o.id and h.property = 'lifecyclestage' where o.type = 1 "
        "and o.merged_into is null and json_extract(o.properties, '$.hs_merged_object_ids') "
        "is null",
    )
    assert found
    for props_blob, hist_blob in found:
        props, hist = orjson.loads(props_blob), orjson.loads(hist_blob)
        # THEN the newest entry is the current stage and every forward move has its stage date
        assert hist[0]["value"] == props["lifecyclestage"]
        for entry in hist:
            if entry["value"] != "other":
                assert props[f"hs_lifecyclestage_{entry['value']}_date"] == entry["timestamp"]


@pytest.mark.integration
def test_most_contacts_have_a_postal_code_of_their_country(tiny: tuple[Path, GenerationReport]) -> None:
    # GIVEN the tiny portal's contacts that have a country (duplicate records, merged away later, have none)
    portal_dir, _ = tiny
    contacts = [
        props
        for (body,) in rows(portal_dir, "select properties from objects where type = 1")
        if (props := orjson.loads(body)).get("country")
    ]
    with_zip = [props for props in contacts if "zip" in props]
    # THEN most carry HubSpot's zip property, as their country writes postal codes
    assert 0.75 <= len(with_zip) / len(contacts) <= 0.95
    for props in with_zip:
        assert re.fullmatch(POSTAL_CODE_PATTERNS[props["country"]], props["zip"]), props
        # AND the audience files can use every one of them
        country = normalize.country_code(props["country"])
        assert normalize.google_postal_code(props["zip"], country) is not None, props
        assert normalize.meta_postal_code(props["zip"], country) is not None, props
    # AND the portal defines zip as HubSpot does
    (body,) = rows(
        portal_dir, "select body from property_definitions where object_type = 'contacts' and name = 'zip'"
    )[0]
    definition = orjson.loads(body)
    assert (definition["label"], definition["type"], definition["fieldType"], definition["groupName"]) == (
        "Postal Code",
        "string",
        "text",
        "contactinformation",
    )


@pytest.mark.integration
def test_many_custom_properties_stay_sparse(tmp_path: Path) -> None:
    # GIVEN a small portal with 1,500 custom contact properties
    generate_portal(tmp_path, size="tiny", as_of=AS_OF, contacts=150, custom_properties=1500)
    # THEN all of them are defined, but each contact stores only a handful of values
    defined = rows(
        tmp_path,
        "select count(*) from property_definitions where object_type = 'contacts' and name like 'acme_%'",
    )[0][0]
    assert defined == 1500
    widths = [
        len(orjson.loads(b)) for (b,) in rows(tmp_path, "select properties from objects where type = 1")
    ]
    assert max(widths) < 120


@pytest.mark.integration
@pytest.mark.slow
def test_same_timestamp_burst_beyond_the_search_cap(tmp_path: Path) -> None:
    # GIVEN a portal asked for a 15,000-contact burst among 16,000 contacts
    report = generate_portal(tmp_path, size="tiny", as_of=AS_OF, contacts=16_000, burst_size=15_000)
    # THEN exactly 15,000 contacts share one lastmodifieddate millisecond, written by the workflow
    ((ts, n),) = rows(
        tmp_path,
        "select updated_at, count(*) from objects where type = 1 group by updated_at order by 2 desc limit 1",
    )
    assert n == 15_000
    assert report.burst["size"] == 15_000
    assert report.burst["timestamp_ms"] == ts
    sample = orjson.loads(
        rows(tmp_path, "select properties from objects where type = 1 and updated_at = ? limit 1", ts)[0][0]
    )
    assert sample["lastmodifieddate"] == iso(ts)
    assert sample["acme_territory_assigned_date"] == iso(ts)


@pytest.mark.unit
def test_size_presets_are_declared() -> None:
    # GIVEN the presets the CLI offers
    # THEN they grow from tiny to large, and only tiny has no burst by default
    assert list(SIZES) == ["tiny", "demo", "large"]
    assert SIZES["tiny"].contacts < SIZES["demo"].contacts < SIZES["large"].contacts
    assert SIZES["tiny"].burst_size == 0
    assert SIZES["demo"].burst_size == 12_000

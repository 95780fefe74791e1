"""Fixtures of the prospect audience tests: one real tiny pipeline run (portal -> extract -> dbt -> checks ->
publish, the dashboard tests' own helpers) with small audience minimums and a handful of prospects changed
in the portal first (opted out, a customer, no lawful basis, no email, unusable phone, country and postal
code, one moved to a marketer), and hand-built snapshots for the edge cases.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pytest
from audience_helpers import write_definitions

# Reuse the dashboard tests' pipeline and hand-built snapshot helpers (one way to build a pipeline in tests).
DASHBOARD_TESTS = Path(__file__).resolve().parents[1] / "dashboard"
if str(DASHBOARD_TESTS) not in sys.path:
    sys.path.insert(0, str(DASHBOARD_TESTS))

import dashboard_pipeline as pipeline  # noqa: E402
from dashboard_pipeline import DataDir  # noqa: E402

PROSPECTING = ("OPEN", "IN_PROGRESS", "ATTEMPTED_TO_CONTACT", "CONNECTED")
SALES_TEAMS = ("SDR", "Account Executives")
# Small minimums so files are written from a tiny portal; LinkedIn's stays out of reach (a withheld file),
# and the privacy floor withholds the ad-platform files of the smallest reps.
PIPELINE_AUDIENCES = {
    "privacy_floor": 5,
    "formats": {
        "linkedin": {"min_audience_size": 100000},
        "meta": {"min_audience_size": 2},
        "google": {"min_audience_size": 2},
        "csv": {"min_audience_size": 1},
    },
}


@dataclass
class AudiencePipeline:
    data: DataDir
    definitions: Path
    changed: dict[str, dict[str, Any]] = field(default_factory=dict)  # case -> contact id and its values

    @property
    def serving(self) -> Path:
        return self.data.serving

    def query(self, sql: str, parameters: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.serving), read_only=True) as con:
            return con.execute(sql, parameters or []).fetchall()


def _change_prospects_in_portal(portal_dir: Path) -> dict[str, dict[str, Any]]:
    """Turn a few working prospects of the busiest rep into the cases the audiences must handle."""
    from onefunnel.portal import store

    conn = store.connect(store.portal_file(portal_dir))
    try:
        owners = [
            orjson.loads(body) for (body,) in conn.execute("select body from owners where archived = 0")
        ]
        sales = {o["id"] for o in owners if any(team["name"] in SALES_TEAMS for team in o.get("teams", []))}
        marketer = next(
            o["id"] for o in owners if any(team["name"] == "Marketing" for team in o.get("teams", []))
        )
        candidates: dict[str, list[tuple[int, dict]]] = {}
        for contact_id, body in conn.execute(
            "select id, properties from objects where type = ? and archived = 0 and merged_into is null "
            "order by id",
            (store.OBJECT_TYPE_CODES["contacts"],),
        ):
            props = orjson.loads(body)
            if (
                props.get("hubspot_owner_id") in sales
                and props.get("hs_lead_status") in PROSPECTING
                and props.get("lifecyclestage") not in ("customer", "evangelist")
                and props.get("email")
                and props.get("hs_email_optout") != "true"
                and props.get("hs_legal_basis") != "Not applicable"
            ):
                candidates.setdefault(props["hubspot_owner_id"], []).append((contact_id, props))
        busiest = max(candidates, key=lambda owner: len(candidates[owner]))
        cases = {
            "opted_out": {"hs_email_optout": "true"},
            "customer": {"lifecyclestage": "customer"},
            "no_lawful_basis": {"hs_legal_basis": "Not applicable"},
            "no_email": {"email": None},
            "other_owner": {"hubspot_owner_id": marketer},
            # a postal code is only normalised for a known country: with Atlantis it cannot be
            "unusable_identifiers": {"phone": "call me maybe", "country": "Atlantis", "zip": "SW1A 1AA"},
        }
        changed = {}
        with conn:
            for (contact_id, props), (case, changes) in zip(candidates[busiest], cases.items(), strict=False):
                changed[case] = {
                    "contact_id": str(contact_id),
                    "owner_id": busiest,
                    "email": props.get("email"),
                    "first_name": props.get("firstname"),
                    "last_name": props.get("lastname"),
                    "phone": props.get("phone"),
                }
                props.update(changes)
                conn.execute(
                    "update objects set properties = ? where id = ?", (orjson.dumps(props), contact_id)
                )
        assert len(changed) == len(cases), "the tiny portal's busiest rep has too few prospects"
        return changed
    finally:
        conn.close()


@pytest.fixture(scope="session")
def audience_pipeline(tmp_path_factory: pytest.TempPathFactory) -> AudiencePipeline:
    root = tmp_path_factory.mktemp("audiences-pipeline")
    data = DataDir(root / "data")
    definitions = write_definitions(root / "definitions.yml", **PIPELINE_AUDIENCES)
    pipeline.generate(data, seed=11)
    changed = _change_prospects_in_portal(data.portal)
    with pytest.MonkeyPatch.context() as patch:
        # dbt runs in a child process and the checks in this one: both read the definitions from here
        patch.setenv("ONEFUNNEL_DEFINITIONS", str(definitions))
        pipeline.extract(data, mode="full")
        pipeline.build(data, freeze=False)
        summary = pipeline.check(data, build_docs=False)
        assert summary.status.publishable, [check.message for check in summary.blocking]
        pipeline.publish(data)
    return AudiencePipeline(data, definitions, changed)


@pytest.fixture
def exports_root(tmp_path: Path) -> Path:
    return tmp_path / "exports"


@pytest.fixture
def hand_built(tmp_path: Path):
    """A hand-built serving snapshot with prospect audiences: hand_built(**audience_rows kwargs) -> path."""
    import snapshot_fixture as fixture

    def build(**kwargs: Any) -> Path:
        rows = fixture.audience_rows(**kwargs)
        return fixture.build_snapshot(tmp_path / "serving" / "serving.duckdb", rows=rows)

    return build

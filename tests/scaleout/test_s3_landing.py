"""Landing on S3-compatible object storage (issue 18): a tiny portal extracted into moto's S3 server on
127.0.0.1, published run by run (parts, then the manifest with a conditional put), mirrored exactly as the
manifests list, and built by dbt into the same period funnel as a build from a local landing zone."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
from scaleout_helpers import period_funnel, s3_server, tiny_portal

from onefunnel.hubspot.runner import ExtractOptions
from onefunnel.landing import layout
from onefunnel.landing.objectstore import (
    LandingUrl,
    ObjectStore,
    ObjectStoreError,
    listed_parts,
    published_manifests,
    run_landing_extraction,
    sync_landing,
    unlisted_keys,
)
from onefunnel.landing.state import StateLockedError
from onefunnel.warehouse import build_warehouse

pytestmark = [pytest.mark.scale, pytest.mark.integration]

BUCKET = "onefunnel-landing"
URL = f"s3://{BUCKET}/team-a/hubspot"
# measured on every run, for CI's artifacts and the README's figures
ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "scaleout" / "s3_landing.json"
FIGURES: dict[str, float] = {}


@dataclass
class S3Pipeline:
    root: Path
    store: ObjectStore
    credentials: object
    local_landing: Path
    local_warehouse: Path
    first_run: str

    def extract_to_s3(self, **changes):
        options = ExtractOptions(tier=None, **changes)
        return run_landing_extraction(options, credentials=self.credentials)


@pytest.fixture(scope="module")
def pipeline(reference, tmp_path_factory):
    import boto3

    root = tmp_path_factory.mktemp("s3_landing")
    with pytest.MonkeyPatch.context() as env, s3_server(env), tiny_portal(reference.root) as credentials:
        env.setenv("ONEFUNNEL_LANDING_URL", URL)
        env.setenv("ONEFUNNEL_LANDING_MIRROR_DIR", str(root / "mirror"))
        boto3.client("s3").create_bucket(Bucket=BUCKET)
        store = ObjectStore(LandingUrl.parse(URL))
        # the reference portal (also extracted into a local landing zone and built: conftest.py), extracted
        # into the object store (ONEFUNNEL_LANDING_URL, no landing folder given)
        started = time.perf_counter()
        summary = run_landing_extraction(ExtractOptions(tier=None), credentials=credentials)
        FIGURES.update(
            extract_and_publish_s=round(time.perf_counter() - started, 2),
            extractor_s=round(summary.duration_s, 2),
        )
        assert summary.ok
        yield S3Pipeline(root, store, credentials, reference.landing, reference.warehouse, summary.run_id)


def test_extraction_publishes_a_manifest_listing_exactly_the_parts_it_wrote(pipeline):
    # GIVEN one extraction into the object store
    # WHEN the bucket is listed
    manifests = published_manifests(pipeline.store)
    on_s3 = {pipeline.store.url.relative(key): size for key, size in pipeline.store.list().items()}
    # THEN the run is published by its manifest, which lists every data key under the prefix with its size
    assert list(manifests) == [pipeline.first_run]
    listed = listed_parts(manifests[pipeline.first_run])
    assert listed
    assert unlisted_keys(pipeline.store) == []
    assert {key: on_s3[key] for key in listed} == listed
    # AND the parts are the ones the extractor writes locally for the same portal (same datasets and parts)
    local_manifest = orjson.loads(
        next((pipeline.local_landing / layout.RUNS_DIR).glob("*.json")).read_bytes()
    )
    s3_manifest = manifests[pipeline.first_run]
    assert s3_manifest["rows"] == local_manifest["rows"]
    assert {
        f"{dataset}/run_id={pipeline.first_run}/{name}"
        for dataset, names in s3_manifest["parts"].items()
        for name in names
    } == set(listed)
    # AND the state (watermarks per object) sits beside it, the lock is released
    state_keys = [key for key in on_s3 if key.startswith("_state/")]
    assert "_state/contacts.json" in state_keys
    assert "_state/.lock" not in state_keys


def test_dbt_builds_from_the_object_store_the_same_period_funnel_as_from_a_local_landing(pipeline):
    # GIVEN the object store's published runs mirrored locally (exactly what the manifests list)
    started = time.perf_counter()
    report = sync_landing(pipeline.root / "mirror")
    FIGURES.update(
        sync_s=round(time.perf_counter() - started, 2),
        parts=report.parts_downloaded,
        bytes=report.bytes_downloaded,
    )
    assert report.runs_added == [pipeline.first_run]
    assert report.parts_downloaded == len(
        listed_parts(published_manifests(pipeline.store)[pipeline.first_run])
    )
    # WHEN the warehouse is built from the object store (ONEFUNNEL_LANDING_URL set, no landing folder given)
    started = time.perf_counter()
    result = build_warehouse(None, pipeline.root / "warehouse.duckdb", freeze_due=False)
    FIGURES["dbt_build_s"] = round(time.perf_counter() - started, 2)
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(json.dumps(FIGURES, indent=2))
    # THEN every model and test passes, and the period funnel equals the local landing's build, row for row
    assert not {node: s for node, s in result.statuses.items() if s not in ("success", "pass", "no-op")}
    funnel = period_funnel(pipeline.root / "warehouse.duckdb")
    assert len(funnel) > 0
    assert funnel == period_funnel(pipeline.local_warehouse)


def test_unpublished_parts_are_never_read_and_are_named(pipeline):
    # GIVEN a part uploaded by a run that was killed before its manifest was written
    killed = "20261208T040000000Z-dead01"
    part = next((pipeline.root / "mirror" / "contacts").glob("*/*.parquet"))
    stray = f"contacts/run_id={killed}/part-00000.parquet"
    pipeline.store.upload(part, pipeline.store.url.key(stray))
    try:
        # WHEN the mirror is synced
        report = sync_landing(pipeline.root / "mirror-after-kill")
        # THEN the unpublished run is not mirrored, and unlisted_keys names its part
        assert report.runs_added == [pipeline.first_run]
        assert not (pipeline.root / "mirror-after-kill" / "contacts" / f"run_id={killed}").exists()
        assert unlisted_keys(pipeline.store) == [stray]
    finally:
        pipeline.store.delete(pipeline.store.url.key(stray))


def test_a_second_extraction_is_incremental_from_the_state_in_the_object_store(pipeline):
    # GIVEN the first run's state in the object store
    # WHEN a second extraction runs (a fresh local work folder: it can only know the state from S3)
    summary = pipeline.extract_to_s3()
    # THEN it extracts incrementally, publishes a second manifest, and a sync fetches only that run
    assert summary.ok
    assert summary.modes["contacts"] == "incremental"
    assert sorted(published_manifests(pipeline.store)) == sorted([pipeline.first_run, summary.run_id])
    report = sync_landing(pipeline.root / "mirror")
    assert report.runs_added == [summary.run_id]
    assert unlisted_keys(pipeline.store) == []


def test_a_second_extraction_while_the_lock_is_held_writes_nothing(pipeline):
    # GIVEN another extraction holding the object store's lock
    lock = pipeline.store.url.key("_state", ".lock")
    pipeline.store.put(lock, b'{"host": "other-worker", "pid": 1}', create_only=True)
    before = pipeline.store.list()
    try:
        # WHEN an extraction starts THEN it refuses, naming the lock and its holder, and writes nothing
        with pytest.raises(StateLockedError, match=r"_state/\.lock.*other-worker"):
            pipeline.extract_to_s3()
        assert pipeline.store.list() == before
    finally:
        pipeline.store.delete(lock)


def test_a_missing_bucket_is_named(pipeline):
    # GIVEN a landing URL whose bucket does not exist on the server WHEN the store is used
    # THEN the error names the bucket
    store = ObjectStore(LandingUrl.parse("s3://no-such-landing-bucket/hubspot"))
    with pytest.raises(ObjectStoreError, match="bucket 'no-such-landing-bucket' does not exist"):
        sync_landing(pipeline.root / "mirror-of-nothing", store=store)

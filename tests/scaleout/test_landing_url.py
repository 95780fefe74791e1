"""ONEFUNNEL_LANDING_URL parsing and the object-store landing's refusals (fast: no server)."""

from __future__ import annotations

import pytest

from onefunnel.landing.objectstore import LandingUrl, ObjectStoreError, landing_url, listed_parts

pytestmark = pytest.mark.unit


def test_an_s3_url_gives_bucket_and_prefix():
    # GIVEN an S3 URL with a nested prefix WHEN parsed THEN keys are made under the prefix
    url = LandingUrl.parse("s3://landing-bucket/team-a/hubspot/")
    assert (url.bucket, url.prefix) == ("landing-bucket", "team-a/hubspot")
    assert url.key("_runs", "r.json") == "team-a/hubspot/_runs/r.json"
    assert url.relative("team-a/hubspot/contacts/x.parquet") == "contacts/x.parquet"
    assert LandingUrl.parse("s3://landing-bucket").key("_runs") == "_runs"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("/data/landing", "must be s3://<bucket>/<prefix>"),
        ("gs://bucket/prefix", "only S3-compatible"),
        ("s3:///prefix", "names no bucket"),
        ("s3://bucket/a//b", "segment is empty"),
        ("s3://bucket/a/../b", "segment is empty, '.' or '..'"),
    ],
)
def test_a_bad_landing_url_is_refused_naming_the_problem(text, message):
    # GIVEN a URL that is not s3://bucket/prefix WHEN parsed THEN the error names the variable and problem
    with pytest.raises(ObjectStoreError, match="ONEFUNNEL_LANDING_URL") as error:
        LandingUrl.parse(text)
    assert message in str(error.value)


def test_no_landing_url_means_the_local_landing_zone(monkeypatch):
    # GIVEN the variable unset or blank THEN no object store is configured
    monkeypatch.delenv("ONEFUNNEL_LANDING_URL", raising=False)
    assert landing_url() is None
    monkeypatch.setenv("ONEFUNNEL_LANDING_URL", "  ")
    assert landing_url() is None


def test_a_run_manifest_without_a_part_listing_is_not_trusted():
    # GIVEN a run manifest a local extraction wrote (no object_store listing) WHEN read as published
    # THEN it is refused, naming the run
    with pytest.raises(ObjectStoreError, match=r"20261208T010000000Z-abc.*no object_store.parts"):
        listed_parts({"run_id": "20261208T010000000Z-abc", "parts": {"contacts": ["part-00000.parquet"]}})


def test_transform_with_a_bad_landing_url_is_a_build_error(monkeypatch, tmp_path):
    # GIVEN ONEFUNNEL_LANDING_URL that is not an S3 URL WHEN the warehouse build resolves its landing zone
    # THEN it fails with the build's own error (one line from `onefunnel transform`), naming the variable
    from onefunnel.landing.objectstore import landing_dir_for_build
    from onefunnel.warehouse.build import WarehouseBuildError

    monkeypatch.setenv("ONEFUNNEL_LANDING_URL", "ftp://bucket/prefix")
    with pytest.raises(WarehouseBuildError, match=r"ONEFUNNEL_LANDING_URL.*nothing was built"):
        landing_dir_for_build(None)
    # AND a landing folder given explicitly is used as it is
    assert landing_dir_for_build(tmp_path) is None

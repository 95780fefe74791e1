"""Publish copies exactly the dbt models tagged `published`, and every table the dashboard and the audience
exports read carries the tag (a new dashboard query on an untagged model fails here, before it would find an
empty snapshot)."""

from __future__ import annotations

import re
import sys

import pytest
from quality_helpers import PublishedBase

from onefunnel.config import REPO_ROOT
from onefunnel.publish.published import PublishedModelsError, manifest_path, tagged_models
from onefunnel.publish.serving import open_serving_readonly

pytestmark = [pytest.mark.integration, pytest.mark.slow]

NOT_MODELS = ("information_schema.", "serving_meta.")


def dashboard_tables() -> set[tuple[str, str]]:
    """(schema, table) of every query in dashboards/lib/sql.py (its `model`) and every table the audience
    exports select from."""
    if str(REPO_ROOT) not in sys.path:  # dashboards.lib is imported from the repository, as the app does
        sys.path.insert(0, str(REPO_ROOT))
    from dashboards.lib import sql as dashboard_sql

    from onefunnel.audiences import sql as audience_sql

    models = {
        value.model
        for value in vars(dashboard_sql).values()
        if isinstance(value, dashboard_sql.Query) and not value.model.startswith(NOT_MODELS)
    }
    audience_text = " ".join(value for value in vars(audience_sql).values() if isinstance(value, str))
    models |= set(re.findall(r"\bmarts\.[a-z_0-9]+", audience_text))
    return {tuple(model.split(".", 1)) for model in models}


def test_every_table_the_dashboard_and_the_exports_read_is_tagged_published(published_base: PublishedBase):
    # GIVEN the manifest dbt wrote when it built the pipeline's warehouse
    published = set(tagged_models(manifest_path(published_base.data.warehouse)))
    # WHEN the tables the dashboard's queries and the exports read are listed
    read = dashboard_tables()
    # THEN each of them is a model tagged published (tag it: config: {tags: ['published']} in its schema yml)
    assert len(read) >= 20
    assert sorted(read - published) == []


def test_the_snapshot_holds_exactly_the_published_models(published_base: PublishedBase):
    # GIVEN the published snapshot of the pipeline
    published = set(tagged_models(manifest_path(published_base.data.warehouse)))
    # WHEN its tables are listed
    with open_serving_readonly(published_base.data.serving) as con:
        tables = set(
            con.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_schema <> 'serving_meta'"
            ).fetchall()
        )
    # THEN they are exactly the published models: nothing a page does not read (staging, helper marts)
    assert tables == published
    assert not [table for _, table in tables if table.startswith(("stg_", "int_"))]
    assert ("definitions", "definitions_current") in tables


def test_a_missing_or_broken_manifest_is_named(tmp_path):
    with pytest.raises(PublishedModelsError, match=r"no dbt manifest at .*onefunnel transform"):
        tagged_models(tmp_path / "manifest.json")
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(PublishedModelsError, match="not valid JSON"):
        tagged_models(tmp_path / "manifest.json")
    untagged = '{"nodes": {"model.x.a": {"resource_type": "model", "tags": []}}}'
    (tmp_path / "manifest.json").write_text(untagged)
    with pytest.raises(PublishedModelsError, match=r"no model .* is tagged 'published'"):
        tagged_models(tmp_path / "manifest.json")

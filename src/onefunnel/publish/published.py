"""Which warehouse models the serving snapshot holds: the dbt models tagged `published` (what the dashboard
and the audience exports read), read from the manifest dbt wrote when it built the warehouse.

    published_models(warehouse_path)   # [("definitions", "definitions_current"), ("marts", "deals_monthly")]

A model is published by tagging it in its schema yml (`config: {tags: ['published']}`); `onefunnel transform`
writes the manifest to <warehouse folder>/dbt/target/manifest.json, so the set always follows the project the
warehouse was built from. Both `check` (the content checksums it records) and `publish` (what it copies) take
the set from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import orjson

PUBLISHED_TAG = "published"


class PublishedModelsError(RuntimeError):
    """The set of published models cannot be read; the message names the file and what to run."""


def manifest_path(warehouse_path: Path) -> Path:
    """The manifest of the dbt invocations that write `warehouse_path` (build.py's work folder)."""
    return Path(warehouse_path).parent.resolve() / "dbt" / "target" / "manifest.json"


def tagged_models(manifest: Path, tag: str = PUBLISHED_TAG) -> list[tuple[str, str]]:
    """(schema, relation name) of every model of a dbt manifest carrying `tag`, sorted."""
    manifest = Path(manifest)
    try:
        raw = orjson.loads(manifest.read_bytes())
    except FileNotFoundError:
        raise PublishedModelsError(
            f"no dbt manifest at {manifest}, so the models tagged {tag!r} are unknown: build the warehouse "
            "with `onefunnel transform`, then `onefunnel check`"
        ) from None
    except orjson.JSONDecodeError as error:
        raise PublishedModelsError(f"the dbt manifest {manifest} is not valid JSON: {error}") from None
    nodes = raw.get("nodes") if isinstance(raw, dict) else None
    if not isinstance(nodes, dict):
        raise PublishedModelsError(f"the dbt manifest {manifest} has no `nodes`")
    models = sorted(
        {
            (str(node["schema"]), str(node.get("alias") or node["name"]))
            for node in nodes.values()
            if node.get("resource_type") == "model" and tag in (node.get("tags") or [])
        }
    )
    if not models:
        raise PublishedModelsError(
            f"no model of the dbt manifest {manifest} is tagged {tag!r} (config: {{tags: ['{tag}']}} in its "
            "schema yml): nothing would be published"
        )
    return models


def published_models(warehouse_path: Path, schemas: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """The models tagged `published` in the manifest of the warehouse's builds, optionally only those in
    `schemas`."""
    models = tagged_models(manifest_path(warehouse_path))
    if schemas:
        models = [(schema, name) for schema, name in models if schema in schemas]
    return models

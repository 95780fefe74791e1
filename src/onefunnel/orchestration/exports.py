"""Extension point for the exports that run after a publish (prospect audiences, monthly pack).

An exporter is a callable `exporter(published: dict) -> dict | None`, given the publish summary
(serving_path, quality_run_id, data_as_of, tables). The exporters onefunnel ships run by default
(`DEFAULT_EXPORTERS`: the prospect audiences; ONEFUNNEL_DEFAULT_EXPORTS="none" turns them off, or lists the
ones to keep). More come from code with `register(...)` or by configuration:
ONEFUNNEL_EXPORTS="pkg.module:function,other:function". With none at all the task logs that and succeeds.
Exporters read the serving snapshot only.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from importlib import import_module

from onefunnel.orchestration import failures

EXPORTS_ENV = "ONEFUNNEL_EXPORTS"
DEFAULT_EXPORTS_ENV = "ONEFUNNEL_DEFAULT_EXPORTS"
# Imported only when the exports task runs (a DAG file is parsed constantly; nothing heavy at import time).
DEFAULT_EXPORTERS = {"audiences": "onefunnel.audiences.exporter:export_after_publish"}
Exporter = Callable[[dict], "dict | None"]
_registered: dict[str, Exporter] = {}
log = logging.getLogger("onefunnel.orchestration.exports")


def register(name: str, exporter: Exporter) -> None:
    _registered[name] = exporter


def _load(target: str) -> Exporter:
    module_name, _, attribute = target.partition(":")
    return getattr(import_module(module_name), attribute)


def default_exporters() -> dict[str, str]:
    """The shipped exporters that are on: all, unless ONEFUNNEL_DEFAULT_EXPORTS names some (or none)."""
    configured = os.environ.get(DEFAULT_EXPORTS_ENV)
    if configured is None:
        return dict(DEFAULT_EXPORTERS)
    wanted = {part.strip() for part in configured.split(",") if part.strip()} - {"none"}
    return {name: target for name, target in DEFAULT_EXPORTERS.items() if name in wanted}


def exporters() -> dict[str, Exporter]:
    found = {name: _load(target) for name, target in default_exporters().items()}
    found.update(_registered)
    for target in filter(None, (part.strip() for part in os.environ.get(EXPORTS_ENV, "").split(","))):
        found[target] = _load(target)
    return found


def run_exports(published: dict) -> dict:
    """Run every registered exporter on the new snapshot; one failing exporter fails the task (retryable),
    after the others ran. The snapshot is already published either way."""
    results, errors = {}, []
    chosen = exporters()
    if not chosen:
        log.info("no exports configured (%s=none and %s unset)", DEFAULT_EXPORTS_ENV, EXPORTS_ENV)
        return {}
    for name, exporter in chosen.items():
        try:
            results[name] = exporter(published) or {}
        except Exception as error:
            errors.append(f"{name}: {type(error).__name__}: {error}")
    if errors:
        raise failures.retryable("exports", "; ".join(errors))
    return results

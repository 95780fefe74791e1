"""Extension point for the exports that run after a publish (monthly pack, prospect audiences: issue 8).

An exporter is a callable `exporter(published: dict) -> dict | None`, given the publish summary
(serving_path, quality_run_id, data_as_of, tables). Register one in code with `register(...)` (the exports
package will do so on import) or by configuration: ONEFUNNEL_EXPORTS="pkg.module:function,other:function".
With none registered the exports task logs that and succeeds. Exporters read the serving snapshot only.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from importlib import import_module

from onefunnel.orchestration import failures

EXPORTS_ENV = "ONEFUNNEL_EXPORTS"
Exporter = Callable[[dict], "dict | None"]
_registered: dict[str, Exporter] = {}
log = logging.getLogger("onefunnel.orchestration.exports")


def register(name: str, exporter: Exporter) -> None:
    _registered[name] = exporter


def exporters() -> dict[str, Exporter]:
    found = dict(_registered)
    for target in filter(None, (part.strip() for part in os.environ.get(EXPORTS_ENV, "").split(","))):
        module_name, _, attribute = target.partition(":")
        found[target] = getattr(import_module(module_name), attribute)
    return found


def run_exports(published: dict) -> dict:
    """Run every registered exporter on the new snapshot; one failing exporter fails the task (retryable),
    after the others ran. The snapshot is already published either way."""
    results, errors = {}, []
    chosen = exporters()
    if not chosen:
        log.info(
            "no exports configured (%s unset); the audiences export (issue 8) plugs in here", EXPORTS_ENV
        )
        return {}
    for name, exporter in chosen.items():
        try:
            results[name] = exporter(published) or {}
        except Exception as error:
            errors.append(f"{name}: {type(error).__name__}: {error}")
    if errors:
        raise failures.retryable("exports", "; ".join(errors))
    return results

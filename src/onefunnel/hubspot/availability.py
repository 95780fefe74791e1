"""Optional CRM objects (leads): extracted when the portal has them and the token may read them, skipped
with one log line otherwise, never a failed run.

HubSpot answers 403 when the token lacks the object's scope (or the plan lacks the object), 404 when the
object type does not exist on the portal; older stand-ins answer 400 "Unable to infer object type". A
401 still stops the run (the token itself is wrong), as does any other error.
"""

from __future__ import annotations

import logging

from onefunnel.hubspot import settings
from onefunnel.hubspot.endpoints import HubSpotApi
from onefunnel.hubspot.errors import AuthError, RequestError

log = logging.getLogger("onefunnel.extract")

# Answers that mean "this portal / token has no such object", per HTTP status.
UNAVAILABLE_STATUSES = (400, 403, 404)


def probe_optional_objects(
    api: HubSpotApi, names: list[str] | tuple[str, ...]
) -> tuple[dict[str, list[dict]], dict[str, str]]:
    """For each optional object: its property definitions when the portal answers both its properties and
    a one-record list page; otherwise the reason it is skipped. Returns (definitions, skipped)."""
    available: dict[str, list[dict]] = {}
    skipped: dict[str, str] = {}
    for name in names:
        try:
            definitions = api.properties(name).get("results") or []
            api.list_page(name, after=None, properties=[], limit=1)
        except (AuthError, RequestError) as error:
            status = getattr(error, "status", None)
            if status not in UNAVAILABLE_STATUSES:
                raise
            skipped[name] = _reason(name, error, status)
            log.warning("%s skipped: %s", name, skipped[name])
            continue
        available[name] = definitions
    return available, skipped


def _reason(name: str, error: Exception, status: int) -> str:
    scopes = ", ".join(settings.REQUIRED_SCOPES.get(name, ()))
    if status == 403:
        reported = " or ".join(getattr(error, "scopes", ()) or ()) or scopes
        endpoint = getattr(error, "endpoint", None) or name
        return (
            f"HubSpot answered 403 on {endpoint} - the token lacks {reported} "
            f"(or the portal's plan has no {name}); add the scope to the Service Key to extract {name}. "
            "The run continues without them."
        )
    detail = str(error).split(": HTTP ", 1)[-1]
    return (
        f"the portal has no {name} object (HTTP {detail}). The run continues without them; "
        f"a portal with {name} needs the scope {scopes}."
    )

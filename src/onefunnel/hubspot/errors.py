"""Errors the extractor raises; every message is written for the data engineer who reads it, and none
ever carries the access token (messages pass through `client.redact` before they are raised)."""

from __future__ import annotations


class ExtractError(Exception):
    """Base class: the run stops, already-committed data and state stay valid."""

    exit_code = 1


class ConfigurationError(ExtractError):
    """No token, a malformed connection, an unknown object name."""

    exit_code = 2


class AuthError(ExtractError):
    """401 / 403: the token is wrong, expired or lacks a scope. Never retried.

    `status` is the HTTP status, `endpoint` the request that was refused (method and path template),
    `scopes` the scopes HubSpot reported as required (403 MISSING_SCOPES), empty when it named none."""

    exit_code = 3

    def __init__(
        self,
        message: str,
        status: int | None = None,
        *,
        endpoint: str | None = None,
        scopes: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.endpoint = endpoint
        self.scopes = tuple(scopes)


class DailyLimitError(ExtractError):
    """The account's daily request limit is used up. Never retried: resets at midnight (account time)."""

    exit_code = 4


class RetriesExhausted(ExtractError):
    """A request kept failing with retryable errors; the message names the object and the cursor."""

    exit_code = 5


class RequestError(ExtractError):
    """A non-retryable HTTP answer (400, 404, 414 ...)."""

    exit_code = 6

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


_SCOPE_KEYS = ("requiredGranularScopes", "requiredScopes", "missingScopes")


def scopes_from_error_body(body: object) -> tuple[str, ...]:
    """The scopes a HubSpot 403 body names, in order, without duplicates.

    HubSpot's MISSING_SCOPES answer carries them in `errors[].context.requiredGranularScopes` (any one of
    them is enough); its API reference also shows `context.missingScopes` at the top level, and batch
    answers spell the context as text (`"{missingScopes=[scope1, scope2]}"`). All three are read."""
    found: list[str] = []

    def add(value: object) -> None:
        name = str(value).strip().strip("[]{}.,'\" ")
        if name and name not in found:
            found.append(name)

    def from_context(context: object) -> None:
        if isinstance(context, dict):
            for key in _SCOPE_KEYS:
                values = context.get(key)
                if isinstance(values, (list, tuple)):
                    for value in values:
                        add(value)
                elif isinstance(values, str):
                    for value in values.split(","):
                        add(value)
        elif isinstance(context, str):
            for key in _SCOPE_KEYS:
                start = context.find(key + "=[")
                if start >= 0:
                    inner = context[start + len(key) + 2 :].split("]", 1)[0]
                    for value in inner.split(","):
                        add(value)

    if isinstance(body, dict):
        from_context(body.get("context"))
        for entry in body.get("errors") or ():
            if isinstance(entry, dict):
                from_context(entry.get("context"))
    return tuple(found)

"""Failure messages a data engineer can act on: every task failure names the step, the cause and what to do.

Two kinds of failure:
- `retryable(...)`: something a retry can fix (a HubSpot 5xx burst, a locked file): Airflow retries it
  with backoff;
- `final(...)`: something only a person can fix (a refused token, a malformed definitions file, a failed
  quality gate): the task fails at once, without burning retries, and says what to change.
Either way nothing downstream runs, so publish never replaces the last good serving snapshot.
"""

from __future__ import annotations

KEEPS_SERVING = "the last good serving snapshot keeps serving"


class StepFailed(RuntimeError):
    """A pipeline step failed in a way a retry may fix; the message names the step and the cause."""


def retryable(step: str, cause: str) -> StepFailed:
    return StepFailed(f"{step} failed: {cause} ({KEEPS_SERVING}; Airflow retries this task)")


def final(step: str, cause: str, action: str) -> Exception:
    """An error that makes Airflow fail the task without retrying (AirflowFailException)."""
    message = f"{step} failed: {cause}. {action} ({KEEPS_SERVING}; not retried: a retry cannot fix this)"
    try:
        from airflow.sdk.exceptions import AirflowFailException
    except ImportError:  # outside Airflow (unit tests, CLI): the same message, as a plain error
        return StepFailed(message)
    return AirflowFailException(message)


def extract_failure(group: str, error: BaseException) -> Exception:
    """Map an extractor error to a task failure naming the object group and the cause."""
    from onefunnel.hubspot.client import AIRFLOW_CONN_ID, TOKEN_ENV, redact
    from onefunnel.hubspot.errors import (
        AuthError,
        ConfigurationError,
        DailyLimitError,
        RequestError,
        RetriesExhausted,
    )

    step = f"extract {group}"
    root = getattr(error, "cause", None) or error  # ExtractionFailed wraps the first stream error
    cause = redact(root)
    if isinstance(root, AuthError):
        return final(
            step,
            f"HubSpot refused the access token (401/403): {cause}",
            f"Fix the token in the Airflow connection '{AIRFLOW_CONN_ID}' (password = a HubSpot Service Key, "
            f"or a legacy private-app token) or {TOKEN_ENV}, and check the key's read scopes "
            "(src/onefunnel/hubspot/README.md lists them)",
        )
    if isinstance(root, ConfigurationError):
        return final(
            step,
            f"configuration: {cause}",
            f"Define the Airflow connection '{AIRFLOW_CONN_ID}' (or {TOKEN_ENV}); see docs/airflow.md",
        )
    if isinstance(root, DailyLimitError):
        return final(
            step,
            f"HubSpot's daily request limit is used up: {cause}",
            "It resets at midnight in the account's time zone; the next scheduled run resumes",
        )
    if isinstance(root, RetriesExhausted):
        return retryable(step, f"HubSpot kept failing after the extractor's own retries: {cause}")
    if isinstance(root, RequestError):
        return retryable(step, f"HubSpot answered with an error: {cause}")
    return retryable(step, f"{type(root).__name__}: {cause}")

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
    """401 / 403: the token is wrong, expired or lacks a scope. Never retried."""

    exit_code = 3


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

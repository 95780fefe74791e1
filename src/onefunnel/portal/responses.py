"""HubSpot-shaped JSON for the local portal: error bodies, timestamps, paging cursors.

Every error the server sends goes through `ApiError`, so no request can end in a stack trace
or in the standard library's HTML error pages.
"""

from __future__ import annotations

import base64
import binascii
import random
import threading
import time
from datetime import UTC, datetime

import orjson

REASONS = {
    200: "OK",
    207: "Multi-Status",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    411: "Length Required",
    413: "Payload Too Large",
    414: "URI Too Long",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

# HubSpot's answer for a missing or unknown token (an arbitrary string gets this same text; only a real,
# expired OAuth token gets "The OAuth token used to make this call expired ..." / EXPIRED_AUTHENTICATION).
AUTH_MISSING_MESSAGE = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find "
    "more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)


_request = threading.local()
_random_bits = random.getrandbits


def _uuid4() -> str:
    """A random (version 4) UUID string; 4x cheaper than str(uuid.uuid4()) and it runs per request.
    Not for secrets: the Mersenne Twister is fine for an id that only has to be unique."""
    digits = f"{_random_bits(128):032x}"
    variant = "89ab"[int(digits[16], 16) & 3]
    return f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-{variant}{digits[17:20]}-{digits[20:]}"


def new_correlation_id() -> str:
    """Start a request: a fresh id for its X-HubSpot-Correlation-Id header and any error body."""
    value = _uuid4()
    _request.correlation_id = value
    return value


def correlation_id() -> str:
    """The current request's id (one thread serves one request at a time), else a fresh one."""
    value = getattr(_request, "correlation_id", None)
    return value if value is not None else _uuid4()


def error_body(message: str, category: str, **extra: object) -> dict:
    body: dict = {
        "status": "error",
        "message": message,
        "correlationId": correlation_id(),
        "category": category,
    }
    body.update({key: value for key, value in extra.items() if value is not None})
    return body


class ApiError(Exception):
    """An error answer: HTTP status plus HubSpot's JSON body."""

    def __init__(
        self,
        status: int,
        message: str,
        category: str = "VALIDATION_ERROR",
        *,
        sub_category: str | None = None,
        context: dict | None = None,
        errors: list[dict] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.category = category
        self.sub_category = sub_category
        self.context = context
        self.errors = errors
        self.headers = headers or {}

    def body(self) -> dict:
        return error_body(
            self.message,
            self.category,
            subCategory=self.sub_category,
            context=self.context,
            errors=self.errors,
        )

    def payload(self) -> bytes:
        return orjson.dumps(self.body())


def validation_error(message: str, *, in_: str | None = None, code: str | None = None) -> ApiError:
    errors = None
    if in_ is not None:
        detail = {"message": message, "in": in_}
        if code:
            detail["code"] = code
        errors = [detail]
    return ApiError(400, message, "VALIDATION_ERROR", errors=errors)


def not_found(message: str = "Resource not found", context: dict | None = None) -> ApiError:
    return ApiError(404, message, "OBJECT_NOT_FOUND", context=context)


def rate_limit_body(policy: str, group_name: str) -> dict:
    messages = {
        "TEN_SECONDLY_ROLLING": "You have reached your ten_secondly_rolling limit.",
        "SECONDLY": "You have reached your secondly limit.",
        "DAILY": "You have reached your daily limit.",
    }
    return {
        "status": "error",
        "message": messages[policy],
        "errorType": "RATE_LIMIT",
        "correlationId": correlation_id(),
        "policyName": policy,
        "groupName": group_name,
    }


def iso_ms(ms: int) -> str:
    """Epoch ms -> HubSpot's ISO-8601 UTC text; same output as store.iso_ms, about 3x faster."""
    seconds, millis = divmod(ms, 1000)
    t = time.gmtime(seconds)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}"
        f".{millis:03d}Z"
    )


def now_iso() -> str:
    return iso_ms(time.time_ns() // 1_000_000)


def parse_ms(value: object) -> int | None:
    """A datetime as HubSpot accepts it (epoch ms number or digits, ISO date or datetime) -> epoch ms."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    text = str(value).strip()
    if not text:
        return None
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


def encode_cursor(value: int) -> str:
    """Opaque paging token (HubSpot's are opaque base64-ish strings too); decodes back to an int key."""
    return base64.urlsafe_b64encode(str(value).encode()).decode().rstrip("=")


def decode_cursor(token: str, param: str = "after") -> int:
    try:
        padded = token + "=" * (-len(token) % 4)
        return int(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        message = f"Invalid value for {param}: {token!r} is not a paging token from this API"
        raise validation_error(message, in_=param) from None

"""Credentials, SDK construction and the single doorway every HubSpot request goes through.

The token (a Service Key, or a legacy private-app token) comes from HUBSPOT_ACCESS_TOKEN or the Airflow
connection `hubspot_default` (looked up lazily, so the CLI never imports Airflow unless it has to). The host
override (HUBSPOT_HOST / ONEFUNNEL_HUBSPOT_HOST or the connection's host / extra) points the official SDK at
the local portal; no override = real HubSpot. The connection's extra may also carry `api_version`.

All calls go through the official SDK's generated ApiClient (`call_api`: the configured host, bearer
token, connection pool and disabled urllib3 retries), with the path of the configured API version from
paths.py: hubspot-api-client 12's generated API classes only know the v3 / v4 paths. Calls ask for the raw
response (`_preload_content=False`) and parse it with orjson, because the SDK's model deserialisation costs
far more than the network at HubSpot's rate limits. urllib3's own retries are switched off (Retry(0)) so
the extractor's retry layer is the only one and every attempt is counted against the rate budget.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from typing import Any

from onefunnel.hubspot import settings
from onefunnel.hubspot.errors import ConfigurationError

TOKEN_ENV = "HUBSPOT_ACCESS_TOKEN"  # noqa: S105
HOST_ENVS = ("HUBSPOT_HOST", "ONEFUNNEL_HUBSPOT_HOST")
AIRFLOW_CONN_ID = "hubspot_default"
REDACTED = "***"


@dataclass(frozen=True)
class Credentials:
    token: str
    host: str | None  # None = real HubSpot
    source: str  # where the token came from (never the token itself)
    api_version: str | None = None  # from the Airflow connection's extra, if it sets one

    def __repr__(self) -> str:  # keep the token out of any accidental repr / log
        return (
            f"Credentials(token={REDACTED}, host={self.host!r}, source={self.source!r}, "
            f"api_version={self.api_version!r})"
        )

    @property
    def base_url(self) -> str:
        return (self.host or settings.DEFAULT_HOST).rstrip("/")


def resolve_credentials(host: str | None = None, token: str | None = None) -> Credentials:
    """Token and host from (in order) explicit arguments, the environment, the Airflow connection."""
    env_host = next((os.environ[name] for name in HOST_ENVS if os.environ.get(name)), None)
    if token:
        return Credentials(token, _normalise_host(host or env_host), "argument")
    env_token = os.environ.get(TOKEN_ENV)
    if env_token:
        return Credentials(env_token, _normalise_host(host or env_host), f"env {TOKEN_ENV}")
    conn_token, conn_host, conn_version = _airflow_connection()
    if conn_token:
        return Credentials(
            conn_token,
            _normalise_host(host or env_host or conn_host),
            f"airflow {AIRFLOW_CONN_ID}",
            conn_version,
        )
    raise ConfigurationError(
        f"no HubSpot access token: set {TOKEN_ENV} to a Service Key of the portal (HubSpot > Settings > "
        "Integrations > Service Keys; a legacy private-app token also works until September 2027) or define "
        f"the Airflow connection '{AIRFLOW_CONN_ID}' (password = token; host or extra.host = API host for a "
        "local portal; extra.api_version = HubSpot API version)"
    )


def _airflow_connection() -> tuple[str | None, str | None, str | None]:
    """(token, host, api_version) of the `hubspot_default` connection, Nones when there is none."""
    try:
        from airflow.sdk import BaseHook  # heavy import: only when no env token is set
    except Exception:  # Airflow missing or broken: the env var is the only source then
        return None, None, None
    try:
        conn = BaseHook.get_connection(AIRFLOW_CONN_ID)
    except Exception:  # not defined (AirflowNotFoundException) or no metadata database reachable
        return None, None, None
    extra = conn.extra_dejson or {}
    token = conn.password or extra.get("access_token") or extra.get("token")
    host = extra.get("host")
    if not host and conn.host:
        if "://" in conn.host:
            host = conn.host
        else:
            scheme = conn.schema if conn.schema in ("http", "https") else None
            scheme = scheme or (conn.conn_type if conn.conn_type in ("http", "https") else "https")
            host = f"{scheme}://{conn.host}" + (f":{conn.port}" if conn.port else "")
    api_version = extra.get("api_version")
    return token, host, str(api_version) if api_version else None


def _normalise_host(host: str | None) -> str | None:
    if not host:
        return None
    host = host.strip().rstrip("/")
    if "://" not in host:
        host = "https://" + host
    return None if host == settings.DEFAULT_HOST else host


# ---- redaction -----------------------------------------------------------------------------------

_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def register_secret(secret: str) -> None:
    """Every string passing through `redact` (log records, error messages) loses this secret."""
    if secret:
        with _secrets_lock:
            _secrets.add(secret)


def redact(text: Any) -> str:
    text = str(text)
    for secret in tuple(_secrets):
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


class RedactingFilter(logging.Filter):
    """Attached to handlers: formats the record once and scrubs registered secrets from it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _secrets:
            message = record.getMessage()
            cleaned = redact(message)
            if cleaned != message or record.args:
                record.msg, record.args = cleaned, None
            if record.exc_info and record.exc_info[1] is not None:
                record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
                record.exc_info = None
        return True


def install_redaction() -> None:
    """Add the redacting filter to every handler of the root logger (idempotent)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


# ---- SDK construction ----------------------------------------------------------------------------


class SdkApis:
    """The SDK's API objects the extractor uses, built once per run from one `hubspot.HubSpot`."""

    def __init__(self, credentials: Credentials, *, pool_size: int) -> None:
        from hubspot import HubSpot
        from urllib3.util.retry import Retry

        register_secret(credentials.token)
        kwargs: dict[str, Any] = {
            "access_token": credentials.token,
            # Retry(0): urllib3 never retries on its own; retry.py owns retries and counts them.
            "retry": Retry(total=0, connect=0, read=0, redirect=0, status=0, other=0, raise_on_status=False),
            "connection_pool_maxsize": max(4, pool_size),
        }
        if credentials.host:
            kwargs["host"] = credentials.host
        client = HubSpot(**kwargs)
        # One generated ApiClient carries every call (any path of paths.py): the configured host, the
        # bearer token (auth setting "oauth2"), the pool and the disabled retries. SDK 12's generated API
        # classes hard-code v3 / v4 paths and ship no Marketing Campaigns class, so they are not used.
        self.api_client = client.crm.objects.basic_api.api_client

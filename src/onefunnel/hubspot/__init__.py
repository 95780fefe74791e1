"""HubSpot source: extracts CRM and marketing data with the official SDK into the Parquet landing zone.

Public entry: `run_extraction(ExtractOptions(...)) -> RunSummary`. Layout, modes, guarantees: README.md.
Importing this package is cheap; the SDK, pyarrow and Airflow load only when a run starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from onefunnel.hubspot.errors import (
    AuthError,
    ConfigurationError,
    DailyLimitError,
    ExtractError,
    RequestError,
    RetriesExhausted,
)

if TYPE_CHECKING:
    from onefunnel.hubspot.runner import ExtractOptions, RunSummary

__all__ = [
    "AuthError",
    "ConfigurationError",
    "DailyLimitError",
    "ExtractError",
    "ExtractOptions",
    "RequestError",
    "RetriesExhausted",
    "RunSummary",
    "run_extraction",
]


def __getattr__(name: str):
    if name in ("ExtractOptions", "RunSummary", "run_extraction", "ExtractionFailed"):
        from onefunnel.hubspot import runner

        return getattr(runner, name)
    raise AttributeError(name)

"""The monthly accountability pack, for the accountability page: built in onefunnel.accountability.pack
(the month-close DAG e-mails the same page and CSV); dependencies go one way, dashboards -> onefunnel."""

from __future__ import annotations

from onefunnel.accountability.pack import (
    CAUSES,
    METRICS,
    SLA_SHARE,
    Metric,
    csv_bytes,
    display_table,
    metric_for,
    pack,
    printable_html,
    show,
)

__all__ = [
    "CAUSES",
    "METRICS",
    "SLA_SHARE",
    "Metric",
    "csv_bytes",
    "display_table",
    "metric_for",
    "pack",
    "printable_html",
    "show",
]

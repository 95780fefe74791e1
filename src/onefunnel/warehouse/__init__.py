"""The dbt warehouse: build it from the landing zone with the shared definitions, freeze months at close.

Public entry points: `build_warehouse(...)` and `freeze_month(...)`; the click commands `transform` and
`month_close` live in `onefunnel.warehouse.cli`. dbt is imported only when a build runs.
"""

from __future__ import annotations

from onefunnel.warehouse.build import (
    DBT_PROJECT_DIR,
    BuildResult,
    WarehouseBuildError,
    build_warehouse,
    check_freshness,
    dbt_vars,
    default_warehouse_path,
)
from onefunnel.warehouse.freeze import default_accountability_dir, due_months, freeze_month

__all__ = [
    "DBT_PROJECT_DIR",
    "BuildResult",
    "WarehouseBuildError",
    "build_warehouse",
    "check_freshness",
    "dbt_vars",
    "default_accountability_dir",
    "default_warehouse_path",
    "due_months",
    "freeze_month",
]

"""The folder layout the pipeline tests (quality, dashboard, audiences) build a real pipeline in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DataDir:
    """Under `root`: portal/ landing/ state/ warehouse/warehouse.duckdb quality/ serving/serving.duckdb."""

    root: Path

    @property
    def portal(self) -> Path:
        return self.root / "portal"

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def state(self) -> Path:
        return self.root / "state"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse" / "warehouse.duckdb"

    @property
    def quality(self) -> Path:
        return self.root / "quality"

    @property
    def serving(self) -> Path:
        return self.root / "serving" / "serving.duckdb"

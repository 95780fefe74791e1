"""Suite-wide test settings.

`make test` runs the suite on two pytest-xdist workers. Each top-level test folder goes to one worker as a
whole (`FolderScheduling`), so a folder's session fixtures (a generated portal, a built warehouse, a
published snapshot) are built once, and a module's tests that build on each other (an Airflow run, then the
next) share their module fixture. xdist's own `--dist loadgroup` would do this with group marks, but with the
locked pytest 9 and xdist 3.8 it spreads marked tests over both workers.
"""

from __future__ import annotations

import pytest


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    from xdist.scheduler import LoadScopeScheduling

    class FolderScheduling(LoadScopeScheduling):
        """LoadScopeScheduling whose scope is the top-level folder under tests/ ("top-level" for the files
        directly in it)."""

        def _split_scope(self, nodeid: str) -> str:
            parts = nodeid.split("::", 1)[0].split("/")
            return parts[1] if len(parts) > 2 else "top-level"

    return FolderScheduling(config, log)

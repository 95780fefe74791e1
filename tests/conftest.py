"""Suite-wide test settings.

`make test` runs the suite on two pytest-xdist workers with `--dist loadgroup`. Each top-level test folder is
one group, so a folder's session fixtures (a generated portal, a built warehouse, a published snapshot) are
built once, by the one worker that runs that folder, instead of once per worker.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS_ROOT = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        relative = Path(item.path).resolve().relative_to(TESTS_ROOT)
        group = relative.parts[0] if len(relative.parts) > 1 else "top-level"
        item.add_marker(pytest.mark.xdist_group(group))

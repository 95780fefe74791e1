"""The deployment test reuses the dashboard tests' local OIDC provider and Playwright helpers
(tests/dashboard/oidc_provider.py, playwright_browser.py), which import their neighbours by bare name."""

from __future__ import annotations

import sys
from pathlib import Path

DASHBOARD_TESTS = str(Path(__file__).resolve().parents[1] / "dashboard")
if DASHBOARD_TESTS not in sys.path:
    sys.path.append(DASHBOARD_TESTS)

"""Severity of a check and how check outcomes add up to one run status.

critical: a failure blocks publishing (the previous serving snapshot keeps serving).
warning:  a failure is published with a visible notice on the dashboard.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Severity(StrEnum):
    CRITICAL = "critical"
    WARNING = "warning"


class CheckStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    # The check could not be evaluated (table could not be prepared, expectation raised): it counts as
    # failed, because a check that cannot run proves nothing.
    ERROR = "error"


class RunStatus(StrEnum):
    PASSED = "passed"
    WARNING = "warning"  # publishable, with notices
    FAILED = "failed"  # not publishable

    @property
    def publishable(self) -> bool:
        return self is not RunStatus.FAILED


def is_failure(status: CheckStatus) -> bool:
    return status is not CheckStatus.PASSED


def run_status(outcomes: Iterable[tuple[Severity, CheckStatus]]) -> RunStatus:
    """FAILED if any critical check failed or errored, WARNING if any warning did, else PASSED."""
    result = RunStatus.PASSED
    for severity, status in outcomes:
        if not is_failure(status):
            continue
        if severity is Severity.CRITICAL:
            return RunStatus.FAILED
        result = RunStatus.WARNING
    return result

"""The `onefunnel` command line: commands exist and bad options fail with a clear message."""

import pytest
from click.testing import CliRunner

from onefunnel.cli import main

pytestmark = pytest.mark.unit


def test_help_lists_the_portal_commands():
    # GIVEN the CLI WHEN asked for help on the portal group
    result = CliRunner().invoke(main, ["portal", "--help"])
    # THEN every portal subcommand is offered
    assert result.exit_code == 0
    for command in ("generate", "serve", "advance", "manifest"):
        assert command in result.output


def test_bad_latency_is_rejected_with_the_expected_format():
    # GIVEN a latency that is not MIN-MAX WHEN serving THEN the error names the expected format
    result = CliRunner().invoke(main, ["portal", "serve", "--latency", "fast-ish"])
    assert result.exit_code == 2
    assert "MIN-MAX" in result.output


def test_days_must_be_positive():
    # GIVEN advance with zero days WHEN run THEN click refuses before touching the portal
    result = CliRunner().invoke(main, ["portal", "advance", "--days", "0"])
    assert result.exit_code == 2
    assert "--days" in result.output

"""Shared fixtures for the extractor tests: markers, a token no test output may contain, portal helpers."""

from __future__ import annotations

import pytest

SECRET_TOKEN = "pat-na1-0f9e8d7c-SECRET-extract-token"


@pytest.fixture
def secret_token() -> str:
    return SECRET_TOKEN

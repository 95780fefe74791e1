"""Small helpers the prospect audience tests share: definitions variants, reading files back."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import yaml

from onefunnel.definitions import DEFAULT_DEFINITIONS_FILE


def write_definitions(path: Path, **audiences: Any) -> Path:
    """The committed definitions.yml with the given `audiences` keys replaced."""
    content = yaml.safe_load(DEFAULT_DEFINITIONS_FILE.read_text())
    content["audiences"].update(audiences)
    path.write_text(yaml.safe_dump(content, allow_unicode=True))
    return path


def file_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def mode_of(path: Path) -> int:
    return os.stat(path).st_mode & 0o777

"""Keep files that hold personal data private: folders 0700, files 0600, whatever the umask says.

    private_dir(root / "warehouse")          # create (with parents) or tighten a folder to 0700
    make_private(warehouse_path)             # tighten an existing file to 0600 (a missing one is skipped)
    write_private(path, content)             # write atomically (temporary, fsync, rename) with mode 0600

Used by everything that writes contacts, deals or their derivatives: landing parts, the warehouse file,
the serving snapshots and the audience exports.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """Create `path` (and its parents) if needed and set its mode to 0700; return it."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, PRIVATE_DIR_MODE)
    return path


def make_private(path: Path) -> bool:
    """Set an existing file's mode to 0600; return False when the file does not exist."""
    try:
        os.chmod(path, PRIVATE_FILE_MODE)
    except FileNotFoundError:
        return False
    return True


def write_private(path: Path, content: bytes) -> None:
    """Write `content` to `path` atomically (temporary file, fsync, rename) with mode 0600."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(3)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, PRIVATE_FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise

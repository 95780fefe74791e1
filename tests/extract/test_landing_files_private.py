"""Landing parts, run manifests and state files hold personal data: after an extraction every file under
the landing zone and the state folder is 0600 and every folder 0700, whatever the umask (was 0644 / 0755)."""

from __future__ import annotations

import os
import stat

import pytest
from portal_helpers import extract, generate, serve

TOKEN = "pat-na1-private-SECRET-token-0006"


def _modes(root):
    found = {}
    for folder, folders, files in os.walk(root):
        for name in folders + files:
            path = os.path.join(folder, name)
            found[os.path.relpath(path, root.parent)] = stat.S_IMODE(os.stat(path).st_mode)
    found[root.name] = stat.S_IMODE(os.stat(root).st_mode)
    return found


@pytest.mark.integration
def test_landing_parts_manifests_and_state_are_private_after_an_extraction(tmp_path):
    # GIVEN the usual umask (files 0644, folders 0755) and a landing zone written before files were private
    previous_umask = os.umask(0o022)
    try:
        portal = generate(tmp_path / "portal")
        landing, state = tmp_path / "data" / "landing", tmp_path / "data" / "state"
        old_part = landing / "owners" / "run_id=20200101T000000000Z-0ld000" / "part-00000.parquet"
        with serve(portal, TOKEN) as server:
            extract(server.url, TOKEN, landing, state, objects=("owners",))
            old_part.parent.mkdir(parents=True)
            os.link(next((landing / "owners").glob("*/part-00000.parquet")), old_part)
            os.chmod(old_part, 0o644)
            os.chmod(old_part.parent, 0o755)  # noqa: S103 - the old, too open mode
            (landing / "_runs" / "20200101T000000000Z-0ld000.json").write_text('{"ok": true}')
            # WHEN an extraction runs (full, every object)
            extract(server.url, TOKEN, landing, state)
    finally:
        os.umask(previous_umask)
    # THEN every landed part, manifest, drift report, state file and the lock are 0600, every folder 0700
    modes = {**_modes(landing), **_modes(state)}
    assert any(path.endswith(".parquet") for path in modes)
    assert any(path.startswith(os.path.join("landing", "_runs")) for path in modes)
    assert any(path.startswith(os.path.join("state", "contacts.json")) for path in modes)
    assert os.path.join("state", ".lock") in modes
    wrong = {
        path: oct(mode)
        for path, mode in modes.items()
        if mode != (0o700 if os.path.isdir(tmp_path / "data" / path) else 0o600)
    }
    assert wrong == {}

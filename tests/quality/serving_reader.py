"""A dashboard-like reader for the concurrency test: opens the serving snapshot read-only, reads the run
metadata and re-checksums every table, closes, and writes one JSON line per read, until told to stop.

    python serving_reader.py SERVING_FILE STOP_FILE OUT_FILE MIN_READS MAX_SECONDS
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from onefunnel.publish.serving import open_serving_readonly
from onefunnel.publish.snapshot import table_checksum


def read_once(path: Path) -> dict:
    with open_serving_readonly(path) as con:
        run_id = con.execute("select run_id from serving_meta.run").fetchone()[0]
        recorded = con.execute(
            "select table_schema, table_name, row_count, checksum from serving_meta.tables order by 1, 2"
        ).fetchall()
        found = [table_checksum(con, f'"{schema}"."{name}"') for schema, name, _, _ in recorded]
    expected = [(rows, checksum) for _, _, rows, checksum in recorded]
    return {
        "run_id": run_id,
        "tables": len(recorded),
        # every table holds exactly what this snapshot's own metadata says it holds
        "consistent": found == expected,
        "fingerprint": [f"{schema}.{name}:{checksum}" for schema, name, _, checksum in recorded],
    }


def main(serving: str, stop_file: str, out_file: str, min_reads: str, max_seconds: str) -> int:
    started = time.monotonic()
    reads = 0
    with open(out_file, "a", encoding="utf-8") as out:
        while time.monotonic() - started < float(max_seconds):
            if Path(stop_file).exists() and reads >= int(min_reads):
                break
            try:
                line = read_once(Path(serving))
            except Exception as error:  # the test counts these: there must be none
                line = {"error": f"{type(error).__name__}: {error}"}
            line["at"] = time.monotonic() - started
            out.write(json.dumps(line) + "\n")
            out.flush()
            reads += 1
            time.sleep(0.1)  # ~10 reads a second: enough to straddle the swap, light on 2 cores
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:6]))

"""A plain copy of the tables the dashboard and the exports read, the yardstick `bench_freshness.py` times
`onefunnel publish` against (issue 16: publish <= 1.5x this). No gate, no checksums, no metadata: attach the
warehouse read-only and `create table ... as select *` each model tagged published into a new DuckDB file.

    python bench/reference_copy.py WAREHOUSE TARGET
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb

from onefunnel.publish.published import published_models


def plain_copy(warehouse: Path, target: Path) -> dict[str, int]:
    """Copy every published model into `target` (replaced); {"schema.table": rows}."""
    target = Path(target)
    target.unlink(missing_ok=True)
    rows = {}
    with duckdb.connect(str(target)) as con:
        con.execute("attach '" + str(warehouse).replace("'", "''") + "' as wh (read_only)")
        for schema, name in published_models(Path(warehouse)):
            con.execute(f'create schema if not exists "{schema}"')
            con.execute(f'create table "{schema}"."{name}" as select * from wh."{schema}"."{name}"')
            rows[f"{schema}.{name}"] = con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
        con.execute("detach wh")
    return rows


def main() -> int:
    warehouse, target = Path(sys.argv[1]), Path(sys.argv[2])
    started = time.perf_counter()
    rows = plain_copy(warehouse, target)
    print(json.dumps({"seconds": round(time.perf_counter() - started, 2), "tables": len(rows)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

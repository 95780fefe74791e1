"""Benchmark the warehouse build: full `dbt build` at the `large` portal's scale, the same period funnel as
one hand-written DuckDB query over the landing files (the baseline), and an incremental build after one
day of portal activity. Writes bench/results/warehouse_build.json.

Goals (issue 4): full build <= 90 s on 2 cores and <= 2x the hand-written query; incremental build after
one day <= 20% of the full build.

    python bench/bench_warehouse.py                      # ~1M contacts, ~5M engagements, ~200k deals
    python bench/bench_warehouse.py --contacts 100000    # a quicker run
    python bench/bench_warehouse.py --landing DIR        # an existing landing zone (e.g. an extracted portal)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from onefunnel import config  # noqa: E402
from onefunnel.definitions import load_definitions  # noqa: E402
from onefunnel.warehouse import build_warehouse  # noqa: E402
from onefunnel.warehouse.reference import period_funnel  # noqa: E402
from warehouse_landing import advance_one_day, large_landing  # noqa: E402


def _timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--landing", type=Path, default=None, help="Benchmark this landing zone instead.")
    parser.add_argument("--work-dir", type=Path, default=config.data_dir() / "bench" / "warehouse")
    parser.add_argument("--keep", action="store_true", help="Keep the generated landing zone and warehouse.")
    parser.add_argument(
        "--models-only-too",
        action="store_true",
        help="Also time a second full build without data tests and unit tests.",
    )
    parser.add_argument("--output", type=Path, default=BENCH_DIR / "results" / "warehouse_build.json")
    arguments = parser.parse_args()

    work = arguments.work_dir
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    definitions = load_definitions()
    report: dict = {
        "benchmark": "warehouse_build",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_1m_at_start": os.getloadavg()[0],
        },
        "goals": {"full_build_seconds": 90, "full_build_vs_hand_query": 2.0, "incremental_vs_full": 0.2},
    }
    if arguments.landing:
        landing = arguments.landing
        large = None
        report["landing"] = {"source": str(landing)}
    else:
        landing = work / "landing"
        seconds, large = _timed(large_landing, landing, contacts=arguments.contacts)
        report["landing"] = {
            "source": "bench/warehouse_landing.py (column-wise synthetic, extractor layout)",
            "contacts": large.contacts,
            "deals": large.deals,
            "engagements": large.engagements,
            "generate_seconds": round(seconds, 1),
        }
    warehouse = work / "warehouse.duckdb"

    seconds_query, rows = _timed(period_funnel, landing, definitions)
    report["hand_written_query_seconds"] = round(seconds_query, 2)
    report["hand_written_query_rows"] = len(rows)

    seconds_full, result = _timed(build_warehouse, landing, warehouse, freeze_due=False)
    report["full_build_seconds"] = round(seconds_full, 2)
    report["full_build_note"] = "dbt build: models, data tests and unit tests, incl. dbt start-up and parsing"
    report["full_build_nodes"] = len(result.statuses)
    report["full_build_vs_hand_query"] = round(seconds_full / seconds_query, 2)
    if arguments.models_only_too:
        seconds_models, _ = _timed(
            build_warehouse, landing, work / "models_only.duckdb", freeze_due=False, run_tests=False
        )
        report["full_build_models_only_seconds"] = round(seconds_models, 2)
        report["models_only_vs_hand_query"] = round(seconds_models / seconds_query, 2)

    if large is not None:
        advance_one_day(large)
        seconds_incremental, _ = _timed(build_warehouse, landing, warehouse, freeze_due=False)
        report["incremental_build_after_one_day_seconds"] = round(seconds_incremental, 2)
        report["incremental_vs_full"] = round(seconds_incremental / seconds_full, 3)
    with_goals = {
        "full_build_within_90s": seconds_full <= 90,
        "full_build_within_2x_hand_query": seconds_full <= 2 * seconds_query,
    }
    if "incremental_vs_full" in report:
        with_goals["incremental_within_20pct"] = report["incremental_vs_full"] <= 0.2
    report["goals_met"] = with_goals
    report["machine"]["load_average_1m_at_end"] = os.getloadavg()[0]
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    if not arguments.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

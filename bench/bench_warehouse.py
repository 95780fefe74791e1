"""Benchmark the warehouse build: a full `dbt build` at the `large` portal's scale, the same period funnel as
one hand-written DuckDB query over the landing files (the baseline), and an incremental build after one
day of portal activity, each with a breakdown (process start and imports, dbt start-up and parsing, models,
tests, closing the database, slowest nodes). Writes bench/results/warehouse_build.json.

Goals (issue 4): full build <= 90 s on 2 cores and <= 2x the hand-written query; incremental build after
one day <= 20% of the full build.

Every build runs in a fresh Python process, as `onefunnel transform` does, so each pays for starting Python
and importing dbt; the in-process time (the `build_warehouse` call alone) is reported beside it. The floor
of dbt's fixed costs is measured too: a one-model dbt project, and this project on a landing zone of a few
hundred contacts (all per-node overhead, next to no data).

    python bench/bench_warehouse.py                      # ~1M contacts, ~5M engagements, ~200k deals
    python bench/bench_warehouse.py --contacts 200000    # a quicker run
    python bench/bench_warehouse.py --landing DIR        # an existing landing zone (no incremental build)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from onefunnel import config  # noqa: E402
from onefunnel.definitions import load_definitions  # noqa: E402
from onefunnel.warehouse.reference import period_funnel  # noqa: E402
from warehouse_landing import advance_one_day, large_landing  # noqa: E402

SLOWEST = 12


def _timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


# ------------------------------------------------------------------------------------- one build, own process
def _build_in_this_process(landing: Path, warehouse: Path, full_refresh: bool, run_tests: bool) -> None:
    """The child side: import, build, print the breakdown as JSON on the last line of stdout."""
    started = time.perf_counter()
    import dbt.cli.main  # noqa: F401  (imported by the build anyway; timed apart from it)

    from onefunnel.warehouse import build_warehouse

    imported = time.perf_counter()
    result = build_warehouse(
        landing, warehouse, freeze_due=False, full_refresh=full_refresh, run_tests=run_tests
    )
    finished = time.perf_counter()
    print(
        json.dumps(
            {
                "import_seconds": imported - started,
                "build_seconds": finished - imported,
                "dbt_seconds": result.dbt_seconds,
                "run_seconds": result.run_seconds,
                "close_seconds": result.close_seconds,
                "full_refresh": result.full_refresh,
                "full_refresh_reason": result.full_refresh_reason,
                "excluded": result.excluded,
                "statuses": result.statuses,
                "node_seconds": result.node_seconds,
            }
        )
    )


def _parse_in_this_process(landing: Path, warehouse: Path) -> None:
    """The child side of a cold `dbt parse` of the project into the build's target folder."""
    from onefunnel.definitions import load_definitions
    from onefunnel.warehouse.build import dbt_vars, run_dbt
    from onefunnel.warehouse.freeze import default_accountability_dir

    run_dbt(
        "parse",
        [],
        landing_dir=landing,
        warehouse_path=warehouse,
        accountability_dir=default_accountability_dir(warehouse),
        work_dir=warehouse.parent.resolve() / "dbt",
        variables=dbt_vars(load_definitions()),
    )


def _parse(landing: Path, warehouse: Path) -> float:
    """Parse the project once before the full build, untimed by it: a full refresh of a deployed warehouse
    starts from dbt's saved parse like every other build (the first build of a new one does not: this is what
    that costs)."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(Path(__file__).resolve()), "--child-parse", str(landing), str(warehouse)]
    seconds, completed = _timed(subprocess.run, command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"dbt parse failed:\n{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}")
    return round(seconds, 2)


def _breakdown(process_seconds: float, child: dict) -> dict:
    """Where a build's time went. Node times are dbt's execution times summed over its threads (2), so they
    add up to more than the wall time they took."""
    nodes = child["node_seconds"]
    kinds = {"models": "model.", "data_tests": "test.", "unit_tests": "unit_test."}
    failed = {node: status for node, status in child["statuses"].items() if status in ("error", "fail")}
    return {
        "seconds": round(process_seconds, 2),
        "python_start_and_imports_seconds": round(process_seconds - child["build_seconds"], 2),
        "build_warehouse_seconds": round(child["build_seconds"], 2),
        "dbt_start_up_and_parse_seconds": round(child["dbt_seconds"] - child["run_seconds"], 2),
        "dbt_running_nodes_seconds": round(child["run_seconds"], 2),
        "close_database_seconds": round(child["close_seconds"], 2),
        "full_refresh": child["full_refresh"],
        "full_refresh_reason": child["full_refresh_reason"],
        "excluded": child["excluded"],
        "nodes": {kind: sum(node.startswith(prefix) for node in nodes) for kind, prefix in kinds.items()},
        "node_seconds_summed_over_threads": {
            kind: round(sum(seconds for node, seconds in nodes.items() if node.startswith(prefix)), 2)
            for kind, prefix in kinds.items()
        },
        "slowest_nodes": [
            {"node": node, "seconds": round(seconds, 2)}
            for node, seconds in sorted(nodes.items(), key=lambda item: -item[1])[:SLOWEST]
        ],
        **({"failed": failed} if failed else {}),
    }


def _build(landing: Path, warehouse: Path, *, full_refresh: bool = False, run_tests: bool = True) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(landing), str(warehouse)]
    command += ["--full-refresh"] if full_refresh else []
    command += [] if run_tests else ["--no-tests"]
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"build failed:\n{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}")
    return _breakdown(seconds, json.loads(completed.stdout.strip().splitlines()[-1]))


# ------------------------------------------------------------------------------------- dbt's fixed costs
def _minimal_dbt_project(folder: Path) -> Path:
    """A dbt-duckdb project with one model: what dbt costs before this project's nodes and data."""
    project = folder / "minimal_dbt_project"
    (project / "models").mkdir(parents=True, exist_ok=True)
    (project / "dbt_project.yml").write_text(
        "name: minimal\nversion: '1.0.0'\nconfig-version: 2\nprofile: minimal\n"
    )
    (project / "profiles.yml").write_text(
        "minimal:\n  target: local\n  outputs:\n    local:\n      type: duckdb\n"
        f"      path: {folder / 'minimal.duckdb'}\n      threads: 2\n"
    )
    (project / "models" / "one.sql").write_text("select 1 as one\n")
    return project


def _dbt_floor(folder: Path) -> dict:
    project = _minimal_dbt_project(folder)
    command = [
        sys.executable,
        "-c",
        "import sys; from dbt.cli.main import dbtRunner; "
        "sys.exit(0 if dbtRunner().invoke(sys.argv[1:]).success else 1)",
        "build",
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--log-level",
        "none",
    ]
    timings = {}
    for label in ("cold_parse_seconds", "warm_parse_seconds"):
        seconds, completed = _timed(subprocess.run, command, capture_output=True, check=False)
        if completed.returncode != 0:
            raise SystemExit(f"minimal dbt project failed: {completed.stdout[-2000:]}")
        timings[label] = round(seconds, 2)
    return timings


# ------------------------------------------------------------------------------------- the benchmark
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
        help="Also time a full build without data tests and unit tests.",
    )
    parser.add_argument(
        "--no-floor", action="store_true", help="Skip the floor (minimal dbt project, tiny landing zone)."
    )
    parser.add_argument("--output", type=Path, default=BENCH_DIR / "results" / "warehouse_build.json")
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-parse", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--full-refresh", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-tests", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        _build_in_this_process(*arguments.child, arguments.full_refresh, not arguments.no_tests)
        return 0
    if arguments.child_parse:
        _parse_in_this_process(*arguments.child_parse)
        return 0

    work = arguments.work_dir.resolve()
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
            "dbt_threads": int(os.environ.get("ONEFUNNEL_DBT_THREADS", "2")),
            "load_average_1m_at_start": round(os.getloadavg()[0], 2),
        },
        "goals": {"full_build_seconds": 90, "full_build_vs_hand_query": 2.0, "incremental_vs_full": 0.2},
        "method": (
            "each build in a fresh Python process (as `onefunnel transform`), timed from process start to "
            "exit; build_warehouse_seconds is the same build without starting Python and importing dbt. "
            "node_seconds are dbt's per-node execution times summed over its 2 threads."
        ),
    }
    if arguments.landing:
        landing = arguments.landing.resolve()
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
    warehouse = work / "warehouse" / "warehouse.duckdb"

    # the baseline: best of three (the first run reads the files from disk, as the build's first model does)
    runs = []
    for _ in range(3):
        seconds, rows = _timed(period_funnel, landing, definitions)
        runs.append(round(seconds, 2))
    query_seconds = min(runs)
    report["hand_written_query"] = {
        "what": "src/onefunnel/warehouse/reference.py period_funnel: latest version per id, deleted and "
        "merged contacts out, merged groups' earliest dates, stage dates per definitions, disqualification "
        "cut-off, months in the portal's time zone - straight from the landing files",
        "seconds": query_seconds,
        "runs_seconds": runs,
        "rows": len(rows),
    }

    parse_seconds = _parse(landing, warehouse)
    full = _build(landing, warehouse, full_refresh=True)
    report["full_build"] = {
        "what": "dbt build of every model from scratch (full refresh), data tests and unit tests, incl. "
        "starting Python, importing dbt and dbt's (saved) parse",
        "project_parse_from_scratch_seconds": parse_seconds,
        **full,
    }
    if arguments.models_only_too:
        models_only = work / "models_only" / "warehouse.duckdb"
        _parse(landing, models_only)
        report["full_build_models_only"] = _build(landing, models_only, full_refresh=True, run_tests=False)

    if large is not None:
        advance_one_day(large)
        report["incremental_build_after_one_day"] = {
            "what": "the same warehouse after one more day of portal activity: new and changed contacts, "
            "engagements and deals",
            **_build(landing, warehouse),
        }

    if not arguments.no_floor:
        tiny = large_landing(work / "tiny_landing", contacts=300)
        tiny_warehouse = work / "tiny_warehouse" / "warehouse.duckdb"
        _parse(tiny.landing_dir, tiny_warehouse)
        tiny_full = _build(tiny.landing_dir, tiny_warehouse, full_refresh=True)
        advance_one_day(tiny)
        tiny_incremental = _build(tiny.landing_dir, tiny_warehouse)
        # the models alone, no data tests: what no choice of tests can go below
        advance_one_day(tiny)
        tiny_models_only = _build(tiny.landing_dir, tiny_warehouse, run_tests=False)
        report["floor"] = {
            "what": "dbt's fixed costs: a one-model dbt project (parsed from scratch, then partially), and "
            "this project on a landing zone of 300 contacts (its nodes' overhead, next to no data)",
            "minimal_dbt_project": _dbt_floor(work),
            "tiny_landing_full_build": _summary(tiny_full),
            "tiny_landing_incremental_build": _summary(tiny_incremental),
            "tiny_landing_incremental_build_models_only": _summary(tiny_models_only),
        }

    report["ratios"] = _ratios(report, query_seconds)
    report["goals_met"] = {
        "full_build_within_90s": full["seconds"] <= 90,
        "full_build_within_2x_hand_query": full["seconds"] <= 2 * query_seconds,
    }
    if "incremental_build_after_one_day" in report:
        report["goals_met"]["incremental_within_20pct"] = report["ratios"]["incremental_vs_full"] <= 0.2
    report["machine"]["load_average_1m_at_end"] = round(os.getloadavg()[0], 2)
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    if not arguments.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _summary(build: dict) -> dict:
    keys = (
        "seconds",
        "python_start_and_imports_seconds",
        "dbt_start_up_and_parse_seconds",
        "dbt_running_nodes_seconds",
        "nodes",
    )
    return {key: build[key] for key in keys}


def _ratios(report: dict, query_seconds: float) -> dict:
    full = report["full_build"]
    ratios = {
        "full_vs_hand_query": round(full["seconds"] / query_seconds, 2),
        "full_in_process_vs_hand_query": round(full["build_warehouse_seconds"] / query_seconds, 2),
    }
    if "full_build_models_only" in report:
        ratios["models_only_vs_hand_query"] = round(
            report["full_build_models_only"]["seconds"] / query_seconds, 2
        )
    incremental = report.get("incremental_build_after_one_day")
    if incremental:
        ratios["incremental_vs_full"] = round(incremental["seconds"] / full["seconds"], 3)
        ratios["incremental_in_process_vs_full_in_process"] = round(
            incremental["build_warehouse_seconds"] / full["build_warehouse_seconds"], 3
        )
    floor = report.get("floor")
    if floor:
        # the cheapest dbt invocation there is (one model, saved parse) against the 2x goal
        ratios["minimal_dbt_project_vs_hand_query"] = round(
            floor["minimal_dbt_project"]["warm_parse_seconds"] / query_seconds, 2
        )
        # an incremental build with next to no data against the 20% goal: the per-node floor
        for label in ("tiny_landing_incremental_build", "tiny_landing_incremental_build_models_only"):
            ratios[f"{label.removesuffix('_build').replace('_build_', '_')}_vs_full"] = round(
                floor[label]["seconds"] / full["seconds"], 3
            )
    return ratios


if __name__ == "__main__":
    raise SystemExit(main())

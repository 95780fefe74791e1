"""Freshness at scale (issue 16): one day of `portal advance` on the `large` portal, then extract + transform
+ check + publish, each stage in its own process (as the Airflow task that runs it), with its wall seconds and
peak RSS beside its hand-written limit; and the full run after a full extraction (transform + check +
publish). Writes bench/results/freshness_<size>.json.

Hand-written limits (in bench/, checked to give the pipeline's answers by tests/quality/test_bench_limits.py
and, for the period funnel, tests/warehouse):
    check      bench/reference_check.py   the gate's data checks as one DuckDB pass over the same data
    publish    bench/reference_copy.py    a plain copy of the tables the dashboard and exports read
    transform  onefunnel.warehouse.reference.period_funnel   the period funnel straight from the landing files

The data is built once under <data>/ (default data/bench/<size>, git-ignored) and reused: generate (if no
portal) -> full extraction, unthrottled (if no landing) -> full run: transform --full-refresh, check, publish
(measured: when the warehouse is missing, or with --full) -> the measured day: advance the portal one day,
extract (incremental), transform (incremental), check, publish; then the limits on the same data.

    .venv/bin/python bench/bench_freshness.py [--size large] [--data-dir DIR] [--full] [--days 1]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from bench_quality import Server, _env, _onefunnel, _python, timed  # noqa: E402

REPO = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
GIB = 1024.0
GOALS = {
    "end_to_end_s": 40.0,
    "check_vs_hand_written": 2.0,
    "check_peak_rss_mb": 1.5 * GIB,
    "publish_vs_plain_copy": 1.5,
    "transform_incremental_s": 15.0,
    "any_stage_peak_rss_mb": 2.0 * GIB,
    "full_run_s": 90.0,
}

REFERENCE_CHECK = """
import json, sys, time
from datetime import datetime
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from onefunnel.definitions import load_definitions
from reference_check import reference_check
definitions = load_definitions()
known = {v for stage in definitions.stages for v in stage.lifecycle_stages}
known |= set(definitions.not_in_funnel) | set(definitions.disqualification.lifecycle_stages)
started = time.perf_counter()
found = reference_check(Path(sys.argv[1]), Path(sys.argv[2]), datetime.fromisoformat(sys.argv[4]),
                        sorted(known), definitions.version)
print(json.dumps({"in_process_s": time.perf_counter() - started, "violations": found}))
"""

REFERENCE_COPY = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from reference_copy import plain_copy
plain_copy(Path(sys.argv[1]), Path(sys.argv[2]))
"""

PERIOD_FUNNEL = """
import sys
from pathlib import Path
from onefunnel.definitions import load_definitions
from onefunnel.warehouse.reference import period_funnel
print(len(period_funnel(Path(sys.argv[1]), load_definitions())))
"""


def _stage(result: dict) -> dict:
    return {
        "seconds": result["seconds"],
        "peak_rss_mb": result["peak_rss_mb"],
        "exit_code": result["exit_code"],
    }


def _last_json(output: str) -> dict:
    return json.loads(output[output.index("{") :])


def prepare(data: Path, size: str) -> dict:
    """Portal and full extraction, when missing (the slow part: kept and reused)."""
    setup: dict = {}
    portal = data / "portal"
    if not (portal / "portal.sqlite").exists():
        print(f"generating a {size} portal ...", flush=True)
        setup["generate_s"] = timed(
            _onefunnel("portal", "generate", "--dir", str(portal), "--size", size, "--overwrite"), _env(data)
        )["seconds"]
    if not any((data / "landing" / "_runs").glob("*.json")):
        print("extracting (full, unthrottled) ...", flush=True)
        server = Server(portal, data)
        try:
            setup["extract_full"] = _stage(
                timed(
                    _onefunnel("extract", "--full", "--tier", "unlimited", "--log-format", "json"),
                    _env(data, server.url),
                )
            )
        finally:
            server.stop()
    return setup


# Checks that fail by construction while the synthetic portal's clock is ahead of the wall clock (a portal
# generated "today" has its clock at tomorrow's midnight, and `advance` moves it further): its newest records
# are dated after their extraction. Waived (recorded in the result) only then, so publish can be measured.
FUTURE_DATE_CHECKS = (
    "landing.records.created_at_not_in_future",
    "landing.records.updated_at_not_in_future",
    "landing.contacts.stage_date_not_in_future",
)


def clock_ahead(data: Path) -> str | None:
    """The portal's clock (portal/manifest.json) when it is ahead of now, else None."""
    manifest = data / "portal" / "manifest.json"
    if not manifest.exists():
        return None
    clock = json.loads(manifest.read_text()).get("clock")
    if clock and datetime.fromisoformat(clock.replace("Z", "+00:00")) > datetime.now(UTC):
        return clock
    return None


def pipeline_tail(data: Path, *, full_refresh: bool) -> dict:
    """transform + check + publish, each in its own process."""
    env = _env(data)
    transform = ["transform", "--no-freeze", *(["--full-refresh"] if full_refresh else [])]
    stages = {"transform": _stage(timed(_onefunnel(*transform), env))}
    ahead = clock_ahead(data)
    waive = [word for name in FUTURE_DATE_CHECKS for word in ("--waive", name)] if ahead else []
    checked = timed(_onefunnel("check", "--json", *waive), env, ok_codes=(0, 1))
    summary = _last_json(checked["output"])
    stages["check"] = {
        **_stage(checked),
        "status": summary["status"],
        "counts": summary["counts"],
        "blocking": summary["blocking"],
        "in_process_s": summary["metrics"].get("duration_s"),
        "engine_start_s": summary["metrics"].get("engine_start_s"),
        "slowest_tables": sorted(
            ({"table": name, **timing} for name, timing in (summary["metrics"].get("tables") or {}).items()),
            key=lambda item: -(item["prepare_s"] + item["validate_s"]),
        )[:8],
        "started_at": summary["started_at"],
        "waived": list(FUTURE_DATE_CHECKS) if ahead else [],
        **({"waived_because": f"the portal's clock {ahead} is ahead of the wall clock"} if ahead else {}),
    }
    published = timed(_onefunnel("publish", "--json"), env, ok_codes=(0, 1))
    stages["publish"] = {**_stage(published), "published": published["exit_code"] == 0}
    if published["exit_code"] == 0:
        stages["publish"]["tables"] = len(_last_json(published["output"])["tables"])
    return stages


def limits(data: Path, check_started_at: str) -> dict:
    env = _env(data)
    warehouse = data / "warehouse" / "warehouse.duckdb"
    checked = timed(
        _python(REFERENCE_CHECK, str(data / "landing"), str(warehouse), str(BENCH_DIR), check_started_at), env
    )
    found = _last_json(checked["output"])
    with tempfile.TemporaryDirectory(dir=data) as scratch:
        copied = timed(
            _python(REFERENCE_COPY, str(warehouse), str(Path(scratch) / "copy.duckdb"), str(BENCH_DIR)), env
        )
    funnel = timed(_python(PERIOD_FUNNEL, str(data / "landing")), env)
    return {
        "check_one_pass_duckdb": {
            **_stage(checked),
            "in_process_s": round(found["in_process_s"], 2),
            "checks_breaking": sorted(name for name, n in found["violations"].items() if n),
        },
        "publish_plain_copy": _stage(copied),
        "transform_period_funnel_from_landing": _stage(funnel),
    }


def day(data: Path, days: int) -> dict:
    """Advance the portal, then the four stages on that change."""
    env = _env(data)
    advanced = timed(_onefunnel("portal", "advance", "--dir", str(data / "portal"), "--days", str(days)), env)
    server = Server(data / "portal", data)
    try:
        extracted = timed(
            _onefunnel("extract", "--tier", "unlimited", "--log-format", "json"), _env(data, server.url)
        )
    finally:
        server.stop()
    return {
        "advance_s": advanced["seconds"],
        "extract": _stage(extracted),
        **pipeline_tail(data, full_refresh=False),
    }


def verdict(measured: dict, hand: dict, full: dict | None) -> dict:
    stages = ("extract", "transform", "check", "publish")
    end_to_end = round(sum(measured[stage]["seconds"] for stage in stages), 2)
    ratios = {
        "check_vs_hand_written": round(
            measured["check"]["seconds"] / hand["check_one_pass_duckdb"]["seconds"], 2
        ),
        "publish_vs_plain_copy": round(
            measured["publish"]["seconds"] / hand["publish_plain_copy"]["seconds"], 2
        ),
        "transform_vs_period_funnel": round(
            measured["transform"]["seconds"] / hand["transform_period_funnel_from_landing"]["seconds"], 2
        ),
    }
    peak = max(measured[stage]["peak_rss_mb"] for stage in stages)
    goals = {
        "end_to_end": {
            "measured_s": end_to_end,
            "goal_s": GOALS["end_to_end_s"],
            "met": end_to_end <= GOALS["end_to_end_s"],
        },
        "check": {
            "measured_s": measured["check"]["seconds"],
            "hand_written_s": hand["check_one_pass_duckdb"]["seconds"],
            "ratio": ratios["check_vs_hand_written"],
            "goal_ratio": GOALS["check_vs_hand_written"],
            "peak_rss_mb": measured["check"]["peak_rss_mb"],
            "goal_peak_rss_mb": GOALS["check_peak_rss_mb"],
            "met": ratios["check_vs_hand_written"] <= GOALS["check_vs_hand_written"]
            and measured["check"]["peak_rss_mb"] <= GOALS["check_peak_rss_mb"],
        },
        "publish": {
            "measured_s": measured["publish"]["seconds"],
            "plain_copy_s": hand["publish_plain_copy"]["seconds"],
            "ratio": ratios["publish_vs_plain_copy"],
            "goal_ratio": GOALS["publish_vs_plain_copy"],
            "met": ratios["publish_vs_plain_copy"] <= GOALS["publish_vs_plain_copy"],
        },
        "transform_incremental": {
            "measured_s": measured["transform"]["seconds"],
            "goal_s": GOALS["transform_incremental_s"],
            "met": measured["transform"]["seconds"] <= GOALS["transform_incremental_s"],
        },
        "any_stage_peak_memory": {
            "peak_rss_mb": peak,
            "goal_mb": GOALS["any_stage_peak_rss_mb"],
            "met": peak <= GOALS["any_stage_peak_rss_mb"],
        },
    }
    if full:
        total = round(sum(full[stage]["seconds"] for stage in ("transform", "check", "publish")), 2)
        goals["full_run"] = {
            "measured_s": total,
            "goal_s": GOALS["full_run_s"],
            "met": total <= GOALS["full_run_s"],
        }
    else:
        goals["full_run"] = {
            "measured_s": None,
            "goal_s": GOALS["full_run_s"],
            "met": None,
            "note": "not measured in this run (the warehouse existed; pass --full)",
        }
    return {"end_to_end_s": end_to_end, "ratios": ratios, "goals": goals}


def full_only(data: Path, size: str) -> int:
    """Measure the full run again and replace it (and its goal) in bench/results/freshness_<size>.json."""
    path = RESULTS / f"freshness_{size}.json"
    result = json.loads(path.read_text()) if path.exists() else {"name": f"freshness_{size}"}
    print("full run: transform (full refresh), check, publish ...", flush=True)
    full = pipeline_tail(data, full_refresh=True)
    total = round(sum(full[stage]["seconds"] for stage in ("transform", "check", "publish")), 2)
    result["full_run_after_full_extraction"] = {
        **full,
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": f"{Path(sys.executable).name} bench/bench_freshness.py --size {size} --full-only",
        "load_average_at_end": [round(value, 2) for value in os.getloadavg()],
    }
    result.setdefault("goals", {})["full_run"] = {
        "measured_s": total,
        "goal_s": GOALS["full_run_s"],
        "met": total <= GOALS["full_run_s"],
        "peak_rss_mb": max(full[stage]["peak_rss_mb"] for stage in ("transform", "check", "publish")),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(json.dumps(result["goals"]["full_run"], indent=2))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="large", choices=("tiny", "demo", "large"))
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument(
        "--full", action="store_true", help="Measure the full run again (rebuild everything)."
    )
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument(
        "--full-only",
        action="store_true",
        help="Only measure the full run (transform --full-refresh, check, publish) again, into the existing "
        "result file (e.g. after a change to the full path).",
    )
    parser.add_argument("--runs", type=int, default=1, help="Ignored (run_all passes it to every benchmark).")
    args, _ = parser.parse_known_args()
    data = (args.data_dir or REPO / "data" / "bench" / args.size).resolve()
    data.mkdir(parents=True, exist_ok=True)
    setup = prepare(data, args.size)
    if args.full_only:
        return full_only(data, args.size)
    full = None
    if args.full or not (data / "warehouse" / "warehouse.duckdb").exists():
        print("full run: transform (full refresh), check, publish ...", flush=True)
        full = pipeline_tail(data, full_refresh=True)
    print(
        f"one day of change: advance {args.days} day(s), extract, transform, check, publish ...", flush=True
    )
    measured = day(data, args.days)
    print("hand-written limits on the same data ...", flush=True)
    hand = limits(data, measured["check"]["started_at"])
    result = {
        "name": f"freshness_{args.size}",
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": f"{Path(sys.executable).name} bench/bench_freshness.py --size {args.size}"
        + (" --full" if args.full else ""),
        "data_dir": str(data),
        "setup": setup,
        "one_day": measured,
        "hand_written_limits": hand,
        "full_run_after_full_extraction": full,
        **verdict(measured, hand, full),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_at_end": [round(value, 2) for value in os.getloadavg()],
            "disk_free_gb": round(shutil.disk_usage(data).free / 1e9, 1),
        },
        "note": "each stage is a child process: times include interpreter and library start-up; peak RSS is "
        "the child's own (wait4); the machine may be shared with other work (see load_average_at_end)",
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"freshness_{args.size}.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(json.dumps({"goals": result["goals"], "ratios": result["ratios"]}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

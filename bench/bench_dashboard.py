"""Dashboard benchmark: server-side render time of every page, measured with Streamlit's AppTest on a serving
snapshot (default: the `large` portal's). Writes bench/results/dashboard_render.json.

cold  = empty query cache, as right after a new publish (the process itself is already running: imports and
        the app's first start are not counted, a server pays them once)   goal <= 1 s per page
warm  = the same page drawn again, cache filled (what every other viewer gets)  goal <= 200 ms per page

The snapshot is data/bench/dashboard-<size>/serving/serving.duckdb. When it is missing, it is made with
the real pipeline from the bench portal data/bench/<size> (generated if missing): extract -> dbt
build -> quality checks -> publish. For `large` that takes long (about 40 min on 2 busy cores here:
extraction 20 min, dbt 10 min, checks 10 min).

    .venv/bin/python bench/bench_dashboard.py [--size large] [--runs 5] [--no-build] [--serving PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
APP = REPO / "dashboards" / "app.py"
PAGES = ("funnel", "sla", "reps", "sources", "audiences", "accountability", "definitions", "data_health")
# Filtered views select rows of the slice marts (marts.*_slices) instead of the marts: measured too.
SLICES = {
    "funnel, marketing-sourced": ("funnel", {"team": "Marketing-sourced"}),
    "sla, marketing-sourced": ("sla", {"team": "Marketing-sourced"}),
    "sources, marketing-sourced": ("sources", {"team": "Marketing-sourced"}),
}
GOAL_COLD_S = 1.0
GOAL_WARM_S = 0.2
TOKEN = "bench-dashboard-token"  # noqa: S105 - the local synthetic portal's token


def data_root(size: str) -> Path:
    base = Path(os.environ.get("ONEFUNNEL_DATA_DIR", REPO / "data"))
    return base / "bench" / f"dashboard-{size}"


def build_snapshot(size: str, root: Path) -> None:
    """The real pipeline, from the bench portal to a published snapshot under `root`."""
    from onefunnel.hubspot.client import Credentials
    from onefunnel.hubspot.runner import ExtractOptions, run_extraction
    from onefunnel.portal.generate import generate_portal
    from onefunnel.portal.server import PortalServer, ServerOptions
    from onefunnel.publish.snapshot import publish
    from onefunnel.quality.runner import CheckOptions, run_checks

    portal = root.parent / size
    if not (portal / "portal.sqlite").exists():
        print(f"generating the {size} portal into {portal}", flush=True)
        generate_portal(portal, size=size, seed=42)
    landing, state = root / "landing", root / "state"
    warehouse, quality, serving = root / "warehouse" / "warehouse.duckdb", root / "quality", root / "serving"
    started = time.monotonic()
    server = PortalServer(portal, ServerOptions.fast(TOKEN)).start()
    try:
        run_extraction(
            ExtractOptions(
                landing_dir=landing, state_dir=state, host=server.url, tier=None, mode="full", concurrency=4
            ),
            credentials=Credentials(TOKEN, server.url, "bench"),
        )
    finally:
        server.stop()
    print(f"extracted in {time.monotonic() - started:.0f}s", flush=True)
    script = (
        "import sys; from pathlib import Path; from onefunnel.warehouse import build_warehouse; "
        "build_warehouse(landing_dir=Path(sys.argv[1]), warehouse_path=Path(sys.argv[2]))"
    )
    subprocess.run([sys.executable, "-c", script, str(landing), str(warehouse)], check=True)
    print(f"built in {time.monotonic() - started:.0f}s", flush=True)
    summary = run_checks(
        CheckOptions(landing_dir=landing, warehouse_path=warehouse, quality_dir=quality, build_docs=False)
    )
    if not summary.status.publishable:
        raise SystemExit(
            f"the quality gate stopped the bench snapshot: {[c.message for c in summary.blocking][:3]}"
        )
    publish(warehouse_path=warehouse, target=serving / "serving.duckdb", quality_dir=quality)
    print(f"published in {time.monotonic() - started:.0f}s", flush=True)


def describe(serving: Path) -> dict:
    import duckdb

    with duckdb.connect(str(serving), read_only=True) as con:
        counts = {
            table: con.execute(f"select count(*) from marts.{table}").fetchone()[0]
            for table in ("fct_leads", "fct_contact_stages", "fct_deals", "funnel_period_monthly")
        }
        months = con.execute(
            "select count(distinct month_start) from marts.funnel_period_monthly"
        ).fetchone()[0]
        run = con.execute("select run_id, data_as_of from serving_meta.run").fetchone()
    return {
        "path": str(serving),
        "size_mb": round(serving.stat().st_size / 2**20, 1),
        "leads": counts["fct_leads"],
        "contact_stage_rows": counts["fct_contact_stages"],
        "deals": counts["fct_deals"],
        "months": months,
        "run_id": run[0],
        "data_as_of": run[1].isoformat() if run[1] else None,
    }


def render(page: str, query: dict[str, str], runs: int) -> dict:
    """Cold and warm render times of one page, `runs` times each."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    cold, warm = [], []
    for _ in range(runs):
        st.cache_data.clear()
        app = AppTest.from_file(str(APP), default_timeout=300)
        app.query_params.update(query)
        if page != "funnel":
            app.switch_page(f"views/{page}.py")
        started = time.perf_counter()
        app.run()
        cold.append(time.perf_counter() - started)
        if app.exception:
            raise RuntimeError(f"{page} raised: {[exception.value for exception in app.exception]}")
        started = time.perf_counter()
        app.run()
        warm.append(time.perf_counter() - started)
    cold_median, warm_median = statistics.median(cold), statistics.median(warm)
    return {
        "cold_s": {"runs": [round(value, 4) for value in cold], "median": round(cold_median, 4)},
        "warm_s": {"runs": [round(value, 4) for value in warm], "median": round(warm_median, 4)},
        "met": cold_median <= GOAL_COLD_S and warm_median <= GOAL_WARM_S,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="large", choices=("tiny", "demo", "large"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--serving", type=Path, default=None, help="measure this snapshot instead")
    parser.add_argument("--no-build", action="store_true", help="skip instead of building a missing snapshot")
    args = parser.parse_args()

    root = data_root(args.size)
    serving = args.serving or root / "serving" / "serving.duckdb"
    if not serving.exists():
        if args.no_build:
            print(f"no snapshot at {serving} and --no-build: nothing measured", file=sys.stderr)
            return 0
        print(
            f"no snapshot at {serving}: building it with the pipeline (for `large`, most of an hour)",
            flush=True,
        )
        build_snapshot(args.size, root)
    os.environ["ONEFUNNEL_SERVING_PATH"] = str(serving)
    os.environ["ONEFUNNEL_QUALITY_DIR"] = str(serving.parent.parent / "quality")
    sys.path.insert(0, str(REPO))
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from streamlit import config

    config.set_option("runner.magicEnabled", False)  # as `onefunnel dashboard` runs the server

    # Start the app once (imports, first script compile): "cold" measures an empty cache, not Python startup.
    render("definitions", {}, 1)
    pages = {page: render(page, {}, args.runs) for page in PAGES}
    slices = {name: render(page, query, args.runs) for name, (page, query) in SLICES.items()}
    slowest_cold = max(result["cold_s"]["median"] for result in pages.values())
    slowest_warm = max(result["warm_s"]["median"] for result in pages.values())
    result = {
        "name": "dashboard_render",
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "snapshot": {"size": args.size if args.serving is None else "custom", **describe(serving)},
        "runs": args.runs,
        "metric": "server-side render time per page with streamlit.testing AppTest (s); median of runs",
        "goal": {"cold_s": GOAL_COLD_S, "warm_s": GOAL_WARM_S},
        "median": {"slowest_page_cold_s": slowest_cold, "slowest_page_warm_s": slowest_warm},
        "met": all(page["met"] for page in pages.values()),
        "pages": pages,
        "filtered": slices,
        "machine": {"cpus": os.cpu_count(), "load_average_1m_at_end": round(os.getloadavg()[0], 2)},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / "dashboard_render.json"
    temporary = target.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(result, indent=2) + "\n")
    os.replace(temporary, target)
    for name, page in {**pages, **slices}.items():
        print(
            f"{name:28s} cold {page['cold_s']['median'] * 1000:7.0f} ms   warm "
            f"{page['warm_s']['median'] * 1000:6.0f} ms"
        )
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

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

Before / after a change (issue 15): `--compare BASELINE_TREE` measures two code trees on one portal, each on
the snapshot its own code publishes (extract -> build -> checks -> publish with that tree's package, dbt
project and dashboard), in one process each, one after the other, and writes per-page medians and the
after / before ratios:

    git worktree add /tmp/wt-085e5eb 085e5eb && git worktree add /tmp/wt-head HEAD
    .venv/bin/python bench/bench_dashboard.py --size demo --runs 3 --data-dir /tmp/bench15 \
        --compare /tmp/wt-085e5eb --code /tmp/wt-head --output bench/results/dashboard_render_issue15.json

A child measuring another tree runs with PYTHONPATH=<tree>/src, so `onefunnel` (and its dbt project) and
`dashboards` are that tree's. The portal is generated once, by this checkout's generator, and extracted by
both.
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
APP = REPO / "dashboards" / "app.py"  # replaced by --code's app in main()
PAGES = ("funnel", "sla", "reps", "sources", "audiences", "accountability", "definitions", "data_health")
# The audiences page must render in <= 3 s on first render (issue 15): files are built only on download.
GOAL_AUDIENCES_FIRST_S = 3.0
# Filtered views select rows of the slice marts (marts.*_slices) instead of the marts: measured too.
SLICES = {
    "funnel, marketing-sourced": ("funnel", {"team": "Marketing-sourced"}),
    "sla, marketing-sourced": ("sla", {"team": "Marketing-sourced"}),
    "sources, marketing-sourced": ("sources", {"team": "Marketing-sourced"}),
}
GOAL_COLD_S = 1.0
GOAL_WARM_S = 0.2
TOKEN = "bench-dashboard-token"  # noqa: S105 - the local synthetic portal's token


def data_root(size: str, data_dir: Path | None = None) -> Path:
    base = data_dir or Path(os.environ.get("ONEFUNNEL_DATA_DIR", REPO / "data"))
    return base / "bench" / f"dashboard-{size}"


def build_snapshot(size: str, root: Path, portal: Path | None = None) -> None:
    """The real pipeline, from the bench portal to a published snapshot under `root`."""
    from onefunnel.hubspot.client import Credentials
    from onefunnel.hubspot.runner import ExtractOptions, run_extraction
    from onefunnel.portal.generate import generate_portal
    from onefunnel.portal.server import PortalServer, ServerOptions
    from onefunnel.publish.snapshot import publish
    from onefunnel.quality.runner import CheckOptions, run_checks

    portal = portal or root.parent / size
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
    """Cold and warm render times of one page, `runs` times each (the first cold run is the page's first
    render after a publish: reported on its own for the audiences goal)."""
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


def _load() -> dict:
    load = os.getloadavg()
    return {"1m": round(load[0], 2), "5m": round(load[1], 2), "15m": round(load[2], 2)}


def measure(args: argparse.Namespace) -> dict:
    """Every page of the `--code` tree's dashboard on the snapshot that tree's pipeline publishes."""
    global APP
    code = (args.code or REPO).resolve()
    APP = code / "dashboards" / "app.py"
    root = data_root(args.size, args.data_dir)
    serving = args.serving or root / "serving" / "serving.duckdb"
    build_s = None
    if not serving.exists():
        if args.no_build:
            raise SystemExit(f"no snapshot at {serving} and --no-build: nothing measured")
        print(f"no snapshot at {serving}: building it with the pipeline of {code}", flush=True)
        started = time.monotonic()
        build_snapshot(args.size, root, args.portal)
        build_s = round(time.monotonic() - started, 1)
    os.environ["ONEFUNNEL_SERVING_PATH"] = str(serving)
    os.environ["ONEFUNNEL_QUALITY_DIR"] = str(serving.parent.parent / "quality")
    sys.path.insert(0, str(code))
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from streamlit import config

    config.set_option("runner.magicEnabled", False)  # as `onefunnel dashboard` runs the server

    load_before = _load()
    # Start the app once (imports, first script compile): "cold" measures an empty cache, not Python startup.
    render("definitions", {}, 1)
    pages = {page: render(page, {}, args.runs) for page in PAGES}
    slices = {name: render(page, query, args.runs) for name, (page, query) in SLICES.items()}
    slowest_cold = max(result["cold_s"]["median"] for result in pages.values())
    slowest_warm = max(result["warm_s"]["median"] for result in pages.values())
    audiences_first = pages["audiences"]["cold_s"]["runs"][0]
    return {
        "name": "dashboard_render",
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "code": {"tree": str(code), "commit": _commit(code)},
        "snapshot": {"size": args.size if args.serving is None else "custom", **describe(serving)},
        "pipeline_build_s": build_s,
        "runs": args.runs,
        "metric": "server-side render time per page with streamlit.testing AppTest (s); median of runs",
        "goal": {
            "cold_s": GOAL_COLD_S,
            "warm_s": GOAL_WARM_S,
            "audiences_first_render_s": GOAL_AUDIENCES_FIRST_S,
        },
        "median": {"slowest_page_cold_s": slowest_cold, "slowest_page_warm_s": slowest_warm},
        "met": all(page["met"] for page in pages.values()),
        "audiences_first_render_s": audiences_first,
        "audiences_first_render_met": audiences_first <= GOAL_AUDIENCES_FIRST_S,
        "pages": pages,
        "filtered": slices,
        "machine": {"cpus": os.cpu_count(), "load_before": load_before, "load_after": _load()},
    }


def _commit(tree: Path) -> str | None:
    completed = subprocess.run(
        ["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    return completed.stdout.strip() or None


def _write(target: Path, result: dict) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(result, indent=2) + "\n")
    os.replace(temporary, target)


def _child(args: argparse.Namespace, tree: Path, name: str, portal: Path, round_: int = 0) -> dict:
    """Measure `tree` in its own process (PYTHONPATH=<tree>/src); its result JSON."""
    output = args.data_dir / f"{name}-{round_}.json"
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--code",
        str(tree),
        "--size",
        args.size,
        "--runs",
        str(args.runs),
        "--data-dir",
        str(args.data_dir / name),
        "--portal",
        str(portal),
        "--output",
        str(output),
    ]
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    env.pop("ONEFUNNEL_SERVING_PATH", None)
    print(f"measuring {name} (round {round_ + 1}): {tree}", flush=True)
    subprocess.run(command, env=env, check=True)
    return json.loads(output.read_text())


def _merged(results: list[dict]) -> dict:
    """One tree's rounds as one result: every page's runs of all rounds, medians over them."""
    merged = json.loads(json.dumps(results[0]))
    for group in ("pages", "filtered"):
        for name in merged[group]:
            for phase in ("cold_s", "warm_s"):
                runs = [value for result in results for value in result[group][name][phase]["runs"]]
                merged[group][name][phase] = {"runs": runs, "median": round(statistics.median(runs), 4)}
    audiences = merged["pages"]["audiences"]["cold_s"]
    merged["audiences_first_render_s"] = audiences["median"]
    merged["audiences_first_render_met"] = audiences["median"] <= GOAL_AUDIENCES_FIRST_S
    merged["machine"] = {"rounds": [result["machine"] for result in results]}
    merged["runs"] = sum(result["runs"] for result in results)
    return merged


def compare(args: argparse.Namespace) -> dict:
    """The baseline tree and the --code tree on one generated portal; per-page medians and ratios."""
    if args.data_dir is None:
        raise SystemExit("--compare needs --data-dir (a folder for both pipelines' data)")
    portal = args.portal or args.data_dir / "portal" / args.size
    if not (portal / "portal.sqlite").exists():
        from onefunnel.portal.generate import generate_portal

        print(f"generating the {args.size} portal into {portal}", flush=True)
        generate_portal(portal, size=args.size, seed=42)
    # Rounds alternate the two trees (baseline, after, baseline, after ...), so a change in the machine's
    # load during the measurement hits both alike; each tree's numbers are its runs of every round.
    baselines, afters = [], []
    for round_ in range(args.rounds):
        baselines.append(_child(args, args.compare.resolve(), "baseline", portal, round_))
        afters.append(_child(args, (args.code or REPO).resolve(), "after", portal, round_))
    baseline, after = _merged(baselines), _merged(afters)

    def pages(result: dict) -> dict[str, dict]:
        return {**result["pages"], **{f"filtered: {k}": v for k, v in result["filtered"].items()}}

    before_pages, after_pages = pages(baseline), pages(after)
    rows = {}
    for name in after_pages:
        row = {
            "after_cold_s": after_pages[name]["cold_s"]["median"],
            "after_warm_s": after_pages[name]["warm_s"]["median"],
        }
        if name in before_pages:
            row |= {
                "before_cold_s": before_pages[name]["cold_s"]["median"],
                "before_warm_s": before_pages[name]["warm_s"]["median"],
            }
            row["cold_ratio"] = round(row["after_cold_s"] / row["before_cold_s"], 3)
            row["warm_ratio"] = round(row["after_warm_s"] / row["before_warm_s"], 3)
        else:
            row["note"] = "not measured by the baseline's bench"
        rows[name] = row
    audiences_before = before_pages.get("audiences")
    return {
        "name": "dashboard_render_issue15",
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "method": (
            "one generated portal; per code tree its own pipeline (extract, dbt build, checks, publish) and "
            "its own dashboard, measured with streamlit AppTest in its own process; "
            f"{args.rounds} rounds alternating the trees (baseline first), {args.runs} runs per page per "
            "round, medians of all runs; ratio = after / before (< 1 is faster)"
        ),
        "before": {
            "code": baseline["code"],
            "snapshot": baseline["snapshot"],
            "machine": baseline["machine"],
        },
        "after": {"code": after["code"], "snapshot": after["snapshot"], "machine": after["machine"]},
        "pages": rows,
        "audiences_first_render_s": {
            "what": "cold render (empty cache, as right after a publish), median of every round's runs",
            "before": audiences_before["cold_s"]["median"] if audiences_before else None,
            "before_runs": audiences_before["cold_s"]["runs"] if audiences_before else None,
            "after": after["audiences_first_render_s"],
            "after_runs": after["pages"]["audiences"]["cold_s"]["runs"],
            "goal": GOAL_AUDIENCES_FIRST_S,
            "met": after["audiences_first_render_met"],
        },
        "slower_pages": sorted(
            name for name, row in rows.items() if row.get("cold_ratio", 0) > 1 or row.get("warm_ratio", 0) > 1
        ),
        "machine": {"cpus": os.cpu_count(), "load_at_end": _load()},
        "details": {"before": baseline, "after": after},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="large", choices=("tiny", "demo", "large"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--serving", type=Path, default=None, help="measure this snapshot instead")
    parser.add_argument("--no-build", action="store_true", help="skip instead of building a missing snapshot")
    parser.add_argument(
        "--code", type=Path, default=None, help="code tree to measure (default: this checkout)"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="data folder (default: $ONEFUNNEL_DATA_DIR)"
    )
    parser.add_argument("--portal", type=Path, default=None, help="portal folder to extract from")
    parser.add_argument(
        "--output", type=Path, default=None, help="result JSON (default: results/dashboard_render.json)"
    )
    parser.add_argument(
        "--compare", type=Path, default=None, help="baseline code tree measured before --code"
    )
    parser.add_argument("--rounds", type=int, default=3, help="--compare: rounds alternating the two trees")
    args = parser.parse_args()

    if args.compare is not None:
        result = compare(args)
        target = args.output or RESULTS / "dashboard_render_compare.json"
        _write(target, result)
        for name, row in result["pages"].items():
            print(
                f"{name:36s} cold {row.get('before_cold_s', float('nan')) * 1000:7.0f} -> "
                f"{row['after_cold_s'] * 1000:7.0f} ms   warm "
                f"{row.get('before_warm_s', float('nan')) * 1000:6.0f} -> "
                f"{row['after_warm_s'] * 1000:6.0f} ms"
            )
        print(f"audiences first render: {result['audiences_first_render_s']}")
        print(f"wrote {target}")
        return 0
    result = measure(args)
    target = args.output or RESULTS / "dashboard_render.json"
    _write(target, result)
    for name, page in {**result["pages"], **result["filtered"]}.items():
        print(
            f"{name:28s} cold {page['cold_s']['median'] * 1000:7.0f} ms   warm "
            f"{page['warm_s']['median'] * 1000:6.0f} ms"
        )
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

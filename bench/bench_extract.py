"""Benchmarks of the HubSpot extractor against the local portal (server in its own process, so client and
server do not share a GIL). Writes bench/results/extract_<name>.json (name, portal, runs, median, goal, met).

  budget       full extraction of the demo portal under Professional limits with 150-400 ms latency:
               achieved general requests/s / allowed requests/s (goal >= 0.9), records/s, retries, peak RSS
  parse_land   unthrottled parse-and-land throughput on one core: raw contact pages (bytes, fetched once)
               -> orjson -> Arrow -> Parquet parts, one thread (goal >= 20,000 records/s)
  incremental  requests of an incremental run after `advance 1 day`, as a share of a full run (goal <= 3 %)
  large_rss    peak RSS of a full extraction of the `large` portal, unthrottled (goal <= 500 MB)

    .venv/bin/python bench/bench_extract.py [--only budget,parse_land,incremental,large_rss] [--runs N]
                                            [--size demo] [--contacts N] [--timeline]
                                            [--api-version 2026-09|2026-03|legacy]

  --api-version  HubSpot API path family the extractor calls (default: the extractor's, 2026-09); every
               result JSON records the version it was measured on (`api_version`).

  --timeline   budget: also record every request of each run (`onefunnel extract --timeline`) and write
               bench/results/extract_budget_timeline.json: per second the general / search requests granted
               and in flight, by stream, and where the general window idled (start, middle, tail) with the
               streams that were active then. `--analyse FILE` re-runs the analysis on a saved timeline.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
TOKEN = "bench-extract-token"  # noqa: S105
PROFESSIONAL_RPS = 190 / 10
# The API version every extraction of this benchmark calls (None = the extractor's default); set by main().
API_VERSION: str | None = None


def api_version() -> str:
    from onefunnel.hubspot.paths import resolve_api_version

    return resolve_api_version(API_VERSION)


def _env(data_dir: Path, url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUBSPOT_", "AIRFLOW_CONN_"))}
    env.update(
        ONEFUNNEL_DATA_DIR=str(data_dir),
        HUBSPOT_ACCESS_TOKEN=TOKEN,
        ONEFUNNEL_PORTAL_TOKEN=TOKEN,
        PYTHONPATH=str(REPO / "src"),
    )
    if url:
        env["HUBSPOT_HOST"] = url
    return env


def _onefunnel(*args: str) -> list[str]:
    return [sys.executable, "-c", "from onefunnel.cli import main; main()", *args]


AS_OF = "2026-11-01T00:00:00Z"  # fixed portal clock: runs on different days extract the same portal


def generate(portal_dir: Path, size: str, contacts: int | None, data_dir: Path) -> None:
    if (portal_dir / "portal.sqlite").exists():
        return  # generated earlier in this work dir (same size, seed and as-of)
    args = ["portal", "generate", "--dir", str(portal_dir), "--size", size, "--overwrite", "--as-of", AS_OF]
    if contacts:
        args += ["--contacts", str(contacts)]
    subprocess.run(_onefunnel(*args), env=_env(data_dir), check=True, capture_output=True)


def advance(portal_dir: Path, days: int, data_dir: Path) -> None:
    subprocess.run(
        _onefunnel("portal", "advance", "--dir", str(portal_dir), "--days", str(days)),
        env=_env(data_dir),
        check=True,
        capture_output=True,
    )


class Server:
    """`onefunnel portal serve` in a subprocess on a free port."""

    def __init__(self, portal_dir: Path, data_dir: Path, *extra: str) -> None:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            _onefunnel(
                "portal", "serve", "--dir", str(portal_dir), "--port", str(port), "--token", TOKEN, *extra
            ),
            env=_env(data_dir),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("portal server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def run_cli(data_dir: Path, url: str, *args: str, max_seconds: float | None = None) -> tuple[dict, float]:
    """Run `onefunnel extract` in a subprocess; returns its run manifest and its peak RSS in MB.
    With `max_seconds` the run is stopped (SIGKILL) after that long and the manifest is {"stopped": ...}."""
    import psutil

    version = ("--api-version", API_VERSION) if API_VERSION else ()
    proc = subprocess.Popen(
        _onefunnel("extract", "--log-format", "json", *version, *args),
        env=_env(data_dir, url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    peak = 0
    handle = psutil.Process(proc.pid)
    stderr_chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: stderr_chunks.append(proc.stderr.read()), daemon=True)
    reader.start()
    started = time.monotonic()
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            peak = max(peak, handle.memory_info().rss)
        if max_seconds is not None and time.monotonic() - started > max_seconds:
            proc.kill()
            proc.wait()
            reader.join()
            return {"stopped_after_s": round(time.monotonic() - started, 1)}, peak / 1e6
        time.sleep(0.1)
    reader.join()
    if proc.returncode != 0:
        raise RuntimeError(f"extract failed ({proc.returncode}): {b''.join(stderr_chunks)[-2000:].decode()}")
    runs = sorted((data_dir / "landing" / "_runs").glob("*.json"))
    return json.loads(runs[-1].read_bytes()), peak / 1e6


def write_result(name: str, payload: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {
        "name": name,
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "cpu_count": os.cpu_count(),
        "api_version": api_version(),
        **payload,
    }
    (RESULTS / f"extract_{name}.json").write_text(json.dumps(payload, indent=2) + "\n")
    print(json.dumps(payload, indent=2))


def _records(manifest: dict) -> int:
    return sum(row["records"] + row["archived"] for row in manifest["objects"].values())


# ---- benchmarks ---------------------------------------------------------------------------------------


def _category(what: str) -> str:
    """A request's stream and role from the retry layer's description ("contacts: list page", ...)."""
    if what.startswith("associations "):
        return what.split()[1].split("->")[0] + ":associations"
    name, _, rest = what.partition(": ")
    if rest.startswith("list archived"):
        return f"{name}:archived"
    if rest.startswith("list page"):
        return f"{name}:list"
    if rest.startswith("batch read"):
        return f"{name}:batch_read"
    if rest.startswith("search"):
        return f"{name}:search"
    if rest.startswith("property definitions"):
        return "discovery"
    if rest.startswith("chain waits"):
        return f"{name}:stall"
    return "reference"


def analyse_timeline(timeline: dict, planned_rps: float, allowed_rps: float = PROFESSIONAL_RPS) -> dict:
    """Per-second view of one run's requests and where the general window was not used.

    idle (per second) = planned requests/s - general requests granted in that second (never negative);
    phases: start = before the first second at >= 90 % of the planned rate, tail = after the last such
    second, middle = in between. For every phase: the idle, and the streams that had requests or stalls
    in its idle seconds (so the cause shows: e.g. only one list chain still running in the tail)."""
    import math
    from collections import Counter, defaultdict

    names = timeline["fields"]
    events = [dict(zip(names, row, strict=True)) for row in timeline["events"]]
    requests = [e for e in events if e["event"] == "request"]
    general = [e for e in requests if e["kind"] == "general"]
    if not general:
        return {"error": "no general requests"}
    first = min(e["granted_s"] for e in requests)
    last = max(e["granted_s"] for e in requests)
    seconds = math.floor(last - first) + 1
    rows = [
        {
            "t": i,
            "general": 0,
            "search": 0,
            "general_in_flight": 0.0,
            "general_queued": 0.0,
            "by": Counter(),
            "stalls": Counter(),
        }
        for i in range(seconds)
    ]

    def spread(start: float, end: float, key: str, row_key: str | None = None, label: str | None = None):
        # add the overlap of [start, end) with each second to rows[i][key] (seconds of activity)
        a, b = max(start - first, 0.0), min(end - first, float(seconds))
        i = max(0, math.floor(a))
        while i < seconds and i < b:
            overlap = min(b, i + 1) - max(a, i)
            if overlap > 0:
                if label is None:
                    rows[i][key] += overlap
                else:
                    rows[i][key][label] += overlap
            i += 1

    for e in requests:
        i = min(seconds - 1, max(0, math.floor(e["granted_s"] - first)))
        rows[i][e["kind"]] += 1
        if e["kind"] == "general":
            rows[i]["by"][_category(e["what"])] += 1
            spread(e["granted_s"], e["finished_s"], "general_in_flight")
            spread(e["queued_s"], e["granted_s"], "general_queued")
        else:
            rows[i]["by"][_category(e["what"])] += 1
    for e in events:
        if e["event"] == "stall":
            spread(e["granted_s"], e["finished_s"], "stalls", label=_category(e["what"]))
    busy = [r["t"] for r in rows if r["general"] >= 0.9 * planned_rps]
    start_end = busy[0] if busy else seconds
    tail_start = busy[-1] + 1 if busy else seconds
    phases = {"start": (0, start_end), "middle": (start_end, tail_start), "tail": (tail_start, seconds)}
    report: dict = {}
    for phase, (lo, hi) in phases.items():
        idle = 0.0
        active: Counter = Counter()
        stalls: Counter = defaultdict(float)
        for row in rows[lo:hi]:
            gap = max(0.0, planned_rps - row["general"])
            idle += gap
            if gap >= 0.1 * planned_rps:
                active.update({k: 1 for k in row["by"]})
                for k, v in row["stalls"].items():
                    stalls[k] += v
        report[phase] = {
            "seconds": hi - lo,
            "idle_requests": round(idle, 1),
            "idle_seconds_equivalent": round(idle / planned_rps, 1),
            "streams_with_requests_in_idle_seconds": dict(active.most_common(12)),
            "chain_stall_seconds_in_idle_seconds": {k: round(v, 1) for k, v in sorted(stalls.items())},
        }
    general_n = len(general)
    span = last - first
    return {
        "span_s": round(span, 2),
        "general_requests": general_n,
        "search_requests": len(requests) - general_n,
        "utilisation": round(general_n / span / allowed_rps, 4) if span > 0 else None,
        "planned_rps": planned_rps,
        "ceiling": round(planned_rps / allowed_rps, 4),
        "idle_requests_total": round(sum(max(0.0, planned_rps - r["general"]) for r in rows), 1),
        "phases": report,
        "general_by_category": dict(Counter(_category(e["what"]) for e in general).most_common()),
        "stream_last_request_s": {
            k: round(v - first, 1)
            for k, v in sorted(
                ((_category(e["what"]), e["granted_s"]) for e in requests),
                key=lambda kv: kv[1],
            )
        },
        "per_second": [
            {
                "t": r["t"],
                "general": r["general"],
                "search": r["search"],
                "general_in_flight": round(r["general_in_flight"], 2),
                "general_queued": round(r["general_queued"], 2),
                "by": dict(r["by"]),
                "stalls": {k: round(v, 2) for k, v in r["stalls"].items()},
            }
            for r in rows
        ],
    }


def _write_timelines(timelines: list[dict]) -> None:
    """Summaries of every run, indented; the per-second rows one per line (readable, ~1 line per second)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    runs = []
    for analysis in timelines:
        rows = analysis.pop("per_second", [])
        summary = json.dumps(analysis, indent=2)
        lines = ",\n".join("    " + json.dumps(row, separators=(",", ":")) for row in rows)
        runs.append(summary[:-2] + ',\n  "per_second": [\n' + lines + "\n  ]\n}")
    text = "[\n" + ",\n".join(runs) + "\n]\n"
    json.loads(text)  # still valid JSON
    (RESULTS / "extract_budget_timeline.json").write_text(text)


def _planned_rps() -> float:
    from onefunnel.hubspot.ratebudget import RateBudget

    return RateBudget.for_tier("professional").planned_rate


def bench_budget(work: Path, size: str, contacts: int | None, runs: int, timeline: bool = False) -> dict:
    portal = work / "portal"
    generate(portal, size, contacts, work)
    results = []
    timelines = []
    for run in range(runs):
        data = work / f"budget-{run}"
        server = Server(portal, work, "--tier", "professional", "--latency", "150-400", "--seed", str(run))
        timeline_file = work / f"budget-{run}.timeline.json"
        extra = ("--timeline", str(timeline_file)) if timeline else ()
        load0 = os.getloadavg()[0]
        try:
            manifest, peak_mb = run_cli(data, server.url, "--full", "--tier", "professional", *extra)
        finally:
            server.stop()
        load1 = os.getloadavg()[0]
        idle = None
        if timeline:
            analysis = analyse_timeline(json.loads(timeline_file.read_bytes()), _planned_rps())
            timelines.append({"run": run, **analysis})
            idle = {k: v["idle_seconds_equivalent"] for k, v in analysis.get("phases", {}).items()}
            phases = analysis.get("phases", {})
            print(
                f"run {run}: utilisation {analysis.get('utilisation')}, idle "
                + ", ".join(f"{k} {v['idle_seconds_equivalent']} s" for k, v in phases.items()),
                file=sys.stderr,
            )
        budget = manifest["budget"]
        results.append(
            {
                "api_version": manifest.get("api_version"),
                "utilisation": budget["utilisation"],
                "achieved_rps": budget["achieved_rps"],
                "utilisation_whole_run": round(
                    budget["general_requests"] / manifest["duration_s"] / PROFESSIONAL_RPS, 4
                ),
                "records": _records(manifest),
                "records_per_s": round(_records(manifest) / manifest["duration_s"], 1),
                "requests": manifest["totals"]["requests"],
                "retries": manifest["totals"]["retries"],
                "rate_limited": manifest["totals"]["rate_limited"],
                "duration_s": manifest["duration_s"],
                "peak_rss_mb": round(peak_mb, 1),
                "load_average_1m": [round(load0, 2), round(load1, 2)],
                **({"general_idle_s_by_phase": idle} if idle is not None else {}),
            }
        )
        shutil.rmtree(data, ignore_errors=True)
    if timeline:
        _write_timelines(timelines)
    median = statistics.median(r["utilisation"] for r in results)
    write_result(
        "budget",
        {
            "portal": {"size": size, "contacts": contacts, "as_of": AS_OF},
            "runs": runs,
            "metric": "achieved / allowed general req/s (first to last request)",
            "median": median,
            "median_duration_s": statistics.median(r["duration_s"] for r in results),
            "goal": ">= 0.9",
            "met": median >= 0.9,
            "per_run": results,
            "allowed_rps": PROFESSIONAL_RPS,
            "latency_ms": "150-400",
        },
    )
    return {"portal": portal}


def bench_incremental(work: Path, size: str, contacts: int | None, runs: int) -> None:
    portal = work / "portal"
    if not (portal / "portal.sqlite").exists():
        generate(portal, size, contacts, work)
    shares = []
    details = []
    for run in range(runs):
        copy = work / f"inc-portal-{run}"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(portal, copy)
        data = work / f"inc-{run}"
        server = Server(copy, work, "--fast")
        try:
            full, _ = run_cli(data, server.url, "--full", "--tier", "unlimited")
        finally:
            server.stop()
        advance(copy, 1, work)
        server = Server(copy, work, "--fast")
        try:
            incremental, _ = run_cli(data, server.url, "--incremental", "--tier", "unlimited")
        finally:
            server.stop()
        share = incremental["totals"]["requests"] / full["totals"]["requests"]
        shares.append(share)
        details.append(
            {
                "full_requests": full["totals"]["requests"],
                "incremental_requests": incremental["totals"]["requests"],
                "incremental_records": _records(incremental),
                "share": round(share, 4),
            }
        )
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(copy, ignore_errors=True)
    median = statistics.median(shares)
    write_result(
        "incremental",
        {
            "portal": {"size": size, "contacts": contacts, "as_of": AS_OF},
            "runs": runs,
            "metric": "incremental requests after advance 1 day / full-run requests",
            "median": round(median, 4),
            "goal": "<= 0.03",
            "met": median <= 0.03,
            "per_run": details,
        },
    )


def bench_parse_land(work: Path, size: str, contacts: int | None, runs: int, pages: int = 300) -> None:
    """Raw pages are fetched once through the SDK (fast server); then parse + land is timed on one thread."""
    import orjson

    from onefunnel.hubspot.client import Credentials
    from onefunnel.hubspot.endpoints import HubSpotApi
    from onefunnel.hubspot.properties import plan_properties
    from onefunnel.hubspot.ratebudget import RateBudget
    from onefunnel.hubspot.retry import Retrier
    from onefunnel.landing.writer import Landing, concat, crm_records_table

    portal = work / "portal"
    if not (portal / "portal.sqlite").exists():
        generate(portal, size, contacts, work)
    server = Server(portal, work, "--fast")
    try:
        api = HubSpotApi(
            Credentials(TOKEN, server.url, "bench"),
            Retrier(RateBudget(requests_per_window=None)),
            api_version=API_VERSION,
        )
        definitions = api.properties("contacts")["results"]
        plan = plan_properties("contacts", definitions, server.url, None)
        bodies: list[bytes] = []
        after = None
        while len(bodies) < pages:
            raw = api.send_list_page("contacts", after=after, properties=plan.in_url, limit=100)
            body = raw.data
            bodies.append(body)
            after = ((orjson.loads(body).get("paging") or {}).get("next") or {}).get("after")
            if not after:
                break
    finally:
        server.stop()
    records_total = sum(len(orjson.loads(b)["results"]) for b in bodies)
    import pyarrow as pa

    from onefunnel.hubspot import settings

    pa.set_cpu_count(1)  # one core: no Arrow worker threads doing part of the work
    pa.set_io_thread_count(1)
    group_records = settings.COMMIT_GROUP_RECORDS
    # Untimed warm-up: pyarrow's one-time probes (its pandas shim imports pandas on the first pa.array) and
    # first-call costs are start-up, not throughput (the CLI skips the pandas probe: skip_pandas_probe).
    warm = Landing(work / "parse-warm", "warm")
    warm.write(
        "contacts",
        crm_records_table(orjson.loads(bodies[0])["results"], plan.in_url, datetime.now(UTC), "w")[0],
    )
    shutil.rmtree(work / "parse-warm", ignore_errors=True)
    rates = []
    for run in range(runs):
        out = work / f"parse-{run}"
        landing = Landing(out, f"bench{run}")
        extracted_at = datetime.now(UTC)
        load0 = os.getloadavg()[0]
        cpu0, wall0 = time.process_time(), time.perf_counter()
        group, in_group = [], 0
        for body in bodies:
            records = orjson.loads(body)["results"]
            table, _ = crm_records_table(records, plan.in_url, extracted_at, landing.run_id)
            group.append(table)
            in_group += len(records)
            if in_group >= group_records:
                landing.write("contacts", concat(group))
                group, in_group = [], 0
        landing.write("contacts", concat(group))
        wall = time.perf_counter() - wall0
        cpu = time.process_time() - cpu0
        rates.append(
            {
                "records_per_s_cpu": round(records_total / cpu),
                "records_per_s_wall": round(records_total / wall),
                "load_average_1m": round((load0 + os.getloadavg()[0]) / 2, 2),
            }
        )
        shutil.rmtree(out, ignore_errors=True)
    median_cpu = statistics.median(r["records_per_s_cpu"] for r in rates)
    median_wall = statistics.median(r["records_per_s_wall"] for r in rates)
    write_result(
        "parse_land",
        {
            "portal": {"size": size, "contacts": contacts, "as_of": AS_OF},
            "runs": runs,
            "records_per_run": records_total,
            "properties_per_record": len(plan.in_url),
            "bytes_per_record": round(sum(map(len, bodies)) / records_total),
            "part_records": group_records,
            "metric": (
                "contact records/s parsed (orjson), landed (Arrow -> zstd Parquet, fsync), one thread; "
                "median = records per CPU-second of the process (one core's worth of work; wall time on a "
                "shared 2-core machine at the load average shown is reported beside it)"
            ),
            "median": median_cpu,
            "median_wall": median_wall,
            "goal": ">= 20000",
            "met": median_cpu >= 20_000,
            "met_wall": median_wall >= 20_000,
            "per_run": rates,
        },
    )


def bench_large_rss(work: Path, runs: int, portal: Path | None, objects: str, max_seconds: float) -> None:
    """Peak RSS extracting the `large` portal unthrottled. A whole large extraction takes hours on a shared
    2-core machine, so it is bounded: `objects` only, stopped after `max_seconds` (memory is bounded per
    stream, so the peak is reached within the first commit groups of every stream)."""
    if portal is None:
        portal = work / "large-portal"
        generate(portal, "large", None, work)
    peaks, details = [], []
    for run in range(runs):
        data = work / f"large-{run}"
        server = Server(portal, work, "--fast")
        load0 = os.getloadavg()[0]
        try:
            manifest, peak = run_cli(
                data,
                server.url,
                "--full",
                "--tier",
                "unlimited",
                "--objects",
                objects,
                max_seconds=max_seconds,
            )
        finally:
            server.stop()
        peaks.append(peak)
        rows = 0
        with contextlib.suppress(Exception):
            import pyarrow.parquet as pq

            rows = sum(pq.ParquetFile(f).metadata.num_rows for f in (data / "landing").glob("*/*/*.parquet"))
        details.append(
            {
                "peak_rss_mb": round(peak, 1),
                "rows_landed": rows,
                "records": _records(manifest) if "objects" in manifest else None,
                "duration_s": manifest.get("duration_s") or manifest.get("stopped_after_s"),
                "load_average_1m_at_start": round(load0, 2),
            }
        )
        shutil.rmtree(data, ignore_errors=True)
    median = statistics.median(peaks)
    write_result(
        "large_rss",
        {
            "portal": {"size": "large", "dir": str(portal)},
            "runs": runs,
            "objects": objects,
            "bounded": f"stopped after {max_seconds:.0f} s unless finished earlier",
            "metric": "peak RSS (MB) of `onefunnel extract --full --tier unlimited` (fast server)",
            "median": round(median, 1),
            "goal": "<= 500",
            "met": median <= 500,
            "per_run": details,
        },
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default="budget,parse_land,incremental")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--size", default="demo")
    parser.add_argument("--contacts", type=int, default=None)
    parser.add_argument("--work-dir", type=Path, default=None)
    parser.add_argument("--large-dir", type=Path, default=None, help="an existing large portal")
    parser.add_argument("--large-objects", default="contacts,meetings")
    parser.add_argument("--large-seconds", type=float, default=600.0)
    parser.add_argument("--timeline", action="store_true", help="budget: record and analyse each run")
    parser.add_argument("--analyse", type=Path, default=None, help="analyse a saved timeline JSON and exit")
    parser.add_argument("--api-version", default=None, help="2026-09 (default), 2026-03 or legacy")
    args, _unknown = parser.parse_known_args()
    global API_VERSION
    API_VERSION = args.api_version
    api_version()  # an unknown version stops here, before any portal is generated
    if args.analyse:
        analysis = analyse_timeline(json.loads(args.analyse.read_bytes()), _planned_rps())
        analysis.pop("per_second", None)
        print(json.dumps(analysis, indent=2))
        return 0
    chosen = set(args.only.split(","))
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="bench-extract-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        if "parse_land" in chosen:
            bench_parse_land(work, args.size, args.contacts, max(args.runs, 3))
        if "incremental" in chosen:
            bench_incremental(work, args.size, args.contacts, args.runs)
        if "budget" in chosen:
            bench_budget(work, args.size, args.contacts, args.runs, timeline=args.timeline)
        if "large_rss" in chosen:
            bench_large_rss(work, args.runs, args.large_dir, args.large_objects, args.large_seconds)
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

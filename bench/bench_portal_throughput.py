"""Throughput of the local portal server: 100-record contact list pages per second, latency off.

The server runs in its own process (fast mode) so the client's work does not share its GIL; the client
is 4 and then 8 threads, each with one keep-alive connection, fetching pages of 100 contacts spread over the
whole portal. Two cases: every contact property requested (long URL, ~60+ custom properties) and the
default properties. Each case runs RUNS times; the median is compared with the 300 requests/s goal.
Writes bench/results/portal_throughput.json.

    .venv/bin/python bench/bench_portal_throughput.py [--size demo] [--portal DIR] [--runs 3] [--threads 4,8]

The portal is the generator's "demo" size (30,000 contacts, 60 custom properties) unless --portal names
an existing portal folder; without the generator a synthetic portal of the same size is written.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results" / "portal_throughput.json"
TOKEN = "bench-token"  # noqa: S105 - a local test server's token, not a secret
GOAL = 300


def build_portal(portal_dir: Path, size: str) -> dict:
    """The generator's portal of that size when the generator is installed, else a synthetic one."""
    try:
        from onefunnel.portal.generate import generate_portal  # the generator engineer's module
    except ImportError:
        contacts = {"tiny": 400, "demo": 30_000, "large": 1_000_000}[size]
        return _synthetic_portal(portal_dir, contacts)
    report = generate_portal(portal_dir, size=size)
    return {
        "source": f"onefunnel.portal.generate.generate_portal(size={size!r}, seed={report.seed})",
        "size": size,
        "active": report.active,
        "property_definitions": report.property_definitions,
    }


def _synthetic_portal(portal_dir: Path, contacts: int, custom: int = 60) -> dict:
    import orjson

    from onefunnel.portal import store

    rng = random.Random(11)
    conn = store.connect(portal_dir)
    base = 1_704_067_200_000
    standard = [
        "email",
        "firstname",
        "lastname",
        "createdate",
        "lastmodifieddate",
        "hs_object_id",
        "lifecyclestage",
        "hs_lead_status",
        "hs_analytics_source",
        "hs_latest_source",
        "hubspot_owner_id",
        "jobtitle",
        "company",
        "phone",
        "city",
        "country",
    ]
    custom_names = [f"acme_custom_{index:02d}" for index in range(custom)]
    for name in standard + custom_names:
        body = {
            "name": name,
            "label": name,
            "type": "string",
            "fieldType": "text",
            "description": "",
            "groupName": "contactinformation",
            "options": [],
            "archived": False,
        }
        conn.execute(
            "insert or replace into property_definitions values ('contacts', ?, ?)",
            (name, orjson.dumps(body)),
        )
    rows = []
    for index in range(contacts):
        object_id = 1000 + index
        created = base + index * 60_000
        props = {
            "hs_object_id": str(object_id),
            "createdate": store.iso_ms(created),
            "lastmodifieddate": store.iso_ms(created + 3_600_000),
            "email": f"person{index}@example.com",
            "firstname": f"First{index}",
            "lastname": f"Last{index}",
            "lifecyclestage": "lead",
            "hs_analytics_source": "ORGANIC_SEARCH",
            "hubspot_owner_id": "71",
            "jobtitle": "Engineer",
            "company": "Example",
            "city": "Berlin",
            "country": "Germany",
        }
        for name in custom_names:
            if rng.random() < 0.8:
                props[name] = f"value {rng.randint(0, 10_000)}"
        rows.append((object_id, 1, created, created + 3_600_000, 0, None, None, orjson.dumps(props)))
    conn.executemany("insert into objects values (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.commit()
    conn.close()
    return {
        "source": "bench synthetic (store rows)",
        "contacts": contacts,
        "contact_properties": len(standard) + custom,
    }


def serve(portal_dir: str) -> None:
    """Child process: serve the portal in fast mode, print the URL, run until stdin closes."""
    from onefunnel.portal.server import PortalServer, ServerOptions

    server = PortalServer(Path(portal_dir), ServerOptions.fast(TOKEN)).start()
    print(server.url, flush=True)
    sys.stdin.read()
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    stats = server.stats()
    stats["cpu_seconds"] = {"user": round(usage.ru_utime, 1), "system": round(usage.ru_stime, 1)}
    print(json.dumps(stats), flush=True)
    server.stop()


def _get(conn: http.client.HTTPConnection, target: str) -> bytes:
    conn.request("GET", target, headers={"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"})
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"{target[:80]} -> {response.status} {body[:200]!r}")
    return body


def page_targets(url: str, properties: list[str] | None) -> list[str]:
    """Every 100-record page of contacts (walked once, following paging.next.after)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port)
    params: list[tuple[str, str]] = [("limit", "100"), ("archived", "False")]
    if properties:
        params.append(("properties", ",".join(properties)))
    targets, after = [], None
    while True:
        query = params + ([("after", after)] if after else [])
        target = "/crm/v3/objects/contacts?" + urlencode(query)
        targets.append(target)
        page = json.loads(_get(conn, target))
        assert len(page["results"]) == 100 or "paging" not in page
        if "paging" not in page:
            break
        after = page["paging"]["next"]["after"]
    conn.close()
    return targets


def run_once(url: str, targets: list[str], threads: int, requests: int, seed: int) -> float:
    parts = urlsplit(url)
    per_thread = requests // threads
    errors: list[BaseException] = []
    start_line = threading.Barrier(threads + 1)

    def worker(worker_index: int) -> None:
        rng = random.Random(seed * 100 + worker_index)
        conn = http.client.HTTPConnection(parts.hostname, parts.port)
        try:
            start_line.wait()
            for _ in range(per_thread):
                _get(conn, rng.choice(targets))
        except BaseException as exc:  # reported after the run
            errors.append(exc)
        finally:
            conn.close()

    workers = [threading.Thread(target=worker, args=(index,)) for index in range(threads)]
    for thread in workers:
        thread.start()
    start_line.wait()
    started = time.perf_counter()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} client errors, first: {errors[0]!r}")
    return per_thread * threads / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="demo", choices=("tiny", "demo", "large"))
    parser.add_argument("--portal", type=Path, help="serve this existing portal folder instead of generating")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", default="4,8", help="client thread counts to run, comma-separated")
    parser.add_argument("--requests", type=int, default=1_500, help="requests per run")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    thread_counts = [int(count) for count in args.threads.split(",")]

    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        if args.portal:
            portal_dir = args.portal
            portal = {"source": f"existing portal {portal_dir}"}
        else:
            portal_dir = Path(tmp) / "portal"
            portal_dir.mkdir()
            built = time.perf_counter()
            portal = build_portal(portal_dir, args.size)
            portal["build_seconds"] = round(time.perf_counter() - built, 1)
        child = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(portal_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            url = child.stdout.readline().strip()
            parts = urlsplit(url)
            conn = http.client.HTTPConnection(parts.hostname, parts.port)
            definitions = json.loads(_get(conn, "/crm/v3/properties/contacts"))["results"]
            conn.close()
            all_properties = [definition["name"] for definition in definitions]
            portal["contact_properties"] = len(all_properties)
            cases = {
                "list_100_all_properties": page_targets(url, all_properties),
                "list_100_default_properties": page_targets(url, None),
            }
            portal["pages_per_walk"] = len(cases["list_100_default_properties"])
            results = {}
            for case, targets in cases.items():
                for threads in thread_counts:
                    name = f"{case}_{threads}_threads"
                    run_once(url, targets, threads, min(200, args.requests), seed=0)  # warm-up
                    runs = [
                        round(run_once(url, targets, threads, args.requests, seed=run), 1)
                        for run in range(1, args.runs + 1)
                    ]
                    results[name] = {
                        "runs": runs,
                        "median": statistics.median(runs),
                        "threads": threads,
                        "url_length": max(len(target) for target in targets),
                    }
                    print(f"{name}: {runs} -> median {results[name]['median']:.0f} requests/s", flush=True)
        finally:
            child.stdin.close()
            server_stats = child.stdout.readline().strip()
            child.wait(timeout=30)

    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = {"user": round(usage.ru_utime, 1), "system": round(usage.ru_stime, 1)}
    print(f"server: {server_stats}", flush=True)
    print(f"client cpu: {client_cpu}", flush=True)
    medians = {case: result["median"] for case, result in results.items()}
    record = {
        "name": "portal_throughput",
        "description": "GET /crm/v3/objects/contacts?limit=100 pages/s, fast mode, keep-alive, "
        "server in its own process",
        "goal": GOAL,
        "met": all(value >= GOAL for value in medians.values()),
        "requests_per_second": medians,
        "median": medians,
        "runs": args.runs,
        "cases": results,
        "portal": portal,
        "client": {
            "threads": thread_counts,
            "requests_per_run": args.requests,
            "keep_alive": True,
            "library": "http.client",
        },
        "server_stats": json.loads(server_stats) if server_stats else None,
        "client_cpu_seconds": client_cpu,
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {RESULTS} (goal {GOAL} requests/s met: {record['met']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Generation benchmark: wall time and peak memory of building a synthetic portal (default: large).

Goal for `large` (~1M contacts, ~200k deals, ~5M engagements): <= 600 s and <= 4096 MB peak RSS on
2 cores. Peak memory is sampled over the whole process tree (the generator's worker processes
included) every 0.2 s as summed PSS (forked workers share pages; RSS would count them twice);
the summed RSS and ru_maxrss of this process and of its largest child are reported as well.
cpu_seconds (user + system, workers included) and the load average show how much of the wall
time was the generator's own work on a shared machine.
The portal goes to $ONEFUNNEL_DATA_DIR/bench/<size> (default data/ in the repo) and is replaced
on each run. Writes bench/results/generate_<size>.json.

    .venv/bin/python bench/bench_generate.py [--size large|demo|tiny] [--seed 42] [--remove]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

BENCH_DIR = Path(__file__).resolve().parent
GOAL = {"seconds": 600, "peak_rss_mb": 4096}


class TreeRssSampler:
    """Samples the memory of this process and its children (summed PSS, and summed RSS); keeps the peaks."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak = 0
        self.peak_rss_sum = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = rss = 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    info = proc.memory_full_info()
                except psutil.Error:
                    continue
                rss += info.rss
                total += getattr(info, "pss", info.rss)  # forked workers share pages: PSS counts them once
            self.peak = max(self.peak, total)
            self.peak_rss_sum = max(self.peak_rss_sum, rss)
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeRssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def machine() -> dict:
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="large", choices=("tiny", "demo", "large"))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--remove", action="store_true", help="delete the portal afterwards")
    args = parser.parse_args()

    from onefunnel.portal.generate import generate_portal

    data_dir = Path(os.environ.get("ONEFUNNEL_DATA_DIR", BENCH_DIR.parent / "data"))
    portal_dir = data_dir / "bench" / args.size
    last = {"stage": "", "t": time.perf_counter()}

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if stage != last["stage"] or now - last["t"] > 15 or done == total:
            print(f"  {stage} {done}/{total}", flush=True)
            last.update(stage=stage, t=now)

    print(f"generating {args.size} portal into {portal_dir}", flush=True)
    started = time.perf_counter()
    cpu_before = os.times()
    load_before = os.getloadavg()
    with TreeRssSampler() as sampler:
        report = generate_portal(
            portal_dir, size=args.size, seed=args.seed, overwrite=True, progress=progress
        )
    seconds = time.perf_counter() - started
    cpu_after = os.times()
    # user + system time of this process and its (joined) worker processes: what the work costs
    # regardless of other load on the machine
    cpu_seconds = sum(cpu_after[i] - cpu_before[i] for i in range(4))
    self_max = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_max = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    peak_mb = max(sampler.peak / 2**20, self_max)
    file_mb = sum(p.stat().st_size for p in portal_dir.glob("portal.sqlite*")) / 2**20
    result = {
        "name": f"generate_{args.size}",
        "size": args.size,
        "seed": args.seed,
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(peak_mb, 1),
        "cpu_seconds": round(cpu_seconds, 1),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "peak_rss_sum_mb": round(sampler.peak_rss_sum / 2**20, 1),
        "ru_maxrss_self_mb": round(self_max, 1),
        "ru_maxrss_largest_child_mb": round(child_max, 1),
        "portal_file_mb": round(file_mb, 1),
        "phases": report.phases,
        "counts": report.counts,
        "active": report.active,
        "archived": report.archived,
        "merged_contacts": report.merged_contacts,
        "associations": report.associations,
        "pending_events": report.pending_events,
        "burst": report.burst,
        "goal": GOAL,
        "met": seconds <= GOAL["seconds"] and peak_mb <= GOAL["peak_rss_mb"],
        "machine": machine(),
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    out = BENCH_DIR / "results" / f"generate_{args.size}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("seconds", "peak_rss_mb", "counts", "met")}, indent=2))
    print(f"wrote {out}")
    if args.remove:
        shutil.rmtree(portal_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

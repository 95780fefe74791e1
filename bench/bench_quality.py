"""Benchmark of the quality gate and publishing: `onefunnel check` and `onefunnel publish` time on a portal
of the given size (default `large`). Writes bench/results/quality_<size>.json.

The inputs are built once and kept under <data>/bench/quality-<size>/ (portal, landing, warehouse; any of
them may be a symlink to an existing pipeline's folder, used read-only), so a second run measures only the
gate: generate (if missing) -> full extraction, unthrottled (if no landing)
-> dbt build (if no warehouse) -> measured: check (landing checkpoint), check (everything, with Data Docs),
publish. Each measured step runs in its own process, like the Airflow task that runs it, so the times
include interpreter and library start-up (GX takes several seconds to import).

    .venv/bin/python bench/bench_quality.py [--size large|demo|tiny] [--runs 1] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
TOKEN = "bench-quality-token"  # noqa: S105 - synthetic local portal only


def _env(data: Path, url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUBSPOT_", "AIRFLOW_CONN_"))}
    env.update(
        ONEFUNNEL_DATA_DIR=str(data),
        ONEFUNNEL_PORTAL_TOKEN=TOKEN,
        HUBSPOT_ACCESS_TOKEN=TOKEN,
        ONEFUNNEL_WAREHOUSE=str(data / "warehouse" / "warehouse.duckdb"),
        ONEFUNNEL_SERVING_PATH=str(data / "serving" / "serving.duckdb"),
        PYTHONPATH=str(REPO / "src"),
    )
    if url:
        env["HUBSPOT_HOST"] = url
    return env


def _python(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", code, *args]


def _onefunnel(*args: str) -> list[str]:
    return _python("from onefunnel.cli import main; main()", *args)


def timed(command: list[str], env: dict[str, str], *, ok_codes=(0,)) -> dict:
    """Run a command as a child process: wall seconds, its own peak RSS (wait4), exit code, output tail."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    if code not in ok_codes:
        raise RuntimeError(
            f"{' '.join(command[-4:])} exited {code}:\n{output[-4000:].decode(errors='replace')}"
        )
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "exit_code": code,
        "output": output.decode(errors="replace"),
    }


class Server:
    def __init__(self, portal: Path, data: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            _onefunnel(
                "portal", "serve", "--dir", str(portal), "--port", str(port), "--token", TOKEN, "--fast"
            ),
            env=_env(data),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("portal server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)


def prepare(data: Path, size: str) -> dict:
    """Build what is missing: portal, landing (one full extraction), warehouse. Returns the setup times."""
    setup: dict[str, float] = {}
    portal = data / "portal"
    have_landing = any((data / "landing" / "_runs").glob("*.json"))
    if not have_landing and not (portal / "portal.sqlite").exists():
        print(f"generating a {size} portal ...", flush=True)
        setup["generate_s"] = timed(
            _onefunnel("portal", "generate", "--dir", str(portal), "--size", size, "--overwrite"), _env(data)
        )["seconds"]
    if not have_landing:
        print("extracting (full, unthrottled) ...", flush=True)
        server = Server(portal, data)
        try:
            setup["extract_s"] = timed(
                _onefunnel("extract", "--full", "--tier", "unlimited"), _env(data, server.url)
            )["seconds"]
        finally:
            server.stop()
    warehouse = data / "warehouse" / "warehouse.duckdb"
    if not warehouse.exists():
        print("building the warehouse (dbt) ...", flush=True)
        # Month freezing is the warehouse's own step and not part of what this benchmark measures.
        code = (
            "import sys; from pathlib import Path; from onefunnel.warehouse import build_warehouse; "
            "build_warehouse(landing_dir=Path(sys.argv[1]), warehouse_path=Path(sys.argv[2]), "
            "freeze_due=False)"
        )
        setup["dbt_build_s"] = timed(_python(code, str(data / "landing"), str(warehouse)), _env(data))[
            "seconds"
        ]
    return setup


def measure(data: Path) -> dict:
    env = _env(data)
    check_code = (
        "import sys, json; from onefunnel.quality.cli import check; "
        "sys.argv = ['check', *sys.argv[1:]]; check()"
    )
    publish_code = "import sys; from onefunnel.quality.cli import publish; sys.argv = ['publish']; publish()"
    landing = timed(
        _python(check_code, "--checkpoint", "landing", "--no-docs", "--json"), env, ok_codes=(0, 1)
    )
    full = timed(_python(check_code, "--json"), env, ok_codes=(0, 1))
    summary = json.loads(full["output"][full["output"].index("{") :])
    published = timed(_python(publish_code), env, ok_codes=(0, 1))
    snapshot = data / "serving" / "serving.duckdb"
    return {
        "check_landing_s": landing["seconds"],
        "check_landing_peak_rss_mb": landing["peak_rss_mb"],
        "check_all_s": full["seconds"],
        "check_all_peak_rss_mb": full["peak_rss_mb"],
        "check_all_in_process_s": summary["metrics"].get("duration_s"),
        "check_all_engine_start_s": summary["metrics"].get("engine_start_s"),
        "check_status": summary["status"],
        "checks": summary["counts"],
        "blocking": summary["blocking"],
        "active_records": summary["metrics"].get("active_records"),
        "publish_s": published["seconds"],
        "publish_peak_rss_mb": published["peak_rss_mb"],
        "published": published["exit_code"] == 0,
        "publish_output": published["output"].strip().splitlines()[-3:],
        "snapshot_mb": round(snapshot.stat().st_size / 1e6, 1) if snapshot.exists() else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="large", choices=("tiny", "demo", "large"))
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    data = (args.data_dir or REPO / "data" / "bench" / f"quality-{args.size}").resolve()
    data.mkdir(parents=True, exist_ok=True)
    setup = prepare(data, args.size)
    runs = [measure(data) for _ in range(args.runs)]
    result = {
        "name": f"quality_{args.size}",
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "size": args.size,
        "runs": args.runs,
        "median_check_all_s": statistics.median(run["check_all_s"] for run in runs),
        "median_check_landing_s": statistics.median(run["check_landing_s"] for run in runs),
        "median_publish_s": statistics.median(run["publish_s"] for run in runs),
        "setup": setup,
        "per_run": runs,
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            # The machine may be shared: the load says how much of it the measurement had.
            "load_average_at_end": [round(value, 2) for value in os.getloadavg()],
        },
        "note": "times include process start-up and imports; the machine may be shared with other work",
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"quality_{args.size}.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "per_run"}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

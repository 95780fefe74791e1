"""The whole pipeline on the demo portal through each HubSpot API path family (issue 14): date-versioned
`2026-09` paths and the legacy `/crm/v3` + `/crm/v4` family. Writes bench/results/api_versions_demo.json.

For each family, in a fresh data folder: `onefunnel extract --full --api-version <family>` against the demo
portal served in --fast mode (no latency, no limits; `--tier unlimited`), the landing compared with the
portal's manifest exactly (onefunnel.landing.verify, the same comparison the integration tests use), then
`onefunnel transform --as-of <portal clock>`, `onefunnel check --no-docs`, `onefunnel publish`. Recorded per
family: active / archived ids landed vs the manifest per object (exact or not), the portal's own request
log grouped by path family (`/v3/`, `/v4/`, date-versioned) plus the extractor's path log (`--timeline`),
seconds per stage, the quality status and the publish result. Finally the published
marts.funnel_period_monthly of the two snapshots are compared row for row.

Goals: both families exact; the 2026-09 run calls no /v3/ and no /v4/ path, the legacy run only /v3/ and
/v4/ paths; both pass the gate and publish; the period funnel is identical.

    .venv/bin/python bench/bench_api_versions.py [--versions 2026-09,legacy] [--portal DIR]

The portal is data/portals/demo (`onefunnel portal generate --size demo`), generated when missing; data
folders live under $ONEFUNNEL_DATA_DIR/bench/api_versions/<family> and are replaced on every run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
RESULT_FILE = RESULTS / "api_versions_demo.json"
TOKEN = "bench-api-versions-token"  # noqa: S105 - the local portal's synthetic data only
VERSIONS = ("2026-09", "legacy")
FUNNEL_TABLE = "marts.funnel_period_monthly"

sys.path.insert(0, str(REPO / "src"))


def _env(data_dir: Path, url: str | None = None) -> dict[str, str]:
    drop = ("HUBSPOT_", "AIRFLOW_CONN_", "ONEFUNNEL_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
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


def _run(stage: str, data_dir: Path, *args: str, url: str | None = None) -> tuple[float, int, str]:
    """One CLI stage in a fresh process; (seconds, exit code, stdout). stderr goes to <data>/<stage>.log."""
    started = time.monotonic()
    completed = subprocess.run(
        _onefunnel(*args), env=_env(data_dir, url), capture_output=True, text=True, check=False, cwd=REPO
    )
    seconds = round(time.monotonic() - started, 2)
    (data_dir / f"{stage}.log").write_text(completed.stderr + completed.stdout)
    return seconds, completed.returncode, completed.stdout


def _portal(portal_dir: Path | None) -> Path:
    from onefunnel import config

    portal_dir = portal_dir or config.portal_dir("demo")
    if not (portal_dir / "portal.sqlite").exists():
        print(f"generating the demo portal in {portal_dir}", flush=True)
        subprocess.run(
            _onefunnel("portal", "generate", "--dir", str(portal_dir), "--size", "demo"),
            env=_env(config.data_dir()),
            check=True,
        )
    return portal_dir


def _path_families(log: dict[str, int]) -> dict[str, int]:
    """Requests per path family from an endpoint log ("GET /crm/objects/{version}/..." or a concrete path)."""
    families = {"v3": 0, "v4": 0, "date_versioned": 0, "other": 0}
    for endpoint, count in log.items():
        path = endpoint.split(" ", 1)[-1]
        if "/v3/" in path:
            families["v3"] += count
        elif "/v4/" in path:
            families["v4"] += count
        elif "{version}" in path or any(f"/{v}" in path for v in ("2026-09", "2026-03")):
            families["date_versioned"] += count
        else:
            families["other"] += count
    return families


def _funnel_rows(snapshot: Path) -> tuple[list[str], list[tuple]]:
    import duckdb

    with duckdb.connect(str(snapshot), read_only=True) as con:
        cursor = con.execute(f"select * from {FUNNEL_TABLE} order by all")
        columns = [d[0] for d in cursor.description]
        return columns, cursor.fetchall()


def run_family(version: str, portal_dir: Path, manifest: dict, work: Path) -> dict:
    from onefunnel.landing.verify import compare_with_manifest, problems
    from onefunnel.portal.server import PortalServer, ServerOptions

    data_dir = work / version
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    result: dict = {"api_version": version, "data_dir": os.path.relpath(data_dir, REPO)}
    seconds: dict[str, float] = {}
    timeline = data_dir / "timeline.json"

    # the demo portal, --fast (what `onefunnel portal serve --fast` runs), fresh request counters per family
    server = PortalServer(portal_dir, ServerOptions.fast(TOKEN), host="127.0.0.1", port=0).start()
    try:
        seconds["extract"], code, _ = _run(
            "extract",
            data_dir,
            "extract",
            "--full",
            "--api-version",
            version,
            "--tier",
            "unlimited",
            "--log-format",
            "json",
            "--timeline",
            str(timeline),
            url=server.url,
        )
        stats = server.stats()
    finally:
        server.stop()
    result["extract_exit_code"] = code
    landing = data_dir / "landing"
    runs = sorted((landing / "_runs").glob("*.json"))
    run = json.loads(runs[-1].read_bytes()) if runs else {}
    result["run"] = {
        "ok": code == 0,
        "api_version": run.get("api_version"),
        "requests": (run.get("totals") or {}).get("requests"),
        "retries": (run.get("totals") or {}).get("retries"),
    }

    # the landing zone against the manifest, exactly (ids, counts, checksums)
    report = compare_with_manifest(manifest["objects"], landing)
    found = problems(report)
    result["landing_vs_manifest"] = {
        "exact": not found,
        "problems": found,
        "objects": {
            name: {
                "active_landed": entry["active"]["landed"],
                "active_manifest": entry["active"]["manifest"],
                "archived_landed": entry["archived"]["landed"],
                "archived_manifest": entry["archived"]["manifest"],
                "exact": entry["exact"],
            }
            for name, entry in report.items()
        },
        "rows_landed": sum(e["active"]["landed"] + e["archived"]["landed"] for e in report.values()),
        "rows_manifest": sum(e["active"]["manifest"] + e["archived"]["manifest"] for e in report.values()),
    }

    # who called what: the portal's log (route templates) and the extractor's (concrete paths)
    called = json.loads(timeline.read_bytes()).get("paths", {}) if timeline.exists() else {}
    result["requests"] = {
        "portal_served": stats["served"],
        "portal_by_api_version": stats["by_api_version"],
        "portal_by_path_family": _path_families(stats["by_endpoint"]),
        "extractor_by_path_family": _path_families(called),
        "portal_by_endpoint": stats["by_endpoint"],
        "portal_by_status": stats["by_status"],
    }
    (timeline.unlink() if timeline.exists() else None)  # large; its path counts are recorded above

    clock = manifest.get("clock")
    transform_args = ("transform", "--as-of", clock) if clock else ("transform",)
    seconds["transform"], code, _ = _run("transform", data_dir, *transform_args)
    result["transform_exit_code"] = code
    if code != 0:  # what dbt reported, so a failed family says why
        log = (data_dir / "transform.log").read_text().splitlines()
        result["transform_errors"] = [line for line in log if "Error" in line or "failed" in line][:10]
    seconds["check"], code, out = _run("check", data_dir, "check", "--no-docs", "--json")
    result["check_exit_code"] = code
    try:
        summary = json.loads(out)
        result["quality"] = {"status": summary.get("status"), "counts": summary.get("counts")}
        if result["quality"]["counts"] is None:
            checks = summary.get("checks", [])
            result["quality"]["counts"] = {
                "checks": len(checks),
                "not_passed": sorted(c["name"] for c in checks if c.get("status") != "passed"),
            }
    except json.JSONDecodeError:
        result["quality"] = {"status": None, "error": out[-500:]}
    seconds["publish"], code, out = _run("publish", data_dir, "publish", "--json")
    result["publish_exit_code"] = code
    try:
        published = json.loads(out)
        result["publish"] = {
            k: published.get(k) for k in ("published", "run_id", "quality_status", "warnings", "reasons")
        }
    except json.JSONDecodeError:
        result["publish"] = {"published": False, "error": out[-500:]}
    seconds["total"] = round(sum(seconds.values()), 2)
    result["seconds"] = seconds
    result["passed"] = bool(
        result["run"]["ok"]
        and result["landing_vs_manifest"]["exact"]
        and result["transform_exit_code"] == 0
        and result["check_exit_code"] == 0
        and result["publish"].get("published")
    )
    return result


def main() -> int:
    from onefunnel import config
    from onefunnel.portal.manifest import build_manifest

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--versions", default=",".join(VERSIONS))
    parser.add_argument("--portal", type=Path, default=None, help="Portal folder (data/portals/demo).")
    args, _unknown = parser.parse_known_args()  # run_all.py passes its own arguments to every bench
    versions = [v.strip() for v in args.versions.split(",") if v.strip()]

    portal_dir = _portal(args.portal)
    manifest = build_manifest(portal_dir)
    work = config.data_dir() / "bench" / "api_versions"
    families = {}
    for version in versions:
        print(f"== {version}", flush=True)
        families[version] = run_family(version, portal_dir, manifest, work)
        print(json.dumps({k: families[version][k] for k in ("passed", "seconds")}), flush=True)

    goals: dict[str, bool] = {}
    for version, family in families.items():
        by_family = family["requests"]["portal_by_path_family"]
        logs = (by_family, family["requests"]["extractor_by_path_family"])
        goals[f"{version}_pipeline_passed"] = family["passed"]
        if version == "legacy":
            goals["legacy_only_v3_v4_paths"] = all(log["date_versioned"] + log["other"] == 0 for log in logs)
        else:
            goals[f"{version}_no_v3_no_v4_paths"] = all(log["v3"] + log["v4"] == 0 for log in logs) and all(
                log["date_versioned"] > 0 for log in logs
            )

    comparison: dict = {"table": FUNNEL_TABLE}
    snapshots = {v: work / v / "serving" / "serving.duckdb" for v in families}
    if len(families) >= 2 and all(path.exists() for path in snapshots.values()):
        tables = {v: _funnel_rows(path) for v, path in snapshots.items()}
        (_first, (columns, rows)), *others = tables.items()
        comparison.update(columns=columns, rows=len(rows))
        comparison["identical"] = all(cols == columns and other == rows for _v, (cols, other) in others)
        comparison["contacts_entered_total"] = sum(row[columns.index("contacts_entered")] for row in rows)
        comparison["differing_rows"] = {
            v: len(set(other) ^ set(rows)) for v, (_cols, other) in others if other != rows
        }
        goals["funnel_period_identical"] = comparison["identical"]
    else:
        comparison["identical"] = None
        comparison["why_not_compared"] = {v: str(p) for v, p in snapshots.items() if not p.exists()} or (
            "only one family was run"
        )
        goals["funnel_period_identical"] = False

    payload = {
        "name": "api_versions_demo",
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "portal": {
            "dir": os.path.relpath(portal_dir, REPO),
            "size": manifest.get("size"),
            "seed": manifest.get("seed"),
            "clock": manifest.get("clock"),
            "server": "in-process, ServerOptions.fast (as portal serve --fast: no latency, no limits)",
        },
        "method": (
            "per family a fresh data folder; each stage a fresh `onefunnel` process timed start to exit: "
            "extract --full --tier unlimited --api-version <family>; transform --as-of <portal clock>; "
            "check --no-docs; publish. Landing compared with the portal manifest by "
            "onefunnel.landing.verify.compare_with_manifest (active/archived ids, counts, sha256)."
        ),
        "families": families,
        "funnel_period_comparison": comparison,
        "goals": goals,
        "met": all(goals.values()),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    RESULT_FILE.write_text(json.dumps(payload, indent=2) + "\n")
    print(json.dumps({"goals": goals, "met": payload["met"]}, indent=2))
    print(f"results in {RESULT_FILE}")
    return 0 if payload["met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())

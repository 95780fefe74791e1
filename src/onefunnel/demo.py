"""`onefunnel demo`: the whole product on a laptop, against the local synthetic portal.

    demo portal (generated once) -> served on 127.0.0.1 -> the main DAG run through Airflow
    (`airflow dags test`, SQLite metadata DB under data/airflow) -> dashboard on 127.0.0.1

`--portal-profile custom-stages` runs the same demo on a portal whose lifecycle stages are customised
(renamed, one removed, two custom stages with numeric values; see definitions.custom-stages.yml): its own
portal (`<size>-custom-stages`), its own data folder (`$ONEFUNNEL_DATA_DIR/custom-stages`: landing zone,
warehouse, Airflow, snapshot) and that definitions file, so it never mixes with the default demo.

Reruns reuse what exists: the portal, the Airflow metadata database and pools, the landing zone and the
warehouse (so the DAG's second run is incremental). If a run fails after an earlier success, the demo says
why and serves the last good snapshot.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import click

from onefunnel import config

PORTAL_PROFILES = ("default", "custom-stages")  # onefunnel.portal.gen_lifecycle.PROFILES
# The change the demo previews after its pipeline run: sales answer an MQL within 8 hours instead of 24, and
# referrals count as sales-sourced. Applied to the definitions in use, so the rest of the file is theirs.
DEMO_PROPOSED_CHANGE = (
    ("first_touch_hours: 24", "first_touch_hours: 8"),
    ("  REFERRALS: marketing", "  REFERRALS: sales"),
)
CUSTOM_STAGES_DEFINITIONS = config.REPO_ROOT / "definitions.custom-stages.yml"


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _stop_on_sigterm(_signum, _frame) -> None:
    raise KeyboardInterrupt  # `kill PID` stops the demo as cleanly as Ctrl-C (portal and dashboard too)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_http(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - our own 127.0.0.1 server
                if answer.status == 200:
                    return True
        except OSError:
            time.sleep(0.5)
    return False


def _use_profile_environment(profile: str) -> None:
    """Point this process and its children (Airflow, the dashboard) at the profile's data and definitions.

    Set before anything resolves a path: the landing zone, warehouse, Airflow home and snapshot all hang
    off ONEFUNNEL_DATA_DIR, and every definitions reader honours ONEFUNNEL_DEFINITIONS.
    """
    data_root = config.data_dir() / profile
    os.environ["ONEFUNNEL_DATA_DIR"] = str(data_root)
    os.environ.setdefault("ONEFUNNEL_DEFINITIONS", str(CUSTOM_STAGES_DEFINITIONS))
    definitions = os.environ["ONEFUNNEL_DEFINITIONS"]
    click.echo(f"portal profile {profile}: data in {data_root}, definitions {definitions}")


def _preview_a_definitions_change() -> None:
    """The demo's second act: what a proposed definitions change would do, before anyone adopts it."""
    from onefunnel.definitions import DefinitionsError, definitions_path
    from onefunnel.warehouse.build import WarehouseBuildError
    from onefunnel.warehouse.preview import default_preview_dir, preview_definitions

    current = definitions_path()
    text = current.read_text(encoding="utf-8")
    if not all(old in text for old, _ in DEMO_PROPOSED_CHANGE):
        click.echo(f"definitions preview skipped: {current} does not hold the demo's example rules")
        return
    for old, new in DEMO_PROPOSED_CHANGE:
        text = text.replace(old, new, 1)
    proposed = default_preview_dir() / "definitions.proposed.yml"
    proposed.parent.mkdir(parents=True, exist_ok=True)
    proposed.write_text(text, encoding="utf-8")
    click.echo("previewing a definitions change (8-hour sales SLA, referrals sales-sourced) …")
    started = time.monotonic()
    try:
        result = preview_definitions(proposed, current=current)
    except (DefinitionsError, WarehouseBuildError) as error:
        # The pipeline's snapshot is good: say why the preview is missing and serve the dashboard anyway.
        click.echo(f"definitions preview failed, the dashboard is served without it: {error}", err=True)
        return
    click.echo(
        f"preview ready in {time.monotonic() - started:.0f} s: {len(result.changes)} metric-months change "
        f"(report {result.report_path}; dashboard page 'Definitions preview')"
    )


def _publish_dbt_docs(snapshot: Path) -> None:
    """dbt docs of the warehouse the DAG just built, next to the snapshot, for the dashboard's Docs page."""
    from onefunnel.warehouse.docs import DbtDocsError, generate_dbt_docs, publish_dbt_docs

    click.echo("generating dbt docs for the dashboard's Docs page …")
    try:
        generated = generate_dbt_docs()
        published = publish_dbt_docs(generated.path, snapshot)
    except DbtDocsError as error:  # the numbers are served anyway; the Docs page says dbt docs are missing
        click.echo(f"dbt docs not generated: {error}", err=True)
        return
    click.echo(f"dbt docs ready in {generated.seconds:.0f} s ({published})")


@click.command()
@click.option("--port", type=int, default=config.DEFAULT_PORTAL_PORT, show_default=True, help="Portal port.")
@click.option("--dashboard-port", type=int, default=8501, show_default=True)
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--size", type=click.Choice(["tiny", "demo", "large"]), default="demo", show_default=True)
@click.option("--skip-pipeline", is_flag=True, help="Serve what was published last; do not run the DAG.")
@click.option("--no-serve", is_flag=True, help="Run the pipeline, print the URLs and exit (for timing, CI).")
@click.option(
    "--no-preview",
    is_flag=True,
    help="Skip the definitions preview the demo runs after the pipeline (two more warehouse builds).",
)
@click.option(
    "--portal-profile",
    type=click.Choice(PORTAL_PROFILES),
    default="default",
    show_default=True,
    help="custom-stages: a portal with customised lifecycle stages, mapped by definitions.custom-stages.yml "
    "(own portal, data folder and definitions; the default demo's data is left alone).",
)
def demo(
    port: int,
    dashboard_port: int,
    seed: int,
    size: str,
    skip_pipeline: bool,
    no_serve: bool,
    no_preview: bool,
    portal_profile: str,
) -> None:
    """Generate the demo portal if needed, serve it, run the main DAG through Airflow, serve the dashboard."""
    from onefunnel.dashboard_cli import streamlit_command
    from onefunnel.orchestration.bootstrap import LocalAirflow, default_home
    from onefunnel.orchestration.paths import serving_path
    from onefunnel.portal.generate import generate_portal
    from onefunnel.portal.server import PortalServer, ServerOptions
    from onefunnel.portal.store import portal_file

    started = time.monotonic()
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    portal_name = size if portal_profile == "default" else f"{size}-{portal_profile}"
    target = config.portal_dir(portal_name)
    if portal_profile != "default":
        _use_profile_environment(portal_profile)
    if portal_file(target).exists():
        click.echo(f"reusing the {portal_name} portal in {target}")
    else:
        click.echo(f"generating the {portal_name} portal (seed {seed}) in {target} …")
        report = generate_portal(target, size=size, seed=seed, profile=portal_profile)
        click.echo(f"generated in {report.seconds:.1f} s")
    token = config.local_portal_token()
    portal_port = port if _free(port) else 0  # a second demo, or another service, has the port: any port
    server = PortalServer(target, ServerOptions.fast(token), host="127.0.0.1", port=portal_port).start()
    dashboard = None
    try:
        click.echo(f"local HubSpot portal: {server.url}")
        snapshot = serving_path()
        if not skip_pipeline:
            airflow = LocalAirflow(
                home=default_home(), data_dir=config.data_dir(), portal_url=server.url, token=token
            )
            airflow.prepare(echo=click.echo)
            click.echo("running the onefunnel_funnel DAG through Airflow (airflow dags test) …")
            run_started = time.monotonic()
            completed = airflow.dags_test(capture=True)
            log_file = airflow.home / "last-demo-run.log"
            log_file.write_text(completed.stdout + completed.stderr)
            if completed.returncode != 0:
                click.echo(f"the DAG run failed (log: {log_file}); last lines:", err=True)
                click.echo("\n".join((completed.stdout + completed.stderr).splitlines()[-25:]), err=True)
                if not snapshot.exists():
                    raise SystemExit(1)
                click.echo("serving the last good snapshot instead", err=True)
            else:
                click.echo(f"DAG run succeeded in {time.monotonic() - run_started:.0f} s (log: {log_file})")
                if not no_preview:
                    _preview_a_definitions_change()
                if not no_serve:
                    _publish_dbt_docs(snapshot)
        if not snapshot.exists():
            raise click.ClickException(f"no serving snapshot at {snapshot}: run without --skip-pipeline")
        dashboard_port = dashboard_port if _free(dashboard_port) else _free_port()
        dashboard_url = f"http://127.0.0.1:{dashboard_port}"
        if not no_serve:
            dashboard = subprocess.Popen(streamlit_command(dashboard_port))  # noqa: S603 - fixed argv
            if not _wait_http(f"{dashboard_url}/_stcore/health", 120):
                raise click.ClickException(f"the dashboard did not come up on {dashboard_url}")
        click.echo("")
        click.echo(f"ready in {time.monotonic() - started:.0f} s")
        click.echo(
            f"  dashboard            {dashboard_url}" + ("  (not started: --no-serve)" if no_serve else "")
        )
        click.echo(f"  local HubSpot portal {server.url}  (token: $ONEFUNNEL_PORTAL_TOKEN, dev default)")
        click.echo(f"  quality report       {dashboard_url}/docs?doc=data-docs&page=latest.html")
        click.echo(f"  dbt docs             {dashboard_url}/docs?doc=dbt")
        click.echo(f"  serving snapshot     {snapshot}")
        click.echo("  Airflow UI           `onefunnel airflow standalone` (see docs/airflow.md)")
        if no_serve:
            return
        click.echo("stop with Ctrl-C")
        while dashboard.poll() is None:
            time.sleep(1)
        raise SystemExit(dashboard.returncode)
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        if dashboard is not None and dashboard.poll() is None:
            dashboard.terminate()
            try:
                dashboard.wait(timeout=10)
            except subprocess.TimeoutExpired:
                dashboard.kill()
        server.stop()


if __name__ == "__main__":
    sys.exit(demo())

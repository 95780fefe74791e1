"""`onefunnel airflow …`: a local Airflow with onefunnel's DAGs against the local portal (or real HubSpot).

    onefunnel airflow run [--dag onefunnel_funnel] [--full-refresh]   one DAG run (airflow dags test)
    onefunnel airflow standalone                                       scheduler + UI (airflow standalone)
    onefunnel airflow env                                              the environment they use (token masked)

The local portal (data/portals/<name>) is served on 127.0.0.1 for as long as the command runs, and the
connection `hubspot_default` points at it. With --real-hubspot the connection must come from your shell
(AIRFLOW_CONN_HUBSPOT_DEFAULT); no portal is started.
"""

from __future__ import annotations

import os
import shlex
from contextlib import contextmanager

import click

from onefunnel import config

_portal_options = [
    click.option("--portal", "portal_name", default="demo", show_default=True, help="Local portal name."),
    click.option("--port", type=int, default=config.DEFAULT_PORTAL_PORT, show_default=True),
    click.option("--real-hubspot", is_flag=True, help="Use $AIRFLOW_CONN_HUBSPOT_DEFAULT, no local portal."),
]


def portal_options(function):
    for option in reversed(_portal_options):
        function = option(function)
    return function


@contextmanager
def local_airflow(portal_name: str, port: int, real_hubspot: bool):
    from onefunnel.orchestration.bootstrap import CONN_ENV, LocalAirflow, default_home

    if real_hubspot:
        connection = os.environ.get(CONN_ENV)
        if not connection:
            raise click.UsageError(f"--real-hubspot needs {CONN_ENV} in the environment (see .env.example)")
        yield LocalAirflow(
            home=default_home(),
            data_dir=config.data_dir(),
            tier=os.environ.get("ONEFUNNEL_HUBSPOT_TIER", "professional"),
            extra_env={CONN_ENV: connection},
        )
        return
    from onefunnel.portal.server import PortalServer, ServerOptions
    from onefunnel.portal.store import portal_file

    folder = config.portal_dir(portal_name)
    if not portal_file(folder).exists():
        raise click.UsageError(
            f"no portal in {folder}: `onefunnel portal generate --size {portal_name}` first"
        )
    token = config.local_portal_token()
    server = PortalServer(folder, ServerOptions.fast(token), host="127.0.0.1", port=port).start()
    click.echo(f"local HubSpot portal {portal_name}: {server.url}")
    try:
        yield LocalAirflow(
            home=default_home(), data_dir=config.data_dir(), portal_url=server.url, token=token
        )
    finally:
        server.stop()


@click.group("airflow")
def airflow_group() -> None:
    """Run onefunnel's DAGs in a local Airflow (SQLite metadata DB under data/airflow)."""


@airflow_group.command("run")
@click.option("--dag", "dag_id", default="onefunnel_funnel", show_default=True)
@click.option("--full-refresh", is_flag=True, help="Re-extract everything and rebuild incremental models.")
@portal_options
def run(dag_id: str, full_refresh: bool, portal_name: str, port: int, real_hubspot: bool) -> None:
    """One run of a DAG through Airflow (airflow dags test), then exit with its outcome."""
    with local_airflow(portal_name, port, real_hubspot) as airflow:
        airflow.prepare(echo=click.echo)
        completed = airflow.dags_test(dag_id, {"full_refresh": True} if full_refresh else None)
    raise SystemExit(completed.returncode)


@airflow_group.command("standalone")
@click.option("--api-port", type=int, default=8080, show_default=True, help="Airflow UI / API port.")
@portal_options
def standalone(api_port: int, portal_name: str, port: int, real_hubspot: bool) -> None:
    """Scheduler, DAG processor, triggerer and the UI on http://127.0.0.1:API_PORT (Ctrl-C stops all)."""
    with local_airflow(portal_name, port, real_hubspot) as airflow:
        airflow.extra_env = {
            **(airflow.extra_env or {}),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(api_port),
            # Local only: every UI user is an admin, no login (never in a shared deployment).
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        }
        airflow.prepare(echo=click.echo)
        click.echo(f"Airflow UI: http://127.0.0.1:{api_port}  (DAGs start paused: unpause onefunnel_funnel)")
        try:
            airflow.run("standalone", check=False)
        except KeyboardInterrupt:
            click.echo("stopped")


@airflow_group.command("env")
@portal_options
def env(portal_name: str, port: int, real_hubspot: bool) -> None:
    """Print the Airflow environment `run` and `standalone` use (the token masked)."""
    from onefunnel.orchestration.bootstrap import LocalAirflow, default_home

    local = LocalAirflow(
        home=default_home(),
        data_dir=config.data_dir(),
        portal_url=None if real_hubspot else f"http://127.0.0.1:{port}",
        token=None if real_hubspot else config.local_portal_token(),
    )
    for key, value in sorted(local.printable_env().items()):
        click.echo(f"export {key}={shlex.quote(value)}")

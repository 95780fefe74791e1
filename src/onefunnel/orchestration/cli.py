"""`onefunnel airflow …`: a local Airflow with onefunnel's DAGs against the local portal (or real HubSpot).

    onefunnel airflow run [--dag onefunnel_funnel] [--full-refresh]   one DAG run (airflow dags test)
    onefunnel airflow standalone                                       scheduler + UI (airflow standalone)
    onefunnel airflow env                                              the environment they use, for `eval`

The local portal (data/portals/<name>) is served on 127.0.0.1 for as long as the command runs, and the
connection `hubspot_default` points at it. With --real-hubspot the connection must come from your shell
(AIRFLOW_CONN_HUBSPOT_DEFAULT); no portal is started.

`env` prints no secret: a token, key or password appears only as a reference to the shell variable that
holds it (`"${ONEFUNNEL_PORTAL_TOKEN:?…}"`), so `eval "$(onefunnel airflow env)"` works where the variable is
set and stops naming it where it is not, and the output can be pasted into a ticket or a terminal recording.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Mapping
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


PORTAL_TOKEN_ENV = "ONEFUNNEL_PORTAL_TOKEN"  # noqa: S105 - a variable name
SHOWN_PREFIXES = ("AIRFLOW", "ONEFUNNEL_")
# Variable names that hold a secret whatever their value (tokens, keys, passwords, connection strings).
SECRET_NAME = re.compile(
    r"TOKEN|SECRET|PASSWORD|PASSWD|FERNET|PRIVATE|API_?KEY|ACCESS_KEY|CREDENTIAL|^AIRFLOW_CONN_"
)
# A URI with a password in it (scheme://user:password@host), e.g. a metadata-database connection.
URI_PASSWORD = re.compile(r"://[^/\s:@]*:[^/\s@]+@")
# Hints go inside "${NAME:?…}": no quotes, dollars, backticks or braces (bash would read them there).
SECRET_HINTS = {
    PORTAL_TOKEN_ENV: "the token of the local portal (.env.example has the synthetic default)",
    "AIRFLOW_CONN_HUBSPOT_DEFAULT": "your HubSpot connection (.env.example shows its form)",
}


def is_secret(name: str, value: str) -> bool:
    return bool(SECRET_NAME.search(name) or URI_PASSWORD.search(value))


def secret_reference(name: str) -> str:
    """`"${NAME:?…}"`: the shell fills in the value, or stops with a message when NAME is not set."""
    hint = SECRET_HINTS.get(name, "its value (it is a secret, so it is not printed)")
    return f'"${{{name}:?set {name} to {hint}}}"'


def _double_quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("`", "\\`")


def shell_exports(environment: Mapping[str, str], secrets: Mapping[str, str]) -> list[str]:
    """`export` lines for an environment, with no secret in clear.

    `secrets` maps a shell variable to the secret it holds. A value that contains one of them (the connection
    JSON holds the portal token) is written in double quotes with the secret replaced by `${VARIABLE}`; any
    other secret (by its name, or a password in a URI) is exported as a reference to itself. The references
    come first, so the values built on them resolve when the lines are eval'd in order.
    """
    references: set[str] = set(secrets)
    built: dict[str, str] = {}
    for name, value in environment.items():
        if name in references:
            continue
        quoted = _double_quoted(value)
        for variable, secret in secrets.items():
            if secret and secret in value:
                quoted = quoted.replace(_double_quoted(secret), f"${{{variable}}}")
        if quoted != _double_quoted(value) and not URI_PASSWORD.search(quoted):
            built[name] = f'"{quoted}"'
        elif is_secret(name, value) or quoted != _double_quoted(value):
            references.add(name)
        else:
            built[name] = shlex.quote(value)
    lines = [f"export {name}={secret_reference(name)}" for name in sorted(references)]
    return lines + [f"export {name}={value}" for name, value in sorted(built.items())]


@airflow_group.command("env")
@portal_options
def env(portal_name: str, port: int, real_hubspot: bool) -> None:
    """Print the Airflow environment `run` and `standalone` use, as `export` lines to eval.

    No secret is printed: tokens, keys and passwords are references to the shell variables that hold them.
    """
    from onefunnel.orchestration.bootstrap import CONN_ENV, LocalAirflow, default_home

    token = None if real_hubspot else config.local_portal_token()
    local = LocalAirflow(
        home=default_home(),
        data_dir=config.data_dir(),
        portal_url=None if real_hubspot else f"http://127.0.0.1:{port}",
        token=token,
        # as `run --real-hubspot` sizes the HubSpot pool; the local portal in fast mode has no rate limit
        tier=os.environ.get("ONEFUNNEL_HUBSPOT_TIER", "professional") if real_hubspot else "unlimited",
    )
    shown = {key: value for key, value in local.env().items() if key.startswith(SHOWN_PREFIXES)}
    # The local portal's token is referenced as $ONEFUNNEL_PORTAL_TOKEN (set or not: the built-in synthetic
    # default is a token too); real HubSpot's connection comes from the shell as a whole.
    secrets = {PORTAL_TOKEN_ENV: token} if token else {}
    if real_hubspot:
        shown[CONN_ENV] = ""
    for line in shell_exports(shown, secrets):
        click.echo(line)
    missing = [
        name for name in sorted(secrets) + ([CONN_ENV] if real_hubspot else []) if name not in os.environ
    ]
    if missing:
        click.echo(
            f"# not set in this shell: {', '.join(missing)} - export it before eval (see .env.example)",
            err=True,
        )

"""`onefunnel dashboard`: serve the shared KPI dashboard (Streamlit) on 127.0.0.1.

It reads only the published serving snapshot ($ONEFUNNEL_SERVING_PATH, else <data>/serving/serving.duckdb).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from onefunnel.config import REPO_ROOT

APP = REPO_ROOT / "dashboards" / "app.py"
DEFAULT_PORT = 8501
# The dashboard's look: light, with the blue the charts use for marketing as the accent (Streamlit's default
# accent is red, which reads as "bad" on progress bars and selected filters).
THEME = {"theme.base": "light", "theme.primaryColor": "#2563eb"}


def streamlit_command(port: int, address: str = "127.0.0.1", headless: bool = True) -> list[str]:
    """The `streamlit run` command line for the dashboard."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--server.headless",
        "true" if headless else "false",
        "--browser.gatherUsageStats",
        "false",
        # The app reads a file another process replaces; it has no source to hot-reload in production.
        "--server.fileWatcherType",
        "none",
        "--server.runOnSave",
        "false",
        # The app writes nothing by "magic" (bare expressions); skipping that rewrite saves work per rerun.
        "--runner.magicEnabled",
        "false",
        *[part for key, value in THEME.items() for part in (f"--{key}", value)],
    ]


@click.command("dashboard")
@click.option(
    "--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(1, 65535), help="Port to serve on."
)
@click.option(
    "--serving-path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Serving snapshot to read (default: $ONEFUNNEL_SERVING_PATH or <data>/serving/serving.duckdb).",
)
@click.option(
    "--address",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Keep 127.0.0.1 unless a proxy or a container network needs another.",
)
@click.option(
    "--open-browser/--no-open-browser", default=False, help="Open a browser tab when the server is up."
)
def dashboard(port: int, serving_path: Path | None, address: str, open_browser: bool) -> None:
    """Serve the shared KPI dashboard on http://127.0.0.1:PORT (reads the serving snapshot only)."""
    env = dict(os.environ)
    if serving_path is not None:
        env["ONEFUNNEL_SERVING_PATH"] = str(serving_path.resolve())
    click.echo(f"onefunnel dashboard on http://{address}:{port}  (Ctrl+C to stop)")
    command = streamlit_command(port, address=address, headless=not open_browser)
    # Become the Streamlit server (no child process): signals from a terminal or Docker reach it directly.
    os.execve(command[0], command, env)  # noqa: S606 - fixed argv: this interpreter running streamlit on our app

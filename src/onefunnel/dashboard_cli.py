"""`onefunnel dashboard`: serve the shared KPI dashboard (Streamlit) on 127.0.0.1.

It reads only the published serving snapshot ($ONEFUNNEL_SERVING_PATH, else <data>/serving/serving.duckdb).
"""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

import click

from onefunnel.config import REPO_ROOT

APP = REPO_ROOT / "dashboards" / "app.py"
DEFAULT_PORT = 8501
# The dashboard's Streamlit settings (theme, no Deploy button, server options): one file, the repo's.
# Streamlit itself reads .streamlit/ only from its working directory, so the command line passes the file's
# options as flags and `onefunnel dashboard` looks the same from any directory.
STREAMLIT_CONFIG = REPO_ROOT / ".streamlit" / "config.toml"
# Where sign-in settings ([auth]) may be: Streamlit's usual places, then the repo's own .streamlit/.
SECRETS_FILES = (
    Path.home() / ".streamlit" / "secrets.toml",
    Path(".streamlit") / "secrets.toml",
    REPO_ROOT / ".streamlit" / "secrets.toml",
)


class StreamlitConfigError(click.ClickException):
    """The dashboard's .streamlit/config.toml cannot be read or holds something Streamlit cannot take."""


def config_options(path: Path = STREAMLIT_CONFIG) -> dict[str, str]:
    """`section.option` -> value (as a command-line word) for every option of a Streamlit config.toml."""
    try:
        parsed = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StreamlitConfigError(f"the dashboard's Streamlit settings are missing: {path}") from None
    except tomllib.TOMLDecodeError as error:
        raise StreamlitConfigError(f"{path} is not valid TOML: {error}") from None
    found: dict[str, str] = {}
    for section, options in parsed.items():
        if not isinstance(options, dict):
            raise StreamlitConfigError(
                f"{path}: '{section}' must be a [section] of options (e.g. [theme]), not a value"
            )
        for key, value in options.items():
            if isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, (str, int, float)):
                text = str(value)
            else:
                raise StreamlitConfigError(
                    f"{path}: {section}.{key} must be a string, number or true/false, not "
                    f"{type(value).__name__} (nested tables and lists are not passed on the command line)"
                )
            found[f"{section}.{key}"] = text
    return found


def streamlit_command(
    port: int, address: str = "127.0.0.1", headless: bool = True, config: Path = STREAMLIT_CONFIG
) -> list[str]:
    """The `streamlit run` command line for the dashboard: the repo's config.toml as flags, then where to
    listen, and the secrets files to look in."""
    options = config_options(config)
    options.update(
        {"server.address": address, "server.port": str(port), "server.headless": str(headless).lower()}
    )
    secrets = list(dict.fromkeys(str(path.resolve()) for path in SECRETS_FILES))
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        *[part for key, value in options.items() for part in (f"--{key}", value)],
        *[part for path in secrets for part in ("--secrets.files", path)],
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

"""`onefunnel portal …`: generate, serve, advance and inspect a local synthetic HubSpot portal."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from onefunnel import config

SIZES = ("tiny", "demo", "large")
PROFILE_NAMES = ("default", "custom-stages")  # gen_lifecycle.PROFILES (not imported: keeps the CLI light)


def _portal_dir_option(function):
    return click.option(
        "--dir",
        "portal_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Portal folder (default: $ONEFUNNEL_DATA_DIR/portals/<name>).",
    )(
        click.option("--name", default="demo", show_default=True, help="Portal name under the data folder.")(
            function
        )
    )


def _resolve_dir(portal_dir: Path | None, name: str) -> Path:
    return portal_dir if portal_dir is not None else config.portal_dir(name)


def _parse_latency(_ctx, _param, value: str | None) -> tuple[float, float] | None:
    if value is None or value.lower() in ("", "0", "off", "none"):
        return None
    try:
        low, _, high = value.partition("-")
        bounds = (float(low), float(high or low))
    except ValueError:
        raise click.BadParameter(f"expected MIN-MAX milliseconds such as 150-400, got {value!r}") from None
    if bounds[0] < 0 or bounds[1] < bounds[0]:
        raise click.BadParameter(f"latency bounds must satisfy 0 <= MIN <= MAX, got {value!r}")
    return bounds


def _parse_as_of(_ctx, _param, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected an ISO date such as 2026-11-01, got {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@click.group()
def portal() -> None:
    """The local HubSpot-compatible portal (synthetic data, no HubSpot account needed)."""


@portal.command()
@_portal_dir_option
@click.option("--size", type=click.Choice(SIZES), default="demo", show_default=True)
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--as-of", callback=_parse_as_of, default=None, help="Portal clock (UTC); default today.")
@click.option("--contacts", type=int, default=None, help="Override the size's contact count.")
@click.option("--custom-properties", type=int, default=None, help="Custom contact properties (e.g. 1500).")
@click.option("--burst-size", type=int, default=None, help="Contacts sharing one lastmodifieddate.")
@click.option("--overwrite", is_flag=True, help="Replace an existing portal.")
@click.option(
    "--profile",
    type=click.Choice(PROFILE_NAMES),
    default="default",
    show_default=True,
    help="Lifecycle stages: HubSpot's defaults, or custom-stages (renamed, one removed, two custom "
    "stages with numeric values, some contacts dated only by history; see definitions.custom-stages.yml).",
)
def generate(
    portal_dir, name, size, seed, as_of, contacts, custom_properties, burst_size, overwrite, profile
) -> None:
    """Generate a deterministic synthetic portal on disk."""
    from onefunnel.portal.generate import generate_portal

    target = _resolve_dir(portal_dir, name)

    def progress(stage: str, done: int, total: int) -> None:
        if sys.stderr.isatty():
            click.echo(f"\r{stage}: {done:,}/{total:,}", nl=False, err=True)

    report = generate_portal(
        target,
        size=size,
        seed=seed,
        as_of=as_of,
        contacts=contacts,
        custom_properties=custom_properties,
        burst_size=burst_size,
        overwrite=overwrite,
        progress=progress,
        profile=profile,
    )
    if sys.stderr.isatty():
        click.echo("", err=True)
    click.echo(f"portal generated in {target}")
    click.echo(json.dumps(_jsonable(report), indent=2, default=str))


@portal.command()
@_portal_dir_option
@click.option("--days", type=click.IntRange(min=1), required=True, help="Days to move the clock forward.")
def advance(portal_dir, name, days) -> None:
    """Move the portal's clock forward: new records, progressions, updates, deletions, merges."""
    from onefunnel.portal.advance import advance_portal

    report = advance_portal(_resolve_dir(portal_dir, name), days)
    click.echo(json.dumps(_summarise_advance(_jsonable(report)), indent=2, default=str))


@portal.command()
@_portal_dir_option
@click.option("--write", is_flag=True, help="Also write manifest.json beside the portal file.")
def manifest(portal_dir, name, write) -> None:
    """Print the ground-truth manifest (ids per object, counts, checksums) of the current state."""
    from onefunnel.portal.manifest import build_manifest, write_manifest

    target = _resolve_dir(portal_dir, name)
    if write:
        click.echo(f"wrote {write_manifest(target)}", err=True)
    summary = build_manifest(target)
    click.echo(json.dumps(_drop_id_lists(summary), indent=2, default=str))


@portal.command()
@_portal_dir_option
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Interface to bind (loopback by default)."
)
@click.option("--port", type=int, default=config.DEFAULT_PORTAL_PORT, show_default=True)
@click.option(
    "--token",
    envvar="ONEFUNNEL_PORTAL_TOKEN",
    default=config.DEFAULT_PORTAL_TOKEN,
    show_default=False,
    help="Bearer token the portal accepts [env ONEFUNNEL_PORTAL_TOKEN].",
)
@click.option(
    "--tier",
    type=click.Choice(["free", "starter", "professional", "enterprise", "api_pack", "unlimited"]),
    default="professional",
    show_default=True,
)
@click.option("--fast", is_flag=True, help="No latency, no faults, unlimited rate (tests and demo).")
@click.option(
    "--latency", callback=_parse_latency, default=None, help="Per-request latency MIN-MAX ms, e.g. 150-400."
)
@click.option("--fault-429", type=click.FloatRange(0, 1), default=0.0, help="Share of extra 429 responses.")
@click.option(
    "--fault-5xx", type=click.FloatRange(0, 1), default=0.0, help="Share of 500/502/503/504 responses."
)
@click.option(
    "--fault-reset", type=click.FloatRange(0, 1), default=0.0, help="Share of connections reset mid-body."
)
@click.option("--fault-slow", type=click.FloatRange(0, 1), default=0.0, help="Share of responses that stall.")
@click.option("--slow-seconds", type=float, default=30.0, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for latency and fault draws.")
def serve(
    portal_dir,
    name,
    host,
    port,
    token,
    tier,
    fast,
    latency,
    fault_429,
    fault_5xx,
    fault_reset,
    fault_slow,
    slow_seconds,
    seed,
) -> None:
    """Serve a generated portal over HubSpot's API on 127.0.0.1."""
    from onefunnel.portal.server import PortalServer, ServerOptions

    target = _resolve_dir(portal_dir, name)
    if fast:
        options = ServerOptions.fast(token)
    else:
        options = ServerOptions(
            token=token,
            tier=tier,
            latency_ms=latency,
            fault_429=fault_429,
            fault_5xx=fault_5xx,
            fault_reset=fault_reset,
            fault_slow=fault_slow,
            slow_seconds=slow_seconds,
            seed=seed,
        )
    server = PortalServer(target, options, host=host, port=port)
    click.echo(f"local HubSpot portal {target.name} serving at http://{host}:{server_port(server, port)}")
    click.echo("token: set HUBSPOT_ACCESS_TOKEN to the portal token (see --token / ONEFUNNEL_PORTAL_TOKEN)")
    click.echo("stop with Ctrl-C")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def server_port(server, requested: int) -> int:
    url = getattr(server, "url", "")
    return int(url.rsplit(":", 1)[1]) if url.count(":") == 2 else requested


def _jsonable(value):
    from dataclasses import asdict, is_dataclass

    return asdict(value) if is_dataclass(value) else value


def _drop_id_lists(manifest_dict):
    # The printed summary stays readable; the full id lists are in manifest.json (--write).
    if isinstance(manifest_dict, dict):
        return {
            key: _drop_id_lists(value) for key, value in manifest_dict.items() if not key.endswith("_ids")
        }
    return manifest_dict


def _summarise_advance(report):
    if isinstance(report, dict):
        return {
            key: (
                len(value)
                if isinstance(value, list | dict) and key.endswith(("ids", "merged"))
                else _summarise_advance(value)
            )
            for key, value in report.items()
        }
    return report

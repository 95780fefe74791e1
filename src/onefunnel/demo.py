"""`onefunnel demo`: the whole product on a laptop, against the local synthetic portal.

Reruns reuse what exists: the demo portal is generated once and served again.
"""

from __future__ import annotations

import time

import click

from onefunnel import config


@click.command()
@click.option("--port", type=int, default=config.DEFAULT_PORTAL_PORT, show_default=True, help="Portal port.")
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--size", type=click.Choice(["tiny", "demo", "large"]), default="demo", show_default=True)
def demo(port: int, seed: int, size: str) -> None:
    """Generate the demo portal if needed and serve it on 127.0.0.1 until Ctrl-C."""
    from onefunnel.portal.generate import generate_portal
    from onefunnel.portal.manifest import build_manifest
    from onefunnel.portal.server import PortalServer, ServerOptions
    from onefunnel.portal.store import portal_file

    target = config.portal_dir(size)
    if portal_file(target).exists():
        click.echo(f"reusing the {size} portal in {target}")
    else:
        click.echo(f"generating the {size} portal (seed {seed}) in {target} …")
        report = generate_portal(target, size=size, seed=seed)
        click.echo(f"generated in {report.seconds:.1f} s")
    summary = build_manifest(target)
    token = config.local_portal_token()
    server = PortalServer(target, ServerOptions.fast(token), host="127.0.0.1", port=port).start()
    click.echo("")
    click.echo(f"local HubSpot portal: {server.url}  (clock {summary.get('clock')})")
    for object_type, counts in sorted(summary.get("objects", {}).items()):
        click.echo(f"  {object_type:<10} {counts.get('active_count', 0):>9,} active")
    click.echo("")
    click.echo("try it:")
    click.echo(f"  curl -H 'Authorization: Bearer {token}' '{server.url}/crm/v3/objects/contacts?limit=2'")
    click.echo("  (the token is the local portal's dev default; set ONEFUNNEL_PORTAL_TOKEN to change it)")
    click.echo("stop with Ctrl-C")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.stop()

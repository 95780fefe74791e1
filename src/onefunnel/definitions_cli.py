"""`onefunnel definitions preview PROPOSED.yml`: what a definitions change would do, before it is adopted."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group("definitions")
def definitions_group() -> None:
    """The shared definitions file (definitions.yml) both teams own."""


@definitions_group.command("preview")
@click.argument("proposed", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--current",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Definitions in use to compare against (default: $ONEFUNNEL_DEFINITIONS or ./definitions.yml).",
)
@click.option(
    "--landing-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Landing zone both builds read (default: $ONEFUNNEL_LANDING_DIR or $ONEFUNNEL_DATA_DIR/landing).",
)
@click.option(
    "--preview-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the two builds, preview.duckdb and preview.md go (default: $ONEFUNNEL_DATA_DIR/preview).",
)
@click.option("--as-of", default=None, help="Fixed 'now' (ISO, UTC) for both builds (default: now).")
@click.option(
    "--markdown",
    "markdown_out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the Markdown report here (e.g. for a pull-request comment).",
)
def preview(proposed, current, landing_dir, preview_dir, as_of, markdown_out) -> None:
    """Build the marts under PROPOSED and under the definitions in use, from the same landing zone, side by
    side (the warehouse and the published numbers are not touched), and report metric by metric and month
    by month what changes and which records move. Exit 0 with no differences, 1 with differences."""
    from onefunnel.definitions import DefinitionsError
    from onefunnel.warehouse.build import WarehouseBuildError
    from onefunnel.warehouse.preview import preview_definitions

    try:
        result = preview_definitions(
            proposed, current=current, landing_dir=landing_dir, preview_dir=preview_dir, as_of=as_of
        )
    except DefinitionsError as error:
        click.echo(f"definitions: {error}", err=True)
        sys.exit(2)
    except WarehouseBuildError as error:
        click.echo(f"preview build failed: {error}", err=True)
        sys.exit(2)
    report = result.report_path.read_text(encoding="utf-8")
    if markdown_out:
        markdown_out.write_text(report, encoding="utf-8")
    click.echo(report)
    click.echo(f"Preview data: {result.preview_path} (the dashboard's Definitions preview page reads it).")
    sys.exit(0 if result.identical else 1)

"""`onefunnel transform` (build the warehouse) and `onefunnel month-close` (freeze months as reported)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.command()
@click.option(
    "--landing-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Landing zone (default: $ONEFUNNEL_LANDING_DIR or $ONEFUNNEL_DATA_DIR/landing).",
)
@click.option(
    "--warehouse",
    "warehouse_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="DuckDB file (default: $ONEFUNNEL_WAREHOUSE or $ONEFUNNEL_DATA_DIR/warehouse/warehouse.duckdb).",
)
@click.option(
    "--definitions",
    "definitions_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Definitions file (default: $ONEFUNNEL_DEFINITIONS or ./definitions.yml).",
)
@click.option("--select", "select", multiple=True, help="dbt selection (repeatable); default: everything.")
@click.option("--full-refresh", is_flag=True, help="Rebuild incremental models from the whole landing zone.")
@click.option("--as-of", default=None, help="Fixed 'now' (ISO, UTC) for aging and cohort completeness.")
@click.option("--no-freeze", is_flag=True, help="Do not freeze months whose close day has passed.")
@click.option("--print-vars", is_flag=True, help="Only print the dbt --vars built from the definitions file.")
@click.option(
    "--docs",
    is_flag=True,
    help="After the build, generate dbt docs (dbt docs generate --static) and put them next to the serving "
    "snapshot ($ONEFUNNEL_SERVING_PATH's folder, docs/dbt_docs.html), where the dashboard serves them.",
)
def transform(
    landing_dir, warehouse_path, definitions_path, select, full_refresh, as_of, no_freeze, print_vars, docs
) -> None:
    """Build the warehouse (dbt build: models, data tests, unit tests) from the landing zone."""
    from onefunnel.definitions import DefinitionsError, load_definitions
    from onefunnel.warehouse.build import WarehouseBuildError, build_warehouse, dbt_vars

    try:
        if print_vars:
            click.echo(json.dumps(dbt_vars(load_definitions(definitions_path), as_of)))
            return
        result = build_warehouse(
            landing_dir,
            warehouse_path,
            definitions_path,
            select=list(select) or None,
            full_refresh=full_refresh,
            as_of=as_of,
            freeze_due=not no_freeze,
        )
    except DefinitionsError as error:
        click.echo(f"definitions: {error}", err=True)
        sys.exit(2)
    except WarehouseBuildError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    how = f"full refresh: {result.full_refresh_reason}" if result.full_refresh else "incremental"
    click.echo(
        f"warehouse {result.warehouse_path} built in {result.seconds:.1f} s ({how}) with definitions "
        f"{result.definitions_version}: {result.models_built} models, {result.tests_passed} tests passed"
        + (f"; froze {', '.join(result.frozen_months)}" if result.frozen_months else "")
    )
    for note in result.notes:
        click.echo(note)
    if docs:
        _publish_docs(result.warehouse_path, landing_dir, definitions_path)


def _publish_docs(warehouse_path: Path, landing_dir: Path | None, definitions_path: Path | None) -> None:
    from onefunnel.publish.serving import serving_path
    from onefunnel.warehouse.docs import DbtDocsError, generate_dbt_docs, publish_dbt_docs

    try:
        generated = generate_dbt_docs(warehouse_path, landing_dir, definitions_path)
        published = publish_dbt_docs(generated.path, serving_path())
    except DbtDocsError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    click.echo(f"dbt docs generated in {generated.seconds:.1f} s and published to {published}")


@click.command("month-close")
@click.option(
    "--month", "months", multiple=True, help="Month to freeze (YYYY-MM, repeatable); default: all due."
)
@click.option("--warehouse", "warehouse_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option(
    "--accountability-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where frozen months live (default: beside the warehouse, or $ONEFUNNEL_ACCOUNTABILITY_DIR).",
)
@click.option(
    "--definitions", "definitions_path", type=click.Path(dir_okay=False, path_type=Path), default=None
)
@click.option("--force", is_flag=True, help="Freeze a named month even before its close day.")
def month_close(months, warehouse_path, accountability_dir, definitions_path, force) -> None:
    """Freeze months as "reported" (exactly, once); later builds show restatements against them."""
    from onefunnel.definitions import DefinitionsError, load_definitions
    from onefunnel.warehouse.build import default_warehouse_path
    from onefunnel.warehouse.freeze import (
        close_date,
        default_accountability_dir,
        due_months,
        freeze_month,
        is_frozen,
    )

    warehouse_path = warehouse_path or default_warehouse_path()
    accountability_dir = accountability_dir or default_accountability_dir(warehouse_path)
    try:
        definitions = load_definitions(definitions_path)
    except DefinitionsError as error:
        click.echo(f"definitions: {error}", err=True)
        sys.exit(2)
    due = due_months(warehouse_path, definitions, accountability_dir)
    chosen = list(months) or due
    early = [m for m in chosen if m not in due and not is_frozen(accountability_dir, m)]
    if early and not force:
        closes = ", ".join(f"{m} closes on {close_date(m, definitions)}" for m in early)
        click.echo(f"not closed yet ({closes}, as of the data); use --force to freeze anyway", err=True)
        sys.exit(2)
    for month in chosen:
        frozen = freeze_month(month, warehouse_path, accountability_dir)
        click.echo(f"{month}: {'frozen' if frozen else 'already frozen, kept as reported'}")
    if not chosen:
        click.echo("no month is due")

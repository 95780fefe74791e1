"""`onefunnel check` and `onefunnel publish`: the quality gate and the serving snapshot, from the shell.

Exit codes: 0 = passed (or passed with warnings) / published; 1 = critical checks failed / publish refused;
2 = the command was used wrongly (unknown checkpoint, invalid suite file).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

_path = click.Path(path_type=Path)


@click.command()
@click.option(
    "--checkpoint",
    "checkpoints",
    multiple=True,
    help="Run only this checkpoint (repeatable): landing, warehouse. Default: all, in order.",
)
@click.option(
    "--landing-dir", type=_path, default=None, help="Landing zone (default: $ONEFUNNEL_DATA_DIR/landing)."
)
@click.option(
    "--warehouse",
    "warehouse_path",
    type=_path,
    default=None,
    help="Warehouse DuckDB file (default: $ONEFUNNEL_WAREHOUSE or <data>/warehouse/warehouse.duckdb).",
)
@click.option(
    "--quality-dir",
    type=_path,
    default=None,
    help="Where summaries, history and Data Docs go (default: <data>/quality).",
)
@click.option(
    "--expectations",
    "expectations_dir",
    type=_path,
    default=None,
    help="Suite folder (default: the repo's expectations/).",
)
@click.option("--run-id", default=None, help="Id for this quality run (default: a new sortable id).")
@click.option(
    "--landing-run",
    "landing_run_id",
    default=None,
    help="Extraction run to check (default: the newest in <landing>/_runs/).",
)
@click.option(
    "--waive",
    multiple=True,
    help="Lower a critical check to a warning for this run only (repeatable); recorded as waived.",
)
@click.option("--no-docs", is_flag=True, help="Skip building Data Docs.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON instead of a table.")
def check(
    checkpoints,
    landing_dir,
    warehouse_path,
    quality_dir,
    expectations_dir,
    run_id,
    landing_run_id,
    waive,
    no_docs,
    as_json,
) -> None:
    """Run the quality checkpoints, build Data Docs, and record the summary and history."""
    from onefunnel.quality.runner import CheckOptions, run_checks
    from onefunnel.quality.suites import SuiteError

    try:
        summary = run_checks(
            CheckOptions(
                checkpoints=list(checkpoints) or None,
                landing_dir=landing_dir,
                warehouse_path=warehouse_path,
                quality_dir=quality_dir,
                expectations_dir=expectations_dir,
                run_id=run_id,
                landing_run_id=landing_run_id,
                waive=list(waive),
                build_docs=not no_docs,
            )
        )
    except SuiteError as error:
        raise click.UsageError(str(error)) from None
    if as_json:
        click.echo(summary.to_json().decode())
    else:
        _print_summary(summary)
    sys.exit(0 if summary.status.publishable else 1)


@click.command()
@click.option(
    "--warehouse", "warehouse_path", type=_path, default=None, help="Warehouse DuckDB file to publish."
)
@click.option(
    "--target",
    type=_path,
    default=None,
    help="Serving snapshot path (default: $ONEFUNNEL_SERVING_PATH or <data>/serving/serving.duckdb).",
)
@click.option("--quality-dir", type=_path, default=None, help="Where `onefunnel check` recorded its results.")
@click.option("--run-id", default=None, help="Quality run to publish (default: the latest).")
@click.option(
    "--schema",
    "schemas",
    multiple=True,
    help="Warehouse schema to copy (repeatable; default: $ONEFUNNEL_SERVING_SCHEMAS or marts).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def publish(warehouse_path, target, quality_dir, run_id, schemas, as_json) -> None:
    """Publish the checked warehouse as the new serving snapshot (atomic); refuse if the gate did not pass."""
    from onefunnel.publish.snapshot import PublishRefused
    from onefunnel.publish.snapshot import publish as publish_snapshot

    try:
        result = publish_snapshot(
            warehouse_path=warehouse_path,
            target=target,
            quality_dir=quality_dir,
            run_id=run_id,
            schemas=list(schemas) or None,
        )
    except PublishRefused as refused:
        if as_json:
            click.echo(json.dumps({"published": False, "reasons": refused.reasons}, indent=2))
        else:
            click.echo("Not published; the previous snapshot keeps serving.", err=True)
            for reason in refused.reasons:
                click.echo(f"  - {reason}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps({"published": True, **result.as_dict()}, indent=2, default=str))
        return
    click.echo(
        f"Published run {result.run_id} to {result.serving_path} "
        f"({len(result.tables)} tables, quality {result.quality_status}, {result.duration_s:.2f}s)."
    )
    for warning in result.warnings:
        click.echo(f"  warning: {warning}")
    for note in result.notes:  # e.g. copies a killed publish left behind, removed now
        click.echo(f"  note: {note}")


def _print_summary(summary) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=False, soft_wrap=True)
    colours = {"passed": "green", "warning": "yellow", "failed": "red"}
    counts = summary.counts()
    status = summary.status.value
    console.print(
        f"[bold {colours[status]}]{status.upper()}[/] quality run {summary.run_id} "
        f"(extraction {summary.landing_run_id or '-'}, data as of {summary.data_as_of or '-'}): "
        f"{counts['passed']}/{counts['checks']} checks passed, {counts['failed_critical']} critical, "
        f"{counts['failed_warning']} warning(s)"
    )
    failing = [check for check in summary.checks if check.status.value != "passed"]
    if failing:
        table = Table(show_lines=False)
        for column in ("severity", "check", "status", "message"):
            table.add_column(column, overflow="fold")
        for check in sorted(failing, key=lambda c: (c.severity.value != "critical", c.name)):
            table.add_row(check.severity.value, check.name, check.status.value, check.message)
        console.print(table)
    for note in summary.notes:
        console.print(f"note: {note}")
    if summary.data_docs:
        console.print(f"Data Docs: {summary.data_docs}")

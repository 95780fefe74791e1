"""`onefunnel audiences export`: each sales rep's prospect audience as ad-platform files, from the serving
snapshot (the same step the main DAG runs after every publish)."""

from __future__ import annotations

from pathlib import Path

import click

from onefunnel.audiences.formats import FORMATS


@click.group("audiences")
def audiences() -> None:
    """Prospect audiences: each sales rep's working prospects as ad-platform audience files."""


@audiences.command("export")
@click.option(
    "--owner",
    "owners",
    multiple=True,
    metavar="OWNER_ID",
    help="HubSpot owner id of a sales rep (repeatable). Default: every rep with working prospects.",
)
@click.option(
    "--format",
    "chosen_formats",
    multiple=True,
    type=click.Choice(list(FORMATS)),
    help="Only this format (repeatable). Default: every format definitions.yml turns on.",
)
@click.option(
    "--serving-path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Serving snapshot to read (default: $ONEFUNNEL_SERVING_PATH or <data>/serving/serving.duckdb).",
)
@click.option(
    "--exports-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Root of the exports (default: $ONEFUNNEL_EXPORTS_DIR or <data>/exports).",
)
def export(
    owners: tuple[str, ...],
    chosen_formats: tuple[str, ...],
    serving_path: Path | None,
    exports_dir: Path | None,
) -> None:
    """Write one file per rep and format plus a manifest under <exports>/audiences/<run id>/.

    Lists below their minimum audience size are withheld, with the reason in the manifest."""
    from onefunnel.audiences.exporter import AudienceExportError, export_audiences, run_dir
    from onefunnel.audiences.formats import UnknownFormat
    from onefunnel.publish.serving import ServingSnapshotMissing

    try:
        manifest = export_audiences(
            serving_path=serving_path,
            exports_root=exports_dir,
            owners=list(owners) or None,
            chosen_formats=list(chosen_formats) or None,
        )
    except (AudienceExportError, UnknownFormat, ServingSnapshotMissing) as error:
        raise click.ClickException(str(error)) from None
    folder = run_dir(manifest["run_id"], exports_dir)
    click.echo(
        f"prospect audiences of run {manifest['run_id']} (definitions {manifest['definitions_version']}, "
        f"data as of {manifest['data_as_of']}) in {folder}"
    )
    shown = set(owners) or set(manifest["owners"])
    for owner_id, owner in manifest["owners"].items():
        if owner_id not in shown:
            continue
        excluded = ", ".join(f"{reason} {count}" for reason, count in owner["excluded"].items() if count)
        click.echo(
            f"  {owner['owner_name'] or owner_id} ({owner_id}): {owner['included']} of "
            f"{owner['candidates']} prospects" + (f"; excluded: {excluded}" if excluded else "")
        )
        for format_key, entry in owner["files"].items():
            if chosen_formats and format_key not in chosen_formats:
                continue
            if entry["status"] == "written":
                click.echo(f"    {format_key}: {entry['rows']} rows -> {entry['file']}")
            else:
                click.echo(f"    {format_key}: withheld ({entry['reason']}: {entry['detail']})")
    totals = manifest["totals"]
    click.echo(f"{totals['files_written']} files written, {totals['files_withheld']} withheld")

"""`onefunnel extract`: HubSpot -> landing zone, with a live progress display on a terminal and structured
JSON log lines otherwise, ending with a summary table. Heavy modules load only when the command runs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

OBJECT_CHOICES = (
    "contacts",
    "companies",
    "deals",
    "calls",
    "emails",
    "meetings",
    "notes",
    "tasks",
    "leads",
    "owners",
    "pipelines",
    "properties",
    "campaigns",
    "account",
)


def _split_names(_ctx, _param, values: tuple[str, ...]) -> tuple[str, ...]:
    names: list[str] = []
    for value in values:
        names.extend(part.strip() for part in value.replace(",", " ").split() if part.strip())
    unknown = [name for name in names if name not in OBJECT_CHOICES]
    if unknown:
        raise click.BadParameter(
            f"unknown object(s) {', '.join(unknown)}; choose from {', '.join(OBJECT_CHOICES)}"
        )
    return tuple(dict.fromkeys(names))


@click.command()
@click.option(
    "--objects",
    "objects",
    multiple=True,
    callback=_split_names,
    help="Objects to extract (comma or space separated, repeatable). Default: all.",
)
@click.option(
    "--full/--incremental",
    "full",
    default=False,
    help="Full: list every record. Incremental (default): search what changed since the watermark "
    "(objects without a watermark run full).",
)
@click.option(
    "--full-refresh",
    "full_refresh",
    multiple=True,
    callback=_split_names,
    help="Objects to re-extract from scratch, dropping their watermark and checkpoint.",
)
@click.option(
    "--landing-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Landing zone (default: $ONEFUNNEL_DATA_DIR/landing).",
)
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Watermarks and checkpoints (default: $ONEFUNNEL_DATA_DIR/state).",
)
@click.option(
    "--host",
    default=None,
    help="API host override, e.g. http://127.0.0.1:8765 for the local portal "
    "[env HUBSPOT_HOST / ONEFUNNEL_HUBSPOT_HOST; default: real HubSpot].",
)
@click.option(
    "--tier",
    type=click.Choice(["free", "starter", "professional", "enterprise", "api_pack", "unlimited"]),
    default="professional",
    show_default=True,
    envvar="ONEFUNNEL_HUBSPOT_TIER",
    help="Rate-limit tier the shared budget plans for [env ONEFUNNEL_HUBSPOT_TIER].",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=16,
    show_default=True,
    help="Worker threads for enrichment and association requests (paging chains run beside them).",
)
@click.option(
    "--properties-config",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    envvar="ONEFUNNEL_HUBSPOT_PROPERTIES",
    help='JSON/YAML allow/deny lists: {"contacts": {"allow": [...], "deny": ["hs_*_temp"]}, "*": {...}}.',
)
@click.option("--no-associations", is_flag=True, help="Skip association reads.")
@click.option(
    "--partition-min-records",
    type=click.IntRange(min=0),
    default=None,
    help="Full mode: objects with at least this many records also page the top of their id range "
    "through search, meeting the list in the middle (default 10000; 0 = never).",
)
@click.option(
    "--timeline",
    "timeline",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write every request's queue, grant and answer times to this JSON file (budget analysis).",
)
@click.option(
    "--api-version",
    "api_version",
    type=click.Choice(["2026-09", "2026-03", "legacy"], case_sensitive=False),
    default=None,
    help="HubSpot API version: date-versioned paths (2026-09, 2026-03) or legacy /crm/v3 + /crm/v4 "
    "[env ONEFUNNEL_HUBSPOT_API_VERSION, Airflow connection extra api_version; default 2026-09].",
)
@click.option(
    "--log-format",
    type=click.Choice(["auto", "rich", "json"]),
    default="auto",
    show_default=True,
    help="auto: progress display on a terminal, JSON lines otherwise.",
)
def extract(
    objects,
    full,
    full_refresh,
    landing_dir,
    state_dir,
    host,
    tier,
    concurrency,
    properties_config,
    no_associations,
    partition_min_records,
    timeline,
    api_version,
    log_format,
) -> None:
    """Extract HubSpot CRM and marketing data into the append-only Parquet landing zone.

    Exit codes: 0 ok, 2 configuration (also: another extraction is running on the same data folder),
    3 token refused (401/403), 4 daily limit, 5 retries exhausted, 6 other HTTP error.
    """
    from onefunnel.hubspot import settings
    from onefunnel.hubspot.client import install_redaction
    from onefunnel.hubspot.errors import ConfigurationError, ExtractError
    from onefunnel.hubspot.progress import Reporter
    from onefunnel.hubspot.properties import filters_from_config
    from onefunnel.hubspot.runner import ExtractionFailed, ExtractOptions
    from onefunnel.landing.objectstore import ObjectStoreError, run_landing_extraction
    from onefunnel.landing.state import StateLockedError
    from onefunnel.landing.writer import skip_pandas_probe

    skip_pandas_probe()  # this process never converts to pandas: spare the seconds of importing it
    interactive = log_format == "rich" or (log_format == "auto" and sys.stderr.isatty())
    reporter = Reporter(interactive=interactive)
    install_redaction()
    options = ExtractOptions(
        objects=objects or settings.ALL_OBJECTS,
        mode="full" if full else "incremental",
        full_refresh=full_refresh,
        landing_dir=landing_dir,
        state_dir=state_dir,
        host=host,
        tier=None if tier == "unlimited" else tier,
        concurrency=concurrency,
        property_filters=filters_from_config(_load_config(properties_config)) if properties_config else {},
        associations=not no_associations,
        timeline_path=timeline,
        api_version=api_version,
    )
    if partition_min_records is not None:
        options.partition_min_records = partition_min_records
    try:
        with reporter:
            summary = run_landing_extraction(options, on_streams=reporter.attach)  # local or S3
    except ExtractionFailed as failure:
        reporter.summary(failure.summary)
        reporter.fail(str(failure))
        sys.exit(failure.exit_code)
    except ExtractError as error:
        reporter.fail(str(error))
        sys.exit(error.exit_code)
    except (StateLockedError, ObjectStoreError) as error:
        # A second run on the same data folder, an unusable object store: a set-up problem, one line.
        reporter.fail(str(error))
        sys.exit(ConfigurationError.exit_code)
    reporter.summary(summary)
    for entry in summary.quarantined:
        _report_quarantined(entry, summary.run_id, interactive)


def _report_quarantined(entry: dict, run_id: str, interactive: bool) -> None:
    """One line per unreadable part the run moved aside (text on a terminal, a JSON log line otherwise)."""
    again = entry["extracted_again"]
    if not interactive:
        click.echo(json.dumps({"event": "extract.quarantined", "run_id": run_id, **entry}), err=True)
        return
    click.echo(
        f"warning: unreadable landing part {entry['part']} ({entry['reason']}) moved to "
        f"_quarantine/{run_id}/; " + (f"{again} extracted again in full" if again else "not re-extracted"),
        err=True,
    )


def _load_config(path: Path) -> dict:
    text = path.read_text()
    if path.suffix in (".yml", ".yaml"):
        import yaml

        return yaml.safe_load(text) or {}
    return json.loads(text)

"""The `onefunnel` command line: one group, subcommands registered from the package's parts."""

from __future__ import annotations

import click

from onefunnel.portal.commands import portal


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="onefunnel")
def main() -> None:
    """onefunnel: one shared sales and marketing funnel from HubSpot data."""


main.add_command(portal)


def _register_optional_commands() -> None:
    # Parts built in later issues register themselves here; a missing part must not break the CLI.
    from importlib import import_module

    for module_name, command_name in (
        ("onefunnel.extract_cli", "extract"),
        ("onefunnel.demo", "demo"),
        ("onefunnel.warehouse.cli", "transform"),
        ("onefunnel.warehouse.cli", "month_close"),
        ("onefunnel.quality.cli", "check"),
        ("onefunnel.quality.cli", "publish"),
        ("onefunnel.dashboard_cli", "dashboard"),
        ("onefunnel.orchestration.cli", "airflow_group"),
        ("onefunnel.audiences.cli", "audiences"),
        ("onefunnel.definitions_cli", "definitions_group"),
    ):
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        main.add_command(getattr(module, command_name))


_register_optional_commands()

if __name__ == "__main__":
    main()

"""Entry point of the `report-archive` command.

Each command lives in a small module next to this one (extraction, index, web) and is
registered here, so this file only wires them together.
"""

from __future__ import annotations

import click

from cli import batch_cmd, entity_cmds, extract_cmd, health_cmds, index_cmds, web_cmds


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="report-archive")
def main() -> None:
    """Ingest and search archives of periodic status reports."""


for module in (extract_cmd, index_cmds, entity_cmds, batch_cmd, health_cmds, web_cmds):
    for command in module.COMMANDS:
        main.add_command(command)

"""Index health commands: `check` verifies the index, `rebuild` makes a fresh one."""

from __future__ import annotations

import json
import sys

import click

from cli.index_access import (NoIndexUsageError, directory_only, index_dir_or_exit,
                              shows_index_option)
from search import (CheckUnsupportedError, IndexBusyError, NoIndexError, RebuildError,
                    check_index, has_index, no_index_message, rebuild_index, resolve_index_dir)

index_option = click.option(
    "--index", "index_dir", metavar="DIR",
    help="Index directory (default: $REPORT_ARCHIVE_INDEX, else .report-archive/index).")


@click.command()
@index_option
@click.option("--no-sources", is_flag=True,
              help="Check the index files only, not the reports against their source files.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def check(index_dir, no_sources, as_json):
    """Verify the index: every file and segment, and each report against its source file.

    Exits 1 and lists the problems when there are any.
    """
    directory_only(resolve_index_dir(index_dir), "check")
    path = index_dir_or_exit(index_dir)
    try:
        result = check_index(path, sources=not no_sources)
    except CheckUnsupportedError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        for problem in result.problems:
            click.echo(f"problem: {problem}")
        if result.damaged:
            click.echo(f"The index is damaged; rebuild it with: report-archive rebuild "
                       f"--index {path}")
        elif result.problems:
            click.echo(f"{len(result.problems)} problem(s) with source files; the index itself "
                       f"is whole ({result.segments} segments, {result.reports} reports).")
        else:
            click.echo(f"ok: {result.segments} segments, {result.documents} documents, "
                       f"{result.reports} reports, {result.sources_checked} source files "
                       "match what was indexed")
    if result.problems:
        sys.exit(1)


@click.command()
@index_option
@click.option("--jobs", type=click.IntRange(min=1),
              help="Worker processes (as for ingest).")
@click.option("--json", "as_json", is_flag=True, help="Print the ingest summary as JSON.")
def rebuild(index_dir, jobs, as_json):
    """Build a fresh index from the paths ingested before and swap it in atomically.

    Searches running meanwhile see the old index until the new one is complete.
    """
    path = resolve_index_dir(index_dir)
    directory_only(path, "rebuild")
    try:
        summary = rebuild_index(path, jobs=jobs)
    except NoIndexError:
        raise NoIndexUsageError(no_index_message(path, shows_index_option(path))) from None
    except (IndexBusyError, RebuildError, CheckUnsupportedError) as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=2, ensure_ascii=False))
    else:
        for _path, reason in summary.failed:
            click.echo(f"failed: {reason}", err=True)
        click.echo(f"rebuilt {path}: {summary.line()}")
    if summary.failed or not has_index(path):
        sys.exit(1)


COMMANDS = [check, rebuild]

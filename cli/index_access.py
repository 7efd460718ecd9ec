"""Opening the index for a command: no index is exit 2 with the hint, damage is one line.

`open_index` resolves ``--index`` (else $REPORT_ARCHIVE_INDEX, else the default) and refuses
a directory that holds no index, instead of answering "0 hits" from an empty archive.
`index_errors` wraps a command so that a damaged index, found when it is opened or only
later by a query that trips over a broken file, ends the command with the one-line
message that names the directory, the problem and ``report-archive rebuild``.
"""

from __future__ import annotations

import functools
from pathlib import Path

import click

from search import (DEFAULT_INDEX_DIR, EngineMismatchError, Index, IndexDamagedError, IndexUnavailableError,
                    has_index, index_damage,
                    no_index_message, resolve_index_dir)


class NoIndexUsageError(click.ClickException):
    """The index directory holds no index: ``Error: no index at DIR; run ...``, exit 2."""

    exit_code = 2


def shows_index_option(path: Path) -> bool:
    """Whether the hint should say ``--index DIR`` (anywhere but the default location)."""
    return Path(path) != DEFAULT_INDEX_DIR


def index_dir_or_exit(index_dir: str | None) -> Path:
    """The resolved index directory; NoIndexUsageError when it holds no index."""
    path = resolve_index_dir(index_dir)
    if not has_index(path):
        raise NoIndexUsageError(no_index_message(path, shows_index_option(path)))
    return path


#: What to do instead, for the commands that work on index directories only.
_INSTEAD = {
    "check": "the database server keeps its tables whole; back them up with pg_dump",
    "rebuild": "run report-archive ingest PATH... --index URL again (unchanged files are "
               "skipped), or drop the schema report_archive and ingest anew",
    "ingest --watch": "run report-archive ingest PATH... --index URL from cron instead",
    "entities candidates": "curate with an index directory built from the same files",
    "entities reannotate": "run report-archive ingest PATH... --index URL --entities FILE "
                           "after dropping the schema report_archive",
}


def directory_only(location, command: str) -> None:
    """Refuse a PostgreSQL URL for a command that works on index directories only (exit 2,
    saying what to do instead)."""
    from search._pg_conn import is_url, shown

    if is_url(location):
        raise click.UsageError(f"report-archive {command} works on an index directory, not "
                               f"on the PostgreSQL index {shown(location)}: {_INSTEAD[command]}.")


def open_index(index_dir: str | None) -> Index:
    """`search.Index` on the resolved directory, which must hold an index (built by the
    engine asked for, if any: else the message says how to rebuild)."""
    try:
        return Index(index_dir_or_exit(index_dir))
    except EngineMismatchError as error:
        raise click.ClickException(str(error)) from None


def index_errors(command):
    """Turn a damaged index met anywhere in `command` into its one-line error (exit 1)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (IndexDamagedError, IndexUnavailableError) as error:
            raise click.ClickException(str(error)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception:
            # A query may hit a broken file the cheap check on opening could not see
            # (an index without a manifest): if the index is damaged, say so instead.
            path = resolve_index_dir(kwargs.get("index_dir"))
            problem = index_damage(path) if has_index(path) else None
            if problem is None:
                raise
            raise click.ClickException(str(IndexDamagedError(path, problem))) from None

    return wrapper

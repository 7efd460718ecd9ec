"""`report-archive ingest --watch DIR...`: the watched inbox (see search.watch_paths).

Ctrl-C sets a flag instead of raising, so the watcher finishes the commit in progress and
stops between commits; the catch-up ingest at the start is an ordinary ingest (Ctrl-C there
leaves the index at its last commit, as for any ingest).
"""

from __future__ import annotations

import signal
import threading
from datetime import datetime
from pathlib import Path

import click

from ingest import EntityConfigError
from search import IndexBusyError, watch_paths


def _log(message: str) -> None:
    click.echo(f"{datetime.now().strftime('%Y-%m-%d %H:%M:%S')}  {message}")


def watch_dirs(paths, index_dir: Path, jobs, prune: bool, settle: float, **options) -> None:
    """Run the watcher on `paths` (directories) until Ctrl-C or SIGTERM; `options` go to
    every ingest (entities_file, read_options)."""
    not_dirs = [p for p in paths if not Path(p).is_dir()]
    if not_dirs:
        raise click.UsageError(f"--watch needs directories to watch: {', '.join(not_dirs)} "
                               f"{'is' if len(not_dirs) == 1 else 'are'} not. Give the "
                               "directory the files arrive in.")
    stop = threading.Event()

    def request_stop(signum, _frame) -> None:
        if not stop.is_set():
            _log("stopping after the current commit")
        stop.set()

    try:
        watch_paths(paths, index_dir, _log, stop, prune=prune, settle=settle, jobs=jobs,
                    on_watching=lambda: (signal.signal(signal.SIGINT, request_stop),
                                         signal.signal(signal.SIGTERM, request_stop)),
                    **options)
    except (IndexBusyError, EntityConfigError) as error:
        raise click.ClickException(str(error)) from None
    _log("stopped")

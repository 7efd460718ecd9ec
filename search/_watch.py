"""A watched inbox: keep the index in step with directories as files land, change or go.

`watch_paths` first brings the index up to date with the directories (an ordinary
ingest), then waits for file events from the operating system (watchfiles: inotify on
Linux). A file is ingested only once it has stopped changing: its size and mtime must
stay the same for `settle` seconds, so a report still being copied in is never read half
written. Each ready file is ingested in its own commit, and one line is logged per change
(added, updated, removed, failed). A deleted file's report is removed only with `prune`.

`stop` (a `threading.Event`) ends the loop between commits: the CLI sets it from its
Ctrl-C handler, so an interrupt never cuts a commit short.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from itertools import chain
from pathlib import Path

from search._ingest import ingest_paths
from search._types import IndexBusyError, IngestSummary

Log = Callable[[str], None]


def wanted(path: Path, roots: Iterable[Path]) -> bool:
    """Whether `path` is a file an ingest of `roots` would pick up (same rules as the walk:
    a supported suffix, no hidden part below the root, not a README, not a symbolic link
    out of the roots)."""
    from ingest import SUPPORTED_SUFFIXES
    from ingest.walk import leaves_roots

    if path.suffix.lower() not in SUPPORTED_SUFFIXES or path.name.lower().startswith("readme"):
        return False
    if leaves_roots(path, roots):  # its target could be any file on the machine
        return False
    for root in roots:
        try:
            parts = path.relative_to(root).parts
        except ValueError:
            continue
        return not any(part.startswith(".") for part in parts)
    return False


class _Pending:
    """Files seen changing, and when each was last seen different (size, mtime)."""

    def __init__(self, settle: float) -> None:
        self.settle = settle
        self.files: dict[Path, tuple[tuple[int, int] | None, float]] = {}

    def touch(self, path: Path) -> None:
        self.files[path] = (None, time.monotonic())

    def discard(self, path: Path) -> None:
        self.files.pop(path, None)

    def ready(self) -> list[Path]:
        """Files unchanged for `settle` seconds (taken out); the others stay pending."""
        now, out = time.monotonic(), []
        for path, (seen, since) in list(self.files.items()):
            try:
                st = os.stat(path)
            except OSError:  # gone again before it settled: the delete event handles it
                del self.files[path]
                continue
            state = (st.st_size, st.st_mtime_ns)
            if state != seen:
                self.files[path] = (state, now)
            elif now - since >= self.settle:
                del self.files[path]
                out.append(path)
        return sorted(out)


def _outcome(summary: IngestSummary) -> str:
    if summary.failed:
        return "failed"
    if summary.added:
        return "added"
    if summary.updated:
        return "updated"
    return "unchanged"


def watch_paths(dirs: Iterable[str | Path], index_dir: str | Path, log: Log,
                stop: threading.Event, prune: bool = False, settle: float = 2.0,
                jobs: int | None = None, on_watching: Callable[[], object] | None = None,
                **ingest_options) -> None:
    """Ingest `dirs`, then keep ingesting what changes in them until `stop` is set.

    `on_watching()` is called once the catch-up ingest is done, before waiting for events
    (the CLI installs its Ctrl-C handler there). `ingest_options` (``entities_file``,
    ``read_options``) go to every `ingest_paths` call."""
    import watchfiles

    roots = [Path(d).resolve() for d in dirs]
    # Wake at least every half settle time to look at pending files even with no events.
    tick = max(50, int(settle * 500))
    events = watchfiles.watch(*roots, watch_filter=lambda _c, p: wanted(Path(p), roots),
                              debounce=tick, step=50, rust_timeout=tick,
                              yield_on_timeout=True, stop_event=stop, raise_interrupt=False)
    # The first answer (events or a timeout) means the OS watch is in place: catching up
    # only then means a file that lands during the catch-up is not missed.
    try:
        first = next(events, set())
        summary = ingest_paths(roots, index_dir, jobs=jobs, prune=prune, **ingest_options)
        log(f"up to date: {summary.line()}")
        for path, reason in summary.failed:
            log(f"failed {path}: {reason}")
        if on_watching is not None:
            on_watching()
        log(f"watching {', '.join(map(str, roots))} (Ctrl-C to stop)")
        pending = _Pending(settle)
        deleted: set[Path] = set()
        for changes in chain([first], events):
            for change, raw in changes:
                path = Path(raw)
                if change == watchfiles.Change.deleted and not path.exists():
                    pending.discard(path)
                    deleted.add(path)
                else:
                    deleted.discard(path)
                    pending.touch(path)
            for path in pending.ready():
                if stop.is_set():
                    return
                _ingest_one(path, index_dir, ingest_options, log, pending)
            if deleted and not stop.is_set() and _deleted(sorted(deleted), index_dir, prune, log):
                deleted.clear()
    finally:
        events.close()  # stops the OS watch


def _ingest_one(path: Path, index_dir, options: dict, log: Log, pending: _Pending) -> None:
    from ingest import report_id

    try:
        summary = ingest_paths([path], index_dir, jobs=1, **options)
    except IndexBusyError as error:
        log(f"waiting: {error}")
        pending.touch(path)  # try again once the other writer is done
        return
    outcome = _outcome(summary)
    if outcome == "failed":
        log(f"failed {path}: {summary.failed[0][1]}")
    elif outcome != "unchanged":  # a touch or an identical copy changes nothing
        log(f"{outcome} {path} as report {report_id(path)}")


def _deleted(paths: list[Path], index_dir, prune: bool, log: Log) -> bool:
    """Log (and with `prune` remove) deleted files' reports; False to try again later."""
    from ingest import report_id
    from search._index import Index

    index = Index(index_dir)
    try:
        indexed = {r.id for r in index.reports()}
    finally:
        index.close()
    gone = [p for p in paths if report_id(p) in indexed]  # never indexed: nothing to say
    if not gone:
        return True
    if not prune:
        for path in gone:
            log(f"deleted {path}: its report {report_id(path)} stays in the index "
                "(watch with --prune to remove it)")
        return True
    try:
        ingest_paths([], index_dir, prune=True, jobs=1)
    except IndexBusyError as error:
        log(f"waiting: {error}")
        return False
    for path in gone:
        log(f"removed {path}: report {report_id(path)}")
    return True

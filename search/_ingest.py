"""`ingest_paths`: bring the index up to date with a set of report files.

Files whose sha256 is already indexed are skipped; the rest are extracted in worker
processes, streamed back with a bounded number in flight (memory stays flat however large
the archive), and committed every `COMMIT_EVERY` reports, so a killed run loses at most one
batch and a re-run picks up where it stopped (committed files now count as unchanged).
"""

from __future__ import annotations

import hashlib
import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

from search import _aggregate
from search._entity import record_entities_file
from search._lock import write_lock
from search._types import IngestSummary
from search._writer import batch, existing, open_or_create, refresh_summary, segment_count

#: Reports per commit: small enough that a kill loses little, large enough to keep
#: segment count (and merge work) down.
COMMIT_EVERY = 200
#: Also commit when this many seconds passed since the last commit.
COMMIT_SECONDS = 30.0

#: Merge all segments at the end of a run when there are more than this many: a query costs
#: about twice as much over 13 segments as over one (measured at 10k sections).
MAX_SEGMENTS = 6

Progress = Callable[[int, int], None]


def sha256_of(path: Path) -> str:
    """The file's sha256, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_MATCHERS: dict = {}


def _extract(path: str, entities_file: str | None):
    """Worker: extract one file; returns (path, report, None) or (path, None, reason)."""
    from ingest import IngestError, extract_report

    try:
        if entities_file not in _MATCHERS:
            _MATCHERS[entities_file] = _load_matcher(entities_file)
        return path, extract_report(Path(path), matcher=_MATCHERS[entities_file]), None
    except IngestError as e:
        return path, None, str(e)
    except Exception as e:  # a reader bug must not abort the archive: report it, go on
        return path, None, f"{path}: unexpected {type(e).__name__}: {e}"


def _worker_init() -> None:
    """Workers leave Ctrl-C to the parent, which stops the pool and keeps the last commit
    (otherwise every worker prints its own KeyboardInterrupt traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _load_matcher(entities_file: str | None):
    try:
        from ingest.entities import load_matcher
    except ImportError:
        return None
    return load_matcher(Path(entities_file) if entities_file else None)


def _extracted(paths: list[str], entities_file: str | None, jobs: int) -> Iterator[tuple]:
    """Extraction results as they complete, at most 2 * jobs files in flight."""
    if jobs <= 1 or len(paths) <= 1:
        for p in paths:
            yield _extract(p, entities_file)
        return
    todo = iter(paths)
    with ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init) as pool:
        pending: set = set()
        try:
            while True:
                while len(pending) < 2 * jobs:
                    p = next(todo, None)
                    if p is None:
                        break
                    pending.add(pool.submit(_extract, p, entities_file))
                if not pending:
                    return
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    yield fut.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def ingest_paths(paths: Iterable[str | Path], index_dir: str | Path,
                 entities_file: str | Path | None = None, jobs: int | None = None,
                 prune: bool = False, progress: Progress | None = None) -> IngestSummary:
    """Index the report files under `paths` into `index_dir`; see the module docs.

    `progress(done, total)` is called before and after each file that needs extracting.
    Raises IndexBusyError when another process holds the write lock, and
    ingest.EntityConfigError for an unusable entities file.
    """
    from ingest import iter_report_files

    started = time.monotonic()
    index_dir = Path(index_dir)
    jobs = jobs or os.cpu_count() or 1
    entities = str(entities_file) if entities_file else None
    # Load the entity configuration here first: a bad file is one error for the whole run
    # (EntityConfigError propagates), not a failure per report. Forked workers inherit it.
    _MATCHERS[entities] = _load_matcher(entities)
    with write_lock(index_dir):
        ix = open_or_create(index_dir)
        record_entities_file(index_dir, entities)
        known = existing(ix)
        known_shas = {v["sha256"] for v in known.values()}
        todo, unchanged = [], 0
        for path in iter_report_files([Path(p) for p in paths]):
            try:
                digest = sha256_of(path)
            except OSError:
                digest = None  # unreadable: extraction will report why
            if digest in known_shas:
                unchanged += 1
            else:
                todo.append(str(path))
        gone = [rid for rid, v in known.items() if not Path(v["source_abs"]).exists()] \
            if prune else []
        removed = len(gone)
        counts = {"added": 0, "updated": 0}
        failed: list[tuple[str, str]] = []
        seen: dict[str, str] = {}  # report id -> file, to catch two files claiming one id
        total, done = len(todo), 0
        if progress:
            progress(0, total)
        results = _extracted(todo, entities, jobs)
        more = bool(todo or gone)  # nothing to change: no commit, the generation stays
        try:
            while more:
                with batch(ix) as b:
                    for rid in gone:
                        b.delete(rid)
                    gone, pending, since = [], 0, time.monotonic()
                    for path, report, reason in results:
                        done += 1
                        if report is not None and report.id in seen:
                            reason = (f"{path}: report id {report.id!r} is also produced by "
                                      f"{seen[report.id]}; rename one of the files")
                        if reason is not None:
                            failed.append((path, reason))
                        else:
                            seen[report.id] = path
                            counts["updated" if report.id in known else "added"] += 1
                            b.put(report, os.path.abspath(path))
                            pending += 1
                        if progress:
                            progress(done, total)
                        if pending >= COMMIT_EVERY or time.monotonic() - since > COMMIT_SECONDS:
                            break
                    else:
                        more = False  # all files read: commit this last batch and stop
        finally:
            results.close()
        if segment_count(ix) > MAX_SEGMENTS:
            with batch(ix, optimize=True):
                pass
        if _aggregate.read(index_dir, ix.latest_generation()) is None:
            refresh_summary(ix, index_dir)
    return IngestSummary(added=counts["added"], updated=counts["updated"], unchanged=unchanged,
                         removed=removed,
                         failed=tuple(failed), seconds=time.monotonic() - started)


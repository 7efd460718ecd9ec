"""`ingest_paths` for a PostgreSQL index: many runs at once, from many machines.

A run lists the indexed reports once, skips files whose sha256 is already there, and
extracts the rest in `jobs` processes (or in this one), spooling each report to disk with
its evidence; then the same processes write every report, each in its own transaction (see
`_pg_write.put`), with the names learned from the whole run (`_pg_live`). No lock is held
for the run: another run on another machine writes its reports meanwhile, and only two
writers of the same report id ever wait for each other (for one report's write).

A killed run loses only the reports it had not committed; a re-run writes them. A worker
process that dies stops the run with one error (`WorkerDiedError`), the written reports kept.
A run that changed the index ends with the archive-wide entity pass (`_pg_harmonise`).

``--prune`` removes reports whose file is gone, among those under the paths this run was
given (another machine's files are not ours to judge) and listed when the run started; a
report is removed only if it is still the version that was listed, so a report another
worker has just added or replaced is never pruned.
"""

from __future__ import annotations

import os
import pickle
import shutil
import signal
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path

from search import _pg_write
from search._pg_conn import IndexUnavailableError, connect, shown
from search._pg_schema import SCHEMA, ensure
from search._types import IngestSummary

#: Below this many files one process does the work (starting workers costs more).
PARALLEL_MIN_FILES = 8
#: Files queued per worker process (memory stays flat however long the run).
IN_FLIGHT = 4
#: Reports written between two looks for the evidence other runs have shared since
#: (`_pg_live.LiveNames.refresh`).
REFRESH_EVERY = 32

_worker: dict = {}


def ingest_paths_pg(paths, url: str, entities_file=None, jobs: int | None = None,
                    prune: bool = False, progress=None, read_options=None) -> IngestSummary:
    """Index the files under `paths` into the PostgreSQL database at `url` (see the module
    docs); the same contract as `search.ingest_paths`."""
    from ingest import iter_report_files
    from search._ingest import sha256_of
    from search._workers import load_matcher

    started_clock = time.monotonic()
    paths = list(paths)  # walked twice: for files, then for --prune
    jobs = jobs or os.cpu_count() or 1
    entities = str(entities_file) if entities_file else None
    load_matcher(entities)  # a bad entities file is one error for the run
    conn = connect(url)
    try:
        ensure(conn, shown(url))
        if entities:
            conn.execute(f"INSERT INTO {SCHEMA}.settings VALUES ('entities', %s) "
                         "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                         (Path(entities).read_text(encoding="utf-8"),))
        from search._archive_pass import configured_of
        from search._pg_harmonise import ensure_evidence, recorded_learned, stored_aggregate
        from search._pg_live import LiveNames
        ensure_evidence(conn)
        # The server's clock, not ours: other machines' writes are compared with it.
        started = conn.execute("SELECT clock_timestamp()").fetchone()[0]
        # Two phases: every file is read first (extracted, its evidence counted, the report
        # spooled to disk), then each report is written once, with the names learned from
        # the archive's stored evidence and this whole run's (forked workers read the
        # published version). A fresh archive's reports are then written right the first
        # time: the pass at the end rewrites only those that other writers' evidence,
        # counted meanwhile, changes. A run killed before its writes loses its reading only.
        live = LiveNames(recorded_learned(conn), stored_aggregate(conn),
                         configured_of(load_matcher(entities)), conn)
        _worker["live"] = live
        _worker.pop("version", None)
        listed = _pg_write.known(conn)
        shas = {v["sha256"] for v in listed.values()}
        todo, unchanged = [], 0
        for path in iter_report_files([Path(p) for p in paths]):
            try:
                digest = sha256_of(path)
            except OSError:
                digest = None  # unreadable: extraction says why
            if digest in shas:
                unchanged += 1
            else:
                todo.append(str(path))
        counts = {"added": 0, "updated": 0, "unchanged": 0}
        failed: list[tuple[str, str]] = []
        by_id: dict[str, list[tuple[str, str]]] = {}  # report id -> (path, status) this run
        spool = tempfile.mkdtemp(prefix="report-archive-spool-")
        spooled: list[tuple[str, str]] = []  # (path, spool file) in reading order
        steps = iter(range(1, 2 * len(todo) + 1))  # a read and a write per file

        def step() -> None:
            if progress:
                progress(next(steps), 2 * len(todo))

        def was_read(path: str, spool_file: str | None, reason: str | None,
                     evidence: dict | None, rid: str | None) -> None:
            if spool_file is None:
                failed.append((path, reason))
            else:
                spooled.append((path, spool_file))
                live.count(evidence, rid)
            step()

        def was_written(path: str, status: str, reason: str | None, rid: str | None,
                        version: int = 0, evidence: dict | None = None) -> None:
            if status == "failed":
                failed.append((path, reason))
            else:
                counts[status] += 1
                by_id.setdefault(rid, []).append((path, status))
                if status != "unchanged":
                    live.wrote(rid, version)
            written[0] += 1
            if written[0] % REFRESH_EVERY == 0:
                live.refresh()
            step()

        written = [0]
        if progress:
            progress(0, 2 * len(todo))
        pool = _Pool(url, jobs) if jobs > 1 and len(todo) >= PARALLEL_MIN_FILES else None
        try:
            if pool is None:
                for path in todo:
                    was_read(*_read_one(path, entities, read_options, spool))
                live.publish()
                for path, spool_file in spooled:
                    was_written(path, *_put_one(conn, path, spool_file, started))
            else:
                pool.run(_read_one, [(path, entities, read_options, spool) for path in todo],
                         was_read, "read")
                live.publish()
                pool.run(_work_put, [(path, f, started) for path, f in spooled], was_written,
                         "written")
                pool.close()
        finally:
            shutil.rmtree(spool, ignore_errors=True)
        _one_file_per_id(by_id, counts, failed)
        removed = 0
        if prune:
            for rid, sha in _gone(listed, paths):
                removed += _pg_write.delete_unchanged(conn, rid, sha, started)
        if counts["added"] or counts["updated"] or removed:
            from search._pg_harmonise import harmonise
            harmonise(conn, started, load_matcher(entities), live.versions(), live.run)
    finally:
        if "live" in locals():
            import psycopg
            try:
                live.withdraw()
            except psycopg.Error:
                pass  # the connection is gone: its rows count as a dead run's already
        conn.close()
        if "live" in locals():
            live.close()
    return IngestSummary(added=counts["added"], updated=counts["updated"],
                         unchanged=unchanged + counts["unchanged"], removed=removed,
                         failed=tuple(failed), seconds=time.monotonic() - started_clock)


def _one_file_per_id(by_id: dict, counts: dict, failed: list) -> None:
    """Two files of this run that gave one report id (with the same text: `put` found
    nothing to change for the second): the one that wrote stays, the others fail, as in
    the embedded engines."""
    for rid, written in by_id.items():
        if len({path for path, _ in written}) < 2:
            continue
        keep = next((w for w in written if w[1] != "unchanged"), written[0])
        for path, status in written:
            if path != keep[0]:
                counts[status] -= 1
                failed.append((path, f"{os.path.abspath(path)}: report id {rid!r} is also "
                                     f"produced by {os.path.abspath(keep[0])}; rename one of "
                                     "the files"))


def _gone(listed: dict, paths) -> list[tuple[str, str]]:
    """(id, sha256) of listed reports under `paths` whose file no longer exists."""
    roots = [os.path.abspath(p) for p in paths]
    out = []
    for rid, v in listed.items():
        src = v["source_abs"]
        mine = any(src == r or src.startswith(r.rstrip(os.sep) + os.sep) for r in roots)
        if mine and not os.path.exists(src):
            out.append((rid, v["sha256"]))
    return out


def _read_one(path: str, entities, read_options, spool: str):
    """(path, spool file or None, failure reason, evidence, report id) of extracting one
    file: the report, with its evidence, pickled into `spool` until it is written."""
    from search._workers import _with_evidence, extract

    report, reason = extract(path, entities, read_options)
    if report is None:
        return path, None, reason, None, None
    report = _with_evidence(report, entities)
    fd, name = tempfile.mkstemp(dir=spool, suffix=".report")
    with os.fdopen(fd, "wb") as out:
        pickle.dump(report, out, protocol=pickle.HIGHEST_PROTOCOL)
    return path, name, None, report.evidence, report.id


def _put_one(conn, path: str, spool_file: str, started):
    """(status, failure reason, report id, names version) of writing one spooled report
    with the run's names (see `_spread`)."""
    import psycopg

    from search._pg_harmonise import store_evidence

    with open(spool_file, "rb") as f:
        report = pickle.load(f)
    os.unlink(spool_file)
    report, version = _spread(report)
    try:
        status, reason = _pg_write.put(conn, report, os.path.abspath(path), started)
        if status in ("added", "updated"):
            live = _worker.get("live")
            store_evidence(conn, report, live.run if live is not None else None)
        return status, reason, report.id, version
    except psycopg.DataError as error:  # text the server refuses: this file fails, not the run
        return "failed", f"{path}: the database refused the report: {error}", report.id


def _spread(report):
    """(`report` with the names the run knows now, the version of those names)."""
    live = _worker.get("live")
    if live is None:
        return report, 0
    version = live.version.value
    if _worker.get("version") != version:
        from ingest.entity_consistency import Spreader
        from ingest.model import VIA_ARCHIVE

        learned = live.read(version)
        _worker["spreader"] = Spreader(learned, via=VIA_ARCHIVE) if learned else None
        _worker["version"] = version
    if _worker["spreader"] is None:
        return report, version
    from ingest.entity_evidence import spread

    return spread(report, _worker["spreader"]), version


def _init(url: str) -> None:
    # Ctrl-C is the parent's to handle: it stops the workers (a worker stopped mid-report
    # leaves nothing: the server rolls its transaction back). Otherwise every worker prints
    # its own KeyboardInterrupt and psycopg's failed rollback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker["conn"] = connect(url)


def _work_put(path: str, spool_file: str, started):
    return path, *_put_one(_worker["conn"], path, spool_file, started)


class WorkerDiedError(IndexUnavailableError):
    """An ingest worker process died (killed, out of memory); ``str()`` says what to do."""


class _Pool:
    """`jobs` forked worker processes, each with its own connection, for both phases of a
    run. A worker that dies stops the run with WorkerDiedError; the reports written so far
    stay (each was committed on its own), and a re-run writes the rest."""

    def __init__(self, url: str, jobs: int) -> None:
        ctx = get_context("fork")  # inherits the loaded entity matcher and the run's names
        self.jobs = jobs
        self.pool = ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init,
                                        initargs=(url,))
        # The executor's own list of its processes: the only way to stop them at once (its
        # shutdown waits for every queued file).
        self.procs = getattr(self.pool, "_processes", None)  # filled as the workers start
        if self.procs is None:
            self.procs = {}

    def run(self, fn, tasks: list[tuple], record, doing: str) -> None:
        """`record(*fn(*task))` for every task, a few queued per worker at a time."""
        done = 0
        queue = iter(tasks)
        try:
            pending = set()
            while True:
                while len(pending) < self.jobs * IN_FLIGHT:
                    task = next(queue, None)
                    if task is None:
                        break
                    pending.add(self.pool.submit(fn, *task))
                if not pending:
                    break
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    record(*future.result())
                    done += 1
        except BrokenProcessPool:
            # No exit code: the executor has terminated the other workers by now, and which
            # code is the dead one's it does not say.
            _stop(self.pool, self.procs)
            raise WorkerDiedError(
                f"An ingest worker process died (killed, or out of memory?) after {done} of "
                f"{len(tasks)} files {doing}; the reports "
                "written so far are kept. Run the same ingest again to write the rest (written "
                "files are skipped); if a worker dies again, run it with --jobs 1 to see which "
                "file it was.") from None
        except BaseException:
            _stop(self.pool, self.procs)
            raise

    def close(self) -> None:
        self.pool.shutdown()


def _stop(pool, procs) -> None:
    """Stop the workers now, dropping the queued files."""
    alive = list(procs.values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in alive:
        if proc.is_alive():
            proc.terminate()
    for proc in alive:
        proc.join(timeout=10)


def write_reports_pg(url: str, reports, delete=()) -> None:
    """`search._writer.write_reports` for a PostgreSQL index (tests, tools): drop the
    `delete` ids, then write each report in its own transaction."""
    conn = connect(url)
    try:
        ensure(conn, shown(url))
        started = conn.execute("SELECT clock_timestamp()").fetchone()[0]
        for rid in delete:
            conn.execute(f"DELETE FROM {SCHEMA}.reports WHERE id = %s", (rid,))
        for report in reports:
            status, reason = _pg_write.put(conn, report, os.path.abspath(report.source),
                                           started)
            if status == "failed":
                raise ValueError(reason)
    finally:
        conn.close()

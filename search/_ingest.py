"""`ingest_paths`: bring the index up to date with a set of report files.

Files whose sha256 is already indexed are skipped. The rest go to workers (search._workers)
that extract each file and write its documents into their own new segment, with a bounded
number of files in flight (memory stays flat however large the archive). The files are
batched by `COMMIT_EVERY` files or `COMMIT_WORK` pages per worker (or `COMMIT_SECONDS`); for
each batch the parent asks each worker for its segment and commits them all at once (the
engine's `commit`, see search._engine; tantivy's documents come in parts, each handed to its
writer on arrival). With the archive-wide entity pass (always, but for a bench measuring it)
the run is in two phases: every file is read first (the workers spool the reports to disk
and send each one's evidence), then, with the run's final learned names, the batches are
written and committed one after another; so the run's own reports are written once, never
rewritten by the pass. A killed run leaves the last commit: killed while reading, it loses
what it read; killed while writing, at most one batch; a re-run picks up where it stopped
(committed files now count as unchanged) and makes the full pass if the stored names are
stale. The write lock is held for the whole run. summary.json is updated from the rows the
workers send back, or rebuilt by streaming the report documents when reports were replaced
or removed.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from pathlib import Path

from search import _aggregate
from search._archive_pass import ArchivePass, config_key
from search._entity import record_entities_file
from search._lock import write_lock
from search._rebuild import record_sources
from search._types import IngestSummary
from search._engine import open_engine, record_engine, requested_engine
from search._workers import InlineWorkers, ProcessWorkers, IN_FLIGHT, clear_stage, load_matcher
from search._writer import refresh_summary

#: Files per worker per commit (each worker's share becomes one segment): small enough that
#: a kill loses little, large enough to keep segment count (and merge work) down.
COMMIT_EVERY = 200
#: ... or this many pages of work (`work_of`) per worker, whichever comes first: a batch's
#: documents wait in the parent and tantivy's writer until its commit, and the files go out
#: longest first, so counted in files the first batch of a 100k-section archive held 1.4x
#: the text of a 10k one's (2.17 against 1.54 MB; the parent's peak follows a batch's text).
COMMIT_WORK = 250.0
#: Also commit when this many seconds passed since the last commit.
COMMIT_SECONDS = 30.0
#: Below this much work one process does it: starting workers and committing one segment
#: each costs more than a second core saves on a tiny run. Work is counted in pages (a
#: PDF's page count, or `TEXT_BYTES_PER_PAGE` of any other file), not in files, so a few
#: long PDFs are shared out; this many files are always enough.
PARALLEL_MIN_WORK = 48.0
PARALLEL_MIN_FILES = 32
TEXT_BYTES_PER_PAGE = 3000.0
#: Staging directories of the workers' unfinished segments (hidden: Whoosh ignores them).
STAGE_PREFIX = ".ingest-"
#: The archive-wide entity pass runs (off only to measure what it costs: `bench.entities`;
#: an index ingested without it is not consistent, and the next run makes a full pass).
ARCHIVE_PASS = True

Progress = Callable[[int, int], None]


def work_of(path: Path) -> float:
    """The work a file will take, in pages: a PDF's pages, else its bytes per page of text."""
    try:
        if path.suffix.lower() == ".pdf":
            from ingest.readers.pdf import count_pages

            pages = count_pages(path.read_bytes())
            if pages is not None:
                return float(pages)
        return max(path.stat().st_size / TEXT_BYTES_PER_PAGE, 0.1)
    except OSError:
        return 1.0


def use_workers(jobs: int, work: dict[str, float]) -> bool:
    """Is a run of these files (path -> pages of work) worth worker processes?"""
    return jobs > 1 and len(work) > 1 and (
        len(work) >= PARALLEL_MIN_FILES or sum(work.values()) >= PARALLEL_MIN_WORK)


def sha256_of(path: Path) -> str:
    """The file's sha256, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class _Batch:
    """What one commit will apply: ids to delete, finished segments, document ranges to drop."""

    def __init__(self) -> None:
        self.delete: set[str] = set()
        self.dead: dict[int, list[tuple[int, int]]] = {}  # worker -> ranges in its segment
        self.segments: dict[int, tuple | None] = {}       # worker -> finished segment
        self.parts: list = []  # parts of segments (docs without the dropped) not yet staged
        self.staged = False    # some parts are in the engine's writer (its deletes too)


def ingest_paths(paths: Iterable[str | Path], index_dir: str | Path,
                 entities_file: str | Path | None = None, jobs: int | None = None,
                 prune: bool = False, progress: Progress | None = None,
                 read_options=None, engine: str | None = None,
                 follow_symlinks: bool = False) -> IngestSummary:
    """Index the report files under `paths` into `index_dir`; see the module docs.

    `jobs` worker processes (default: the number of cores; one for a tiny run).
    `progress(done, total)` is called as the run goes: once per file read, and, in a run
    with the archive pass (its reports are written once every file is read), once more per
    batch written, `total` counting a step to read and a step to write each file.
    `read_options` (ingest.ReadOptions: PDF engine, OCR, limits) go to every extraction.
    `engine` ("whoosh", "tantivy") builds a new index (None: $REPORT_ARCHIVE_ENGINE, else
    the default); an existing index keeps the engine it records, and asking for another
    raises `search._engine.EngineMismatchError` saying how to rebuild.
    Directory walks skip what is not a regular file and symbolic links leading out of
    `paths` (unless `follow_symlinks`); the summary's `skipped` lists them with why.
    Raises IndexBusyError when another process holds the write lock, and
    ingest.EntityConfigError for an unusable entities file.
    """
    from ingest import iter_report_files
    from search._pg_conn import is_url

    if is_url(index_dir):  # a PostgreSQL database: many writers at once (see _pg_ingest)
        from search._pg_ingest import ingest_paths_pg
        return ingest_paths_pg(paths, index_dir, entities_file, jobs, prune, progress,
                               read_options)

    started = time.monotonic()
    paths = list(paths)  # walked twice: recorded for `rebuild`, then walked
    index_dir = Path(index_dir)
    jobs = jobs or os.cpu_count() or 1
    entities = str(entities_file) if entities_file else None
    # Load the entity configuration here first: a bad file is one error for the whole run
    # (EntityConfigError propagates), not a failure per report. Forked workers inherit it.
    load_matcher(entities)
    with write_lock(index_dir):
        eng = open_engine(index_dir, engine or requested_engine())
        ix = eng.open_writer()
        record_engine(index_dir, eng.NAME)
        for stale in index_dir.glob(STAGE_PREFIX + "*"):  # left by a killed run
            clear_stage(stale)
        record_entities_file(index_dir, entities)
        record_sources(index_dir, [p for p in paths if os.path.exists(p)],  # for `rebuild`
                       follow_symlinks)
        known = eng.existing(ix)
        known_shas = {v["sha256"] for v in known.values()}
        todo, unchanged, skipped = [], 0, []
        work: dict[str, float] = {}
        for path in iter_report_files([Path(p) for p in paths], follow_symlinks,
                                      lambda p, why: skipped.append((str(p), f"{p}: {why}"))):
            try:  # never open a pipe or device: it could block forever
                digest = sha256_of(path) if path.is_file() else None
            except OSError:
                digest = None  # unreadable: extraction will report why
            if digest in known_shas:
                unchanged += 1
            else:
                todo.append(str(path))
                work[str(path)] = work_of(path)
        gone = [rid for rid, v in known.items() if not Path(v["source_abs"]).exists()] \
            if prune else []
        if not todo and not gone:  # nothing to change: no commit, the generation stays
            return IngestSummary(added=0, updated=0, unchanged=unchanged, removed=0,
                                 failed=(), seconds=time.monotonic() - started,
                                 skipped=tuple(skipped))
        # Added reports can be folded into the stored summary; a replaced or removed one
        # would need its old entity counts, so then the summary is rebuilt from the index.
        previous = None if gone else (_aggregate.read(index_dir, eng.generation(ix))
                                      or (None if known else _aggregate.empty()))
        # (its rows wait on disk: the parent's memory does not grow with the archive)
        summary = _aggregate.StreamingAccumulator.from_summary(previous, index_dir) \
            if previous else None
        stage = index_dir / f"{STAGE_PREFIX}{os.getpid()}"
        parallel = use_workers(jobs, work)
        if parallel:  # longest first, so no long file is left to one worker at the end
            todo.sort(key=lambda p: -work[p])
            if hasattr(ix, "use_threads"):  # tantivy: its writer indexes beside them
                ix.use_threads(jobs)
        builder = _Builders(eng, ix)
        matcher = load_matcher(entities)
        archive = ArchivePass(eng, ix, index_dir, matcher, config_key(entities), bool(known)) \
            if ARCHIVE_PASS and eng.NAME in ("whoosh", "tantivy") else None
        if archive is not None and gone:
            with ix.searcher() as searcher:
                for rid in gone:
                    archive.take_back(searcher, rid)
        # with the pass, the workers spool what they read until the run's names are final
        deferred = archive is not None
        workers = (ProcessWorkers(jobs, stage, builder, entities, read_options, deferred, deferred)
                   if parallel else
                   InlineWorkers(stage, builder, entities, read_options, deferred, deferred))
        run = _Run(eng, ix, workers, known, progress, summary, work, archive)
        run.batches[0].delete.update(gone)
        try:
            run.feed_all(todo)
        except BaseException:
            workers.close(abort=True)
            run.drop_summary()
            raise
        else:
            workers.close()
        finally:
            clear_stage(stage)
        # A name the rules typed in one report is that entity wherever the archive writes it:
        # the reports of this run were written with the archive's names; the pass rewrites
        # the others that can differ (search._archive_pass).
        if archive is not None and archive.finish():
            run.drop_summary()  # rewritten reports: their counts changed, rebuild the summary
        if run.summary is not None:
            run.summary.write(index_dir, eng.generation(ix))
        else:
            refresh_summary(eng, ix)
        eng.close()
    return IngestSummary(added=run.added, updated=len(run.updated), unchanged=unchanged,
                         removed=len(gone), failed=tuple(run.failed),
                         seconds=time.monotonic() - started, skipped=tuple(skipped))


class _Builders:
    """`stage_dir -> Builder` of the engine (called in forked workers: they inherit it)."""

    def __init__(self, engine, handle) -> None:
        self.engine, self.handle = engine, handle

    def __call__(self, stage_dir: Path):
        return self.engine.builder(self.handle, stage_dir)


class _Run:
    """The parent's side of one ingest: hand out files, collect answers, commit batches."""

    def __init__(self, engine, ix, workers, known: dict, progress,
                 summary: _aggregate.StreamingAccumulator | None, work: dict[str, float] | None = None,
                 archive: ArchivePass | None = None) -> None:
        self.engine, self.ix, self.workers = engine, ix, workers
        self.known, self.progress = known, progress
        self.batches: dict[int, _Batch] = {0: _Batch()}
        self.seen: dict[str, str] = {}  # report id -> file, to catch two files claiming one id
        self.summary = summary  # added reports are folded in as they arrive (None: rebuild)
        self.updated: set[str] = set()
        self.added = 0
        self.failed: list[tuple[str, str]] = []
        self.work = work or {}  # path -> pages of work, to give each worker an equal share
        self.archive = archive
        self.dropped: set[tuple[int, int, str]] = set()  # (batch, worker, path) not to commit
        self._old = None  # a searcher on the last commit, to read replaced reports' evidence

    def feed_all(self, todo: list[str]) -> None:
        """Extract and write every file in `todo`, committing batch by batch.

        A batch is closed when full (or the files end). Without the archive pass, once every
        file of a batch has been answered the workers are asked to write it and close their
        segments while they go on with the next batch's files. With it (`deferred`), the
        batches are written only once every file of the run has been answered: the archive
        then knows the run's final names, every batch is written with them, and no report of
        this run has to be rewritten after the last commit (`search._archive_pass`); the
        workers spool the reports to disk meanwhile. Either way a batch commits when every
        worker sent its segment, and the next batch is being written meanwhile."""
        workers, n = self.workers, self.workers.size
        deferred = self.archive is not None
        in_flight = [0] * n
        queued = [0.0] * n  # pages of work each worker has in hand
        total, done, expected = len(todo), 0, 0
        # progress steps: with the pass a file is read, then (once every file is read) written
        steps = 2 * total if deferred else total
        written = 0
        batch, in_batch, since = 0, 0, time.monotonic()
        per_batch = COMMIT_EVERY * n  # one segment of COMMIT_EVERY files per worker
        per_batch_work, batch_work = COMMIT_WORK * n, 0.0
        closed: deque[int] = deque()  # batches whose files are all sent, not yet flushed
        unanswered: dict[int, int] = defaultdict(int)  # batch -> files not answered yet
        files = iter(todo)
        more = True
        flushing: set[int] = set()  # batches being written (at most 2 when deferred)
        learned = None
        if self.progress:
            self.progress(0, steps)
        while True:
            while (more and in_batch < per_batch and batch_work < per_batch_work
                   and sum(in_flight) < n * IN_FLIGHT):
                path = next(files, None)
                if path is None:
                    more = False
                    break
                w = min(range(n), key=lambda k: (queued[k], in_flight[k]))  # least work in hand
                workers.send(w, ("file", batch, path))
                in_flight[w] += 1
                queued[w] += self.work.get(path, 1.0)
                batch_work += self.work.get(path, 1.0)
                in_batch += 1
                unanswered[batch] += 1
                expected += 1
            full = in_batch >= per_batch or batch_work >= per_batch_work or (
                in_batch and time.monotonic() - since > COMMIT_SECONDS)
            last = not more and (in_batch or self.batches[batch].delete)
            if full or last:
                closed.append(batch)
                batch, in_batch, batch_work, since = batch + 1, 0, 0.0, time.monotonic()
                self.batches[batch] = _Batch()
            if deferred:
                # every file read: the names are final; a batch is written while the one
                # before it commits, and no more (the segments wait in memory)
                ready = not more and not any(unanswered.values())
                if ready and learned is None:
                    learned = self.archive.learned_now()
                while ready and closed and len(flushing) < 2:
                    b = closed.popleft()
                    flushing.add(b)
                    for w in range(n):
                        workers.send(w, ("flush", b, learned))
                    expected += n
            else:
                while closed and not unanswered.get(closed[0]):
                    b = closed.popleft()
                    for w in range(n):
                        workers.send(w, ("flush", b, None))
                    expected += n
            if not expected:
                if self.progress and deferred:
                    self.progress(steps, steps)  # (a file that failed is never written)
                return
            answer = workers.receive()
            if answer[0] == "part":  # a piece of a flush: its "segment" answer follows
                _, w, b, docs, rows = answer
                self._part(b, w, docs, rows)
                if self.progress and deferred:
                    written = min(written + len(rows), total)
                    self.progress(done + written, steps)
                continue
            expected -= 1
            if answer[0] == "done":
                _, w, b, path, result, reason = answer
                in_flight[w] -= 1
                queued[w] -= self.work.get(path, 1.0)
                unanswered[b] -= 1
                done += 1
                self._done(b, w, path, result, reason)
                if self.progress:
                    self.progress(done + written, steps)
            else:
                _, w, b, finished, rows = answer
                self._written(b, w, rows)
                if self.progress and deferred:
                    written = min(written + len(rows), total)
                    self.progress(done + written, steps)
                self.batches[b].segments[w] = finished
                if len(self.batches[b].segments) == n:
                    flushing.discard(b)
                    if not expected and not more and not closed:
                        workers.stop()  # the last commit: the workers exit meanwhile
                    self._commit(self.batches.pop(b))
                    self._stage_parts()  # the next batch's parts that waited for this commit

    def _done(self, b: int, w: int, path: str, result, reason) -> None:
        if result is not None:
            rid, evidence = result
            if rid in self.seen:
                reason = (f"{path}: report id {rid!r} is also produced by {self.seen[rid]}; "
                          "rename one of the files")
                self.dropped.add((b, w, path))
            else:
                self.seen[rid] = path
                if rid in self.known:
                    self.updated.add(rid)
                    self.batches[b].delete.add(rid)  # only ids the index holds: no blind deletes
                    self.drop_summary()  # its old counts are in the summary: rebuild it
                    if self.archive is not None:
                        self.archive.take_back(self._searcher(), rid)
                else:
                    self.added += 1
                if self.archive is not None:
                    self.archive.add(evidence)
        if reason is not None:
            self.failed.append((path, reason))

    def _written(self, b: int, w: int, rows) -> list[tuple[int, int]]:
        """A worker wrote its reports of batch `b`: drop the ones that lost their id to an
        earlier file (their document ranges are returned), count the added ones in the
        summary."""
        dead = []
        for path, rid, row, span in rows:
            if (b, w, path) in self.dropped:
                self.dropped.discard((b, w, path))
                dead.append(span)
            elif self.summary is not None and rid not in self.updated:
                self.summary.add(*row)
        self.batches[b].dead.setdefault(w, []).extend(dead)
        return dead

    def _part(self, b: int, w: int, docs, rows) -> None:
        """A part of worker `w`'s segment of batch `b` (an engine with `stage`): its
        documents go to the engine's writer now if `b` is the next batch to commit, else
        once the batches before it are committed (a commit takes all that is staged)."""
        dead = self._written(b, w, rows)
        self.batches[b].dead.pop(w, None)  # the ranges are the part's, not the segment's
        skip = {j for start, end in dead for j in range(start, end)}
        self.batches[b].parts.append([d for j, d in enumerate(docs) if j not in skip])
        self._stage_parts()

    def _stage_parts(self) -> None:
        if self.batches:
            self._stage(self.batches[min(self.batches)])

    def _stage(self, batch: _Batch) -> None:
        if batch.parts:  # the batch's deletes go with its first parts, before their documents
            self.engine.stage(self.ix, batch.parts, set() if batch.staged else batch.delete)
            batch.parts, batch.staged = [], True

    def drop_summary(self) -> None:
        """Stop folding reports into the summary (it is rebuilt from the index instead)."""
        if self.summary is not None:
            self.summary.close()
            self.summary = None

    def _searcher(self):
        # The replaced reports are read from the last commit before theirs deletes them.
        if self._old is None:
            self._old = ExitStack()
            self._old_docs = self._old.enter_context(self.ix.searcher())
        return self._old_docs

    def _commit(self, batch: _Batch) -> None:
        if self._old is not None:  # the commit may delete what it reads
            self._old.close()
            self._old = None
        order = sorted(w for w, seg in batch.segments.items() if seg is not None)
        segments = [batch.segments[w] for w in order]
        if not segments and not batch.delete and not batch.staged and not batch.parts:
            return
        dead = {i: batch.dead.get(w, []) for i, w in enumerate(order)}
        self._stage(batch)  # parts that came before this batch was the next to commit
        self.engine.commit(self.ix, segments, set() if batch.staged else batch.delete, dead)

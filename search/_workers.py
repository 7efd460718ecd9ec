"""Ingest workers: each one extracts files AND writes their documents into its own segment.

Writing is most of an ingest (add_document and segment flushing were ~78 % of it), so a
worker that only extracted left the parent as the bottleneck. Here the parent only hands
out file paths and commits: a worker answers each ``("file", batch, path)`` with a
``("done", ...)`` message carrying the report's summary row (never the report itself), and
each ``("flush", batch)`` with ``("segment", worker, batch, finished segment)``, preceded,
for an engine whose builder comes in parts (tantivy: the parent indexes), by a
``("part", ...)`` every `PART_DOCS` documents, which the parent hands to the writer at once.

A worker holds the reports it read until their batch's flush, which in a run with the
archive pass comes once every file of the run is read (see `Worker`: past `HOLD_BYTES` the
reports wait on disk, in the worker's staging directory).

`builder(stage_dir)` makes the engine's Builder (see search._engine) in the worker.
`InlineWorkers` runs the same handler in the calling process (one job, or a run too small
to pay for starting processes); `ProcessWorkers` runs it in forked processes.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import queue
import shutil
import signal
import traceback
from collections import deque
from functools import lru_cache
from pathlib import Path

from search._aggregate import entry_of

#: Files queued per worker: enough to keep it busy while the parent commits or merges.
IN_FLIGHT = 4
#: Reports a worker holds in memory (estimated bytes, `_size_of`) until the names of a run
#: with the archive pass are final; the rest wait on disk. Pickling every report to the
#: spool and back cost about 0.5 ms a report (a tenth of the pass's share of a 10k-section
#: ingest); this budget holds such a run (1,104 reports, ~20 MB) and bounds a larger one.
HOLD_BYTES = 32 << 20
#: Documents per part of a flush, for an engine that indexes in the parent (tantivy): the
#: parent hands each part to the engine's writer as it comes, so the writer's threads index
#: while the workers build the rest of the batch instead of after all of it.
PART_DOCS = 64

@lru_cache(maxsize=4)
def load_matcher(entities_file: str | None):
    """The entity matcher for `entities_file` (cached per process; raises EntityConfigError).

    With its rules on, English word frequencies are loaded too (the cues weigh words by
    them): loaded here, before the workers are forked, every worker shares them instead of
    each loading its own (~0.2-0.8 s)."""
    from ingest.entities import load_matcher as load

    matcher = load(Path(entities_file) if entities_file else None)
    if getattr(matcher, "rules", False):
        from ingest.entity_cues import _frequencies

        _frequencies()
    return matcher


def extract(path: str, entities_file: str | None, options=None):
    """Extract one file: (report, None) or (None, reason). `options`: ingest.ReadOptions."""
    from ingest import IngestError, extract_report

    try:
        return extract_report(Path(path), matcher=load_matcher(entities_file),
                              options=options), None
    except IngestError as e:
        return None, str(e)
    except Exception as e:  # a reader bug must not abort the archive: report it, go on
        return None, f"{path}: unexpected {type(e).__name__}: {e}"


class Worker:
    """One worker's state: its segment builder and the reports it holds until their batch's
    flush, when the archive's learned names are applied to them and they are written
    (`search._archive_pass`).

    With `spool` (a run with the archive pass: its batches are flushed only once every file
    of the run is read, with the run's final names), the reports past the first
    `HOLD_BYTES` of them are held on disk, pickled one after another in a file per batch in
    `spool` (the worker's staging directory), so memory stays bounded whatever the run's
    size; else (no pass: each batch is flushed as soon as it is read) in memory.
    `evidence`: compute each report's share of the pass (off only when the pass is,
    `bench.entities` measures what it costs).
    """

    def __init__(self, builder, worker: int, entities_file: str | None, options=None,
                 spool: Path | None = None, evidence: bool = True) -> None:
        self.builder, self.worker = builder, worker
        self.entities, self.options = entities_file, options
        self.spool, self.evidence = spool, evidence
        self.held: dict[int, list] = {}  # batch -> [(path, report)] held in memory
        self._files: dict[int, object] = {}  # batch -> its open spool file
        self._bytes, self._spilling = 0, False  # memory the held reports take (estimated)
        self._spreader = None  # (names, the Spreader made from them) of the last batch
        self._frozen = False  # gc.freeze() called for the write phase (see `_flush`)

    def answers(self, message: tuple):
        """One message -> its answers, as they are ready (see the module docs): one for a
        file; for a flush, with a builder whose documents the engine can take in parts, a
        ``("part", ...)`` every `PART_DOCS` documents before the ``("segment", ...)``."""
        kind, batch, arg = message
        if kind == "flush":
            yield from self._flush(batch, arg)
        else:
            yield self._read(batch, arg)

    def _read(self, batch: int, path: str) -> tuple:
        report, reason = extract(path, self.entities, self.options)
        if report is None:
            return ("done", self.worker, batch, path, None, reason)
        if self.evidence:
            report = _with_evidence(report, self.entities)
        self._hold(batch, path, report)
        return ("done", self.worker, batch, path, (report.id, report.evidence), None)

    def _hold(self, batch: int, path: str, report) -> None:
        if self.spool is None or not self._spilling:
            self._bytes += _size_of(report)
            # past the budget every later report is spooled: a batch's reports stay in
            # the order they were read (held ones first)
            self._spilling = self.spool is not None and self._bytes > HOLD_BYTES
            if not self._spilling:
                self.held.setdefault(batch, []).append((path, report))
                return
        f = self._files.get(batch)
        if f is None:
            self.spool.mkdir(parents=True, exist_ok=True)
            f = self._files[batch] = open(self._spool_file(batch), "wb")
        pickle.dump((path, report), f, protocol=pickle.HIGHEST_PROTOCOL)

    def _spool_file(self, batch: int) -> Path:
        return self.spool / f"spool-{batch}.pickle"

    def _held(self, batch: int):
        """The reports of `batch`, in the order they were read (from the spool: one at a time)."""
        yield from self.held.pop(batch, ())
        f = self._files.pop(batch, None)
        if f is None:
            return
        f.close()
        name = self._spool_file(batch)
        with open(name, "rb") as f:
            while True:
                try:
                    yield pickle.load(f)
                except EOFError:
                    break
        name.unlink()

    def _flush(self, batch: int, learned):
        from ingest.entity_consistency import Spreader
        from ingest.entity_evidence import spread
        from ingest.model import VIA_ARCHIVE

        if self.spool is not None and not self._frozen:
            # Every file of the run is read: what this process holds now (the held
            # reports, the matcher) lives until the run ends, so the collector is told to
            # stop walking it again at each full collection while the batches are written
            # (the reports are freed by their reference counts as they go); on the
            # generated 10k-section archive that walk was ~0.06 s of the pass's cost.
            gc.freeze()
            self._frozen = True
        # every batch of a run with the pass comes with the same final names: one
        # Spreader of them serves the run (its trie was compiled per batch once: 0.35 s
        # of a 10k-section ingest)
        if not learned:
            spreader = None
        elif self._spreader is not None and self._spreader[0] == learned:
            spreader = self._spreader[1]
        else:
            spreader = Spreader(learned, via=VIA_ARCHIVE)
            self._spreader = (learned, spreader)
        rows = []
        parts = getattr(self.builder, "parts", False)
        for path, report in self._held(batch):
            if spreader is not None:
                report = spread(report, spreader)
            start, end, report_doc = self.builder.add(report, os.path.abspath(path))
            rows.append((path, report.id, entry_of(report_doc), (start, end)))
            if parts and end >= PART_DOCS:  # (spans count from the part's first document)
                yield ("part", self.worker, batch, self.builder.finish(), rows)
                rows = []
        yield ("segment", self.worker, batch, self.builder.finish(), rows)

    def cancel(self) -> None:
        if self._frozen:
            gc.unfreeze()
            self._frozen = False
        self.held.clear()
        for f in self._files.values():
            f.close()
        self._files.clear()  # the files go with the staging directory (clear_stage)
        self.builder.cancel()


def _size_of(report) -> int:
    """About how many bytes `report` takes in memory (7 per character of text, measured on
    the generated archive: 18 KB for a report of 9 sections and 43 mentions)."""
    return 8 * (len(report.title) + sum(len(s.text) + len(s.heading) for s in report.sections))


def _with_evidence(report, entities_file: str | None):
    """The report with its evidence for the archive pass; the cues only when rules are on
    (the pass sums them only then)."""
    from dataclasses import replace

    from ingest.entity_evidence import report_evidence

    evidence = report_evidence(report, cues=bool(getattr(load_matcher(entities_file), "rules", False)))
    return replace(report, evidence=evidence)


class InlineWorkers:
    """One worker in this process: `send` does the work, `receive` returns the answers."""

    size = 1

    def __init__(self, stage_root: Path, builder, entities_file: str | None,
                 options=None, spool: bool = False, evidence: bool = True) -> None:
        stage = stage_root / "w0"
        self._worker = Worker(builder(stage), 0, entities_file, options,
                              stage if spool else None, evidence)
        self._answers: deque = deque()

    def send(self, worker: int, message: tuple) -> None:
        self._answers.extend(self._worker.answers(message))

    def receive(self) -> tuple:
        return self._answers.popleft()

    def stop(self) -> None:
        pass  # nothing runs apart

    def close(self, abort: bool = False) -> None:
        self._worker.cancel()


def _close_inherited_index_locks() -> None:
    """Close the file descriptors of the parent's index lock files that a fork copied here.

    A lock taken with flock() belongs to the open file, which a fork shares: while a worker
    kept its copy of the descriptor, the lock the parent held at the fork (tantivy's
    ``.tantivy-meta.lock``, taken while it reads its table of contents) was never freed,
    and the parent's next reload waited for it forever (seen as a hung ingest with
    --jobs 2). Workers write only their own stage directories and need none of them.
    """
    fd_dir = Path("/proc/self/fd")
    try:
        entries = list(fd_dir.iterdir())
    except OSError:  # no /proc: nothing we can inspect
        return
    for entry in entries:
        try:
            target = os.readlink(entry)
        except OSError:
            continue
        if Path(target).name.startswith(".tantivy-") and target.endswith(".lock"):
            try:
                os.close(int(entry.name))
            except OSError:
                pass


def _work(worker: int, inbox, outbox, stage_dir: Path, make_builder, entities_file, parent: int,
          options=None, spool: bool = False, evidence: bool = True):
    # Ctrl-C is the parent's to handle: it stops us and keeps the last commit (otherwise
    # every worker prints its own KeyboardInterrupt traceback).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _close_inherited_index_locks()
    try:
        state = Worker(make_builder(stage_dir), worker, entities_file, options,
                       stage_dir if spool else None, evidence)
        while True:
            try:
                message = inbox.get(timeout=1.0)
            except queue.Empty:
                if os.getppid() != parent:  # the parent was killed: nobody will commit
                    return
                continue
            if message is None:
                state.cancel()
                return
            for answer in state.answers(message):
                outbox.put(answer)
    except BaseException:
        outbox.put(("error", worker, traceback.format_exc()))


class ProcessWorkers:
    """`jobs` forked worker processes, each with its own inbox and staging directory."""

    def __init__(self, jobs: int, stage_root: Path, builder, entities_file: str | None,
                 options=None, spool: bool = False, evidence: bool = True) -> None:
        ctx = multiprocessing.get_context("fork")  # inherits the loaded entity matcher
        self.size = jobs
        self._stopped = False
        self._outbox = ctx.Queue()
        self._inboxes = [ctx.Queue() for _ in range(jobs)]
        self._procs = [
            ctx.Process(target=_work, daemon=True,
                        args=(w, self._inboxes[w], self._outbox, stage_root / f"w{w}", builder,
                              entities_file, os.getpid(), options, spool, evidence))
            for w in range(jobs)
        ]
        for inbox in self._inboxes:
            inbox.cancel_join_thread()  # never block our exit on a stopped worker's queue
        for proc in self._procs:
            proc.start()

    def send(self, worker: int, message: tuple) -> None:
        self._inboxes[worker].put(message)

    def receive(self) -> tuple:
        """The next answer; raises RuntimeError if a worker failed or died."""
        while True:
            try:
                answer = self._outbox.get(timeout=1.0)
            except queue.Empty:
                dead = [p.exitcode for p in self._procs if p.exitcode is not None]
                if dead:
                    raise RuntimeError(f"an ingest worker died (exit code {dead[0]}); "
                                       "the index keeps its last commit") from None
                continue
            if answer[0] == "error":
                raise RuntimeError(f"ingest worker {answer[1]} failed; the index keeps its "
                                   f"last commit:\n{answer[2]}")
            return answer

    def stop(self) -> None:
        """Tell the workers to exit once their queued work is done (`close` waits for them):
        sent before the run's last commit, they exit while the parent commits."""
        if not self._stopped:
            self._stopped = True
            for inbox in self._inboxes:
                inbox.put(None)

    def close(self, abort: bool = False) -> None:
        """Stop the workers (unfinished segments are dropped); `abort` does not wait for
        the files already queued."""
        if not abort:
            self.stop()
        for proc in self._procs:
            if not abort:
                proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
            proc.join()


def clear_stage(stage_root: Path) -> None:
    """Remove a staging directory (ours, or one a killed run left behind)."""
    shutil.rmtree(stage_root, ignore_errors=True)

"""Ingest workers: each one extracts files AND writes their documents into its own segment.

Writing is most of an ingest (add_document and segment flushing were ~78 % of it), so a
worker that only extracted left the parent as the bottleneck. Here the parent only hands
out file paths and commits: a worker answers each ``("file", batch, path)`` with a
``("done", ...)`` message carrying the report's summary row (never the report itself), and
each ``("flush", batch)`` with ``("segment", worker, batch, finished segment)``.

`builder(stage_dir)` makes the engine's Builder (see search._engine) in the worker.
`InlineWorkers` runs the same handler in the calling process (one job, or a run too small
to pay for starting processes); `ProcessWorkers` runs it in forked processes.
"""

from __future__ import annotations

import multiprocessing
import os
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

@lru_cache(maxsize=4)
def load_matcher(entities_file: str | None):
    """The entity matcher for `entities_file` (cached per process; raises EntityConfigError)."""
    from ingest.entities import load_matcher as load

    return load(Path(entities_file) if entities_file else None)


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


def handle(builder, worker: int, message: tuple, entities_file: str | None,
           options=None):
    """One message to a worker -> its answer (see the module docs)."""
    kind, batch, path = message
    if kind == "flush":
        return ("segment", worker, batch, builder.finish())
    report, reason = extract(path, entities_file, options)
    if report is None:
        return ("done", worker, batch, path, None, reason)
    start, end, report_doc = builder.add(report, os.path.abspath(path))
    return ("done", worker, batch, path, (report.id, entry_of(report_doc), (start, end)), None)


class InlineWorkers:
    """One worker in this process: `send` does the work, `receive` returns the answers."""

    size = 1

    def __init__(self, stage_root: Path, builder, entities_file: str | None,
                 options=None) -> None:
        self._builder = builder(stage_root / "w0")
        self._entities = entities_file
        self._options = options
        self._answers: deque = deque()

    def send(self, worker: int, message: tuple) -> None:
        self._answers.append(handle(self._builder, 0, message, self._entities, self._options))

    def receive(self) -> tuple:
        return self._answers.popleft()

    def close(self, abort: bool = False) -> None:
        self._builder.cancel()


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
          options=None):
    # Ctrl-C is the parent's to handle: it stops us and keeps the last commit (otherwise
    # every worker prints its own KeyboardInterrupt traceback).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _close_inherited_index_locks()
    try:
        builder = make_builder(stage_dir)
        while True:
            try:
                message = inbox.get(timeout=1.0)
            except queue.Empty:
                if os.getppid() != parent:  # the parent was killed: nobody will commit
                    return
                continue
            if message is None:
                builder.cancel()
                return
            outbox.put(handle(builder, worker, message, entities_file, options))
    except BaseException:
        outbox.put(("error", worker, traceback.format_exc()))


class ProcessWorkers:
    """`jobs` forked worker processes, each with its own inbox and staging directory."""

    def __init__(self, jobs: int, stage_root: Path, builder, entities_file: str | None,
                 options=None) -> None:
        ctx = multiprocessing.get_context("fork")  # inherits the loaded entity matcher
        self.size = jobs
        self._outbox = ctx.Queue()
        self._inboxes = [ctx.Queue() for _ in range(jobs)]
        self._procs = [
            ctx.Process(target=_work, daemon=True,
                        args=(w, self._inboxes[w], self._outbox, stage_root / f"w{w}", builder,
                              entities_file, os.getpid(), options))
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

    def close(self, abort: bool = False) -> None:
        """Stop the workers (unfinished segments are dropped); `abort` does not wait for
        the files already queued."""
        if not abort:
            for inbox in self._inboxes:
                inbox.put(None)
        for proc in self._procs:
            if not abort:
                proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
            proc.join()


def clear_stage(stage_root: Path) -> None:
    """Remove a staging directory (ours, or one a killed run left behind)."""
    shutil.rmtree(stage_root, ignore_errors=True)

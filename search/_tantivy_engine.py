"""The tantivy engine behind the `search._engine` interface (the official Python bindings).

The index lives in ``tantivy/`` inside the index directory (our own files, summary.json,
ENGINE, the write lock, stay beside it). Documents and stored payloads are the Whoosh
engine's (`_tantivy_schema`); a doc is the document's ``seq`` (see there).

Reading: one tantivy `Index` per directory, reloaded when ``meta.json`` changes; its
searcher is shared by all threads (tantivy searchers are thread-safe, and a query runs in
Rust without the GIL). Facets are tantivy aggregations over the whole match set. What a
searcher does is in `search._tantivy_view`.

Writing: a commit is atomic (tantivy writes segments, then renames ``meta.json``), so a
killed ingest leaves the last commit and a re-run finishes the job. Ingest workers extract
reports and build their documents; the parent adds them to one `IndexWriter`, which
indexes on its own threads, and commits batch by batch.
"""

from __future__ import annotations

import json
import os
import threading
from contextlib import contextmanager
from pathlib import Path

import tantivy
from tantivy import Occur, Query

from search._health import IndexDamagedError
from search._memory import release_free_memory
from search._pool import GenerationCache
from search._schema import report_documents
from search._tantivy_schema import (ORDER_BITS, SCHEMA_VERSION, analyzers, build_schema,
                                    fields_of, meta_of, to_document, with_phrase_words)
from search._tantivy_view import TantivyView, _report_fields

SUBDIR = "tantivy"
#: The IndexWriter's memory budget (split across its threads; tantivy's floor is 15 MB each).
WRITER_HEAP = 64_000_000
#: One indexing thread: each commit then makes one segment, not one per thread, so there are
#: half as many to merge, and one arena is live. Fresh ingest, jobs 2, generated archive:
#: peak RSS 152 -> 137 MB at 10k sections, anonymous 159 -> 137 MB at 30k, and no slower at
#: 10k (3 alternated runs each, 10.6-14.9 s against 9.8-13.9 s, load 5-7): the parent is not
#: what bounds the run on 2 cores with 2 workers. An ingest with worker processes asks for
#: as many threads as workers (`_Handle.use_threads`): in a run with the archive pass they
#: wait on the parent's commits, and one thread left a short run's last commit (tantivy
#: serialises each thread's segment at commit, ~0.1 s cpu for 24 PDFs) on one core; that
#: costs the second arena the figures above saved (not re-measured at 10k yet).
WRITER_THREADS = 1


def _open_index(index_dir: Path, create: bool):
    path = Path(index_dir) / SUBDIR
    if not (path / "meta.json").exists():
        if not create:
            return None
        path.mkdir(parents=True, exist_ok=True)
    try:
        ix = tantivy.Index(build_schema(), path=str(path), reuse=True)
    except (ValueError, OSError) as error:  # tantivy says what it could not read
        if "schema does not match" in str(error):
            raise IndexDamagedError(index_dir, "it was built by an earlier version of the "
                                    "tantivy engine (its schema differs from version "
                                    f"{SCHEMA_VERSION})") from None
        raise IndexDamagedError(index_dir, f"its tantivy files cannot be read ({error})") \
            from None
    for name, analyzer in analyzers().items():
        ix.register_tokenizer(name, analyzer)
    return ix


def _opstamp(index_dir: Path) -> tuple[int, int] | None:
    meta = Path(index_dir) / SUBDIR / "meta.json"
    try:
        stamp = meta.stat().st_mtime_ns
        return json.loads(meta.read_text(encoding="utf-8")).get("opstamp", 0), stamp
    except (OSError, ValueError):
        return None


class TantivyPool:
    """The directory's tantivy Index, its current searcher and per-generation values."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._ix = None
        self._lock = threading.Lock()
        self._current: tuple[tuple, object] | None = None
        self._seen: tuple | None = None  # meta.json's (inode, mtime, size) of _current
        self._derived = GenerationCache()
        self._open: dict = {}  # owner -> entry, as the Whoosh pool (one shared searcher)

    def current(self):
        """(generation key, searcher) of the latest commit, or None without an index."""
        entry = self._current
        try:  # a commit renames a new meta.json in: same file, same generation
            st = (self.path / SUBDIR / "meta.json").stat()
            seen = (st.st_ino, st.st_mtime_ns, st.st_size)
        except OSError:
            return None
        if entry is not None and self._seen == seen:
            return entry
        key = _opstamp(self.path)
        if key is None:
            return None
        if entry is not None and entry[0] == key:
            self._seen = seen
            return entry
        with self._lock:
            if self._ix is None:
                self._ix = _open_index(self.path, create=False)
                if self._ix is None:
                    return None
            self._ix.reload()
            opened = _opstamp(self.path) or key
            entry = self._current = (opened, self._ix.searcher())
            self._seen = seen if opened == key else None
        return entry

    def cached(self, key: tuple, name: str, build):
        return self._derived.get(key, name, build)

    @property
    def schema(self):
        return self._ix.schema

    def close(self) -> None:
        with self._lock:
            self._current, self._ix, self._seen = None, None, None
            self._derived.clear()


class TantivyEngine:
    """An index directory written and read with tantivy."""

    NAME = "tantivy"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.pool = TantivyPool(self.path)
        self._handles: list[_Handle] = []

    def exists(self) -> bool:
        return (self.path / SUBDIR / "meta.json").exists()

    def view(self):
        current = self.pool.current()
        if current is None:
            return None
        return TantivyView(self.pool, current[0], current[1])

    def close(self) -> None:
        for handle in self._handles:
            handle.close()
        self._handles = []
        self.pool.close()

    # -- writing (call with the write lock held) --------------------------------------------
    def open_writer(self):
        self.path.mkdir(parents=True, exist_ok=True)
        handle = _Handle(self.path, _open_index(self.path, create=True))
        self._handles.append(handle)
        return handle

    @contextmanager
    def batch(self, handle):
        b = _Batch(handle)
        try:
            yield b
        except BaseException:
            handle.rollback()
            raise
        handle.commit()

    def builder(self, handle, stage_dir: Path):
        return _Builder()

    def commit(self, handle, finished: list, delete: set[str], dead: dict) -> None:
        writer = handle.writer()
        try:
            for rid in delete:
                writer.delete_documents_by_term("report_id", rid)
            for i, docs in enumerate(finished):
                skip = set()
                for start, end in (dead or {}).get(i, ()):
                    skip.update(range(start, end))
                handle.add([d for j, d in enumerate(docs) if j not in skip])
        except BaseException:
            handle.rollback()
            raise
        handle.commit()

    def stage(self, handle, parts: list, delete: set[str]) -> None:
        """Hand parts of a batch's documents (lists, in order) to the writer before the
        batch commits, so its threads index them while the workers build the rest; the
        next `commit` commits them. `delete` (the batch's, with its first parts): deleted
        first, so the documents added after them stay."""
        writer = handle.writer()
        try:
            for rid in delete:
                writer.delete_documents_by_term("report_id", rid)
            for docs in parts:
                handle.add(docs)
        except BaseException:
            handle.rollback()
            raise

    def existing(self, handle) -> dict[str, dict]:
        out = {}
        for fields in self.report_fields(handle):
            meta = meta_of(fields)
            out[fields["report_id"]] = {"sha256": meta["sha256"],
                                        "source_abs": meta["source_abs"]}
        return out

    def generation(self, handle) -> int:
        stamp = _opstamp(self.path)
        return stamp[0] if stamp else 0

    def report_fields(self, handle):
        handle.index.reload()
        return _report_fields(handle.index.searcher(), handle.index.schema)


class _Handle:
    """An open index for writing: the IndexWriter is made on first use (after the ingest
    workers were forked: a process with tantivy's threads is not forked)."""

    def __init__(self, index_dir: Path, index) -> None:
        self.index_dir = index_dir
        self.index = index
        self._writer = None
        self._next = None
        self.threads = WRITER_THREADS

    def use_threads(self, threads: int) -> None:
        """Index with up to `threads` threads from the writer made next (an ingest with that
        many worker processes: they are idle while the parent's commit indexes the batch,
        so the cores are free). At most as many as leave tantivy its 15 MB per thread."""
        self.threads = max(1, min(threads, WRITER_HEAP // 16_000_000))

    def writer(self):
        if self._writer is None:
            self._writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=self.threads)
        return self._writer

    def _next_ordinal(self) -> int:
        if self._next is None:
            self.index.reload()
            searcher = self.index.searcher()
            top = searcher.search(Query.all_query(), limit=1, count=False,
                                  order_by_field="seq") if searcher.num_docs else None
            self._next = (int(top.hits[0][0]) >> ORDER_BITS) + 1 if top and top.hits else 1
        value = self._next
        self._next += 1
        return value

    def add(self, docs: list[dict]) -> None:
        """Add one builder's documents (report document first, then its sections)."""
        writer = self.writer()
        ordinal, position = 0, 0
        for doc in docs:
            if doc["kind"] == "report":
                ordinal, position = self._next_ordinal(), 0
            else:
                position += 1
            writer.add_document(to_document(doc, (ordinal << ORDER_BITS) | position))

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit()
            release_free_memory()  # the batch's and the writer's freed memory (see _memory)

    def rollback(self) -> None:
        if self._writer is not None:
            self._writer.rollback()
            self._next = None

    def close(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.wait_merging_threads()

    # What search._consistency asks of an open index (as of a Whoosh FileIndex) ----------
    @contextmanager
    def searcher(self):
        """The committed documents, read as Whoosh's ``searcher.documents(**terms)``."""
        self.index.reload()
        yield _StoredDocs(self.index.searcher(), self.index.schema)

    @contextmanager
    def batch(self):
        """A batch that commits on success and rolls back, then re-raises, on error."""
        b = _Batch(self)
        try:
            yield b
        except BaseException:
            self.rollback()
            raise
        self.commit()


class _StoredDocs:
    def __init__(self, searcher, schema) -> None:
        self.searcher, self.schema = searcher, schema

    def documents(self, **terms):
        """Stored fields of the documents matching every field=value term."""
        if not self.searcher.num_docs:
            return
        clauses = [(Occur.Must, Query.term_query(self.schema, k, v)) for k, v in terms.items()]
        query = Query.boolean_query(clauses) if clauses else Query.all_query()
        for _, addr in self.searcher.search(query, limit=self.searcher.num_docs,
                                            count=False).hits:
            yield fields_of(self.searcher.doc(addr))


class _Batch:
    def __init__(self, handle: _Handle) -> None:
        self._handle = handle

    def put(self, report, source_abs: str | None = None) -> None:
        """Index `report`, replacing any report with the same id."""
        self.delete(report.id)
        self._handle.add(report_documents(report, source_abs or os.path.abspath(report.source)))

    def delete(self, report_id: str) -> None:
        self._handle.writer().delete_documents_by_term("report_id", report_id)


class _Builder:
    """One worker's documents until the next commit (plain dicts: they cross processes)."""

    #: `finish` may be called in the middle of a flush: each part goes to `stage`.
    parts = True

    def __init__(self) -> None:
        self.docs: list[dict] = []

    def add(self, report, source_abs: str) -> tuple[int, int, dict]:
        # The phrase words here, in the worker: the parent only copies them (see
        # `with_phrase_words`).
        docs = [with_phrase_words(d) for d in report_documents(report, source_abs)]
        start = len(self.docs)
        self.docs.extend(docs)
        return start, len(self.docs), docs[0]

    def finish(self):
        docs, self.docs = self.docs, []
        return docs or None

    def cancel(self) -> None:
        self.docs = []


def check_into(index_dir: Path, result) -> dict[str, tuple[str, str]]:
    """The deep check of a tantivy index (``report-archive check``): open it and read every
    stored document; problems go into `result` (a `_health.CheckResult`). Returns
    {report id: (source path, sha256)} for the source check."""
    reports: dict[str, tuple[str, str]] = {}
    try:
        ix = _open_index(index_dir, create=False)
        ix.reload()
        searcher = ix.searcher()
        result.segments = searcher.num_segments
        if searcher.num_docs:
            for _, addr in searcher.search(Query.all_query(), limit=searcher.num_docs,
                                           count=False).hits:
                fields = fields_of(searcher.doc(addr))
                result.documents += 1
                if fields.get("kind") == "report":
                    meta = meta_of(fields)
                    reports[fields["report_id"]] = (meta["source_abs"], meta["sha256"])
    except Exception as error:  # an index tantivy cannot read through is damage
        result.problems.append(f"the tantivy index cannot be read ({type(error).__name__}: "
                               f"{str(error).strip().splitlines()[0] if str(error).strip() else ''})")
        result.damaged = True
    return reports

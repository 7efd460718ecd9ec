"""Opening the index for writing and putting reports in or taking them out.

Every change goes through `batch()` or `commit_segments()`: the writer commits when the
block ends normally and cancels (leaving the index at its last commit) when it raises, then
the error propagates.

Ingest writes in parallel without Whoosh's MpWriter: each worker fills a `SegmentBuilder`,
one new segment in a private staging directory, and hands back the finished segment; the
parent moves its files into the index and lists them in the next commit (`commit_segments`),
which also applies deletions and a tiered merge whose memory is bounded by `POOL_MB`.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as windex
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from ingest.model import Report
from search import _aggregate
from search._health import ensure_healthy, record_manifest
from search._memory import release_free_memory
from search._schema import build_schema, report_documents

INDEX_NAME = "MAIN"

#: Posting-pool size per writer before Whoosh spills sorted runs to disk (its default is
#: 128 MB, and the Python objects behind the estimate take about twice that): this bounds
#: the memory of writing and of merging whatever the segment sizes.
POOL_MB = 32
#: Merging starts when a commit would leave more segments than this (a query costs about
#: twice as much over 13 segments as over one at 10k sections); below it, no merge work.
MAX_SEGMENTS = 8
#: Size tiers for merging: segments within a factor MERGE_FANOUT of each other share a
#: tier, and the smallest tier with several segments merges first, so each document is
#: rewritten about log4(index / segment) times, never the whole index at once.
MERGE_FANOUT = 4
#: Tier 0 holds segments up to this many documents (one worker's share of a commit is ~2k).
MERGE_BASE_DOCS = 1000
#: A merge never produces a segment larger than this: rewriting big segments again costs
#: time for little gain in query speed.
MERGE_MAX_DOCS = 60_000


def open_or_create(index_dir: Path):
    """The index in `index_dir`, created empty if there is none (call with the lock held).

    Raises search._health.IndexDamagedError for a damaged index: writing into it would
    bury the damage under new commits (or, with its TOC gone, start an empty index over
    the old segments), so the caller is told to rebuild instead.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    ensure_healthy(index_dir)
    if windex.exists_in(str(index_dir), indexname=INDEX_NAME):
        return windex.open_dir(str(index_dir), indexname=INDEX_NAME)
    return windex.create_in(str(index_dir), build_schema(), indexname=INDEX_NAME)


class Batch:
    """An open writer: add, replace and delete reports until the batch commits."""

    def __init__(self, writer) -> None:
        self._writer = writer

    def put(self, report: Report, source_abs: str | None = None) -> None:
        """Index `report`, replacing any report with the same id."""
        self._writer.delete_by_term("report_id", report.id)
        source_abs = source_abs or os.path.abspath(report.source)
        for doc in report_documents(report, source_abs):
            self._writer.add_document(**doc)

    def delete(self, report_id: str) -> None:
        """Remove a report and its sections."""
        self._writer.delete_by_term("report_id", report_id)


@contextmanager
def batch(ix, optimize: bool = False):
    """A writer that commits on success and cancels, then re-raises, on any error.

    It does not take Whoosh's lock itself: callers hold it for the whole run (see _lock).
    `optimize=True` merges all segments into one at commit.
    """
    writer = _SegmentWriter(ix, _lk=False, limitmb=POOL_MB)
    try:
        yield Batch(writer)
    except BaseException:
        writer.cancel()
        raise
    writer.commit(optimize=optimize)
    release_free_memory()
    record_manifest(ix.storage.folder)


class _Lengths:
    """Field lengths for flushing postings, answering 0 at once for unscored fields.

    Whoosh asks for the length of every posting's field; for a field without a length
    column (ID and keyword fields) its reader checks that the column file exists, a stat()
    per posting, ~1.7M at 10k sections (a quarter of the flush time) for lengths that are 0.
    """

    def __init__(self, reader, schema) -> None:
        self._reader, self._schema = reader, schema
        self._scored: dict[str, bool] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        scored = self._scored.get(fieldname)
        if scored is None:
            scored = self._scored[fieldname] = bool(self._schema[fieldname].scorable)
        return self._reader.doc_field_length(docnum, fieldname, default) if scored else default


class _SegmentWriter(SegmentWriter):
    """Whoosh's SegmentWriter with the cheap field lengths of `_Lengths` when flushing."""

    def _flush_segment(self):
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        lengths = _Lengths(pdr, self.schema) if pdr else None
        self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if pdr:
            pdr.close()


def tiered_merge(writer, segments: list) -> list:
    """Whoosh merge policy: with more than MAX_SEGMENTS segments, merge the smallest size
    tier that holds several (capped at MERGE_MAX_DOCS); returns the segments that stay."""
    if len(segments) <= MAX_SEGMENTS:
        return segments
    tiers: dict[int, list] = defaultdict(list)
    for seg in segments:
        docs = seg.doc_count_all()
        if docs <= MERGE_MAX_DOCS:
            tiers[int(math.log(max(docs / MERGE_BASE_DOCS, 1.0), MERGE_FANOUT))].append(seg)
    for tier in sorted(tiers):
        group, size = [], 0
        for seg in sorted(tiers[tier], key=lambda s: s.doc_count_all()):
            if size + seg.doc_count_all() > MERGE_MAX_DOCS:
                break
            group.append(seg)
            size += seg.doc_count_all()
        if len(group) < 2:
            continue
        for seg in group:
            reader = SegmentReader(writer.storage, writer.schema, seg)
            writer.add_reader(reader)  # live documents only: deletions are purged here
            reader.close()
        merged = {id(seg) for seg in group}
        return [seg for seg in segments if id(seg) not in merged]
    return segments


class SegmentBuilder:
    """One new segment at a time, written in a private staging directory.

    `add` indexes a report and returns its document numbers in the segment, so the
    committer can drop them again (a second file claiming the same report id); `finish`
    closes the segment and returns it with its file names, ready for `commit_segments`.
    """

    def __init__(self, stage_dir: Path, schema) -> None:
        stage_dir.mkdir(parents=True, exist_ok=True)
        self.dir = stage_dir
        self._ix = windex.create_in(str(stage_dir), schema, indexname=INDEX_NAME)
        self._writer = None

    def add(self, report: Report, source_abs: str) -> tuple[int, int, dict]:
        """Index `report`: (first docnum, end docnum, its report document's fields)."""
        docs = report_documents(report, source_abs)
        if self._writer is None:
            self._writer = _SegmentWriter(self._ix, _lk=False, limitmb=POOL_MB)
        start = self._writer.docnum
        for doc in docs:
            self._writer.add_document(**doc)
        return start, self._writer.docnum, docs[0]

    def finish(self) -> tuple | None:
        """Close the segment: (segment, staging dir, file names), or None if it is empty."""
        writer, self._writer = self._writer, None
        if writer is None:
            return None
        segment = writer._finalize_segment()  # the same step Whoosh's MpWriter workers take
        writer._finish()
        return segment, str(self.dir), segment.list_files(self._ix.storage)

    def cancel(self) -> None:
        """Drop the segment being written."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.cancel()


def commit_segments(ix, index_dir: Path, segments: list[tuple], delete: set[str] = frozenset(),
                    dead: dict[int, list[tuple[int, int]]] | None = None) -> None:
    """One commit: delete the `delete` report ids from the committed segments, add the
    finished `segments` (from `SegmentBuilder.finish`) with the document ranges in
    `dead[i]` of segment i deleted, and merge by `tiered_merge`."""
    writer = _SegmentWriter(ix, _lk=False, limitmb=POOL_MB)
    new = []
    try:
        for rid in delete:
            writer.delete_by_term("report_id", rid)
        for i, (segment, stage_dir, names) in enumerate(segments):
            for start, end in (dead or {}).get(i, ()):
                for docnum in range(start, end):
                    segment.delete_document(docnum)
            for name in names:  # same file system: a rename; unreferenced until the commit
                os.replace(os.path.join(stage_dir, name), Path(index_dir) / name)
            new.append(segment)
    except BaseException:
        writer.cancel()
        raise
    writer.commit(mergetype=lambda w, committed: tiered_merge(w, committed + new))
    release_free_memory()  # the merge's and the batch's freed memory (see search._memory)
    record_manifest(index_dir)


def segment_count(ix) -> int:
    """How many segments the index has (queries slow down as they multiply)."""
    with ix.reader() as reader:
        return len(reader.leaf_readers())


def refresh_summary(engine, handle) -> dict:
    """Rebuild summary.json from the committed index of any engine (call with the lock held).

    (Engine-neutral, like `write_reports`: both stay here, where callers import them.)"""
    summary = _aggregate.build(engine.report_fields(handle), engine.generation(handle))
    _aggregate.write(engine.path, summary)
    return summary


def write_reports(index_dir: Path, reports, delete: tuple[str, ...] = (),
                  engine: str | None = None) -> None:
    """Index `reports` (and drop `delete` ids) in one commit, taking the lock; for tests/tools.

    `engine`: the engine of a new index (None: $REPORT_ARCHIVE_ENGINE, else the default);
    an existing index keeps its own (another one is an error, see `_engine.choose`)."""
    from search._engine import open_engine, record_engine, requested_engine
    from search._lock import write_lock
    from search._pg_conn import is_url

    if is_url(index_dir):  # a PostgreSQL database (no directory, no lock)
        from search._pg_ingest import write_reports_pg
        return write_reports_pg(index_dir, reports, delete)
    index_dir = Path(index_dir)
    with write_lock(index_dir):
        eng = open_engine(index_dir, engine or requested_engine())
        handle = eng.open_writer()
        record_engine(index_dir, eng.NAME)
        with eng.batch(handle) as b:
            for rid in delete:
                b.delete(rid)
            for report in reports:
                b.put(report)
        refresh_summary(eng, handle)
        eng.close()


def existing(ix) -> dict[str, dict]:
    """Indexed reports by id: their sha256 and absolute source path (for incremental ingest)."""
    from search._schema import report_meta

    out = {}
    with ix.searcher() as searcher:
        for fields in searcher.documents(kind="report"):
            meta = report_meta(fields)
            out[fields["report_id"]] = {"sha256": meta["sha256"], "source_abs": meta["source_abs"]}
    return out


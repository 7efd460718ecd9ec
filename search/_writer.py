"""Opening the index for writing and putting reports in or taking them out.

Every change goes through `batch()`: the writer commits when the block ends normally and
cancels (leaving the index at its last commit) when it raises, then the error propagates.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as windex
from whoosh.query import Term

from ingest.model import Report
from search import _aggregate
from search._schema import build_schema, report_documents

INDEX_NAME = "MAIN"


def open_or_create(index_dir: Path):
    """The index in `index_dir`, created empty if there is none (call with the lock held)."""
    index_dir.mkdir(parents=True, exist_ok=True)
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
    writer = ix.writer(_lk=False)
    try:
        yield Batch(writer)
    except BaseException:
        writer.cancel()
        raise
    writer.commit(optimize=optimize)


def segment_count(ix) -> int:
    """How many segments the index has (queries slow down as they multiply)."""
    with ix.reader() as reader:
        return len(reader.leaf_readers())


def refresh_summary(ix, index_dir: Path) -> dict:
    """Rebuild summary.json from the committed index (call with the lock held)."""
    with ix.searcher() as searcher:
        summary = _aggregate.build(searcher, ix.latest_generation())
    _aggregate.write(index_dir, summary)
    return summary


def write_reports(index_dir: Path, reports, delete: tuple[str, ...] = ()) -> None:
    """Index `reports` (and drop `delete` ids) in one commit, taking the lock; for tests/tools."""
    from search._lock import write_lock

    index_dir = Path(index_dir)
    with write_lock(index_dir):
        ix = open_or_create(index_dir)
        with batch(ix) as b:
            for rid in delete:
                b.delete(rid)
            for report in reports:
                b.put(report)
        refresh_summary(ix, index_dir)


def existing(ix) -> dict[str, dict]:
    """Indexed reports by id: their sha256 and absolute source path (for incremental ingest)."""
    from search._schema import report_meta

    out = {}
    with ix.searcher() as searcher:
        for fields in searcher.documents(kind="report"):
            meta = report_meta(fields)
            out[fields["report_id"]] = {"sha256": meta["sha256"], "source_abs": meta["source_abs"]}
    return out


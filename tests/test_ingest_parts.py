"""A flush handed to the engine in parts gives the index a flush in one piece gives.

With tantivy the parent indexes every document; the workers send each batch's documents in
parts (`search._workers.PART_DOCS`) and the parent gives each part to the writer as it
comes (`TantivyEngine.stage`), before the batch commits. The parts must keep the batch's
deletes before its documents (a replaced report stays), leave out a file that lost its
report id to an earlier one, and wait for the commit of the batch before theirs.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from search import Index, SearchRequest, _ingest, _workers, ingest_paths

SAMPLES = Path(__file__).resolve().parent.parent / "sample_reports"
#: Real reports of every format, PDFs from pdfTeX, LibreOffice and reportlab among them.
NAMES = ["2020-02-dm-monthly.pdf", "2020-03-dm-notes.md", "2021-01-dm-monthly-status.html",
         "DM_Monthly_Report_2020-05.pdf", "DM_Status_June.html", "dm-status-202001.txt",
         "dm-status-202004.txt", "dm_report_dec2021.pdf", "2023-06-dm-status.pdf",
         "dm-status-2022-06.html"]


def _archive(root: Path) -> Path:
    archive = root / "archive"
    archive.mkdir()
    for name in NAMES:
        shutil.copy(SAMPLES / name, archive / name)
    # the same report id as dm-status-202001.txt: one of the two is refused (which one
    # depends on the order the workers answer in, so they hold the same text)
    shutil.copy(SAMPLES / "dm-status-202001.txt", archive / "dm_status 202001.txt")
    return archive


def _contents(location) -> dict:
    index = Index(location)
    try:
        # (the source: either file of the duplicate id)
        reports = {row.id: replace(index.report(row.id), source="") for row in index.reports()}
        totals = {q: index.search(SearchRequest(q=q)).total
                  for q in ("butler", "\"data release\"", "qserv", "milestone")}
        return {"reports": reports, "totals": totals}
    finally:
        index.close()


def _run(archive: Path, location: Path, part_docs: int, jobs: int):
    _workers.PART_DOCS = part_docs
    return ingest_paths([archive], location, jobs=jobs)


@pytest.mark.engine_only("tantivy")  # parts are for an engine that indexes in the parent
def test_parts_give_the_index_one_piece_gives(tmp_path, search_engine, monkeypatch):
    monkeypatch.setattr(_workers, "PART_DOCS", _workers.PART_DOCS)
    monkeypatch.setattr(_ingest, "COMMIT_EVERY", 2)  # several batches, parts of later ones wait
    monkeypatch.setattr(_ingest, "PARALLEL_MIN_FILES", 2)
    archive = _archive(tmp_path)
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    first = _run(archive, whole, part_docs=10**9, jobs=1)
    second = _run(archive, parts, part_docs=1, jobs=2)
    assert first.added == second.added == len(NAMES)
    assert len(first.failed) == len(second.failed) == 1
    assert "report id 'dm-status-202001-txt' is also produced by" in second.failed[0][1]
    want = _contents(whole)
    assert len(want["reports"]) == len(NAMES) and all(want["totals"].values())
    assert _contents(parts) == want

    # A changed file replaces its report: its old documents are deleted before the part
    # holding the new ones is staged, so the new ones stay.
    (archive / "dm_status 202001.txt").unlink()  # (re-read, it would replace the other)
    for name in ("dm-status-202004.txt", "2020-03-dm-notes.md"):
        changed = archive / name
        changed.write_bytes(changed.read_bytes() + b"\n\nQserv butler milestone.\n")
    again = [_run(archive, whole, part_docs=10**9, jobs=1),
             _run(archive, parts, part_docs=1, jobs=2)]
    assert [(s.added, s.updated) for s in again] == [(0, 2), (0, 2)]
    want = _contents(whole)
    assert "Qserv butler milestone." in want["reports"]["dm-status-202004-txt"].sections[-1].text
    assert "Qserv butler milestone." in want["reports"]["2020-03-dm-notes-md"].sections[-1].text
    assert _contents(parts) == want

"""Both PDF engines give the same title, pages, headings, levels and text on every test PDF.

One parametrised test over every PDF the tests use (the sample archive's and the reader
fixtures), so the default engine can be swapped without changing what is indexed; a
file that fails fails with the same message under both.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.options import ReadOptions
from ingest.readers.pdf import read_pdf

ROOT = Path(__file__).parent
PDFS = sorted((ROOT / "fixtures" / "pdf").glob("*.pdf")) + sorted(
    (ROOT.parent / "sample_reports").glob("*.pdf"))


def outcome(path: Path, engine: str):
    try:
        doc = read_pdf(path, path.read_bytes(), ReadOptions(pdf_reader=engine))
    except IngestError as error:
        return ("error", str(error))
    return (doc.title, doc.pages, [(s.heading, s.level, s.page, s.text) for s in doc.sections])


def test_there_are_pdfs_of_every_producer() -> None:
    assert len(PDFS) >= 18


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_pdfium_and_pdfminer_agree(path: Path) -> None:
    miner = outcome(path, "pdfminer")
    pdfium = outcome(path, "pdfium")
    assert pdfium[:2] == miner[:2]
    if miner[0] != "error":
        assert [s[:3] for s in pdfium[2]] == [s[:3] for s in miner[2]]  # headings first
        assert pdfium[2] == miner[2]

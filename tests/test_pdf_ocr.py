"""OCR of scanned PDFs with ``--ocr`` (Debian's ocrmypdf and tesseract-ocr; scripts/test.sh
installs them). scanned.pdf is a pdfTeX page rendered to a 200 dpi grey image and wrapped
by img2pdf; mixed_scan.pdf (pdfTeX) and writer_scan.pdf (LibreOffice) have a text page
and a scanned page.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main
from ingest import IngestError, extract_report
from ingest.options import ReadOptions

FIXTURES = Path(__file__).parent / "fixtures" / "pdf"
SCANNED = FIXTURES / "scanned.pdf"
MIXED = FIXTURES / "mixed_scan.pdf"


def test_the_ocr_tools_are_installed() -> None:
    # scripts/test.sh installs them; without them the tests below would fail for that.
    assert shutil.which("ocrmypdf") and shutil.which("tesseract")


def test_without_ocr_a_scan_keeps_the_clear_message() -> None:
    with pytest.raises(IngestError) as err:
        extract_report(SCANNED)
    assert str(err.value) == (
        f"{SCANNED}: has no extractable text (its pages are scanned images); run OCR on it, "
        "e.g. `ocrmypdf in.pdf out.pdf`, and ingest the result")


def test_with_ocr_a_scan_is_read() -> None:
    report = extract_report(SCANNED, options=ReadOptions(ocr=True))
    assert report.pages == 1
    text = "\n".join(s.heading + "\n" + s.text for s in report.sections)
    assert "Scanned Status Note" in [s.heading for s in report.sections]
    assert ("This page was printed, signed and scanned by the site office. The backup tapes "
            "for April were sent to the vault on May 2, and the vault confirmed their arrival.") in text
    assert "The office will replace the ageing scanner before the summer." in text
    assert report.format == "pdf"


def test_with_ocr_text_pages_keep_their_text_and_scanned_pages_are_ocred() -> None:
    plain = extract_report(MIXED)
    ocred = extract_report(MIXED, options=ReadOptions(ocr=True))
    assert ocred.pages == plain.pages == 2
    # Page 1 has a text layer: read from it, exactly as without OCR.
    assert ocred.sections[0].text == plain.sections[0].text
    assert ocred.sections[0].page == 1
    page_two = [s for s in ocred.sections if s.page == 2]
    assert page_two and page_two[0].heading == "Scanned Status Note"
    assert "the vault confirmed their arrival" in " ".join(s.text for s in page_two)
    assert "the vault confirmed their arrival" not in " ".join(s.text for s in plain.sections)


@pytest.mark.parametrize("engine", ["pdfium", "pdfminer"])
def test_a_writer_file_with_a_scanned_page(engine) -> None:
    # writer_scan.pdf (LibreOffice): page 1 a title wrapped over two lines (the second
    # is "2024" alone) and text under a bookmarked Heading 1, page 2 a page-sized scan
    # image and no text at all.
    scan = FIXTURES / "writer_scan.pdf"
    plain = extract_report(scan, options=ReadOptions(pdf_reader=engine))
    ocred = extract_report(scan, options=ReadOptions(pdf_reader=engine, ocr=True))
    assert plain.title == ocred.title == "Vault Delivery Record for April 2024"
    assert plain.pages == ocred.pages == 2
    # The title is not repeated as an opening section ("2024" is no page number).
    assert [(s.heading, s.level, s.page) for s in plain.sections] == [("Delivery", 1, 1)]
    assert "the vault confirmed their arrival" not in plain.sections[0].text
    # Page 1 is read from its text layer, exactly as without OCR; page 2 from the OCR.
    assert ocred.sections[0] == plain.sections[0]
    page_two = [s for s in ocred.sections if s.page == 2]
    assert [s.heading for s in page_two] == ["Scanned Status Note", "Open Actions"]
    assert "the vault confirmed their arrival" in page_two[0].text
    assert page_two[1].text == "The office will replace the ageing scanner before the summer."


def test_extract_cli_ocr_option(tmp_path) -> None:
    result = CliRunner().invoke(main, ["extract", str(SCANNED), "--ocr", "--json"])
    assert result.exit_code == 0, result.output
    assert "the vault confirmed their arrival" in result.output
    result = CliRunner().invoke(main, ["extract", str(SCANNED)])
    assert result.exit_code == 1
    assert "has no extractable text (its pages are scanned images)" in result.output

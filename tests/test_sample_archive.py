"""Checks that sample_reports/ keeps the promises its README makes.

The archive is demo and test data for every reader, so these tests guard its
shape: enough reports, several years, all four formats, PDFs from real
producers, and the deliberate encoding quirks.
"""
from __future__ import annotations

import re
from pathlib import Path

from pdfminer.pdfdocument import PDFDocument, PDFNoOutlines
from pdfminer.pdfparser import PDFParser

ARCHIVE = Path(__file__).resolve().parent.parent / "sample_reports"
REPORT_SUFFIXES = {".pdf", ".html", ".txt", ".md"}


def _reports() -> list[Path]:
    return sorted(p for p in ARCHIVE.iterdir()
                  if p.suffix in REPORT_SUFFIXES and p.name != "README.md")


def _pdf_info(path: Path) -> tuple[dict[str, str], bool]:
    """Return the decoded Info dict and whether the PDF has an outline."""
    with path.open("rb") as fh:
        doc = PDFDocument(PDFParser(fh))
        info = {}
        for key, value in (doc.info[0] if doc.info else {}).items():
            if isinstance(value, bytes):
                value = (value[2:].decode("utf-16-be") if value.startswith(b"\xfe\xff")
                         else value.decode("latin-1"))
            info[key] = value
        try:
            has_outline = any(True for _ in doc.get_outlines())
        except PDFNoOutlines:
            has_outline = False
    return info, has_outline


def _text(path: Path) -> str:
    """Decode a text report the way a reader would: UTF-8 (BOM allowed), else cp1252."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def test_at_least_36_reports_in_four_formats():
    reports = _reports()
    assert len(reports) >= 36, [p.name for p in reports]
    assert {p.suffix for p in reports} == REPORT_SUFFIXES


def test_reports_span_at_least_three_years():
    years = set()
    for path in _reports():
        if path.suffix == ".pdf":
            text = _pdf_info(path)[0].get("Title", "")
        else:
            text = _text(path)[:2000]
        for match in re.finditer(r"20[12]\d", path.name + " " + text):
            years.add(match.group(0))
    assert len(years & {"2020", "2021", "2022", "2023"}) >= 3, years


def test_pdfs_are_real_and_come_from_several_producers():
    pdfs = [p for p in _reports() if p.suffix == ".pdf"]
    assert len(pdfs) >= 8
    producers, outlines = set(), set()
    for pdf in pdfs:
        assert pdf.read_bytes()[:5] == b"%PDF-", pdf.name
        info, has_outline = _pdf_info(pdf)
        # LaTeX without a pdftitle writes no or an empty Title: a real-life quirk
        assert (info.get("Title") or "DM ").startswith("DM "), (pdf.name, info)
        for name in ("pdfTeX", "LibreOffice", "ReportLab"):
            if name in info.get("Producer", ""):
                producers.add(name)
        outlines.add(has_outline)
    # the README promises all three producers and PDFs with and without an outline
    assert producers == {"pdfTeX", "LibreOffice", "ReportLab"}, producers
    assert outlines == {True, False}


def test_forum_pages_carry_post_dates_and_a_script_trap():
    pages = [p for p in _reports() if p.suffix == ".html"]
    assert len(pages) >= 8
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert re.search(r'<time[^>]+datetime="20\d\d-\d\d-\d\d', html), page.name
        assert "<script>" in html and "Back to top" in html, page.name
        # DM-99999 is the trap: it may appear inside <script> only
        outside_scripts = re.sub(r"<script>.*?</script>", "", html, flags=re.S)
        assert "DM-99999" not in outside_scripts, page.name


def test_plain_text_encoding_quirks_are_present():
    texts = [p for p in _reports() if p.suffix == ".txt"]
    raw = {p.name: p.read_bytes() for p in texts}
    assert any(b.startswith(b"\xef\xbb\xbf") for b in raw.values()), "no UTF-8 BOM file"
    cp1252 = [name for name, b in raw.items() if not _decodes_as_utf8(b)]
    assert cp1252, "no cp1252 file"
    assert all("Cerro Pach\u00f3n" in _text(ARCHIVE / n) or "Montr\u00e9al" in _text(ARCHIVE / n)
               for n in cp1252)


def _decodes_as_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_readme_says_the_content_is_fictional_and_lists_every_report():
    readme = (ARCHIVE / "README.md").read_text(encoding="utf-8")
    assert "FICTIONAL" in readme
    missing = [p.name for p in _reports() if f"`{p.name}`" not in readme]
    assert not missing, f"add these files to sample_reports/README.md: {missing}"

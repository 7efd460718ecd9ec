"""Document structure on real PDFs: partial outlines, misplaced bookmarks, contents pages,
wrapped and numbered headings, two columns, scans (tests/fixtures/pdf/make_structure_fixtures.py
made the files with pdfTeX and LibreOffice; their text is a fictional monthly report).

Expected headings, levels and pages are read off the sources and the rendered pages.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import extract_report
from ingest.options import ReadOptions

FIXTURES = Path(__file__).parent / "fixtures" / "pdf"
ENGINES = ["pdfium", "pdfminer"]

# latex_contents.pdf: hyperref with bookmarksdepth=1 bookmarks the numbered sections only;
# the subsections (one of them "3.11"), the unnumbered "Acknowledgements" and "Outlook"
# come from the layout; the "Outlook" bookmark was set on page 4, its heading is on 5.
LATEX_CONTENTS = [
    ("1 Overview", 1, 2, "overview"),
    ("2 Ingest and Storage", 1, 2, "ingest-and-storage"),
    ("2.1 Transfer Service", 2, 2, "transfer-service"),
    ("2.2 Catalogue Backups", 2, 2, "catalogue-backups"),
    ("3 Processing", 1, 3, "processing"),
    ("3.1 Nightly Pipelines", 2, 3, "nightly-pipelines"),
    ("3.11 Storage Migration", 2, 3, "storage-migration"),
    ("4 Preparations for the Commissioning of the Second Processing Site and its Networks", 1, 3,
     "preparations-for-the-commissioning-of-the-second-processing"),
    ("4.1 Site Acceptance", 2, 3, "site-acceptance"),
    ("Acknowledgements", 1, 3, "acknowledgements"),
    ("Outlook", 1, 5, "outlook"),
]
# writer_contents.pdf: Heading 1/2 paragraphs are bookmarked; "Catalogue" and "Staffing"
# were formatted by hand in the same look and are not; a contents list with dot leaders
# on page 1; the heading on page 3 wraps over two lines.
WRITER_CONTENTS = [
    ("Summary", 1, 1),
    ("Services", 1, 1),
    ("Archive", 2, 1),
    ("Catalogue", 2, 2),
    ("Network and Storage Changes for the Move to the New Machine Room", 1, 3),
    ("Staffing", 1, 3),
    ("Outlook", 1, 3),
]


def extract(name: str, engine: str):
    return extract_report(FIXTURES / name, options=ReadOptions(pdf_reader=engine))


def headed(report) -> list[tuple]:
    return [(s.heading, s.level, s.page) for s in report.sections if s.heading]


@pytest.mark.parametrize("engine", ENGINES)
def test_partial_outline_and_layout_together(engine) -> None:
    report = extract("latex_contents.pdf", engine)
    assert report.title == "Archive Services Monthly Report for May 2024"
    assert report.pages == 5
    assert [(s.heading, s.level, s.page, s.anchor) for s in report.sections if s.heading] \
        == LATEX_CONTENTS


@pytest.mark.parametrize("engine", ENGINES)
def test_contents_page_is_neither_section_nor_heading(engine) -> None:
    report = extract("latex_contents.pdf", engine)
    text = "\n".join(s.heading + "\n" + s.text for s in report.sections)
    assert "Contents" not in text
    assert ". . ." not in text
    # The title page keeps its author and date, nothing of the contents list.
    assert report.sections[0].heading == ""
    assert report.sections[0].text == "Harbour Survey Data Office\n\nJune 4, 2024"
    assert report.sections[0].page == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_a_bookmark_a_page_early_is_moved_to_its_heading(engine) -> None:
    report = extract("latex_contents.pdf", engine)
    outlook = report.sections[-1]
    assert (outlook.heading, outlook.page) == ("Outlook", 5)
    assert outlook.text.startswith("June will be spent on the acceptance tests")
    # The text between the bookmark and the page break stays with the section before.
    assert "A closing note: the June report will be published" in report.sections[-2].text


@pytest.mark.parametrize("engine", ENGINES)
def test_writer_contents_list_hand_made_headings_and_a_wrapped_heading(engine) -> None:
    report = extract("writer_contents.pdf", engine)
    assert report.title == "Data Office Report for March 2024"
    assert headed(report) == WRITER_CONTENTS
    assert report.sections[0].heading == "Summary"  # no opening section of contents lines
    text = "\n".join(s.text for s in report.sections)
    assert "...." not in text and "Contents" not in text
    # The page header and the "Page N" footer stay dropped.
    assert "Harbour Survey Data Office" not in text and "Page " not in text
    wrapped = report.sections[4]
    assert wrapped.text.startswith("Two new switches now connect the storage servers")
    assert "Move to the New Machine Room" not in wrapped.text


@pytest.mark.parametrize("engine", ENGINES)
def test_two_columns_are_read_column_by_column(engine) -> None:
    report = extract("latex_twocolumn.pdf", engine)
    assert headed(report) == [("1 Summary", 1, 1), ("2 Calibration", 1, 1),
                              ("3 Alert Processing", 1, 1), ("4 Data Releases", 1, 1),
                              ("5 Next Month", 1, 1)]
    alerts = next(s.text for s in report.sections if s.anchor == "alert-processing")
    # The paragraph runs from the foot of the left column to the top of the right one.
    assert "tested on the archive of March before it went into service. The operations team" \
        in alerts
    assert alerts.endswith("and the brokers asked for the same service for their own copies.")
    assert "\n" not in alerts  # one paragraph, not lines from both columns interleaved
    releases = next(s.text for s in report.sections if s.anchor == "data-releases")
    assert releases.startswith("The internal data release was frozen on April 22")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_two_column_section_in_a_writer_page_is_read_column_by_column(engine) -> None:
    # writer_columns.pdf: full-width text above and below a two-column section; Heading
    # 1/2 are bookmarked, "Networks" (under the columns) and "Outlook" (page 3) are not.
    report = extract("writer_columns.pdf", engine)
    assert report.title == "Data Office Report for April 2024"
    assert report.pages == 3
    assert headed(report) == [("Summary", 1, 1), ("Operations", 1, 1), ("Tape Vault", 2, 1),
                              ("Networks", 1, 1), ("Outlook", 1, 3)]
    by_anchor = {s.anchor: s.text for s in report.sections}
    operations = by_anchor["operations"]
    # One paragraph from the left column into the top of the right one.
    assert operations.startswith("The left column opens here. The operations team kept")
    assert operations.endswith("and the operators logged each load by hand for the first week.")
    assert "\n" not in operations and "Tape Vault" not in operations
    vault = by_anchor["tape-vault"]
    assert vault.startswith("The vault took the second copies of March and April")
    assert vault.endswith("The right column ends here.")
    assert by_anchor["networks"].startswith("The wide-area link ran at full rate")
    assert "The right column ends here." not in by_anchor["networks"]
    assert by_anchor["outlook"].startswith("May will bring the yearly review")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_page_with_text_and_a_scanned_figure_is_read_from_its_text(engine) -> None:
    report = extract("mixed_scan.pdf", engine)
    assert report.title == "Vault Transfer Record"
    assert report.pages == 2
    text = report.sections[0].text
    assert text.startswith("The record below was kept on paper at the vault")
    assert text.endswith("The second page of this file is a scanned page only.")


@pytest.mark.parametrize("engine", ENGINES)
def test_lists_of_figures_and_tables_and_an_index_are_dropped(engine) -> None:
    report = extract("latex_lists.pdf", engine)
    assert report.title == "Tape Library Report for June 2024"
    assert headed(report) == [("1 Library Use", 1, 2), ("2 Drive Health", 1, 2), ("3 Plans", 1, 2)]
    text = "\n".join(s.heading + "\n" + s.text for s in report.sections)
    for gone in ("Contents", "List of Figures", "List of Tables", "Index", "drives, 3",
                 "calibrated pool, 2", ". . ."):
        assert gone not in text
    # The captions and the table stay where they are printed, once.
    assert text.count("Weekly error rates of the eight drives") == 1
    assert "Pool Tapes raw 412 calibrated 96" in text
    assert report.sections[-1].text.endswith("found no file whose checksum had changed.")


def test_a_bookmark_to_the_contents_is_no_section() -> None:
    from ingest.readers.pdf_engine import OutlineEntry
    from ingest.readers.pdf_layout import build_sections
    from ingest.readers.pdf_text import Line

    def line(page: int, y: float, text: str, size: float = 10.0, bold: bool = False) -> Line:
        return Line(page=page, x0=72, x1=72 + 5 * len(text), y0=y, y1=y + size, size=size,
                    bold=bold, text=text, chars=len(text.replace(" ", "")))

    lines = [line(1, 750, "Archive Report for May", 20, True),
             line(1, 700, "Contents", 14, True),
             line(1, 680, "Summary . . . . . . . . . . 2"),
             line(1, 666, "Outlook . . . . . . . . . . 2"),
             line(2, 700, "Summary", 14, True),
             line(2, 680, "The archive grew by a tenth this month."),
             line(2, 650, "Outlook", 14, True),
             line(2, 630, "Next month the second site opens.")]
    outline = [OutlineEntry("Contents", 1, 1, 712.0), OutlineEntry("Summary", 1, 2, 712.0),
               OutlineEntry("Outlook", 1, 2, 662.0)]
    _title, sections = build_sections(lines, {1: 800.0, 2: 800.0}, outline, None)
    assert [(s.heading, s.page, s.text) for s in sections] == [
        ("Summary", 2, "The archive grew by a tenth this month."),
        ("Outlook", 2, "Next month the second site opens.")]

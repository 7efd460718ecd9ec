"""The PDF reader on real PDFs made by pdfTeX, LibreOffice and reportlab.

The fixtures are committed (tests/fixtures/pdf/make_fixtures.py made them); their text is
a fictional status report, so the expectations below are facts about those files.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTTextLineHorizontal

from ingest.errors import IngestError
from ingest.readers.base import ParsedDocument
from ingest.readers.pdf import read_pdf
from ingest.readers.pdf_layout import drop_running_lines
from ingest.readers.pdf_outline import clean_heading
from ingest.readers.pdf_text import Line, Vocabulary, join_hyphenated

FIXTURES = Path(__file__).parent / "fixtures" / "pdf"
SAMPLES = sorted((Path(__file__).parent.parent / "sample_reports").glob("*.pdf"))
# Numbered headings keep their number in the heading text (the anchor drops it).
LATEX_HEADINGS = [
    ("1 High-level Summary", 1, 1),
    ("2 Technical Progress", 1, 1),
    ("2.1 Middleware", 2, 1),
    ("2.2 Data Access", 2, 2),
    ("3 Risks and Issues", 1, 2),
    ("4 Milestones", 1, 3),
    ("4.1 Upcoming", 2, 3),
]
WRITER_HEADINGS = [
    ("Summary", 1, 1),
    ("Observatory Operations", 1, 1),
    ("Scheduling", 2, 1),
    ("Instrument Health", 2, 2),
    ("Software Releases", 1, 2),
    ("Outlook", 1, 2),
]


def read(name: str) -> ParsedDocument:
    path = FIXTURES / name
    return read_pdf(path, path.read_bytes())


def section(doc: ParsedDocument, heading: str) -> str:
    """The text of the section headed `heading` (its section number aside)."""
    return next(s.text for s in doc.sections if clean_heading(s.heading) == heading)


def all_text(doc: ParsedDocument) -> str:
    return "\n\n".join(s.heading + "\n" + s.text for s in doc.sections)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("latex_outline.pdf", LATEX_HEADINGS),  # from hyperref bookmarks, as printed
        ("latex_plain.pdf", LATEX_HEADINGS),  # from CMBX fonts
        ("writer_outline.pdf", WRITER_HEADINGS),  # from LibreOffice bookmarks
        ("writer_plain.pdf", WRITER_HEADINGS),  # from larger bold Liberation fonts
    ],
)
def test_headings_levels_and_pages(name: str, expected: list) -> None:
    doc = read(name)
    assert doc.format == "pdf"
    assert doc.pages == 3
    got = [(s.heading, s.level, s.page) for s in doc.sections if s.level > 0]
    assert got == expected


def test_outline_splits_text_at_the_bookmark_position() -> None:
    doc = read("latex_outline.pdf")
    summary = section(doc, "High-level Summary")
    assert summary.startswith("The month was dominated by preparations")
    assert summary.endswith("for the nightly verification jobs.")
    # The heading line itself ("1 High-level Summary") is not repeated in the body.
    assert "High-level Summary" not in summary
    assert section(doc, "Technical Progress") == ""
    assert section(doc, "Upcoming").startswith("The next status report will cover April 2024")


def test_titles_from_metadata_or_largest_heading_on_page_one() -> None:
    title = "Data Systems Monthly Status Report for March 2024"
    assert read("latex_outline.pdf").title == title  # hyperref pdftitle
    assert read("latex_plain.pdf").title == title  # no metadata: the CMR17 title lines
    assert read("writer_outline.pdf").title == "Operations Report for February 2024"
    # Metadata says "Microsoft Word - ops-report-2024-02.docx": ignored for the page's title,
    # which wraps over two lines in the PDF.
    assert read("writer_plain.pdf").title == "Operations Report for February 2024"


def test_front_matter_is_a_level_zero_section_without_the_title() -> None:
    doc = read("latex_plain.pdf")
    front = doc.sections[0]
    assert (front.heading, front.level, front.page) == ("", 0, 1)
    assert "Monthly Status Report" not in front.text
    assert front.text.split("\n\n") == [
        "Aurora Survey Project Office",
        "April 2, 2024",
        "This report summarises the work of the data systems group during March 2024. "
        "Progress is tracked against the long-term plan agreed at the last annual review.",
    ]
    writer = read("writer_plain.pdf").sections[0]
    assert writer.text == "Prepared by the operations office for the steering committee."


@pytest.mark.parametrize("name", ["latex_outline.pdf", "latex_plain.pdf"])
def test_running_header_footer_and_page_numbers_dropped_latex(name: str) -> None:
    text = all_text(read(name))
    assert "Aurora Survey Data Systems" not in text
    assert "Status Report, March 2024" not in text
    assert "Page " not in text


@pytest.mark.parametrize("name", ["writer_outline.pdf", "writer_plain.pdf"])
def test_running_header_footer_and_page_numbers_dropped_writer(name: str) -> None:
    text = all_text(read(name))
    assert "Northern Lights Telescope" not in text
    assert "of 3" not in text


@pytest.mark.parametrize("name", ["latex_outline.pdf", "latex_plain.pdf"])
def test_line_end_hyphens_in_latex(name: str) -> None:
    doc = read(name)
    text = all_text(doc)
    # Broken words are joined: forced ("infra-" / "structure") and TeX's own breaks.
    for word in ("infrastructure", "submission", "campaigns", "Performance", "interface",
                 "delay", "further"):
        assert word in text
    # Real hyphens stay: a handle, a compound after a digit, a compound the text uses.
    assert "design note DMTN-208 was revised" in text
    assert "a Gen3-compliant repository" in text
    assert "Our long-term goal" in text
    assert "- " not in section(doc, "Data Access")  # no half-joined word left behind


def test_justified_lines_split_by_pdfminer_are_rejoined_in_order() -> None:
    summary = section(read("latex_outline.pdf"), "High-level Summary")
    assert "finished without manual intervention. The infrastructure team" in summary


@pytest.mark.parametrize(
    ("left", "right", "joined"),
    [
        ("the infra-", "structure team", "the infrastructure team"),
        ("note DMTN-", "208 was", "note DMTN-208 was"),
        ("a Gen3-", "compliant repo", "a Gen3-compliant repo"),
        ("non-", "English text", "non-English text"),
        ("a target-of-", "opportunity request", "a target-of-opportunity request"),
        ("our long-", "term goal", "our long-term goal"),  # the vocabulary has "long-term"
        ("soft\u00ad", "ware", "software"),
    ],
)
def test_join_hyphenated_rule(left: str, right: str, joined: str) -> None:
    vocab = Vocabulary(["a long-term plan", "the goal"])
    assert join_hyphenated(left, right, vocab) == joined


def test_bullets_become_dash_lines() -> None:
    latex = section(read("latex_outline.pdf"), "Middleware")
    paragraphs = latex.split("\n\n")
    assert paragraphs[-1].split("\n") == [
        "- Job retries are limited to three attempts per quantum and are logged for later "
        "analysis by the operations team.",
        "- The scheduler honours site quotas when several campaigns run concurrently.",
        "- A dashboard now shows queue lengths for every processing site.",
    ]
    writer = section(read("writer_plain.pdf"), "Scheduling").split("\n\n")
    assert writer[1].split("\n") == [
        "- Nightly plans are published at noon local time.",
        "- Target-of-opportunity requests interrupt the plan within five minutes.",
    ]
    assert writer[2].startswith("The observing queue was rebuilt")


def test_numbered_items_become_dash_lines() -> None:
    risks = section(read("latex_plain.pdf"), "Risks and Issues").split("\n\n")
    assert risks[0].endswith("from the data systems group this month. Two actions follow:")
    assert risks[1].split("\n") == [
        "- Order the replacement switches from a second supplier if the announced delay "
        "grows beyond eight weeks.",
        "- Repeat the failover exercise once the borrowed switches are installed.",
    ]


def test_paragraphs_are_separated_by_a_blank_line() -> None:
    summary = section(read("latex_plain.pdf"), "High-level Summary")
    paragraphs = summary.split("\n\n")
    assert len(paragraphs) == 2
    assert paragraphs[1].startswith("The design note DMTN-208")
    assert all("\n" not in p for p in paragraphs)
    assert "  " not in summary


def test_ligatures_are_normalised() -> None:
    text = all_text(read("latex_outline.pdf"))
    assert "\ufb01" not in text and "\ufb02" not in text
    assert "first full rehearsal" in text  # "fi" ligature in CMR10
    assert "failover" in text


def test_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"this is not a pdf at all\n")
    with pytest.raises(IngestError) as err:
        read_pdf(path, path.read_bytes())
    assert str(err.value) == (
        f"{path}: not a readable PDF (no %PDF- header); "
        "check the file is complete, e.g. download it again"
    )


def test_truncated_file(tmp_path: Path) -> None:
    data = (FIXTURES / "latex_outline.pdf").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(IngestError) as err:
        read_pdf(path, path.read_bytes())
    assert err.value.problem == (
        "not a readable PDF (the file ends early, no %%EOF marker); "
        "check the file is complete, e.g. download it again"
    )


def test_garbled_body_is_reported_not_raised(tmp_path: Path) -> None:
    # Header and %%EOF intact, everything between them destroyed.
    path = tmp_path / "garbled.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"\x00garbage\xff" * 200 + b"\n%%EOF\n")
    with pytest.raises(IngestError) as err:
        read_pdf(path, path.read_bytes())
    assert err.value.problem.startswith("not a readable PDF (")
    assert err.value.problem.endswith("); check the file is complete, e.g. download it again")


def test_encrypted_file() -> None:
    path = FIXTURES / "encrypted.pdf"
    with pytest.raises(IngestError) as err:
        read_pdf(path, path.read_bytes())
    assert str(err.value) == f"{path}: is encrypted; save an unencrypted copy and ingest that"


def test_image_only_file_asks_for_ocr() -> None:
    path = FIXTURES / "image_only.pdf"
    with pytest.raises(IngestError) as err:
        read_pdf(path, path.read_bytes())
    assert err.value.problem == (
        "has no extractable text (its pages are scanned images); run OCR on it, "
        "e.g. `ocrmypdf in.pdf out.pdf`, and ingest the result"
    )


def test_join_hyphenated_trusts_the_documents_own_words() -> None:
    vocab = Vocabulary(["instances for LSSTComCam and LSSTCam"])
    assert join_hyphenated("each for LSST-", "ComCam and", vocab) == "each for LSSTComCam and"
    assert join_hyphenated("each for LSST-", "ComCam and", Vocabulary([])) == (
        "each for LSST-ComCam and"
    )


def _running_lines(path: Path) -> set[str]:
    """Top-most and bottom-most line texts that recur (digits aside) on 2+ pages.

    Found independently of the reader: raw pdfminer lines, no bands or heuristics.
    """
    seen: dict[str, set[int]] = {}
    texts: dict[str, set[str]] = {}
    for number, page in enumerate(extract_pages(path)):
        lines = [
            line
            for box in page
            if hasattr(box, "__iter__")
            for line in box
            if isinstance(line, LTTextLineHorizontal) and line.get_text().strip()
        ]
        if not lines:
            continue
        for line in (max(lines, key=lambda x: x.y1), min(lines, key=lambda x: x.y0)):
            text = " ".join(line.get_text().split())
            masked = re.sub(r"\d+", "#", text)
            seen.setdefault(masked, set()).add(number)
            texts.setdefault(masked, set()).add(text)
    return {t for masked, pages in seen.items() if len(pages) >= 2 for t in texts[masked]}


def test_the_sample_archive_has_pdfs() -> None:
    assert len(SAMPLES) >= 3


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_pdf_reads_into_titled_paged_sections(path: Path) -> None:
    doc = read_pdf(path, path.read_bytes())
    assert doc.title and doc.pages
    headed = [s for s in doc.sections if s.level >= 1]
    assert len(headed) >= 3
    assert all(s.heading and s.level <= 3 for s in headed)
    assert all(s.page is not None and 1 <= s.page <= doc.pages for s in doc.sections)
    assert [s.page for s in doc.sections] == sorted(s.page for s in doc.sections)
    text = all_text(doc)
    for running in _running_lines(path):
        if len(running.split()) < 3:  # "2", "Collection-7242": body text may hold these
            assert not re.search(rf"(^|\n){re.escape(running)}(\n|$)", text)
        else:
            assert running not in text
    assert not re.search(r"\bPage \d+\b", text)
    assert "(cid:" not in text and "\ufb01" not in text


@pytest.mark.parametrize("footer", ["3", "Page 3", "Page 3 of 7", "3/7", "3 / 7", "- 3 -", "iv"])
def test_bare_page_numbers_are_dropped_even_on_a_single_page(footer: str) -> None:
    def line(y: float, text: str) -> Line:
        return Line(page=1, x0=72, x1=300, y0=y, y1=y + 10, size=10, bold=False,
                    text=text, chars=len(text))

    body = [line(700 - 14 * i, f"Body line {i} of the only page.") for i in range(5)]
    kept = drop_running_lines([*body, line(30, footer)], {1: 800.0})
    assert kept == body


def test_a_repeated_line_in_the_body_is_not_a_running_header() -> None:
    def line(page: int, y: float, text: str) -> Line:
        return Line(page=page, x0=72, x1=300, y0=y, y1=y + 10, size=10, bold=False,
                    text=text, chars=len(text))

    lines = [
        line(p, y, text)
        for p in (1, 2, 3)
        for y, text in ((760, f"Monthly report, page {p}"), (400, "No change."), (380, f"x{p}"))
    ]
    kept = drop_running_lines(lines, {1: 800.0, 2: 800.0, 3: 800.0})
    assert [k.text for k in kept] == ["No change.", "x1", "No change.", "x2", "No change.", "x3"]

"""The PDF reader: ``read_pdf(path, data, options)`` -> ParsedDocument.

This front checks the bytes (header, end marker, the inflate limit), opens them with the
configured engine (`pdf_pdfium`, PDFium through pypdfium2, or `pdf_pdfminer`,
pdfminer.six; see `pdf_engine` for the interface), enforces the page and time limits,
turns each page's runs into lines (`pdf_lines`), OCRs a scan when asked to (`pdf_ocr`) and
hands lines and outline to `pdf_layout`, which recovers title, headings and text.

Every engine failure becomes an `IngestError` with a one-line hint; no engine exception
or traceback reaches the caller.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ingest.errors import IngestError
from ingest.options import ReadOptions
from ingest.readers.base import ParsedDocument
from ingest.readers.pdf_engine import (
    Deadline,
    Notes,
    OpenedPdf,
    PdfEngine,
    check_inflate,
    check_page_count,
)
from ingest.readers.pdf_layout import build_sections
from ingest.readers.pdf_lines import page_lines
from ingest.readers.pdf_text import Line

log = logging.getLogger("ingest.pdf")

_READ_HINT = "check the file is complete, e.g. download it again"
# The messages are the ones users know; `--ocr` (see pdf_ocr) is the way round both.
_SCANNED = (
    "has no extractable text (its pages are scanned images); run OCR on it, "
    "e.g. `ocrmypdf in.pdf out.pdf`, and ingest the result"
)
_BLANK = (
    "has no extractable text (its pages are blank or drawn as graphics); "
    "if it is a scan, run OCR on it, e.g. `ocrmypdf in.pdf out.pdf`, and ingest the result"
)
ENGINES = ("pdfium", "pdfminer")


def _unreadable(path: Path, reason: str) -> IngestError:
    reason = " ".join(reason.split())[:120]
    return IngestError(path, f"not a readable PDF ({reason}); {_READ_HINT}")


def engine(name: str) -> PdfEngine:
    """The engine called `name` ("pdfium" or "pdfminer"); ValueError for another name."""
    if name == "pdfium":
        from ingest.readers.pdf_pdfium import PdfiumEngine

        return PdfiumEngine()
    if name == "pdfminer":
        from ingest.readers.pdf_pdfminer import PdfminerEngine

        return PdfminerEngine()
    raise ValueError(f"unknown PDF reader {name!r}; choose one of {', '.join(ENGINES)}")


def read_pdf(path: Path, data: bytes, options: ReadOptions | None = None) -> ParsedDocument:
    """Read a PDF: title, sections (heading, level, text, 1-based page) and page count.

    Raises IngestError for a corrupt or truncated file, an encrypted one that needs a
    password, a file past a limit (inflated size, pages, seconds), and a file with no
    extractable text (a scan; with ``options.ocr`` it is OCRed instead), each with what
    to do.
    """
    options = options or ReadOptions()
    head = data[:1024]
    if b"%PDF-" not in head:
        raise _unreadable(path, "no %PDF- header")
    # A complete PDF ends with %%EOF (readers allow junk in the last 1 KB); a download cut
    # short does not, and an engine would otherwise quietly read just the pages it finds.
    if b"%%EOF" not in data.rstrip(b"\0 \t\r\n")[-1024:]:
        raise _unreadable(path, "the file ends early, no %%EOF marker")
    check_inflate(path, data, options.limits)
    notes = Notes()
    meta_title, outline, lines, heights, pages, scanned = _read(path, data, options, notes)
    if scanned and options.ocr:
        from ingest.readers.pdf_ocr import ocr_copy

        ocred = ocr_copy(path, data, options.limits)
        meta_title, outline, lines, heights, pages, scanned = _read(path, ocred, options, notes)
    if not any(line.text.strip() for line in lines):
        raise IngestError(path, _SCANNED if scanned else _BLANK)
    for note in notes.items:
        log.warning("%s: %s", path, note)
    title, sections = build_sections(lines, heights, outline, meta_title)
    return ParsedDocument(format="pdf", title=title, sections=sections, pages=pages)


def _read(path: Path, data: bytes, options: ReadOptions, notes: Notes):
    """Open with the configured engine and read everything the layout step needs."""
    try:
        doc: OpenedPdf = _open(path, data, options.pdf_reader)
    except IngestError:
        raise
    except RecursionError:
        raise _unreadable(path, "its object structure nests too deeply") from None
    except Exception as exc:  # engines raise many unrelated types on broken files
        raise _unreadable(path, f"{type(exc).__name__}: {exc}") from None
    try:
        return _read_opened(path, doc, options, notes)
    except IngestError:
        raise
    except RecursionError:
        raise _unreadable(path, "its object structure nests too deeply") from None
    except Exception as exc:
        raise _unreadable(path, f"{type(exc).__name__}: {exc}") from None
    finally:
        doc.close()


def _open(path: Path, data: bytes, name: str) -> OpenedPdf:
    """Open with engine `name`; a file PDFium cannot open gets pdfminer's second opinion.

    pdfminer rebuilds a damaged cross-reference table by scanning for objects, so it
    reads some files PDFium gives up on; when it fails too, its reason is the message.
    """
    try:
        return engine(name).open(path, data)
    except IngestError:
        raise
    except Exception:
        if name == "pdfminer":
            raise
    return engine("pdfminer").open(path, data)


def _read_opened(path: Path, doc: OpenedPdf, options: ReadOptions, notes: Notes):
    limits = options.limits
    declared = doc.page_count
    check_page_count(path, declared, limits)
    deadline = Deadline(path, limits)
    meta_title = doc.meta_title()
    lines: list[Line] = []
    heights: dict[int, float] = {}
    pages = 0
    textless_images = 0  # pages with images and no text: what OCR would help with
    for page in doc.pages():
        pages = page.number
        check_page_count(path, pages, limits)
        heights[page.number] = page.height
        found = page_lines(page)
        if page.images and not found:
            textless_images += 1
        lines += found
        deadline.check(pages, declared)
    if not pages:
        raise _unreadable(path, "it has no pages")
    outline = doc.outline(limits, notes)  # after the pages: engines know their boxes then
    return meta_title, outline, lines, heights, pages, textless_images > 0


def count_pages(data: bytes, options: ReadOptions | None = None) -> int | None:
    """The page count of a PDF, cheaply (PDFium parses lazily), or None if it cannot tell.

    For planning work (ingest balances files across workers by it), not for reading: a
    file past the inflate limit, encrypted or broken gives None.
    """
    options = options or ReadOptions()
    if b"%PDF-" not in data[:1024]:
        return None
    try:
        check_inflate(Path("-"), data, options.limits)
        doc = engine("pdfium").open(Path("-"), data)
    except Exception:  # any failure: reading will report it properly
        return None
    try:
        return doc.page_count
    finally:
        doc.close()


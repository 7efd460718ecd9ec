"""The PDF reader: ``read_pdf(path, data)`` -> ParsedDocument, built on pdfminer.six.

All pdfminer code lives in this module: it parses the file once, streams the pages
through one layout pass (what ``pdfminer.high_level.extract_pages`` does), and hands
engine-neutral `Line` records and outline entries to `pdf_layout`, which recovers the
title, headings, paragraphs and lists. Swapping the engine means rewriting this file only.

Every pdfminer failure becomes an `IngestError` with a one-line hint; no pdfminer
exception or traceback reaches the caller.
"""

from __future__ import annotations

import functools
import io
import logging
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from pdfminer.layout import LAParams, LTChar, LTContainer, LTImage, LTPage, LTTextLineHorizontal
from pdfminer.converter import PDFPageAggregator
from pdfminer.pdfdocument import (
    PDFDocument,
    PDFEncryptionError,
    PDFNoOutlines,
    PDFNoValidXRef,
    PDFPasswordIncorrect,
)
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFObjRef, resolve1
from pdfminer.psparser import PSLiteral
from pdfminer.utils import decode_text

from ingest.errors import IngestError
from ingest.readers.base import ParsedDocument
from ingest.readers.pdf_layout import OutlineEntry, build_sections
from ingest.readers.pdf_text import Line, normalise

# pdfminer logs every oddity of a file (and DEBUG detail) through `logging`; left alone
# that chatter reaches users of the CLI via logging's last-resort handler. Anything that
# matters is turned into an IngestError below, so keep only its errors, unless the
# application has set a level for it on purpose.
_pdfminer_log = logging.getLogger("pdfminer")
if _pdfminer_log.level == logging.NOTSET:
    _pdfminer_log.setLevel(logging.ERROR)

# pdfminer's defaults, except: the box hierarchy (boxes_flow) is not computed, since we
# order lines by position ourselves and that grouping is the costliest layout step; and
# text inside form XObjects (LTFigure) is laid out too, as some producers put a whole
# page's text in one.
_LAPARAMS = LAParams(boxes_flow=None, all_texts=True)
_OBJ_AT = re.compile(rb"\s*(\d+)\s+\d+\s+obj\b")
_BOLD_FONT = re.compile(r"bold|black|heavy|demi|semibold|[-,]medi|medium|cmbx|[-,+]bx|bx\d|[-,]bd\b|bd$", re.I)

_READ_HINT = "check the file is complete, e.g. download it again"
_ENCRYPTED = "is encrypted; save an unencrypted copy and ingest that"
_SCANNED = (
    "has no extractable text (its pages are scanned images); run OCR on it, "
    "e.g. `ocrmypdf in.pdf out.pdf`, and ingest the result"
)
_BLANK = (
    "has no extractable text (its pages are blank or drawn as graphics); "
    "if it is a scan, run OCR on it, e.g. `ocrmypdf in.pdf out.pdf`, and ingest the result"
)


def _unreadable(path: Path, reason: str) -> IngestError:
    reason = " ".join(reason.split())[:120]
    return IngestError(path, f"not a readable PDF ({reason}); {_READ_HINT}")


def read_pdf(path: Path, data: bytes) -> ParsedDocument:
    """Read a PDF: title, sections (heading, level, text, 1-based page) and page count.

    Raises IngestError for a corrupt or truncated file, an encrypted one that needs a
    password, and a file with no extractable text (a scan), each with what to do.
    """
    head = data[:1024]
    if b"%PDF-" not in head:
        raise _unreadable(path, "no %PDF- header")
    # A complete PDF ends with %%EOF (readers allow junk in the last 1 KB); a download cut
    # short does not, and pdfminer would otherwise quietly read just the pages it finds.
    if b"%%EOF" not in data.rstrip(b"\0 \t\r\n")[-1024:]:
        raise _unreadable(path, "the file ends early, no %%EOF marker")
    try:
        doc = PDFDocument(PDFParser(io.BytesIO(data)))
        if not _xref_is_sound(doc, data):
            doc = _RebuiltXRefDocument(PDFParser(io.BytesIO(data)))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise IngestError(path, _ENCRYPTED) from None
    except Exception as exc:  # pdfminer raises many unrelated types on broken files
        raise _unreadable(path, f"{type(exc).__name__}: {exc}") from None
    try:
        meta_title = _meta_title(doc)
        outline = list(_outline(doc))
        lines, heights, page_ids, origins, images = _read_pages(doc)
    except IngestError:
        raise
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise IngestError(path, _ENCRYPTED) from None
    except Exception as exc:
        raise _unreadable(path, f"{type(exc).__name__}: {exc}") from None
    if not page_ids:
        raise _unreadable(path, "it has no pages")
    if not any(line.text.strip() for line in lines):
        raise IngestError(path, _SCANNED if images else _BLANK)
    entries = [_place(entry, page_ids, origins) for entry in outline]
    title, sections = build_sections(lines, heights, entries, meta_title)
    return ParsedDocument(format="pdf", title=title, sections=sections, pages=len(page_ids))


class _RebuiltXRefDocument(PDFDocument):
    """A document read by scanning the file for objects instead of trusting its xref table.

    pdfminer falls back to this only when the table cannot be parsed at all; a table with
    stale offsets (a file edited without updating it) otherwise yields empty pages.
    """

    def find_xref(self, parser: PDFParser) -> int:
        raise PDFNoValidXRef("offsets in the xref table do not point at objects")


def _xref_is_sound(doc: PDFDocument, data: bytes) -> bool:
    """Do the xref table's offsets point at "<id> <gen> obj"? (cheap: no parsing)"""
    for xref in doc.xrefs:
        for objid in xref.get_objids():
            try:
                stream_id, pos, _gen = xref.get_pos(objid)
            except KeyError:
                continue
            if stream_id is not None:
                continue  # stored inside an object stream: nothing to check cheaply
            found = _OBJ_AT.match(data, pos)
            if found is None or int(found.group(1)) != objid:
                return False
    return True


def _read_pages(
    doc: PDFDocument,
) -> tuple[list[Line], dict[int, float], dict[int, int], dict[int, float], int]:
    """One layout pass over all pages: lines, heights, page ids, y origins, image count."""
    manager = PDFResourceManager(caching=True)
    device = PDFPageAggregator(manager, laparams=_LAPARAMS)
    interpreter = PDFPageInterpreter(manager, device)
    lines: list[Line] = []
    heights: dict[int, float] = {}
    page_ids: dict[int, int] = {}
    origins: dict[int, float] = {}  # layout y = user-space y - mediabox bottom
    images = 0
    for number, page in enumerate(PDFPage.create_pages(doc), 1):
        interpreter.process_page(page)
        layout: LTPage = device.get_result()
        page_ids[page.pageid] = number
        heights[number] = layout.height
        origins[number] = float(page.mediabox[1]) if page.mediabox else 0.0
        parts: list[LTTextLineHorizontal] = []
        for item in _walk(layout):
            if isinstance(item, LTTextLineHorizontal):
                parts.append(item)
            elif isinstance(item, LTImage):
                images += 1
        lines.extend(_visual_lines(parts, number))
    return lines, heights, page_ids, origins, images


def _walk(container: LTContainer) -> Iterator[object]:
    """Text lines and images anywhere in a page's layout tree (boxes, figures)."""
    for item in container:
        if isinstance(item, (LTTextLineHorizontal, LTImage)):
            yield item
        elif isinstance(item, LTContainer):
            yield from _walk(item)


def _visual_lines(parts: list[LTTextLineHorizontal], page: int) -> list[Line]:
    """Merge pdfminer's line pieces that share a baseline into whole lines, top to bottom.

    pdfminer splits a justified line with wide spaces into several boxes and may order
    the boxes oddly; for single-column reports, position is the reliable reading order.
    """
    parts.sort(key=lambda p: (-p.y0, p.x0))
    groups: list[list[LTTextLineHorizontal]] = []
    for part in parts:
        if groups:
            ref = groups[-1][0]
            if abs(ref.y0 - part.y0) <= 0.3 * max(min(ref.height, part.height), 1.0):
                groups[-1].append(part)
                continue
        groups.append([part])
    return [line for group in groups if (line := _make_line(group, page)) is not None]


@functools.lru_cache(maxsize=512)
def _is_bold(fontname: str) -> bool:
    """Bold from the font name ("Arial-BoldMT", "CMBX12", "NimbusRomNo9L-Medi")."""
    return bool(_BOLD_FONT.search(fontname.split("+")[-1]))


def _make_line(group: list[LTTextLineHorizontal], page: int) -> Line | None:
    group.sort(key=lambda p: p.x0)
    text = normalise(" ".join(p.get_text() for p in group))
    if not text:
        return None
    # One small tally of (font, size) per line keeps the per-character work minimal.
    faces: Counter[tuple[str, float]] = Counter(
        (ch.fontname, round(ch.size, 1))
        for part in group
        for ch in part
        if isinstance(ch, LTChar) and not ch.get_text().isspace()
    )
    total = sum(faces.values())
    if not total:
        return None
    sizes: Counter[float] = Counter()
    bold = 0
    for (font, size), n in faces.items():
        sizes[size] += n
        bold += n if _is_bold(font) else 0
    return Line(
        page=page,
        x0=min(p.x0 for p in group),
        x1=max(p.x1 for p in group),
        y0=min(p.y0 for p in group),
        y1=max(p.y1 for p in group),
        size=sizes.most_common(1)[0][0],
        bold=bold >= 0.8 * total,
        text=text,
        chars=total,
    )


def _meta_title(doc: PDFDocument) -> str | None:
    """The Title from the document information dictionary, decoded, or None."""
    for info in doc.info:
        raw = resolve1(info.get("Title"))
        if isinstance(raw, bytes):
            raw = decode_text(raw)
        if isinstance(raw, str) and raw.strip():
            return normalise(raw)
    return None


def _outline(doc: PDFDocument) -> Iterator[tuple[str, int, object]]:
    """(title, level, destination) for each bookmark; none when there is no outline."""
    names: dict[str, object] | None = None
    try:
        for level, title, dest, action, _se in doc.get_outlines():
            target = dest
            action = resolve1(action)
            if target is None and isinstance(action, dict):
                target = action.get("D")
            if names is None:
                names = _named_dests(doc)
            yield normalise(str(title or "")), level, _resolve_dest(names, target)
    except PDFNoOutlines:
        return


def _named_dests(doc: PDFDocument) -> dict[str, object]:
    """Every named destination, read once (PDF 1.2 name tree and PDF 1.1 /Dests dict).

    pdfminer's ``get_dest`` walks the name tree from its root for each lookup; a report
    with a hundred bookmarks would pay that a hundred times.
    """
    names: dict[str, object] = {}
    old = resolve1(doc.catalog.get("Dests"))
    if isinstance(old, dict):
        names.update({_name_key(k): v for k, v in old.items()})
    tree = resolve1(doc.catalog.get("Names"))
    stack = [resolve1(tree.get("Dests"))] if isinstance(tree, dict) else []
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        pairs = resolve1(node.get("Names"))
        if isinstance(pairs, list):
            for key, value in zip(pairs[::2], pairs[1::2]):
                names.setdefault(_name_key(resolve1(key)), value)
        kids = resolve1(node.get("Kids"))
        if isinstance(kids, list):
            stack.extend(resolve1(kid) for kid in reversed(kids))
    return names


def _name_key(name: object) -> str:
    if isinstance(name, PSLiteral):
        name = name.name
    if isinstance(name, bytes):
        return name.decode("latin-1")
    return str(name)


def _resolve_dest(names: dict[str, object], dest: object) -> list | None:
    """Follow a named or direct destination to its ``[page, /XYZ, left, top, ...]`` array."""
    for _ in range(4):  # names may point to dicts that point to arrays
        dest = resolve1(dest)
        if isinstance(dest, list):
            return dest
        if isinstance(dest, dict):
            dest = dest.get("D")
        elif isinstance(dest, (str, bytes, PSLiteral)):
            dest = names.get(_name_key(dest))
        else:
            return None
    return None


def _place(
    entry: tuple[str, int, object], page_ids: dict[int, int], origins: dict[int, float]
) -> OutlineEntry:
    """Turn a resolved destination into a page number and a top y, where it has them."""
    title, level, dest = entry
    page = top = None
    if isinstance(dest, list) and dest:
        ref = dest[0]
        if isinstance(ref, PDFObjRef):
            page = page_ids.get(ref.objid)
        elif isinstance(ref, int) and 0 <= ref < len(page_ids):
            page = ref + 1  # remote-style destination: a 0-based page index
        kind = dest[1].name if len(dest) > 1 and isinstance(dest[1], PSLiteral) else ""
        y_index = {"XYZ": 3, "FitH": 2, "FitBH": 2, "FitR": 5}.get(kind)
        if y_index is not None and len(dest) > y_index:
            value = resolve1(dest[y_index])
            if isinstance(value, (int, float)) and page is not None:
                top = float(value) - origins.get(page, 0.0)
    return OutlineEntry(title=title, level=level, page=page, top=top)

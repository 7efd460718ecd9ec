"""The pdfminer.six engine behind `ingest.readers.pdf_engine`'s interface.

All pdfminer code lives in this module: it parses the file once, lists the pages, walks
the outline (iteratively: a looping or absurdly deep outline is cut with a note) and
streams the pages through one layout pass (what ``pdfminer.high_level.extract_pages``
does), handing engine-neutral `Run` records to the shared code.
"""

from __future__ import annotations

import functools
import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTChar, LTContainer, LTImage, LTPage, LTTextLineHorizontal
from pdfminer.pdfdocument import (
    PDFDocument,
    PDFEncryptionError,
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
from ingest.readers.pdf_engine import Notes, OutlineEntry, PageRuns, PdfLimits, Run
from ingest.readers.pdf_text import normalise

# pdfminer logs every oddity of a file (and DEBUG detail) through `logging`; left alone
# that chatter reaches users of the CLI via logging's last-resort handler. Anything that
# matters is turned into an IngestError, so keep only its errors, unless the application
# has set a level for it on purpose.
_pdfminer_log = logging.getLogger("pdfminer")
if _pdfminer_log.level == logging.NOTSET:
    _pdfminer_log.setLevel(logging.ERROR)

# pdfminer's defaults, except: the box hierarchy (boxes_flow) is not computed, since we
# order lines by position ourselves and that grouping is the costliest layout step; and
# text inside form XObjects (LTFigure) is laid out too, as some producers put a whole
# page's text in one.
_LAPARAMS = LAParams(boxes_flow=None, all_texts=True)
_OBJ_AT = re.compile(rb"\s*(\d+)\s+\d+\s+obj\b")
BOLD_FONT = re.compile(r"bold|black|heavy|demi|semibold|[-,]medi|medium|cmbx|[-,+]bx|bx\d|[-,]bd\b|bd$", re.I)
ENCRYPTED = "is encrypted; save an unencrypted copy and ingest that"


@functools.lru_cache(maxsize=512)
def is_bold(fontname: str) -> bool:
    """Bold from the font name ("Arial-BoldMT", "CMBX12", "NimbusRomNo9L-Medi")."""
    return bool(BOLD_FONT.search(fontname.split("+")[-1]))


class PdfminerEngine:
    """pdfminer.six: pure Python, slow, the reference the PDFium engine is checked against."""

    name = "pdfminer"

    def open(self, path: Path, data: bytes) -> "_Opened":
        try:
            doc = PDFDocument(PDFParser(io.BytesIO(data)))
            if not _xref_is_sound(doc, data):
                doc = _RebuiltXRefDocument(PDFParser(io.BytesIO(data)))
            return _Opened(doc)
        except (PDFPasswordIncorrect, PDFEncryptionError):
            raise IngestError(path, ENCRYPTED) from None


class _Opened:
    def __init__(self, doc: PDFDocument) -> None:
        self.doc = doc
        self._pages: list[PDFPage] | None = None

    @property
    def page_count(self) -> int:
        """The page tree's declared /Count (bounds the work before the tree is walked)."""
        tree = resolve1(self.doc.catalog.get("Pages"))
        declared = resolve1(tree.get("Count")) if isinstance(tree, dict) else None
        if isinstance(declared, int) and declared > 0:
            return declared
        return len(self._page_list())

    def _page_list(self) -> list[PDFPage]:
        if self._pages is None:
            self._pages = list(PDFPage.create_pages(self.doc))
        return self._pages

    def meta_title(self) -> str | None:
        for info in self.doc.info:
            raw = resolve1(info.get("Title"))
            if isinstance(raw, bytes):
                raw = decode_text(raw)
            if isinstance(raw, str) and raw.strip():
                return normalise(raw)
        return None

    def outline(self, limits: PdfLimits, notes: Notes) -> list[OutlineEntry]:
        pages = self._page_list()
        page_ids = {page.pageid: n for n, page in enumerate(pages, 1)}
        origins = {n: float(p.mediabox[1]) if p.mediabox else 0.0 for n, p in enumerate(pages, 1)}
        names: dict[str, object] | None = None
        out = []
        for level, title, dest, action in _walk_outline(self.doc, limits, notes):
            target = dest
            action = resolve1(action)
            if target is None and isinstance(action, dict):
                target = action.get("D")
            if names is None:
                names = _named_dests(self.doc)
            entry = (normalise(title), level, _resolve_dest(names, target))
            out.append(_place(entry, page_ids, origins))
        return out

    def pages(self) -> Iterator[PageRuns]:
        manager = PDFResourceManager(caching=True)
        device = PDFPageAggregator(manager, laparams=_LAPARAMS)
        interpreter = PDFPageInterpreter(manager, device)
        for number, page in enumerate(self._page_list(), 1):
            interpreter.process_page(page)
            layout: LTPage = device.get_result()
            runs: list[Run] = []
            images = 0
            for item in _walk(layout):
                if isinstance(item, LTTextLineHorizontal):
                    runs.append(_run(item))
                else:
                    images += 1
            yield PageRuns(number, layout.height, runs, images)

    def close(self) -> None:
        self._pages = None


def _run(part: LTTextLineHorizontal) -> Run:
    faces: dict[tuple[float, bool], int] = {}
    for ch in part:
        if isinstance(ch, LTChar) and not ch.get_text().isspace():
            key = (round(ch.size, 1), is_bold(ch.fontname))
            faces[key] = faces.get(key, 0) + 1
    return Run(part.x0, part.x1, part.y0, part.y1, part.get_text(), faces)


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


def _walk(container: LTContainer) -> Iterator[object]:
    """Text lines and images anywhere in a page's layout tree (boxes, figures)."""
    stack = [iter(container)]
    while stack:
        item = next(stack[-1], None)
        if item is None:
            stack.pop()
        elif isinstance(item, (LTTextLineHorizontal, LTImage)):
            yield item
        elif isinstance(item, LTContainer):
            stack.append(iter(item))


def _walk_outline(doc: PDFDocument, limits: PdfLimits, notes: Notes) -> Iterator[tuple]:
    """(level, title, dest, action) per bookmark, in document order, without recursion.

    pdfminer's own ``get_outlines`` recurses on every /First and /Next, so a long or
    self-referencing outline ends in RecursionError. Here an item seen before ends its
    chain (a loop), and children past `limits.max_outline_depth` are not entered.
    """
    root = resolve1(doc.catalog.get("Outlines"))
    if not isinstance(root, dict):
        return
    seen: set[int] = set()
    stack: list[tuple[object, int]] = [(root.get("First"), 1)]
    count = 0
    while stack:
        ref, level = stack.pop()
        while ref is not None:
            key = ref.objid if isinstance(ref, PDFObjRef) else id(ref)
            if key in seen:
                notes.add("its outline loops back on itself; the loop was cut")
                break
            seen.add(key)
            count += 1
            if count > limits.max_outline_items:
                notes.add(f"its outline has more than {limits.max_outline_items} items; "
                          "the rest were ignored")
                return
            entry = resolve1(ref)
            if not isinstance(entry, dict):
                break
            if "Title" in entry and ("A" in entry or "Dest" in entry):
                title = resolve1(entry["Title"])
                title = decode_text(title) if isinstance(title, bytes) else str(title or "")
                yield level, title, entry.get("Dest"), entry.get("A")
            first, following = entry.get("First"), entry.get("Next")
            if first is not None and level >= limits.max_outline_depth:
                notes.add(f"its outline nests deeper than {limits.max_outline_depth} levels; "
                          "deeper items were ignored")
                first = None
            if first is not None:
                stack.append((following, level))
                ref, level = first, level + 1
            else:
                ref = following


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

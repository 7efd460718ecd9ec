"""The PDFium engine (pypdfium2) behind `ingest.readers.pdf_engine`'s interface.

PDFium's text page gives every character with its box, font size and text object; this
module turns them into `Run`s the way the pdfminer engine does (a run ends at a line
break or a wide gap), with the bold test on the same font names, so the shared layout
code sees the same lines from either engine. All pypdfium2 code lives here. The calls
are the raw C API through ctypes: per character only what the layout needs (one box, one
size, one text object), fonts looked up once per text object.
"""

from __future__ import annotations

import ctypes
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as R

from ingest.errors import IngestError
from ingest.readers.pdf_engine import Notes, OutlineEntry, PageRuns, PdfLimits, Run
from ingest.readers.pdf_pdfminer import ENCRYPTED, is_bold
from ingest.readers.pdf_text import normalise

#: PDFium is not thread-safe; ingest runs one file per process, the web app none, but a
#: library user might call us from threads.
_LOCK = threading.Lock()
#: A gap wider than this many font sizes between two characters on a line ends a run
#: (pdfminer's char_margin of 2 character widths is about one font size).
_GAP = 1.0
#: PDFium writes a hyphen that ends a line as U+FFFE; it is a hyphen like any other here.
_LINE_END_HYPHEN = "\ufffe"


class PdfiumEngine:
    """PDFium through pypdfium2: C++, the fast default."""

    name = "pdfium"

    def open(self, path: Path, data: bytes) -> "_Opened":
        _LOCK.acquire()
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as error:
            _LOCK.release()
            if R.FPDF_GetLastError() == R.FPDF_ERR_PASSWORD:
                raise IngestError(path, ENCRYPTED) from None
            raise
        except BaseException:
            _LOCK.release()
            raise
        return _Opened(doc)


class _Opened:
    def __init__(self, doc: pdfium.PdfDocument) -> None:
        self.doc = doc
        self.page_count = len(doc)
        self._origins: dict[int, tuple[float, float]] = {}

    def meta_title(self) -> str | None:
        title = self.doc.get_metadata_value("Title")
        return normalise(title) if title and title.strip() else None

    def _origin(self, index: int) -> tuple[float, float]:
        if index not in self._origins:
            page = self.doc[index]
            left, bottom, _right, _top = page.get_mediabox()
            self._origins[index] = (left, bottom)
            page.close()
        return self._origins[index]

    def outline(self, limits: PdfLimits, notes: Notes) -> list[OutlineEntry]:
        out: list[OutlineEntry] = []
        doc = self.doc.raw
        seen: set[int] = set()
        stack: list[tuple[object, int]] = [(R.FPDFBookmark_GetFirstChild(doc, None), 1)]
        count = 0
        while stack:
            bm, level = stack.pop()
            while bm:
                key = ctypes.addressof(bm.contents)
                if key in seen:
                    notes.add("its outline loops back on itself; the loop was cut")
                    break
                seen.add(key)
                count += 1
                if count > limits.max_outline_items:
                    notes.add(f"its outline has more than {limits.max_outline_items} items; "
                              "the rest were ignored")
                    return out
                entry = self._entry(bm, level)
                if entry is not None:
                    out.append(entry)
                first = R.FPDFBookmark_GetFirstChild(doc, bm)
                following = R.FPDFBookmark_GetNextSibling(doc, bm)
                if first and level >= limits.max_outline_depth:
                    notes.add(f"its outline nests deeper than {limits.max_outline_depth} levels; "
                              "deeper items were ignored")
                    first = None
                if first:
                    stack.append((following, level))
                    bm, level = first, level + 1
                else:
                    bm = following
        return out

    def _entry(self, bm, level: int) -> OutlineEntry | None:
        doc = self.doc.raw
        dest = R.FPDFBookmark_GetDest(doc, bm)
        action = R.FPDFBookmark_GetAction(bm)
        if not dest and not action:
            return None  # pdfminer, too, keeps only items with /Dest or /A
        if not dest and action and R.FPDFAction_GetType(action) == R.PDFACTION_GOTO:
            dest = R.FPDFAction_GetDest(doc, action)
        size = R.FPDFBookmark_GetTitle(bm, None, 0)
        buf = ctypes.create_string_buffer(size)
        R.FPDFBookmark_GetTitle(bm, buf, size)
        title = normalise(buf.raw[: max(size - 2, 0)].decode("utf-16-le", errors="replace"))
        page = top = None
        if dest:
            index = R.FPDFDest_GetDestPageIndex(doc, dest)
            if 0 <= index < self.page_count:
                page = index + 1
                top = self._top(dest, index)
        return OutlineEntry(title=title, level=level, page=page, top=top)

    def _top(self, dest, index: int) -> float | None:
        """The destination's top y in layout space (page bottom = 0), if it states one."""
        n = ctypes.c_ulong(0)
        params = (R.FS_FLOAT * 4)()
        view = R.FPDFDest_GetView(dest, ctypes.byref(n), params)
        if view == R.PDFDEST_VIEW_XYZ:
            has_x, has_y, has_zoom = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
            x, y, zoom = R.FS_FLOAT(), R.FS_FLOAT(), R.FS_FLOAT()
            R.FPDFDest_GetLocationInPage(dest, has_x, has_y, has_zoom, x, y, zoom)
            value = y.value if has_y.value else None
        elif view in (R.PDFDEST_VIEW_FITH, R.PDFDEST_VIEW_FITBH) and n.value >= 1:
            value = params[0]
        elif view == R.PDFDEST_VIEW_FITR and n.value >= 4:
            value = params[3]
        else:
            value = None
        return None if value is None else float(value) - self._origin(index)[1]

    def pages(self) -> Iterator[PageRuns]:
        for index in range(self.page_count):
            page = self.doc[index]
            try:
                left, bottom, _right, _top = page.get_mediabox()
                self._origins[index] = (left, bottom)
                yield _page(page, index + 1)
            finally:
                page.close()

    def close(self) -> None:
        try:
            self.doc.close()
        finally:
            _LOCK.release()


def _object_face(obj: int, key: int, cache: dict[int, tuple[bool, float]]) -> tuple[bool, float]:
    """(bold?, descent per point of size) of a text object's font, cached per object.

    Bold is decided from the font name with the pdfminer engine's rule; the descent (from
    the font descriptor, as pdfminer takes it) places the box under the baseline.
    """
    found = cache.get(key)
    if found is None:
        font = R.FPDFTextObj_GetFont(ctypes.cast(obj, R.FPDF_PAGEOBJECT))
        name, descent = "", 0.0
        if font:
            size = R.FPDFFont_GetBaseFontName(font, None, 0)
            if size > 1:
                buf = ctypes.create_string_buffer(size)
                R.FPDFFont_GetBaseFontName(font, buf, size)
                name = buf.value.decode("latin-1")
            value = ctypes.c_float()
            if R.FPDFFont_GetDescent(font, ctypes.c_float(1.0), ctypes.byref(value)):
                descent = value.value
        found = cache[key] = (is_bold(name), descent)
    return found


def _page(page: pdfium.PdfPage, number: int) -> PageRuns:
    left, bottom, _right, top = page.get_mediabox()
    textpage = page.get_textpage()
    try:
        tp = textpage.raw
        count = R.FPDFText_CountChars(tp)
        text = textpage.get_text_range(0, count) if count > 0 else ""
        if len(text) != count:  # surrogate pairs: fall back to one call per character
            text = "".join(chr(R.FPDFText_GetUnicode(tp, i)) for i in range(count))
        runs = _runs(tp, text, count, left, bottom)
    finally:
        textpage.close()
    images = 0
    if not runs:  # only a page without text needs its images counted (a scan?)
        images = sum(1 for _ in page.get_objects(filter=[R.FPDF_PAGEOBJ_IMAGE], max_depth=8))
    return PageRuns(number, top - bottom, runs, images)


def _fast(function, restype, *argtypes):
    """The same C function with plain integer/pointer arguments (no per-call conversions)."""
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(function, ctypes.c_void_p).value)


_VOID, _INT, _DOUBLE = ctypes.c_void_p, ctypes.c_int, ctypes.c_double
_BOX = _fast(R.FPDFText_GetLooseCharBox, _INT, _VOID, _INT, _VOID)
_ORIGIN = _fast(R.FPDFText_GetCharOrigin, _INT, _VOID, _INT, _VOID, _VOID)
_SIZE = _fast(R.FPDFText_GetFontSize, _DOUBLE, _VOID, _INT)
_OBJECT = _fast(R.FPDFText_GetTextObject, _VOID, _VOID, _INT)
#: A word, or the part of one up to and including a hyphen: PDFium runs a word hyphenated
#: at a line end into one ("infra\ufffestructure", "LSP-FDR"), so each part is placed alone.
_PIECE = re.compile(r"[^\s\-\ufffe]*[\-\ufffe]|[^\s\-\ufffe]+")


def _runs(tp, text: str, count: int, left: float, bottom: float) -> list[Run]:
    """The page's runs, asking PDFium about each word rather than each character.

    A word's characters share a font and a baseline, so the first character gives the
    font, size and baseline and the last one the right edge: five calls per word instead
    of four per character (the page's text itself comes in one call).
    """
    handle = ctypes.cast(tp, _VOID).value
    rect = R.FS_RECTF()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    rect_at, ox_at, oy_at = ctypes.addressof(rect), ctypes.addressof(ox), ctypes.addressof(oy)
    faces_cache: dict[int, tuple[bool, float]] = {}
    runs: list[Run] = []
    words: list[str] = []
    faces: dict[tuple[float, bool], int] = {}
    x0 = x1 = y0 = y1 = 0.0
    last_obj = None
    bold, descent = False, 0.0
    previous_end = 0

    def close() -> None:
        if words:
            runs.append(Run(x0 - left, x1 - left, y0 - bottom, y1 - bottom, "".join(words),
                            dict(faces)))
        words.clear()
        faces.clear()

    for match in _PIECE.finditer(text.replace("\x02", "\n")):
        i, j = match.span()
        _BOX(handle, i, rect_at)
        l = rect.left
        _ORIGIN(handle, i, ox_at, oy_at)
        size = _SIZE(handle, i)
        obj = _OBJECT(handle, i)
        if obj != last_obj:
            last_obj = obj
            bold, descent = _object_face(obj, obj, faces_cache) if obj else (False, 0.0)
        if j - 1 > i:
            _BOX(handle, j - 1, rect_at)
        r = rect.right
        # The box pdfminer draws: from the font's descent under the baseline, one size high
        # (glyph boxes would put "p" and "o" of one line on different lines).
        b = oy.value + descent * size
        t = b + size
        between = text[previous_end:i]
        if words:
            height = max(min(y1 - y0, t - b), 1.0)
            if ("\n" in between or "\r" in between or abs(b - y0) > 0.3 * height
                    or l - x1 > _GAP * max(size, 1.0) or l < x0 - 1.0):
                close()
        previous_end = j
        word = match.group()
        if _LINE_END_HYPHEN in word:
            word = word.replace(_LINE_END_HYPHEN, "-")
        key = (round(size, 1), bold)
        faces[key] = faces.get(key, 0) + (j - i)
        if not words:
            x0, x1, y0, y1 = l, r, b, t
            words.append(word)
        else:
            x1 = max(x1, r)
            y0 = min(y0, b)
            y1 = max(y1, t)
            if between:
                words.append(" ")
            words.append(word)
    close()
    return runs

"""The PDFium engine (pypdfium2) behind `ingest.readers.pdf_engine`'s interface.

PDFium's text page gives the page's text in one call, broken into lines, and each
character's box, baseline, size and text object on request; this module turns them into
`Run`s as the pdfminer engine does (boxes from the font's descent, one size high; the
bold test on the same font names), so the shared layout code sees the same lines from
either engine. To stay fast it asks per line and per word, not per character (see
`_Page`), through the raw C API with plain integer arguments. All pypdfium2 code lives
here.
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
        except pdfium.PdfiumError:
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
        _FONTS.clear()  # font handles die with the document
        try:
            self.doc.close()
        finally:
            _LOCK.release()


_FONTS: dict[int, tuple[bool, float]] = {}


def _object_face(obj: int) -> tuple[bool, float]:
    """(bold?, descent per point of size) of a text object's font.

    Bold is decided from the font name with the pdfminer engine's rule; the descent (from
    the font descriptor, as pdfminer takes it) places the box under the baseline. Fonts
    are looked up once per font handle of the open document (`_Opened.close` forgets them).
    """
    font = _GET_FONT(obj)
    found = _FONTS.get(font)
    if found is None:
        name, descent = "", 0.0
        if font:
            handle = ctypes.cast(font, R.FPDF_FONT)
            size = R.FPDFFont_GetBaseFontName(handle, None, 0)
            if size > 1:
                buf = ctypes.create_string_buffer(size)
                R.FPDFFont_GetBaseFontName(handle, buf, size)
                name = buf.value.decode("latin-1")
            value = ctypes.c_float()
            if R.FPDFFont_GetDescent(handle, ctypes.c_float(1.0), ctypes.byref(value)):
                descent = value.value
        found = _FONTS[font] = (is_bold(name), descent)
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
        runs = _Page(tp, text, left, bottom).runs()
    finally:
        textpage.close()
    images = 0
    if not runs:  # only a page without text needs its images counted (a scan?)
        # One image is enough to call it a scan; do not walk a page of a million of them.
        images = int(any(True for _ in page.get_objects(filter=[R.FPDF_PAGEOBJ_IMAGE], max_depth=8)))
    return PageRuns(number, top - bottom, runs, images)


def _fast(function, restype, *argtypes):
    """The same C function with plain integer/pointer arguments (no per-call conversions)."""
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(function, ctypes.c_void_p).value)


_VOID, _INT, _DOUBLE = ctypes.c_void_p, ctypes.c_int, ctypes.c_double
_BOX = _fast(R.FPDFText_GetLooseCharBox, _INT, _VOID, _INT, _VOID)
_ORIGIN = _fast(R.FPDFText_GetCharOrigin, _INT, _VOID, _INT, _VOID, _VOID)
_SIZE = _fast(R.FPDFText_GetFontSize, _DOUBLE, _VOID, _INT)
_OBJECT = _fast(R.FPDFText_GetTextObject, _VOID, _VOID, _INT)
_GET_FONT = _fast(R.FPDFTextObj_GetFont, _VOID, _VOID)
#: PDFium's own line breaks ("\r\n", and "\x02" where it ends a line inside a word).
_LINE = re.compile(r"[^\r\n\x02]+")
_WORD = re.compile(r"\S+")
#: A word, or the part of one up to and including a hyphen: PDFium runs a word hyphenated
#: at a line end into one ("infra\ufffestructure", "LSP-FDR"), so each part is placed alone.
_PIECE = re.compile(r"[^\s\-\ufffe]*[\-\ufffe]|[^\s\-\ufffe]+")


def _same_line(b0: float, size0: float, b1: float, size1: float) -> bool:
    """Do two boxes (bottom, height) sit on one line? They overlap by half the smaller one,
    pdfminer's test too, so a superscript or a smaller bullet stays on its line."""
    overlap = min(b0 + size0, b1 + size1) - max(b0, b1)
    return overlap >= 0.5 * max(min(size0, size1), 1.0)


class _Page:
    """Runs of one text page, asking PDFium as little as the layout needs.

    A text object has one font and size, so faces are looked up once per object, and
    the first character of each word names its object. A line as PDFium breaks it is
    one run when its first and last characters share a baseline (four calls: two boxes,
    two origins); otherwise (a word hyphenated across lines, text PDFium did not break)
    each word part is placed on its own and runs are cut where the baseline changes or
    a wide gap opens, as the pdfminer engine cuts them.
    """

    def __init__(self, tp, text: str, left: float, bottom: float) -> None:
        self.handle = ctypes.cast(tp, _VOID).value
        self.text, self.left, self.bottom = text, left, bottom
        self.rect = R.FS_RECTF()
        self.ox, self.oy = ctypes.c_double(), ctypes.c_double()
        self.rect_at = ctypes.addressof(self.rect)
        self.ox_at, self.oy_at = ctypes.addressof(self.ox), ctypes.addressof(self.oy)
        self.faces: dict[int, tuple[bool, float, float]] = {}  # object -> bold, descent, size

    def face(self, i: int, obj: int | None = None) -> tuple[bool, float, float]:
        """(bold, descent per point, size) of character i's text object."""
        if obj is None:
            obj = _OBJECT(self.handle, i)
        found = self.faces.get(obj)
        if found is None:
            bold, descent = _object_face(obj) if obj else (False, 0.0)
            found = self.faces[obj] = (bold, descent, _SIZE(self.handle, i))
        return found

    def baseline(self, i: int) -> float:
        _ORIGIN(self.handle, i, self.ox_at, self.oy_at)
        return self.oy.value

    def in_order(self, body: str, first: int, base: float, size: float) -> bool:
        """Do the words of a PDFium line run left to right on one baseline? (one call a
        word: PDFium may run text from elsewhere on the page into a line it did not break)"""
        x = float("-inf")
        for m in _WORD.finditer(body):
            _ORIGIN(self.handle, m.start() + first, self.ox_at, self.oy_at)
            if self.ox.value < x - 0.5 or abs(self.oy.value - base) > 0.5 * max(size, 1.0):
                return False
            x = self.ox.value
        return True

    def box(self, i: int) -> tuple[float, float]:
        _BOX(self.handle, i, self.rect_at)
        return self.rect.left, self.rect.right

    def runs(self) -> list[Run]:
        out: list[Run] = []
        text = self.text
        for line in _LINE.finditer(text):
            segment = line.group()
            body = segment.strip()
            if not body:
                continue
            first = line.start() + len(segment) - len(segment.lstrip())
            last = first + len(body) - 1
            base = self.baseline(first)
            first_obj = _OBJECT(self.handle, first)
            last_obj = _OBJECT(self.handle, last)
            one_object = last_obj == first_obj
            bold, descent, size = self.face(first, first_obj)
            _lbold, ldescent, lsize = self.face(last, last_obj)
            low = self.baseline(last) + ldescent * lsize
            # A line that is one text object from first to last character is one
            # text-showing operator: its characters advance left to right on one baseline,
            # so only a line PDFium put together from several objects needs its words'
            # order checked (a call per word, the bulk of this function's time otherwise).
            if not _same_line(base + descent * size, size, low, lsize) or \
                    (not one_object and not self.in_order(body, first, base, size)):
                out += self.pieces([(m.start() + first, m.end() + first)
                                    for m in _WORD.finditer(body)])
                continue
            if one_object:
                # One text object from the first character to the last: one face (the
                # characters between come from it too, in content order).
                faces = {(round(size, 1), bold): len("".join(body.split()))}
                y0 = base + descent * size
                y1 = y0 + size
            else:
                faces = {}
                y0, y1 = float("inf"), float("-inf")
                for m in _WORD.finditer(body):
                    wbold, wdescent, wsize = self.face(m.start() + first)
                    key = (round(wsize, 1), wbold)
                    faces[key] = faces.get(key, 0) + (m.end() - m.start())
                    y0 = min(y0, base + wdescent * wsize)
                    y1 = max(y1, base + wdescent * wsize + wsize)
            x0, x1 = self.box(first)[0], self.box(last)[1]
            if _LINE_END_HYPHEN in body:
                body = body.replace(_LINE_END_HYPHEN, "-")
            out.append(Run(x0 - self.left, x1 - self.left, y0 - self.bottom, y1 - self.bottom,
                           body, faces))
        return out

    def pieces(self, words: list[tuple[int, int]]) -> list[Run]:
        """Runs of one PDFium line placed word part by word part (the slow, sure way)."""
        runs: list[Run] = []
        parts: list[str] = []
        faces: dict[tuple[float, bool], int] = {}
        x0 = x1 = y0 = y1 = last_b = last_t = 0.0
        previous_end = words[0][0]

        def close() -> None:
            if parts:
                runs.append(Run(x0 - self.left, x1 - self.left, y0 - self.bottom,
                                y1 - self.bottom, "".join(parts), dict(faces)))
            parts.clear()
            faces.clear()

        span = self.text[words[0][0]:words[-1][1]]
        offset = words[0][0]
        for match in _PIECE.finditer(span):
            i, j = match.start() + offset, match.end() + offset
            bold, descent, size = self.face(i)
            l = self.box(i)[0]
            r = self.box(j - 1)[1] if j - 1 > i else self.rect.right
            # The box pdfminer draws: from the font's descent under the baseline, one size
            # high (glyph boxes would put "p" and "o" of one line on different lines).
            b = self.baseline(i) + descent * size
            t = b + size
            between = self.text[previous_end:i]
            if parts and (not _same_line(last_b, last_t - last_b, b, size)
                          or l - x1 > _GAP * max(size, 1.0) or l < x0 - 1.0):
                close()
            last_b, last_t = b, t
            previous_end = j
            key = (round(size, 1), bold)
            faces[key] = faces.get(key, 0) + (j - i)
            word = match.group().replace(_LINE_END_HYPHEN, "-")
            if not parts:
                x0, x1, y0, y1 = l, r, b, t
            else:
                x1, y0, y1 = max(x1, r), min(y0, b), max(y1, t)
                if between:
                    parts.append(" ")
            parts.append(word)
        close()
        return runs

"""The small interface between the PDF front (`ingest.readers.pdf`) and a PDF engine.

An engine (pdfminer.six in `pdf_pdfminer`, PDFium in `pdf_pdfium`) opens the bytes and
answers four questions: how many pages, the metadata title, the outline (bookmarks, placed
on pages) and, page by page, the text runs with their boxes, font sizes and weights. All
the rest (running lines, headings, paragraphs, columns) is engine-neutral and shared, so
the two engines are swappable and must agree on every file the tests use.

The limits that keep a hostile file from costing unbounded time or memory live here too
(`PdfLimits`), with the engine-neutral stream inflate scan that enforces one of them.
"""

from __future__ import annotations

import re
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ingest.errors import IngestError

#: Where a user sets the limits (see `ingest.options`).
_CONFIG_HINT = "report-archive.toml"


@dataclass(frozen=True, slots=True)
class PdfLimits:
    """Per-file bounds. Defaults read any real report; a file past one fails clearly."""

    #: Bytes all of a file's compressed streams may inflate to (a "zip bomb" stops here).
    max_inflated_bytes: int = 200 * 1024 * 1024
    #: Pages a file may have.
    max_pages: int = 2000
    #: Seconds one file may take to read (checked between pages).
    max_seconds: float = 120.0
    #: Outline depth kept; deeper bookmarks are cut (with a note), never recursed into.
    max_outline_depth: int = 16
    #: Outline items read; a longer (or looping) outline is cut with a note.
    max_outline_items: int = 5000


@dataclass(frozen=True, slots=True)
class OutlineEntry:
    """A bookmark: its title, depth (1 = top) and, when resolvable, page and top y."""

    title: str
    level: int
    page: int | None
    top: float | None


@dataclass(slots=True)
class Run:
    """A piece of one text line as an engine found it (layout y: from the page bottom)."""

    x0: float
    x1: float
    y0: float
    y1: float
    text: str
    #: (font size rounded to 0.1 pt, bold?) -> non-space characters in that face.
    faces: dict[tuple[float, bool], int] = field(default_factory=dict)


@dataclass(slots=True)
class PageRuns:
    """One page: its number (1-based), height, text runs in any order, image count."""

    number: int
    height: float
    runs: list[Run]
    images: int = 0


@dataclass
class Notes:
    """Things a reader cut or worked around, for a log line naming the file."""

    items: list[str] = field(default_factory=list)

    def add(self, note: str) -> None:
        if note not in self.items:
            self.items.append(note)


class OpenedPdf(Protocol):
    """An engine's open document."""

    page_count: int

    def meta_title(self) -> str | None: ...

    def outline(self, limits: PdfLimits, notes: Notes) -> list[OutlineEntry]: ...

    def pages(self) -> Iterator[PageRuns]: ...

    def close(self) -> None: ...


class PdfEngine(Protocol):
    """``open(path, data)`` -> OpenedPdf, or IngestError (encrypted, unreadable)."""

    name: str

    def open(self, path: Path, data: bytes) -> OpenedPdf: ...


def check_page_count(path: Path, pages: int, limits: PdfLimits) -> None:
    """IngestError when a file has more pages than the limit."""
    if pages > limits.max_pages:
        raise IngestError(
            path, f"has {pages} pages, more than the limit of {limits.max_pages} per file; "
            f"split it, or raise [pdf] max_pages in {_CONFIG_HINT}")


class Deadline:
    """The per-file time limit, checked between pages."""

    def __init__(self, path: Path, limits: PdfLimits) -> None:
        self.path, self.limits = path, limits
        self.end = time.monotonic() + limits.max_seconds

    def check(self, done: int, total: int) -> None:
        if time.monotonic() > self.end:
            raise IngestError(
                self.path, f"reading took longer than the limit of {self.limits.max_seconds:g} s "
                f"per file (stopped after {done} of {total} pages); split the file, or raise "
                f"[pdf] max_seconds in {_CONFIG_HINT}")


# --- the inflate limit --------------------------------------------------------------------

_STREAM_START = re.compile(rb"stream(?:\r\n|\n|\r)")
_CHUNK = 1 << 16
_OUT = 1 << 20


def _zlib_header(head: bytes) -> bool:
    return len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0


class _Layer:
    """One streaming inflater; its output may feed a nested one (a doubly deflated stream)."""

    def __init__(self, depth: int) -> None:
        self.z = zlib.decompressobj()
        self.depth = depth
        self.inner: _Layer | None = None
        self.started = False

    def feed(self, data: bytes, budget: list[int]) -> None:
        """Inflate `data`, subtracting every output byte (this and nested layers) from budget."""
        while data and not self.z.eof and budget[0] >= 0:
            out = self.z.decompress(data, _OUT)
            data = self.z.unconsumed_tail
            budget[0] -= len(out)
            if not out:
                continue
            if not self.started:
                self.started = True
                if self.depth < 3 and _zlib_header(out[:2]):
                    self.inner = _Layer(self.depth + 1)
            if self.inner is not None and not self.inner.z.eof:
                try:
                    self.inner.feed(out, budget)
                except zlib.error:
                    self.inner = None  # not a nested stream after all


def inflated_size(data: bytes, limit: int) -> int:
    """Bytes the deflated streams of a PDF inflate to, counting stops once past `limit`.

    Engine-neutral and streaming: each stream (and a stream deflated twice) is inflated in
    1 MB pieces that are counted and dropped, so the scan itself holds no inflated data.
    It finds streams by their keyword and the zlib header after it, and lets zlib find
    each stream's end, so a bomb cannot hide behind a wrong /Length.
    """
    budget = [limit]
    for match in _STREAM_START.finditer(data):
        start = match.end()
        if not _zlib_header(data[start:start + 2]):
            continue
        layer = _Layer(1)
        pos = start
        try:
            while not layer.z.eof and pos < len(data) and budget[0] >= 0:
                layer.feed(data[pos:pos + _CHUNK], budget)
                pos += _CHUNK
        except zlib.error:
            pass  # a damaged stream: the engine decides what it makes of it
        if budget[0] < 0:
            break
    return limit - budget[0]


#: Deflate's largest ratio (zlib's "technical details": 1032:1), and the bytes of a stream's
#: start that surely hold its first block's code tables and first output bytes.
_MAX_RATIO = 1032
_PROBE = 4096


def _cannot_exceed(data: bytes, limit: int) -> bool:
    """True when no stream of `data` can inflate past `limit`, known without inflating.

    A stream deflated once inflates to at most `_MAX_RATIO` times its bytes, so a file that
    small (with a factor 2 of margin for streams the scan would count twice) is under the
    limit unless some stream is deflated again inside: each stream's first two output
    bytes tell (a zlib header). Most reports are a few dozen KB: their scan then inflates
    nothing, where it inflated every font and page (a tenth of reading some PDFs).
    """
    if len(data) * 2 * _MAX_RATIO > limit:
        return False
    view = memoryview(data)
    for match in _STREAM_START.finditer(data):
        start = match.end()
        if not _zlib_header(data[start:start + 2]):
            continue
        try:
            head = zlib.decompressobj().decompress(view[start:start + _PROBE], 2)
        except zlib.error:
            continue  # damaged: it inflates to less than its ratio allows, or not at all
        if len(head) < 2 or _zlib_header(head):
            return False  # nested (or too odd to tell): count it
    return True


def check_inflate(path: Path, data: bytes, limits: PdfLimits) -> None:
    """IngestError when the file's streams inflate past the limit (checked before parsing)."""
    if _cannot_exceed(data, limits.max_inflated_bytes):
        return
    size = inflated_size(data, limits.max_inflated_bytes)
    if size > limits.max_inflated_bytes:
        mb = limits.max_inflated_bytes / (1024 * 1024)
        raise IngestError(
            path, f"its compressed streams inflate to more than the limit of {mb:g} MB per "
            f"file ({len(data) / (1024 * 1024):.1f} MB on disk), so it was not read; if it is "
            f"a genuine report, raise [pdf] max_inflate_mb in {_CONFIG_HINT}")

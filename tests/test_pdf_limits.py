"""Hostile PDFs cost bounded time and memory, with either engine, and fail naming the file.

The files are written here byte by byte (a few objects and a correct xref table), because
no real producer makes them on purpose: a stream that inflates hundreds of times its size,
an outline whose item is its own next sibling or child, an outline 3,000 levels deep and
a file with more pages than allowed. Bounds are checked by counts (bytes inflated, pages),
never by the clock.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from ingest import extract_report
from ingest.errors import IngestError
from ingest.options import ReadOptions
from ingest.readers.pdf import read_pdf
from ingest.readers.pdf_engine import PdfLimits, inflated_size

ENGINES = ["pdfium", "pdfminer"]
MB = 1024 * 1024


def pdf_bytes(objects: list[bytes]) -> bytes:
    """A PDF from object bodies (object n is objects[n-1]); object 1 is the catalog."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def text_page_objects(pages: int, outline_ref: bytes = b"") -> list[bytes]:
    """Catalog (1), page tree (2), font (3), then `pages` pages each with a content stream."""
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + outline_ref + b">>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i in range(pages):
        content = b"BT /F1 11 Tf 72 500 Td (Page %d of a quiet monthly report.) Tj ET" % (i + 1)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                       b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i))
        objects.append(stream(content))
    return objects


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def bomb(inflated: int, twice: bool = False) -> bytes:
    """One page whose extra stream inflates to `inflated` bytes (deflated twice if asked)."""
    z = zlib.compressobj(9)
    packed = b"".join(z.compress(b"\0" * MB) for _ in range(inflated // MB)) + z.flush()
    filters = b"/Filter /FlateDecode"
    if twice:
        packed = zlib.compress(packed, 9)
        filters = b"/Filter [/FlateDecode /FlateDecode]"
    objects = text_page_objects(1)
    objects.append(stream(packed, filters))  # object 6, referenced from nowhere but present
    return pdf_bytes(objects)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("twice", [False, True], ids=["deflated", "deflated-twice"])
def test_a_stream_that_inflates_past_the_limit_is_refused(tmp_path, engine, twice) -> None:
    data = bomb(24 * MB, twice)
    assert len(data) < 200_000  # a small file...
    path = write(tmp_path, "bomb.pdf", data)
    limits = PdfLimits(max_inflated_bytes=8 * MB)
    # ...whose scan stops at the limit instead of inflating all 24 MB.
    assert 8 * MB < inflated_size(data, limits.max_inflated_bytes) <= 10 * MB
    with pytest.raises(IngestError) as err:
        read_pdf(path, data, ReadOptions(pdf_reader=engine, limits=limits))
    assert str(err.value).startswith(f"{path}: its compressed streams inflate to more than "
                                     "the limit of 8 MB per file")
    assert "raise [pdf] max_inflate_mb in report-archive.toml" in str(err.value)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_file_under_the_inflate_limit_is_read(tmp_path, engine) -> None:
    data = bomb(4 * MB)
    path = write(tmp_path, "fine.pdf", data)
    assert inflated_size(data, 8 * MB) >= 4 * MB
    doc = read_pdf(path, data, ReadOptions(pdf_reader=engine, limits=PdfLimits(max_inflated_bytes=8 * MB)))
    assert "Page 1 of a quiet monthly report." in doc.sections[0].text


def test_the_default_limits() -> None:
    limits = PdfLimits()
    assert limits.max_inflated_bytes == 200 * MB
    assert limits.max_pages == 2000


@pytest.mark.parametrize("engine", ENGINES)
def test_too_many_pages(tmp_path, engine) -> None:
    path = write(tmp_path, "long.pdf", pdf_bytes(text_page_objects(12)))
    options = ReadOptions(pdf_reader=engine, limits=PdfLimits(max_pages=10))
    with pytest.raises(IngestError) as err:
        read_pdf(path, path.read_bytes(), options)
    assert str(err.value) == (f"{path}: has 12 pages, more than the limit of 10 per file; "
                              "split it, or raise [pdf] max_pages in report-archive.toml")
    ok = read_pdf(path, path.read_bytes(), ReadOptions(pdf_reader=engine))
    assert ok.pages == 12


@pytest.mark.parametrize("engine", ENGINES)
def test_time_limit_stops_between_pages(tmp_path, engine) -> None:
    path = write(tmp_path, "slow.pdf", pdf_bytes(text_page_objects(5)))
    options = ReadOptions(pdf_reader=engine, limits=PdfLimits(max_seconds=1e-9))
    with pytest.raises(IngestError) as err:
        read_pdf(path, path.read_bytes(), options)
    assert str(err.value) == (
        f"{path}: reading took longer than the limit of 1e-09 s per file (stopped after 1 of "
        "5 pages); split the file, or raise [pdf] max_seconds in report-archive.toml")


def outline_objects(items: list[bytes], first: int, last: int) -> list[bytes]:
    """Two text pages, an outline root (object 8) and the outline items (9 onwards)."""
    objects = text_page_objects(2, outline_ref=b"/Outlines 8 0 R ")
    objects.append(b"<< /Type /Outlines /First %d 0 R /Last %d 0 R >>" % (first, last))
    return objects + items


def item(title: bytes, page_ref: int, extra: bytes) -> bytes:
    return (b"<< /Title (" + title + b") /Parent 8 0 R /Dest [%d 0 R /XYZ 0 520 0] " % page_ref
            + extra + b">>")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("loop", ["next", "first"])
def test_an_outline_item_pointing_to_itself_is_cut(tmp_path, engine, loop, caplog) -> None:
    link = b"/Next 9 0 R" if loop == "next" else b"/First 9 0 R /Last 9 0 R"
    items = [item(b"Summary", 4, link + b" /Next 10 0 R" if loop == "first" else link),
             item(b"Outlook", 6, b"")]
    path = write(tmp_path, "loop.pdf", pdf_bytes(outline_objects(items, 9, 10 if loop == "first" else 9)))
    doc = read_pdf(path, path.read_bytes(), ReadOptions(pdf_reader=engine))
    # The loop is walked once and the file is read. (PDFium's own sibling walk already
    # refuses an item that is its own next sibling; pdfminer's would recurse forever.)
    assert doc.pages == 2
    headings = [(s.heading, s.page) for s in doc.sections if s.heading]
    # One bookmark left is no outline (the layout decides); two place both sections.
    assert headings == ([("Summary", 1), ("Outlook", 2)] if loop == "first" else [])
    note = f"{path}: its outline loops back on itself; the loop was cut"
    assert note in caplog.text or (engine == "pdfium" and loop == "next")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_very_deep_outline_is_cut_not_recursed(tmp_path, engine, caplog) -> None:
    depth = 3000
    items = []
    for n in range(depth):
        obj = 9 + n
        child = b"/First %d 0 R /Last %d 0 R " % (obj + 1, obj + 1) if n + 1 < depth else b""
        items.append(b"<< /Title (Level %d) /Parent %d 0 R /Dest [4 0 R /XYZ 0 720 0] "
                     % (n + 1, obj - 1 if n else 8) + child + b">>")
    path = write(tmp_path, "deep.pdf", pdf_bytes(outline_objects(items, 9, 9)))
    doc = read_pdf(path, path.read_bytes(), ReadOptions(pdf_reader=engine))
    assert doc.pages == 2
    assert f"{path}: its outline nests deeper than 16 levels; deeper items were ignored" in caplog.text


@pytest.mark.parametrize("engine", ENGINES)
def test_a_long_outline_chain_is_walked_without_recursion(tmp_path, engine) -> None:
    count = 3000  # pdfminer's own get_outlines recurses once per item
    items = [item(b"Item %d" % n, 4 if n < count // 2 else 6,
                  b"/Next %d 0 R" % (10 + n) if n + 1 < count else b"") for n in range(count)]
    path = write(tmp_path, "chain.pdf", pdf_bytes(outline_objects(items, 9, 8 + count)))
    doc = read_pdf(path, path.read_bytes(), ReadOptions(pdf_reader=engine))
    assert doc.pages == 2


def test_extract_report_names_the_file_for_a_bomb(tmp_path) -> None:
    path = write(tmp_path, "bomb.pdf", bomb(24 * MB))
    options = ReadOptions(limits=PdfLimits(max_inflated_bytes=8 * MB))
    with pytest.raises(IngestError) as err:
        extract_report(path, options=options)
    assert err.value.path == str(path)

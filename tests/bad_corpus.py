"""The bad-input corpus: 40-odd kinds of hostile or odd files, written fresh into a folder.

Generated rather than committed because several kinds cannot live in git (a named pipe, a
socket, symbolic links to /dev/zero and outside the archive, a 17 MB sparse file) and the
PDFs are written byte by byte with the builders of tests/test_pdf_limits.py. Good reports
from sample_reports/ are mixed in. `build(root)` returns the archive folder, the folder
outside it (what links point to) and the expectation for each file:

- ``ingest``: "indexed", "failed" or "skipped" (passed over by the walk, with a note);
- ``extract``: "ok" or "error" (`report-archive extract FILE` on that one file);
- ``says``: a part of the failure or skip message (also of the extract error, unless
  ``extract_says`` differs), and ``find``: a word a search must find in an indexed file.

The PDF limits are lowered through a config file (`CONFIG`), so the bomb needs only 24 MB
of zeros to cross its limit and the long file 12 pages.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import zlib
from dataclasses import dataclass
from pathlib import Path

from test_pdf_limits import bomb, item, outline_objects, pdf_bytes, text_page_objects

SAMPLES = Path(__file__).resolve().parent.parent / "sample_reports"
PDF_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pdf"
GOOD = ("dm-status-202001.txt", "2020-03-dm-notes.md", "DM_Status_June.html",
        "DM_Monthly_Report_2020-05.pdf", "dm-status-202009.txt", "dm-monthly-status-2020-10.html")
CONFIG = "[pdf]\nmax_inflate_mb = 8\nmax_pages = 10\n"
MB = 1024 * 1024


@dataclass(frozen=True)
class Expect:
    ingest: str                 # indexed | failed | skipped
    extract: str = "ok"         # ok | error
    says: str = ""
    extract_says: str | None = None
    find: str | None = None


def _report(title: str, body: str) -> str:
    return f"{title}\n\n{body}\n\nOutlook\n\nMore of the same next month.\n"


GOOD_TEXT = _report("Status report March 2021", "Qserv ingest at SLAC finished on time.")


def build(root: Path) -> tuple[Path, Path, dict[str, Expect]]:
    """Write the corpus under `root`; see the module docs."""
    archive, outside = root / "archive", root / "outside"
    archive.mkdir(parents=True)
    outside.mkdir()
    rng = random.Random(13)
    expect: dict[str, Expect] = {}

    def put(name: str, data: bytes | str, e: Expect) -> None:
        path = archive / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        expect[name] = e

    for name in GOOD:
        shutil.copy2(SAMPLES / name, archive / name)
        expect[name] = Expect("indexed")

    # -- text that is not text, or barely ----------------------------------------------------
    put("empty.txt", b"", Expect("failed", "error", "the file is empty"))
    put("blank.md", " \n\t\n  \n", Expect("failed", "error", "the file is empty"))
    put("nul-head.txt", b"\x00\x01\x02binary header" + bytes(rng.randrange(256) for _ in range(4000)),
        Expect("failed", "error", "it contains binary data"))
    put("high-bytes.txt", bytes(rng.randrange(128, 256) for _ in range(64 * 1024)),
        Expect("failed", "error", "most of its bytes are neither ASCII nor UTF-8"))
    junk = bytes(rng.choice(range(1, 9)) for _ in range(60 * 1024))
    put("junk-tail.txt", GOOD_TEXT.encode() * 40 + junk, Expect("failed", "error",
                                                                "it contains binary data"))
    put("control-chars.md", b"# Title\n\n" + bytes(rng.randrange(1, 9) for _ in range(5000)),
        Expect("failed", "error", "it contains binary data"))
    filler = ("The Rucio transfers ran all month without a stall. " * 100).encode()
    put("nul-late.txt", b"Status report April 2021\n\n" + filler + b"\x00\x00 nulsight \x00 "
        + filler, Expect("indexed", find="nulsight"))
    put("utf16le.txt", b"\xff\xfe" + _report("Status", "Utf16leword at NCSA.").encode("utf-16-le"),
        Expect("indexed", find="utf16leword"))
    put("utf16be.md", b"\xfe\xff" + ("# Status\n\nUtf16beword at BNL.\n").encode("utf-16-be"),
        Expect("indexed", find="utf16beword"))
    put("utf32le.txt", b"\xff\xfe\x00\x00" + _report("Status", "Utf32leword here.").encode("utf-32-le"),
        Expect("indexed", find="utf32leword"))
    put("utf32be.txt", b"\x00\x00\xfe\xff" + _report("Status", "Utf32beword here.").encode("utf-32-be"),
        Expect("indexed", find="utf32beword"))
    put("utf16-garbage.txt", b"\xff\xfe" + bytes(rng.randrange(256) for _ in range(8000)),
        Expect("failed", "error", "it is not valid UTF-16-LE text"))
    put("utf8-bom.txt", b"\xef\xbb\xbf" + _report("Status", "Bomword café.").encode(),
        Expect("indexed", find="bomword"))
    put("cp1252.txt", _report("Status", "Cpword déjà vu – “quoted”.").encode("cp1252"),
        Expect("indexed", find="cpword"))
    with open(archive / "huge-sparse.txt", "wb") as f:  # 17 MB that take no disk: never read
        f.truncate(17 * MB)
    expect["huge-sparse.txt"] = Expect("failed", "error", "text files above 16 MB are not read")
    put("long-line.txt", "Longline report\n\n" + "longlineword " * 80_000 + "\n",
        Expect("indexed", find="longlineword"))
    put("short-lines.txt", "Shortlines report\n\n" + "shortlineword and more words\n" * 35_000,
        Expect("indexed", find="shortlineword"))
    put("headers-only.eml", "Subject: Status March 2021\nFrom: pm@example.org\n\n",
        Expect("failed", "error", "contains no text to index"))

    # -- what is not a regular file, and links ------------------------------------------------
    os.mkfifo(archive / "pipe.txt")
    expect["pipe.txt"] = Expect("skipped", "error", "is a named pipe, not a regular file")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(archive / "socket.txt"))
    server.close()  # the socket file stays
    expect["socket.txt"] = Expect("skipped", "error", "is a socket, not a regular file")
    os.symlink("/dev/zero", archive / "dev-zero.txt")
    expect["dev-zero.txt"] = Expect("skipped", "error", "outside the paths given; not followed",
                                    extract_says="is a device, not a regular file")
    (outside / "secret.txt").write_text(_report("Secret", "Outsideword must not be published."))
    os.symlink(outside / "secret.txt", archive / "outside-link.txt")
    expect["outside-link.txt"] = Expect("skipped", "ok", "outside the paths given; not followed "
                                        "(use --follow-symlinks to read it)")
    put("linked/target.txt", _report("Linked", "Insideword arrives through a link."),
        Expect("indexed", find="insideword"))
    os.symlink(archive / "linked" / "target.txt", archive / "inside-link.txt")
    expect["inside-link.txt"] = Expect("indexed", find="insideword")
    os.symlink(archive / "gone.txt", archive / "broken-link.txt")
    expect["broken-link.txt"] = Expect("skipped", "error", "is a broken symbolic link",
                                       extract_says="no such file")
    os.symlink("..", archive / "linked" / "back-up")  # a loop: the walk must end
    os.symlink(outside, archive / "outside-dir")
    put("folder.txt/inner.txt", _report("Inner", "Folderword inside a folder named .txt."),
        Expect("indexed", find="folderword"))
    expect["folder.txt"] = Expect("dir", "error", "is a directory")

    # -- names in any script -------------------------------------------------------------------
    for name, word in (("報告-2021-03.txt", "kanjiword"), ("报告-2021-03.txt", "hanziword"),
                       ("отчет-2021-03.txt", "cyrillicword")):
        put(name, _report("Status", f"{word.capitalize()} at SLAC."), Expect("indexed", find=word))
    put("notes.docx", b"PK\x03\x04 not ours", Expect("ignored", "error",
                                                    "unsupported file type ('.docx')"))

    # -- HTML and Markdown ------------------------------------------------------------------------
    put("no-head-close.html", "<html><head><title>Status March 2021</title><meta charset='utf-8'>"
        "<h1>Status</h1><p>Headlessword survived the missing head.</p><h2>Next</h2><p>More.</p>",
        Expect("indexed", find="headlessword"))
    put("nested-1000.html", "<html><body><h1>Deep</h1>" + "<div>" * 1000 + "<p>Deepword at the "
        "bottom of a thousand divs.</p>" + "</div>" * 1000 + "</body></html>",
        Expect("indexed", find="deepword"))
    put("binary.html", bytes(rng.randrange(256) for _ in range(20_000)),
        Expect("failed", "error", "does not look like an HTML file"))
    put("utf16.html", b"\xff\xfe" + "<html><body><h1>Status</h1><p>Htmlutfword at IN2P3.</p>"
        "</body></html>".encode("utf-16-le"), Expect("indexed", find="htmlutfword"))
    put("scripts-only.html", "<html><head><script>var a = 1;</script><style>p {}</style></head>"
        "<body><script>go()</script></body></html>",
        Expect("failed", "error", "contains no text to index"))
    put("nested-quotes.md", "# Quotes\n\nQuoteword before the nesting.\n\n" + "> " * 1000 + "deep\n",
        Expect("indexed", find="quoteword"))

    # -- PDF ------------------------------------------------------------------------------------------
    put("bomb.pdf", bomb(24 * MB), Expect("failed", "error", "its compressed streams inflate to "
                                                              "more than the limit of 8 MB"))
    put("bomb-twice.pdf", bomb(24 * MB, twice=True),
        Expect("failed", "error", "inflate to more than the limit of 8 MB"))
    put("many-pages.pdf", pdf_bytes(text_page_objects(12)),
        Expect("failed", "error", "has 12 pages, more than the limit of 10 per file"))
    loop = [item(b"Summary", 4, b"/First 9 0 R /Last 9 0 R /Next 10 0 R"), item(b"Outlook", 6, b"")]
    put("outline-loop.pdf", pdf_bytes(outline_objects(loop, 9, 10)), Expect("indexed", find="quiet"))
    deep = [b"<< /Title (Level %d) /Parent %d 0 R /Dest [4 0 R /XYZ 0 720 0] " % (n + 1, 8 + n if n else 8)
            + (b"/First %d 0 R /Last %d 0 R " % (10 + n, 10 + n) if n < 2999 else b"") + b">>"
            for n in range(3000)]
    put("outline-deep.pdf", pdf_bytes(outline_objects(deep, 9, 9)), Expect("indexed", find="quiet"))
    whole = (SAMPLES / "DM_Monthly_Report_2020-05.pdf").read_bytes()
    put("truncated.pdf", whole[: len(whole) // 3], Expect("failed", "error", "not a readable PDF"))
    put("not-a-pdf.pdf", "just some words, no PDF at all\n", Expect("failed", "error", "no %PDF- header"))
    put("zlib-junk.pdf", b"%PDF-1.7\n" + zlib.compress(bytes(rng.randrange(256) for _ in range(5000))),
        Expect("failed", "error", "not a readable PDF"))
    shutil.copy2(PDF_FIXTURES / "encrypted.pdf", archive / "encrypted.pdf")
    expect["encrypted.pdf"] = Expect("failed", "error", "is encrypted")
    shutil.copy2(PDF_FIXTURES / "image_only.pdf", archive / "image-only.pdf")
    expect["image-only.pdf"] = Expect("failed", "error", "has no extractable text")
    (root / "report-archive.toml").write_text(CONFIG)
    return archive, outside, expect

"""Build the sample archive's PDFs from the sources in tools/sample_archive/src.

Usage (from the repository root)::

    python tools/sample_archive/build_pdfs.py            # build every PDF
    python tools/sample_archive/build_pdfs.py 2021-09    # only sources whose name contains 2021-09

Needs pdflatex (Debian: texlive-latex-recommended, texlive-fonts-recommended),
soffice (Debian: libreoffice-writer) and the reportlab package. The built PDFs
are committed under sample_reports/, so nothing here is needed at test time.
The intermediate .tex/.fodt files are written to tools/sample_archive/build/
(not committed) for anyone who wants to open them.
"""
from __future__ import annotations

import hashlib
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from source import parse_source  # noqa: E402

REPO = HERE.parent.parent
SRC_DIR = HERE / "src"
OUT_DIR = REPO / "sample_reports"
BUILD_DIR = HERE / "build"


def _pin_dates_and_id(pdf: Path, stamp: str, seed: bytes) -> None:
    """Give a LibreOffice or ReportLab PDF the report's date and a stable /ID.

    soffice stamps the wall-clock export time and a random /ID, and ReportLab's
    invariant mode stamps 2000-01-01; either way rebuilds would differ or look
    odd. Each replacement has the same length as what it replaces, so the
    xref byte offsets stay valid.
    """
    data = pdf.read_bytes()
    # The whitespace between key and value is kept: dropping it (as this once did) shifted
    # every later object by two bytes and left ReportLab files with a stale xref table.
    data = re.sub(rb"/(CreationDate|ModDate)(\s*)\(D:\d{14}",
                  lambda m: b"/" + m.group(1) + m.group(2) + b"(D:" + stamp.encode(), data)
    digest = hashlib.md5(seed).hexdigest()

    def same_length_hex(m: re.Match[bytes]) -> bytes:
        old = m.group(1)
        new = (digest * 4)[: len(old)]
        new = new.upper() if old.isupper() else new
        return b"<" + new.encode() + b">"
    head, sep, tail = data.rpartition(b"/ID")
    if sep:
        end = tail.index(b"]") + 1
        tail = re.sub(rb"<([0-9A-Fa-f]+)>", same_length_hex, tail[:end]) + tail[end:]
        data = head + sep + tail
    # LibreOffice also writes a checksum of the (time-stamped) document.
    data = re.sub(rb"/DocChecksum /[0-9A-F]{32}",
                  b"/DocChecksum /" + digest.upper().encode(), data)
    pdf.write_bytes(data)


def check_tools() -> list[str]:
    """Return the names of missing external programs."""
    return [tool for tool in ("pdflatex", "soffice") if shutil.which(tool) is None]


def main(argv: list[str]) -> int:
    """Build every source (or those matching argv[0]) and print one line per PDF."""
    missing = check_tools()
    if missing:
        print(f"missing {', '.join(missing)}: install with "
              "'apt-get install texlive-latex-recommended texlive-fonts-recommended "
              "libreoffice-writer'", file=sys.stderr)
        return 2
    # Imported late so a missing reportlab gives the message above a chance first.
    from render_fodt import build_fodt
    from render_latex import build_latex
    from render_reportlab import build_reportlab

    pattern = argv[0] if argv else ""
    BUILD_DIR.mkdir(exist_ok=True)
    sources = sorted(p for p in SRC_DIR.glob("*.txt") if pattern in p.name)
    if not sources:
        print(f"no source in {SRC_DIR} matches {pattern!r}", file=sys.stderr)
        return 1
    for path in sources:
        src = parse_source(path)
        if src.producer == "latex":
            pdf = build_latex(src, OUT_DIR, keep_tex=BUILD_DIR / f"{path.stem}.tex")
        elif src.producer == "libreoffice":
            pdf = build_fodt(src, OUT_DIR, keep_fodt=BUILD_DIR / f"{path.stem}.fodt")
        else:
            pdf = build_reportlab(src, OUT_DIR)
        if src.producer != "latex":
            # pdflatex is already pinned through SOURCE_DATE_EPOCH
            _pin_dates_and_id(pdf, src.date.strftime("%Y%m%d") + "090000", path.read_bytes())
        print(f"{path.name:28} {src.producer:12} outline={'yes' if src.outline else 'no ':3} -> {pdf.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

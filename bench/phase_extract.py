"""Extraction: our format readers next to the raw library on the same bytes.

Files are read into memory first, so disk I/O is out of the figure. Per format:
- ``ours``: the reader alone (``read_pdf``/``read_html``/``read_text``/``read_markdown``);
- ``full``: ``ingest.extract_report`` (reader + anchors, period, entity matching), to show
  what the rest of the pipeline adds on top of the reader;
- ``raw``: the plain library call: pdfminer ``extract_pages`` with the text of every text
  box, ``BeautifulSoup(data, "html.parser").get_text()``, ``data.decode().splitlines()``,
  and markdown-it's ``render``.
Throughput is pages/s for PDF and documents/s (plus MB/s) for the other formats.
"""

from __future__ import annotations

import io
from pathlib import Path

from bench import stats


def _raw_pdf(data: bytes) -> None:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    for page in extract_pages(io.BytesIO(data)):
        for element in page:
            if isinstance(element, LTTextContainer):
                element.get_text()


def _raw_html(data: bytes) -> None:
    from bs4 import BeautifulSoup

    BeautifulSoup(data, "html.parser").get_text()


def _raw_text(data: bytes) -> None:
    # errors="replace": archives hold cp1252 text files too (sample_reports has one), and
    # the baseline must not fail where our reader copes.
    data.decode("utf-8", errors="replace").splitlines()


_MD = None


def _raw_markdown(data: bytes) -> None:
    global _MD
    if _MD is None:
        from markdown_it import MarkdownIt

        _MD = MarkdownIt("commonmark").enable("table")
    _MD.render(data.decode("utf-8"))


def _reader(fmt: str):
    from ingest.readers.html import read_html
    from ingest.readers.markdown import read_markdown
    from ingest.readers.pdf import read_pdf
    from ingest.readers.text import read_text

    return {"pdf": read_pdf, "html": read_html, "text": read_text, "markdown": read_markdown}[fmt]


_RAW = {"pdf": _raw_pdf, "html": _raw_html, "text": _raw_text, "markdown": _raw_markdown}


def run(files_by_format: dict[str, list[Path]], reps: int, log=print) -> dict:
    """Throughput of ours / full / raw per format (median of `reps` alternated passes)."""
    import ingest
    from ingest.extract import default_matcher

    default_matcher()  # build the matcher once, outside the timings
    out = {}
    for fmt, paths in files_by_format.items():
        if not paths:
            continue
        blobs = [(p, p.read_bytes()) for p in paths]
        read = _reader(fmt)
        units = sum(read(p, d).pages or 1 for p, d in blobs) if fmt == "pdf" else len(blobs)
        megabytes = sum(len(d) for _, d in blobs) / 1e6
        sides = {
            "ours": lambda rep: stats.timed(lambda: [read(p, d) for p, d in blobs]),
            "raw": lambda rep: stats.timed(lambda: [_RAW[fmt](d) for _, d in blobs]),
            # extract_report reads the file itself: with the page cache warm after the
            # first pass this costs microseconds next to parsing.
            "full": lambda rep: stats.timed(lambda: [ingest.extract_report(p) for p, _ in blobs]),
        }
        for fn in (sides["ours"], sides["raw"]):  # warm-up: imports, caches
            fn(-1)
        seconds = stats.alternate(reps, sides)
        unit = "pages" if fmt == "pdf" else "docs"
        row = {"files": len(blobs), unit: units, "megabytes": round(megabytes, 3), "unit": unit}
        for side, samples in seconds.items():
            rate = [units / s for s in samples]
            row[side] = {f"{unit}_per_s": stats.median(rate),
                         "mb_per_s": stats.median([megabytes / s for s in samples]),
                         "seconds": stats.summary(samples)}
        row["ratio_ours_vs_raw"] = row["ours"][f"{unit}_per_s"] / row["raw"][f"{unit}_per_s"]
        row["ratio_full_vs_raw"] = row["full"][f"{unit}_per_s"] / row["raw"][f"{unit}_per_s"]
        log(f"  extract {fmt}: ours {row['ours'][f'{unit}_per_s']:.1f} {unit}/s, raw "
            f"{row['raw'][f'{unit}_per_s']:.1f} {unit}/s (x{row['ratio_ours_vs_raw']:.2f})")
        out[fmt] = row
    return out

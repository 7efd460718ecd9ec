"""Extraction: our format readers next to the raw library on the same bytes.

Files are read into memory first, so disk I/O is out of the figure. Per format:
- ``ours``: the reader alone (``read_pdf``/``read_html``/``read_text``/``read_markdown``);
- ``full``: ``ingest.extract_report`` (reader + anchors, period, entity matching), to show
  what the rest of the pipeline adds on top of the reader;
- ``raw``: the plain library call: pdfminer ``extract_pages`` with the text of every text
  box, ``BeautifulSoup(data, "html.parser").get_text()``, ``data.decode().splitlines()``,
  and markdown-it's ``render``.
Throughput is pages/s for PDF and documents/s (plus MB/s) for the other formats. For PDF
both engines (PDFium, pdfminer.six) run side by side on the same files, alone and through
``extract_report``; ``python -m bench.phase_extract`` prints just that comparison.
"""

from __future__ import annotations

import io
import time
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


#: Fixtures without a text layer (or locked): reading them is an error, not a page rate.
_NO_TEXT = {"encrypted.pdf", "image_only.pdf", "scanned.pdf"}

_RAW = {"pdf": _raw_pdf, "html": _raw_html, "text": _raw_text, "markdown": _raw_markdown}


def _cpu_timed(fn) -> float:
    """CPU seconds of this process one call of `fn` takes: both PDF engines read in the
    calling thread, so on a machine other jobs load this is their work, not the share of a
    core the scheduler left them (wall time then spreads 2-3x between passes)."""
    start = time.process_time()
    fn()
    return time.process_time() - start


def _pdf_sides(blobs, log, timed=stats.timed) -> dict:
    """Both PDF engines side by side on the same bytes: the reader alone and extract_report."""
    import ingest
    from ingest.options import ReadOptions
    from ingest.readers.pdf import read_pdf

    engines = ("pdfium", "pdfminer")
    options = {e: ReadOptions(pdf_reader=e) for e in engines}
    sides = {"raw": lambda rep: timed(lambda: [_raw_pdf(d) for _, d in blobs])}
    for e in engines:
        o = options[e]
        sides[f"{e}_reader"] = (lambda o: lambda rep: timed(
            lambda: [read_pdf(p, d, o) for p, d in blobs]))(o)
        # extract_report reads the file itself: with the page cache warm after the first
        # pass this costs microseconds next to parsing.
        sides[f"{e}_full"] = (lambda o: lambda rep: timed(
            lambda: [ingest.extract_report(p, options=o) for p, _ in blobs]))(o)
    for fn in sides.values():  # warm-up: imports, caches
        fn(-1)
    return sides


def run(files_by_format: dict[str, list[Path]], reps: int, log=print, cpu: bool = False) -> dict:
    """Throughput of ours / full / raw per format (median of `reps` alternated passes).

    For PDF both engines are measured (reader alone and through extract_report) and
    "ours"/"full" are the default engine's figures; `cpu`: PDF passes timed in CPU seconds.
    """
    import ingest
    from ingest.extract import default_matcher
    from ingest.options import DEFAULT_PDF_READER

    default_matcher()  # build the matcher once, outside the timings
    out = {}
    for fmt, paths in files_by_format.items():
        if not paths:
            continue
        blobs = [(p, p.read_bytes()) for p in paths]
        read = _reader(fmt)
        units = sum(read(p, d).pages or 1 for p, d in blobs) if fmt == "pdf" else len(blobs)
        megabytes = sum(len(d) for _, d in blobs) / 1e6
        if fmt == "pdf":
            sides = _pdf_sides(blobs, log, _cpu_timed if cpu else stats.timed)
        else:
            sides = {
                "ours": lambda rep: stats.timed(lambda: [read(p, d) for p, d in blobs]),
                "raw": lambda rep: stats.timed(lambda: [_RAW[fmt](d) for _, d in blobs]),
                "full": lambda rep: stats.timed(lambda: [ingest.extract_report(p) for p, _ in blobs]),
            }
            for fn in (sides["ours"], sides["raw"]):  # warm-up: imports, caches
                fn(-1)
        seconds = stats.alternate(reps, sides)
        if fmt == "pdf":
            seconds["ours"] = seconds[f"{DEFAULT_PDF_READER}_reader"]
            seconds["full"] = seconds[f"{DEFAULT_PDF_READER}_full"]
        unit = "pages" if fmt == "pdf" else "docs"
        row = {"files": len(blobs), unit: units, "megabytes": round(megabytes, 3), "unit": unit}
        for side, samples in seconds.items():
            rate = [units / s for s in samples]
            row[side] = {f"{unit}_per_s": stats.median(rate),
                         "mb_per_s": stats.median([megabytes / s for s in samples]),
                         "seconds": stats.summary(samples)}
        row["ratio_ours_vs_raw"] = row["ours"][f"{unit}_per_s"] / row["raw"][f"{unit}_per_s"]
        row["ratio_full_vs_raw"] = row["full"][f"{unit}_per_s"] / row["raw"][f"{unit}_per_s"]
        if fmt == "pdf":
            row["default_reader"] = DEFAULT_PDF_READER
            for part in ("reader", "full"):
                row[f"ratio_pdfium_vs_pdfminer_{part}"] = (
                    row[f"pdfium_{part}"]["pages_per_s"] / row[f"pdfminer_{part}"]["pages_per_s"])
            log(f"  extract pdf ({len(blobs)} files, {units} pages), pages/s: "
                f"extract_report pdfium {row['pdfium_full']['pages_per_s']:.1f} vs pdfminer "
                f"{row['pdfminer_full']['pages_per_s']:.1f} "
                f"(x{row['ratio_pdfium_vs_pdfminer_full']:.2f}); reader alone pdfium "
                f"{row['pdfium_reader']['pages_per_s']:.1f} vs pdfminer "
                f"{row['pdfminer_reader']['pages_per_s']:.1f} "
                f"(x{row['ratio_pdfium_vs_pdfminer_reader']:.2f}); raw pdfminer "
                f"{row['raw']['pages_per_s']:.1f}")
        else:
            log(f"  extract {fmt}: ours {row['ours'][f'{unit}_per_s']:.1f} {unit}/s, raw "
                f"{row['raw'][f'{unit}_per_s']:.1f} {unit}/s (x{row['ratio_ours_vs_raw']:.2f})")
        out[fmt] = row
    return out


def pdf_readers_table(rows: dict[str, dict]) -> str:
    """The PDF engines side by side, one Markdown row per file set."""
    lines = ["| files | pages | pdfium extract_report p/s | pdfminer extract_report p/s | ratio "
             "| pdfium reader p/s | pdfminer reader p/s | ratio | pdfium s: reader + the rest "
             "| reps |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, r in rows.items():
        # What extract_report adds after the reader (entity matching, the Report) is the
        # same work on both engines: the smaller the reader, the more it weighs.
        reader, full = r["pdfium_reader"]["seconds"]["median"], r["pdfium_full"]["seconds"]["median"]
        lines.append(
            f"| {name} ({r['files']}) | {r['pages']} | {r['pdfium_full']['pages_per_s']:.1f} | "
            f"{r['pdfminer_full']['pages_per_s']:.1f} | {r['ratio_pdfium_vs_pdfminer_full']:.2f}x | "
            f"{r['pdfium_reader']['pages_per_s']:.1f} | {r['pdfminer_reader']['pages_per_s']:.1f} | "
            f"{r['ratio_pdfium_vs_pdfminer_reader']:.2f}x | {reader:.3f} + {full - reader:.3f} | "
            f"{r['raw']['seconds']['reps']} |")
    return "\n".join(lines)


def dump_reports(paths: list[Path], out: Path) -> int:
    """Write what `ingest.extract_report` makes of every file under `paths` (each PDF with
    both engines) to `out`, one JSON line per file and engine: sections, headings, pages,
    text and every mention (type, canonical name, offsets, surface, how found), or the
    error. Two commits' dumps of the same files compare line for line (run with
    PYTHONHASHSEED=0: the report's evidence holds sets): a speed-up must leave them equal.
    Returns the number of lines written."""
    import json

    import ingest
    from ingest.errors import IngestError
    from ingest.options import ReadOptions

    def mentions(found) -> list[dict]:
        return [m.to_dict() | {"surface": m.surface} for m in found]

    files = []
    for p in paths:
        files += sorted(q for q in p.rglob("*") if q.is_file()) if p.is_dir() else [p]
    lines = 0
    with out.open("w", encoding="utf-8") as sink:
        for path in files:
            for engine in (("pdfium", "pdfminer") if path.suffix.lower() == ".pdf" else (None,)):
                record: dict = {"path": str(path), "engine": engine}
                try:
                    report = ingest.extract_report(
                        path, options=ReadOptions(pdf_reader=engine) if engine else None)
                except IngestError as error:
                    record["error"] = str(error)
                else:
                    d = report.to_dict()
                    d["title_mentions"] = mentions(report.title_mentions)
                    for section, sd in zip(report.sections, d["sections"]):
                        sd["mentions"] = mentions(section.mentions)
                        sd["heading_mentions"] = mentions(section.heading_mentions)
                    d["evidence"] = report.evidence
                    record["report"] = d
                sink.write(json.dumps(record, sort_keys=True, default=str) + "\n")
                lines += 1
    return lines


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.phase_extract [--pdfs N] [--reps R] [--clock wall|cpu]``: the PDF
    engines side by side.

    On the benchmark's generated PDFs (reportlab), the sample archive's 12 PDFs (pdfTeX,
    LibreOffice, reportlab) and the test fixtures with a text layer (pdfTeX, LibreOffice:
    outlines, contents pages, two columns); medians of alternated passes, all sides of a
    set in one run on the same bytes.
    """
    import argparse
    import json
    import sys

    from bench.pdfs import ensure_pdfs

    parser = argparse.ArgumentParser(prog="python -m bench.phase_extract")
    parser.add_argument("--pdfs", type=int, default=20)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--data-dir", default=str(Path(__file__).parent / "data"))
    parser.add_argument("--out", help="write the figures as JSON here")
    parser.add_argument("--dump", metavar="FILE",
                        help="instead of timing, write what extract_report makes of PATHS to FILE "
                             "(JSON lines, to compare two commits: see dump_reports)")
    parser.add_argument("paths", nargs="*", type=Path, help="files or directories for --dump")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall (default) or cpu: this process's CPU seconds, steadier "
                             "when other jobs load the machine")
    args = parser.parse_args(argv)
    if args.dump:
        print(f"{dump_reports(args.paths, Path(args.dump))} reports written to {args.dump}", file=sys.stderr)
        return 0
    root = Path(__file__).resolve().parent.parent
    sets = {"generated": ensure_pdfs(Path(args.data_dir), args.pdfs),
            "sample_reports": sorted((root / "sample_reports").glob("*.pdf")),
            "fixtures": sorted(p for p in (root / "tests" / "fixtures" / "pdf").glob("*.pdf")
                               if p.name not in _NO_TEXT)}
    rows = {}
    for name, paths in sets.items():
        print(f"{name}: {len(paths)} PDFs", file=sys.stderr)
        rows[name] = run({"pdf": paths}, args.reps, log=lambda m: print(m, file=sys.stderr),
                         cpu=args.clock == "cpu")["pdf"]
    print(pdf_readers_table(rows))
    if args.clock == "cpu":
        print("(pages per CPU second of this process)")
    if args.out:
        Path(args.out).write_text(json.dumps(rows, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

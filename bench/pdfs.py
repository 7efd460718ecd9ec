"""Multi-page PDFs of synthetic reports, for the extraction benchmark only (via reportlab).

The PDFs carry the same generated text as the other formats, with longer sections so each
report spans several pages: bold, larger headings (the layout cue our reader uses when a PDF
has no outline), justified body text, bullet lists, and a page-number footer.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from xml.sax.saxutils import escape

from bench.corpus import GENERATOR_VERSION, PROFILE, Generator

#: Words per section in the PDFs: about 4x the measured median, so a report is 3-5 pages.
PDF_WORDS_MEDIAN = 150.0


def ensure_pdfs(data_dir: Path, count: int, seed: int = 1) -> list[Path]:
    """Write (or reuse) `count` multi-page PDF reports; return their paths."""
    from reportlab import rl_config

    rl_config.invariant = 1  # fixed creation date and id: the same bytes on every run
    root = data_dir / f"pdf-{count}-s{seed}"
    stamp = root / "manifest.json"
    if stamp.exists() and json.loads(stamp.read_text()).get("version") == GENERATOR_VERSION:
        return sorted(root.glob("*.pdf"))
    root.mkdir(parents=True, exist_ok=True)
    gen = Generator(seed, replace(PROFILE, words_median=PDF_WORDS_MEDIAN))
    paths = []
    for i in range(count):
        report = gen.report(100_000 + i)  # indexes apart from the text corpora
        path = root / f"{report.stem}.pdf"
        _write_pdf(report, path)
        paths.append(path)
    stamp.write_text(json.dumps({"version": GENERATOR_VERSION, "count": count}))
    return paths


def ensure_ingest_pdfs(data_dir: Path, count: int = 24, long: int = 3, seed: int = 1) -> list[Path]:
    """`count` PDFs for the parallel-ingest figure: `long` of them ~25 pages, the rest 3-5.

    A few long documents among short ones is where deciding parallelism by file count
    failed (issue 10, point 6): the work is in the long ones.
    """
    from reportlab import rl_config

    rl_config.invariant = 1
    root = data_dir / f"pdf-ingest-{count}-{long}-s{seed}"
    stamp = root / "manifest.json"
    if stamp.exists() and json.loads(stamp.read_text()).get("version") == GENERATOR_VERSION:
        return sorted(root.glob("*.pdf"))
    root.mkdir(parents=True, exist_ok=True)
    gen = Generator(seed, replace(PROFILE, words_median=PDF_WORDS_MEDIAN))
    paths = []
    for i in range(count):
        report = gen.report(200_000 + i)
        path = root / f"{report.stem}.pdf"
        # Spread the long ones through the list, as in a real archive's sorted walk.
        _write_pdf(report, path, repeat=7 if i % (count // max(long, 1)) == count // (2 * max(long, 1)) else 1)
        paths.append(path)
    stamp.write_text(json.dumps({"version": GENERATOR_VERSION, "count": count}))
    return sorted(paths)


#: The parts of an ingest timed on their own (see `_phases`): planning (walk, sha256, page
#: counts), extraction and writing by the workers up to the last commit (the parent waiting
#: on them, minus its commits), the parent's commits (tantivy's writer indexes every document
#: then: the part no worker shares), the archive-wide entity pass (with its own commit), the
#: summary.
PHASES = ("plan", "extract_write", "commit", "archive_pass", "summary")


class _phases:
    """Time the phases of `search.ingest_paths` in this (the parent) process.

    Wraps the functions each phase is made of for the duration of a `with` block; the
    bench's own instrumentation, nothing in the ingest changes.
    """

    def __init__(self) -> None:
        self.seconds = dict.fromkeys(PHASES, 0.0)

    def _wrap(self, owner, name: str, phase: str) -> None:
        import time

        original = getattr(owner, name)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[phase] += time.perf_counter() - start

        self._undo.append((owner, name, original))
        setattr(owner, name, timed)

    def __enter__(self):
        from search import _archive_pass, _ingest

        self._undo: list = []
        self._wrap(_ingest, "work_of", "plan")
        self._wrap(_ingest, "sha256_of", "plan")
        self._wrap(_ingest._Run, "feed_all", "extract_write")
        self._wrap(_ingest._Run, "_commit", "commit")  # inside feed_all: taken out below
        # the pass's parent share: the names learned before each batch is written, and
        # what it rewrites after the last commit
        self._wrap(_archive_pass.ArchivePass, "learned_now", "archive_pass")
        self._wrap(_archive_pass.ArchivePass, "finish", "archive_pass")
        self._wrap(_ingest, "refresh_summary", "summary")
        self._wrap(_ingest._aggregate, "write", "summary")
        self._wrap(_ingest._aggregate.StreamingAccumulator, "write", "summary")
        return self

    def __exit__(self, *exc) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        self.seconds["extract_write"] -= self.seconds["commit"]


def ingest_ab(paths: list[Path], work: Path, reps: int, log=print, read_options=None) -> dict:
    """Seconds of `ingest_paths` with --jobs 1 and --jobs 2 on `paths`, alternated, fresh index.

    Each run also records the parent's time per phase (`PHASES`) and the 1-minute load
    average before it starts, since other jobs on the machine change the figure.
    `read_options` (ingest.ReadOptions) choose the PDF reader.
    """
    import os
    import shutil
    import time

    from bench import stats
    from search import ingest_paths

    phases: dict[str, list[dict]] = {"jobs1": [], "jobs2": []}

    def side(jobs: int):
        def go(rep: int) -> float:
            index = work / f"ab-index-{jobs}-{rep}"
            shutil.rmtree(index, ignore_errors=True)
            load = os.getloadavg()[0]
            with _phases() as timer:
                start = time.perf_counter()
                ingest_paths(paths, index, jobs=jobs, read_options=read_options)
                seconds = time.perf_counter() - start
            shutil.rmtree(index, ignore_errors=True)
            if rep >= 0:
                phases[f"jobs{jobs}"].append(dict(timer.seconds, total=seconds, load=load))
            return seconds
        return go

    side(1)(-1)  # warm-up: imports, matcher, page cache
    seconds = stats.alternate(reps, {"jobs1": side(1), "jobs2": side(2)})
    out = {k: stats.summary(v) for k, v in seconds.items()}
    out["speedup_jobs2"] = stats.median(seconds["jobs1"]) / stats.median(seconds["jobs2"])
    out["phases"] = {side_name: {k: stats.median([r[k] for r in runs]) for k in (*PHASES, "total", "load")}
                     for side_name, runs in phases.items()}
    log(f"  ingest {len(paths)} PDFs: jobs=1 {out['jobs1']['median']:.2f} s, jobs=2 "
        f"{out['jobs2']['median']:.2f} s (x{out['speedup_jobs2']:.2f})")
    for side_name, row in out["phases"].items():
        log(f"    {side_name} phases (median s): " + ", ".join(
            f"{k} {row[k]:.2f}" for k in (*PHASES, "total")) + f"; load {row['load']:.2f}")
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.pdfs [--reps R] [--pdf-reader pdfium|pdfminer|both]``: 24 PDFs
    (three of ~25 pages), --jobs 2 vs --jobs 1, with the default PDF reader or each one."""
    import argparse
    import sys
    import tempfile

    from ingest.options import DEFAULT_PDF_READER, ReadOptions
    from ingest.readers.pdf import ENGINES, count_pages

    parser = argparse.ArgumentParser(prog="python -m bench.pdfs")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--data-dir", default=str(Path(__file__).parent / "data"))
    parser.add_argument("--pdf-reader", choices=(*ENGINES, "both"), default=DEFAULT_PDF_READER,
                        help=f"the PDF reader the ingest uses (default {DEFAULT_PDF_READER}); "
                             "both: one table row per reader")
    args = parser.parse_args(argv)
    paths = ensure_ingest_pdfs(Path(args.data_dir))
    readers = ENGINES if args.pdf_reader == "both" else (args.pdf_reader,)
    pages = [count_pages(p.read_bytes()) or 0 for p in paths]
    print(f"{len(paths)} PDFs, {sum(pages)} pages (longest {sorted(pages)[-3:]})", file=sys.stderr)
    outs = {}
    for reader in readers:
        print(f"PDF reader {reader}:", file=sys.stderr)
        with tempfile.TemporaryDirectory() as tmp:
            outs[reader] = ingest_ab(paths, Path(tmp), args.reps, read_options=ReadOptions(
                pdf_reader=reader), log=lambda m: print(m, file=sys.stderr))
    print("| PDFs | pages | reader | jobs=1 s | jobs=2 s | speed-up | reps |\n"
          "|---|---|---|---|---|---|---|")
    for reader, out in outs.items():
        print(f"| {len(paths)} | {sum(pages)} | {reader} | {out['jobs1']['median']:.2f} | "
              f"{out['jobs2']['median']:.2f} | {out['speedup_jobs2']:.2f}x | {out['jobs1']['reps']} |")
    print("\n| reader | jobs | " + " | ".join(PHASES) + " | total | load |\n|---|---|"
          + "---|" * (len(PHASES) + 2))
    for reader, out in outs.items():
        for side_name, row in out["phases"].items():
            print(f"| {reader} | {side_name[-1]} | " + " | ".join(f"{row[k]:.2f}" for k in PHASES)
                  + f" | {row['total']:.2f} | {row['load']:.2f} |")
    return 0


def _write_pdf(report, path: Path, repeat: int = 1) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import inch
    from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate

    body = ParagraphStyle("body", fontName="Times-Roman", fontSize=11, leading=14,
                          spaceAfter=6, alignment=4)
    head = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=13, leading=17,
                          spaceBefore=10, spaceAfter=4, keepWithNext=1)
    title = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=18, leading=22,
                           spaceAfter=12, alignment=1)

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawCentredString(A4[0] / 2, 0.5 * inch, f"Page {doc.page}")
        canvas.restoreState()

    story = [Paragraph(escape(report.title), title)]
    for section in list(report.sections) * repeat:
        if section.heading:
            story.append(Paragraph(escape(section.heading), head))
        story += [Paragraph(escape(p), body) for p in section.paragraphs]
        if section.items:
            story.append(ListFlowable(
                [ListItem(Paragraph(escape(i), body)) for i in section.items],
                bulletType="bullet", start="\u2022"))
    doc = SimpleDocTemplate(str(path), pagesize=A4, title=report.title,
                            leftMargin=inch, rightMargin=inch, topMargin=inch, bottomMargin=inch)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)


if __name__ == "__main__":
    raise SystemExit(main())

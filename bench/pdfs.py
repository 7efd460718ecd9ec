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


def _write_pdf(report, path: Path) -> None:
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
    for section in report.sections:
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

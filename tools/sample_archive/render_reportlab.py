"""Render a ReportSource straight to PDF with ReportLab (no outline).

This mimics a report produced by an in-house script: Helvetica-Bold
headings in a larger size, a running header with the report name, and a
footer with the page number. ReportLab writes no bookmarks unless asked,
and we do not ask.
"""
from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib.pagesizes import A4, letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer

from source import ReportSource

# invariant mode fixes the creation date and document id: byte-identical rebuilds.
rl_config.invariant = 1

_BODY = ParagraphStyle("body", fontName="Times-Roman", fontSize=11, leading=14.5,
                       spaceAfter=7, alignment=4)
_H1 = ParagraphStyle("h1", fontName="Helvetica-Bold", fontSize=15, leading=19,
                     spaceBefore=12, spaceAfter=6, keepWithNext=1)
_H2 = ParagraphStyle("h2", fontName="Helvetica-Bold", fontSize=12.5, leading=16,
                     spaceBefore=8, spaceAfter=4, keepWithNext=1)
_TITLE = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=19, leading=24,
                        spaceAfter=4, alignment=1)
_SUB = ParagraphStyle("sub", fontName="Helvetica", fontSize=10.5, leading=13,
                      spaceAfter=14, alignment=1)


def _page_decor(title: str, footer: str):
    def draw(canvas, doc) -> None:
        width, height = doc.pagesize
        canvas.saveState()
        canvas.setFont("Helvetica", 8.5)
        canvas.drawString(doc.leftMargin, height - 0.55 * inch, title)
        canvas.drawRightString(width - doc.rightMargin, height - 0.55 * inch, footer)
        canvas.line(doc.leftMargin, height - 0.6 * inch, width - doc.rightMargin, height - 0.6 * inch)
        canvas.drawCentredString(width / 2, 0.5 * inch, f"Page {doc.page}")
        canvas.restoreState()
    return draw


def build_reportlab(src: ReportSource, out_dir: Path) -> Path:
    """Lay out the report with platypus and write it to out_dir."""
    meta = src.meta
    target = out_dir / src.output
    size = A4 if meta.get("paper") == "a4" else letter
    doc = SimpleDocTemplate(
        str(target), pagesize=size, title=src.title,
        author=meta.get("author", "DM Project Office"), subject=meta.get("subject", ""),
        creator=meta.get("creator", "dm-report-tools"),
        leftMargin=inch, rightMargin=inch, topMargin=0.9 * inch, bottomMargin=0.9 * inch)
    story = [Paragraph(escape(src.title), _TITLE)]
    if "subtitle" in meta:
        story.append(Paragraph(escape(meta["subtitle"]), _SUB))
    else:
        story.append(Spacer(1, 10))
    for block in src.blocks:
        if block.kind == "h1":
            story.append(Paragraph(escape(block.text), _H1))
        elif block.kind == "h2":
            story.append(Paragraph(escape(block.text), _H2))
        elif block.kind == "p":
            story.append(Paragraph(escape(block.text), _BODY))
        elif block.kind == "ul":
            story.append(ListFlowable(
                [ListItem(Paragraph(escape(i), _BODY), leftIndent=14) for i in block.items],
                bulletType="bullet", start="\u2022", leftIndent=14, bulletFontSize=9))
    decor = _page_decor(meta.get("running", src.title), meta.get("footer", "Rubin Observatory DM"))
    doc.build(story, onFirstPage=decor, onLaterPages=decor)
    return target

"""Section text as HTML, with every entity mention linked to its entity page.

Built from the plain text and the mention offsets: each piece of text is escaped on its
own and only our own tags (``<p>``, ``<ul>``, ``<li>``, ``<a>``) are added around it, so
document text can never become markup. Paragraphs follow the reader convention (blank line
between paragraphs, one ``"- "`` line per list item).
"""

from __future__ import annotations

import re
from typing import Iterable

from markupsafe import Markup, escape

from ingest.model import Mention, Section
from web import urls

_PARAGRAPH = re.compile(r"\n\s*\n")


def _usable(mentions: Iterable[Mention], length: int) -> list[Mention]:
    """Mentions sorted by offset, dropping bad offsets and overlaps (first one wins)."""
    kept: list[Mention] = []
    end = -1
    for m in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if 0 <= m.start < m.end <= length and m.start >= end:
            kept.append(m)
            end = m.end
    return kept


def _inline(text: str, start: int, end: int, mentions: list[Mention]) -> Markup:
    """Escaped ``text[start:end]`` with the mentions inside it turned into links."""
    out: list[str] = []
    pos = start
    for m in mentions:
        if m.end <= start or m.start >= end:
            continue
        if m.start < start or m.end > end:  # spans a line break: leave it as text
            continue
        out.append(escape(text[pos:m.start]))
        out.append(Markup('<a class="mention t-{t}" href="{href}" title="{t}: {n}">{s}</a>').format(
            t=m.type, n=m.name, href=urls.entity(m.type, m.name), s=text[m.start:m.end]))
        pos = m.end
    out.append(escape(text[pos:end]))
    return Markup("").join(out)


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each line in ``text[start:end]``."""
    spans = []
    pos = start
    while pos <= end:
        nl = text.find("\n", pos, end)
        stop = end if nl == -1 else nl
        spans.append((pos, stop))
        pos = stop + 1
        if nl == -1:
            break
    return spans


def section_html(section: Section) -> Markup:
    """The section's text as paragraphs and lists, mentions linked, all text escaped."""
    text = section.text
    mentions = _usable(section.mentions, len(text))
    blocks: list[Markup] = []
    pos = 0
    bounds = [(m.start(), m.end()) for m in _PARAGRAPH.finditer(text)] + [(len(text), len(text))]
    for gap_start, gap_end in bounds:
        para = (pos, gap_start)
        pos = gap_end
        if not text[para[0]:para[1]].strip():
            continue
        lines = _lines(text, *para)
        items = [ln for ln in lines if text.startswith("- ", ln[0])]
        if items and len(items) == len(lines):
            lis = [Markup("<li>{}</li>").format(_inline(text, s + 2, e, mentions)) for s, e in lines]
            blocks.append(Markup("<ul>{}</ul>").format(Markup("").join(lis)))
        else:
            parts = [_inline(text, s, e, mentions) for s, e in lines]
            blocks.append(Markup("<p>{}</p>").format(Markup("<br>").join(parts)))
    return Markup("\n").join(blocks)

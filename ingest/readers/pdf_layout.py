"""Engine-neutral structure recovery for the PDF reader: lines in, title and sections out.

Input is every visual line of the document (`pdf_text.Line`, in reading order) plus the
outline (bookmarks) if the file has one. The steps:
1. drop running headers, footers and page numbers (`drop_running_lines`);
2. find where sections start: from the outline when there is one, otherwise from lines
   set in a larger or bolder font than the body;
3. choose the title (metadata when meaningful, else the largest heading on page 1);
4. assemble each section's text (`pdf_text.assemble`).
Nothing here imports pdfminer, so the PDF engine can be swapped.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from ingest.readers.base import RawSection
from ingest.readers.pdf_contents import drop_contents, is_list_heading
from ingest.readers.pdf_engine import OutlineEntry
from ingest.readers.pdf_outline import (
    Start,
    clean_heading,
    key as _key,
    match_heading as _match_heading,
    merge_starts,
    outline_starts,
    printed,
)
from ingest.readers.pdf_text import Line, Vocabulary, assemble, bullet_marker

_PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$|^[ivxlc]{1,6}$",
    re.IGNORECASE,
)
_MEANINGLESS_TITLE = re.compile(
    r"^(?:untitled.*|title|document\d*|slide \d+|microsoft (?:word|powerpoint|excel)\b.*)$"
    r"|\.(?:docx?|odt|rtf|pdf|tex|dvi|ps|txt|html?|pptx?|indd)$",
    re.IGNORECASE,
)
#: Share of the page height at the top and bottom where running lines live.
_BAND = 0.12
_MAX_HEADING_WORDS = 12


def is_meaningful_title(title: str | None) -> bool:
    """Is a metadata title worth keeping (not empty, "untitled" or a file name)?"""
    if not title or not any(c.isalpha() for c in title):
        return False
    title = title.strip()
    if len(title) < 3 or title.lower() in {"tmp", "temp", "draft"}:
        return False  # a stray letter or a scratch name some producers leave in the metadata
    if _MEANINGLESS_TITLE.search(title):
        return False
    return " " in title or not re.search(r"[_/\\]", title)


def drop_running_lines(lines: list[Line], heights: dict[int, float]) -> list[Line]:
    """Remove running headers/footers (repeating near the page edge) and page numbers.

    A line counts as running when it sits in the top or bottom band of its page, among the
    three outermost lines there, and either its text with digits masked recurs on at least
    half of the pages (two at least) or it is a bare page number ("3", "Page 3 of 7", "3/7")
    in a face no larger than the body's.
    """
    by_page: dict[int, list[int]] = {}
    for i, line in enumerate(lines):
        by_page.setdefault(line.page, []).append(i)
    edge: set[int] = set()
    for page, idxs in by_page.items():
        height = heights.get(page, 0.0)
        ordered = sorted(idxs, key=lambda i: -lines[i].y1)
        edge.update(i for i in ordered[:3] if lines[i].y1 >= height * (1 - _BAND))
        edge.update(i for i in ordered[-3:] if lines[i].y0 <= height * _BAND)
    masked = {i: re.sub(r"\d+", "#", lines[i].text.casefold()) for i in edge}
    pages_with: Counter[str] = Counter()
    for page, idxs in by_page.items():
        pages_with.update({masked[i] for i in idxs if i in masked})
    need = max(2, math.ceil(0.5 * len(by_page)))
    # A page number is set no larger than the body; a bare number in a larger face is part
    # of a title or heading wrapped onto its own line ("... Record for April" / "2024").
    small = body_size(lines) * 1.08
    drop = {
        i for i in edge if pages_with[masked[i]] >= need
        or (_PAGE_NUMBER.match(lines[i].text) and lines[i].size <= small)
    }
    return [line for i, line in enumerate(lines) if i not in drop]


def body_size(lines: list[Line]) -> float:
    """The body font size: the most common size, weighted by characters."""
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[round(line.size * 2) / 2] += line.chars
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _style(line: Line) -> tuple[float, bool]:
    return (round(line.size * 2) / 2, line.bold)


def _looks_like_heading(line: Line, body: float, body_bold: bool) -> bool:
    text = line.text
    if not any(c.isalpha() for c in text) or line.words > _MAX_HEADING_WORDS:
        return False
    if text[-1] in ".,;" or bullet_marker(text) or _PAGE_NUMBER.match(text):
        return False
    if line.size >= body * 1.08:
        return True
    return line.bold and not body_bold and line.size >= body * 0.95


@dataclass
class _Block:
    first: int
    last: int  # inclusive
    style: tuple[float, bool]
    text: str


def _heading_blocks(lines: list[Line], body: float, vocab: Vocabulary) -> list[_Block]:
    """Runs of heading-like lines; a heading wrapped over up to 3 lines is one block."""
    bold_chars = sum(line.chars for line in lines if line.bold)
    body_bold = bold_chars > 0.5 * sum(line.chars for line in lines)
    blocks: list[_Block] = []
    for i, line in enumerate(lines):
        prev = blocks[-1] if blocks else None
        # A wrapped heading's last line may hold no letter ("... for February" / "2024").
        wrapped = prev is not None and line.words <= _MAX_HEADING_WORDS and line.text[-1] != "."
        looks = _looks_like_heading(line, body, body_bold)
        if not (looks or wrapped):
            continue
        if (
            prev is not None
            and prev.last == i - 1
            and prev.style == _style(line)
            and lines[i - 1].page == line.page
            and lines[i - 1].y0 - line.y0 <= 1.4 * line.size
            and prev.last - prev.first < 2
        ):
            prev.last = i
            prev.text = printed(lines, prev.first, i + 1, vocab)
        elif looks:
            blocks.append(_Block(i, i, _style(line), line.text))
    return blocks


def _title_block(blocks: list[_Block], lines: list[Line], body: float) -> _Block | None:
    """The largest heading-like block on page 1 (the first of them), if above body size."""
    first_page = [b for b in blocks if lines[b.first].page == lines[0].page]
    if not first_page:
        return None
    best = max(first_page, key=lambda b: b.style[0])
    if best.style[0] < body * 1.08 and not best.style[1]:
        return None
    return next(b for b in first_page if b.style[0] == best.style[0])


def _is_front_matter(style, blocks: list[_Block], lines: list[Line], first_body: int) -> bool:
    """Is a style only the author/date lines under a title rather than a heading level?

    It is when all its lines are on page 1 before any heading of another style, and it is
    either not bold or comes before the first body line.
    """
    own = [b for b in blocks if b.style == style]
    others = [b.first for b in blocks if b.style != style]
    if not others or any(lines[b.first].page != lines[0].page for b in own):
        return False
    if any(b.last >= min(others) for b in own):
        return False
    return not style[1] or all(b.last < first_body for b in own)


def _layout_starts(blocks: list[_Block], lines: list[Line], title: _Block | None,
                   bookmarked: frozenset[str] = frozenset()) -> list[Start]:
    """Section starts from heading blocks; levels from distinct heading styles.

    A style printed by a heading the outline names (`bookmarked`: heading keys) is a
    heading level, never front matter, however few its lines.
    """
    count = Counter(b.style for b in blocks)
    if title is not None and count[title.style] == 1:
        blocks = [b for b in blocks if b is not title]
    heading_lines = {i for b in blocks for i in range(b.first, b.last + 1)}
    if title is not None:
        heading_lines.update(range(title.first, title.last + 1))
    first_body = next((i for i in range(len(lines)) if i not in heading_lines), len(lines))
    confirmed = {b.style for b in blocks if _key(b.text) in bookmarked}
    front = {s for s in {b.style for b in blocks} - confirmed
             if _is_front_matter(s, blocks, lines, first_body)}
    blocks = [b for b in blocks if b.style not in front]
    levels = {s: n for n, s in enumerate(sorted({b.style for b in blocks}, key=lambda s: (-s[0], not s[1])), 1)}
    return [Start(b.first, b.last + 1, b.text, levels[b.style], lines[b.first].page, b.style)
            for b in blocks]


def _drop_title_lines(lines: list[Line], title: str | None) -> list[Line]:
    """Remove the lines on page 1 that spell the title, so it is not repeated as text."""
    if not title or not lines:
        return lines
    key = _key(title)
    for i in range(len(lines)):
        if lines[i].page != lines[0].page:
            break
        n = _match_heading(lines, i, key)
        if n:
            return lines[:i] + lines[i + n :]
    return lines


def build_sections(
    lines: list[Line],
    heights: dict[int, float],
    outline: list[OutlineEntry],
    meta_title: str | None,
) -> tuple[str | None, list[RawSection]]:
    """Title and sections of a document from its lines (reading order) and outline."""
    lines = drop_contents(drop_running_lines(lines, heights))
    if not lines:
        return (meta_title if is_meaningful_title(meta_title) else None), []
    body = body_size(lines)
    vocab = Vocabulary([line.text for line in lines])
    blocks = _heading_blocks(lines, body, vocab)
    title_block = _title_block(blocks, lines, body)
    # A bookmark to the contents or an index is no section either (their lines are gone).
    placed = [e for e in outline if e.title.strip() and not is_list_heading(e.title)]
    starts = outline_starts(lines, placed, vocab) if placed else []
    layout = _layout_starts(blocks, lines, title_block, frozenset(_key(e.title) for e in placed))
    if len(starts) < 2:  # no outline, or a lone bookmark ("Title"): use the fonts
        starts = layout
    else:  # headings the outline lacks come from the layout
        starts = merge_starts(starts, layout)
    if is_meaningful_title(meta_title):
        title: str | None = " ".join(meta_title.split())  # type: ignore[union-attr]
    elif title_block is not None:
        title = clean_heading(title_block.text)
    else:
        title = clean_heading(starts[0].heading) if starts else None

    sections: list[RawSection] = []
    first = starts[0].start if starts else len(lines)
    front = _drop_title_lines(lines[:first], title)
    front_text = assemble(front, vocab)
    if front_text and _key(front_text) != _key(title or ""):
        sections.append(RawSection("", 0, front_text, front[0].page))
    for n, start in enumerate(starts):
        end = starts[n + 1].start if n + 1 < len(starts) else len(lines)
        text = assemble(lines[start.body : max(end, start.body)], vocab)
        plain = clean_heading(start.heading)
        sections.append(RawSection(start.heading, start.level, text, start.page,
                                   plain if plain != start.heading else None))
    return title, sections

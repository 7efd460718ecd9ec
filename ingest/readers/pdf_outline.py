"""Engine-neutral: where sections start, from the outline and the layout together.

An outline (bookmarks) is trusted for what it lists, but checked: each entry is placed
where its heading is printed, looked for near its destination first, then on the rest of
that page and the next one, then earlier on the page, so an entry that points a page
early (a bookmark set before a page break) lands on the heading's page. Headings the
outline lacks (a partial outline: ``bookmarksdepth``, headings formatted by hand) are
taken from the layout, at the level their font style has among the bookmarked ones.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ingest.readers.pdf_engine import OutlineEntry
from ingest.readers.pdf_text import Line, Vocabulary, join_lines

#: Section numbers in front of a heading: "2", "2.1", "2.1.", "3.11", "IV.", "A)".
NUM_PREFIX = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,5}\.|[A-Z][.)])\s+(?=\S)")
#: A numbered subsection ("2.1", "3.11.2"), the kind of heading bookmarksdepth leaves out.
_SUBSECTION = re.compile(r"^\d{1,2}(?:\.\d{1,2})+\.?\s+\S")
#: Lines after an outline destination searched for its heading (the next page included).
_SEARCH_LINES = 120


@dataclass
class Start:
    """Where a section starts in the line list, and where its body starts."""

    start: int
    body: int
    heading: str  # as printed, its number included ("3.11 Storage Migration")
    level: int
    page: int
    style: tuple[float, bool] | None = None


def clean_heading(text: str) -> str:
    """Drop a leading section number ("2.1 Middleware" -> "Middleware")."""
    return NUM_PREFIX.sub("", text.strip(), count=1)


def key(text: str) -> str:
    """Comparison key: the heading without its number, letters and digits only."""
    return re.sub(r"[\W_]+", "", clean_heading(text).casefold())


def match_heading(lines: list[Line], i: int, title_key: str) -> int:
    """Number of lines from `i` (1-3, same page) whose text is the heading, or 0."""
    text = ""
    for n in range(3):
        if i + n >= len(lines) or lines[i + n].page != lines[i].page:
            break
        text = f"{text} {lines[i + n].text}"
        found = key(text)
        if found == title_key:
            return n + 1
        if not title_key.startswith(found):
            break
    return 0


def printed(lines: list[Line], start: int, end: int, vocab: Vocabulary) -> str:
    """The heading text as printed on lines[start:end] (a wrapped heading rejoined)."""
    return join_lines([line.text for line in lines[start:end]], vocab)


def _search_order(lines: list[Line], entry: OutlineEntry, floor: int) -> list[int]:
    """Line indexes to look for a bookmark's heading at, nearest to its destination first."""
    n = len(lines)
    on_page = [i for i in range(floor, n) if lines[i].page == entry.page]
    if entry.page is None or not on_page:
        later = [i for i in range(floor, n) if entry.page is None or lines[i].page >= entry.page]
        return later[:_SEARCH_LINES]
    at = on_page[0]
    if entry.top is not None:
        below = [i for i in on_page if lines[i].y1 <= entry.top + 0.5 * lines[i].size]
        at = below[0] if below else on_page[-1] + 1
    ahead = [i for i in range(at, min(n, at + _SEARCH_LINES))
             if lines[i].page <= entry.page + 1]
    before = [i for i in reversed(on_page) if i < at]
    return ahead + before


def outline_starts(lines: list[Line], outline: list[OutlineEntry], vocab: Vocabulary) -> list[Start]:
    """Section starts from bookmarks, each placed where its heading is printed."""
    starts: list[Start] = []
    floor = 0  # bookmarks follow document order; never look before the previous one
    for entry in outline:
        title_key = key(entry.title)
        order = _search_order(lines, entry, floor)
        found = next(((i, n) for i in order if title_key and (n := match_heading(lines, i, title_key))),
                     None)
        if found is None:
            # Not printed as such (a bookmark titled differently): trust the destination,
            # if it names a page that has text; otherwise skip rather than guess.
            if entry.page is None or not any(lines[i].page == entry.page for i in order):
                continue
            found = (order[0], 0)
        start, n = found
        page = lines[start].page if start < len(lines) else (entry.page or lines[-1].page)
        heading = printed(lines, start, start + n, vocab) if n else entry.title
        style = (round(lines[start].size * 2) / 2, lines[start].bold) if n else None
        starts.append(Start(start, start + n, heading, entry.level, page, style))
        floor = start
    return starts


def _rank(style: tuple[float, bool]) -> tuple[float, bool]:
    return (-style[0], not style[1])


def merge_starts(from_outline: list[Start], from_layout: list[Start]) -> list[Start]:
    """The outline's starts plus the layout's headings it lacks, in document order.

    A layout heading joins when its style is one the outline's headings are printed in
    (an unbookmarked heading of a bookmarked kind), or when it is a numbered subsection
    ("2.1 ...") in a smaller style after the first bookmark (a level the outline leaves
    out, as ``bookmarksdepth`` does). Other styles are the title, front matter or
    emphasis the outline rightly ignores.
    """
    taken: set[int] = set()
    level_of: dict[tuple[float, bool], Counter] = {}
    for start in from_outline:
        taken.update(range(start.start, max(start.body, start.start + 1)))
        if start.style is not None:
            level_of.setdefault(start.style, Counter())[start.level] += 1
    if not level_of:
        return from_outline
    levels = {style: count.most_common(1)[0][0] for style, count in level_of.items()}
    top = min(_rank(s) for s in levels)
    first = min(s.start for s in from_outline)
    extra = []
    for start in from_layout:
        if start.style is None or any(i in taken for i in range(start.start, start.body)):
            continue
        if _rank(start.style) < top:
            continue
        if start.style not in levels and (start.start < first or not _SUBSECTION.match(start.heading)):
            continue
        if start.style in levels:
            level = levels[start.style]
        else:
            above = [levels[s] for s in levels if _rank(s) < _rank(start.style)]
            level = max(above) + 1 if above else 1
        extra.append(Start(start.start, start.body, start.heading, level, start.page, start.style))
    return sorted(from_outline + extra, key=lambda s: s.start)

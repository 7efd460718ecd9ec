"""Engine-neutral: find tables of contents, lists of figures/tables and indexes, and drop them.

Their lines look like headings (the same words, often the same bold face) and end in page
numbers, so left in they become sections on the contents page. A line is a contents entry
when it ends in a page number after dot leaders ("Introduction ........ 1"), or, on a
page that has a "Contents" / "List of Figures" / "List of Tables" / "Index" heading, when
it ends in a page number at all (TeX sets section entries without leaders). The heading
of such a list goes too, and so does an entry's first line when the entry wraps.
"""

from __future__ import annotations

import re

from ingest.readers.pdf_text import Line

_LIST_HEADING = re.compile(
    r"^(?:table of contents|contents|list of (?:figures|tables|illustrations)|index"
    r"|inhalt|inhaltsverzeichnis|table des matières|sommaire|índice)$",
    re.IGNORECASE,
)
#: Dot leaders (". . . ." or "......", or a run of middle dots) before a page number.
_LEADERS = re.compile(r"(?:\.\s?){3,}\s*(?:\d{1,4}|[ivxlc]{1,6})$|[·…]{3,}\s*\d{1,4}$", re.IGNORECASE)
_TRAILING_PAGE = re.compile(r"\S\s+(?:\d{1,4}|[ivxlc]{1,6})$", re.IGNORECASE)
#: An entry's own number in front ("3.2 Data Access 7"): a number then a page number is no
#: sentence.
_NUMBERED = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[A-Z]\.?|[IVX]{1,5}\.)\s+\S")


def is_list_heading(text: str) -> bool:
    """Is this the heading of a contents list, a list of figures or tables, or an index?"""
    return _LIST_HEADING.match(text.strip()) is not None


def _leaders(text: str) -> bool:
    """Does the line end in dot leaders and a page number? (substring test first: cheap)"""
    if "..." not in text and ". ." not in text and "··" not in text and "……" not in text:
        return False
    return _LEADERS.search(text[-60:]) is not None


def _is_entry(line: Line, on_list_page: bool) -> bool:
    text = line.text.strip()
    if _leaders(text):
        return True
    if not on_list_page or not _TRAILING_PAGE.search(text):
        return False
    # A body sentence can end in a number too ("... in 2024"): an entry is short and does
    # not end a sentence before its number (an index entry has a comma there: "drives, 3").
    words = text.split()
    return len(words) <= 16 and not re.search(r"[.;:]\s+\S+$", text)


def drop_contents(lines: list[Line]) -> list[Line]:
    """The lines without contents-like lists (see the module docs)."""
    by_page: dict[int, list[int]] = {}
    for i, line in enumerate(lines):
        by_page.setdefault(line.page, []).append(i)
    drop: set[int] = set()
    carry = False  # a list that ran to the end of the previous page continues here
    for page in sorted(by_page):
        idxs = by_page[page]
        heads = [i for i in idxs if _LIST_HEADING.match(lines[i].text.strip())]
        leader_lines = sum(1 for i in idxs if _leaders(lines[i].text.strip()))
        on_list_page = bool(heads) or leader_lines >= 3
        start = heads[0] if heads else idxs[0]
        if on_list_page or not carry:
            entries = [i for i in idxs if i >= start and _is_entry(lines[i], on_list_page)]
        else:  # a list from the previous page goes on only while its entries do
            entries = []
            for i in idxs:
                if not _is_entry(lines[i], True):
                    break
                entries.append(i)
        if not entries and not (heads and leader_lines):
            carry = False
            continue
        drop.update(heads)
        drop.update(entries)
        # Wrapped entries: a line right above an entry, in the list's span, without a page
        # number of its own, is the first part of that entry.
        if entries:
            first, last = min(entries + heads), max(entries)
            for i in range(first, last):
                if i not in drop and i + 1 in drop and lines[i + 1].page == page:
                    drop.add(i)
        carry = bool(entries) and entries[-1] == idxs[-1]
    return [line for i, line in enumerate(lines) if i not in drop]

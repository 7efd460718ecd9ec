"""Mail and mailing-list archive renderings, shared by the text and HTML readers.

Reports posted to a mailing list reach an archive as an archive page (Mailman's pipermail,
HyperKitty), as that page saved as text, or as the mail itself. Each carries chrome that is
not the report: the archive's author and date lines, "Previous message / Next message"
links, "Messages sorted by: [ date ] [ thread ] ...", and the list footer the list server
appends to every mail. Those lines are dropped here, and the posting date is kept as a date
hint (used for the period only when the report names no month of its own).

Mail clients turn a bold or Markdown heading into plain text as ``*## Heading*``,
``**Heading**`` or ``__Heading__``, alone on a line: `emphasis_heading` reads those.
"""

from __future__ import annotations

import re

# "*## Summary*", "**## Summary**", "**Releases**", "__Community__" alone on a line. A single
# "*" or "_" counts only around a "#" heading: "*Note*" alone is emphasis, not a heading.
_EMPHASIS = re.compile(
    r"^\s{0,3}(?P<mark>\*\*|__|\*|_)(?P<hashes>#{1,6})?\s*(?P<text>[^\s*_#][^*_]*?)\s*#*\s*(?P=mark)\s*$"
)
_NOT_HEADING_END = (".", ",", ";", "!", "?")
MAX_EMPHASIS_HEADING_WORDS = 12
#: Level of a bold line with no "#" marks: the level bold-only paragraphs get in HTML.
BOLD_HEADING_LEVEL = 2

# "[Pebblestack-dev] Monthly report": the list's subject tag.
_LIST_TAG = re.compile(r"^\s*\[[\w.+-]{1,60}\]\s*")

_NAV = re.compile(
    r"^\s*(?:[-*\u2022]\s*)?(?:(?:previous|next)\s+message(?:\s*\(by (?:thread|date|subject|author)\))?"
    r"(?:\s*:.*)?|messages sorted by:.*|more information about the .{1,80} mailing\s+list\s*"
    r"|(?:previous|next)\s+message\s*[\u00b7|].*)$",
    re.I,
)
_FOOTER_RULE = re.compile(r"^\s*_{10,}\s*$")
_FOOTER_LIST = re.compile(r"^\s*[\w.+-]{1,60} mailing list\b", re.I)
# pipermail's "Tue Oct  3 08:14:52 UTC 2023"; also without the zone.
_ARCHIVE_DATE = re.compile(
    r"^\s*(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\w*,?\s+(?P<month>[A-Z][a-z]{2})\w*\s+\d{1,2},?\s+"
    r"\d{1,2}:\d\d(?::\d\d)?(?:\s+[A-Z]{2,5}|\s+[+-]\d{4})?\s+(?P<year>(?:19|20)\d\d)\s*$"
)
# "Sent: 2024-03-05 09:41", "Posted: 2024-03-05", "Date: 2024-03-05T09:41"
_SENT_LINE = re.compile(
    r"^\s*(?:sent|posted|date)(?:\s+on)?\s*:?\s*(?P<year>(?:19|20)\d\d)-(?P<month>0[1-9]|1[0-2])-\d\d\b.*$",
    re.I,
)
# pipermail's author line: "Ada Lindqvist ada at pebblestack.org" (the address obfuscated).
_AUTHOR_LINE = re.compile(r"^\s*\S.{0,60}?\s+[\w.+-]+ at [\w-]+(?:\.[\w-]+)+\s*$")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# How far into the text the archive's header lines may sit.
HEADER_LINES = 8


def emphasis_heading(line: str) -> tuple[str, int] | None:
    """(heading text, level) when `line` is an emphasis-wrapped heading, else None."""
    m = _EMPHASIS.match(line)
    if m is None:
        return None
    text = m.group("text").strip().rstrip(":").strip()
    if not text or text.endswith(_NOT_HEADING_END) or len(text.split()) > MAX_EMPHASIS_HEADING_WORDS:
        return None
    hashes = m.group("hashes")
    if hashes is None and len(m.group("mark")) == 1:
        return None
    return text, len(hashes) if hashes else BOLD_HEADING_LEVEL


def strip_list_tag(title: str | None) -> str | None:
    """A subject without the list's tag: "[Pebblestack-dev] Monthly report" -> "Monthly report"."""
    if not title:
        return title
    stripped = _LIST_TAG.sub("", title, count=1)
    return stripped or title


def posting_date(line: str) -> str | None:
    """``YYYY-MM`` of an archive's date line ("Tue Oct  3 08:14:52 UTC 2023", "Sent: 2024-03-05")."""
    if (m := _ARCHIVE_DATE.match(line)) is not None and m.group("month").lower() in _MONTHS:
        return f"{m.group('year')}-{_MONTHS.index(m.group('month').lower()) + 1:02d}"
    if (m := _SENT_LINE.match(line)) is not None:
        return f"{m.group('year')}-{m.group('month')}"
    return None


def strip_archive_chrome(lines: list[str]) -> tuple[list[str], str | None]:
    """`lines` without list-archive chrome, and the posting date it stated (``YYYY-MM``).

    Dropped: navigation lines anywhere ("Previous message: ...", "Messages sorted by: ...",
    "More information about the X mailing list"); the list footer (a rule of underscores,
    then "X mailing list" and the list's addresses, to the next blank line); and, among the
    first lines, the archive's author and date lines.
    """
    date_hint = None
    out: list[str] = []
    i, seen = 0, 0
    while i < len(lines):
        line = lines[i]
        if _FOOTER_RULE.match(line) and _footer_follows(lines, i + 1):
            i += 1
            while i < len(lines) and lines[i].strip():
                i += 1
            continue
        if _NAV.match(line):
            i += 1
            continue
        if line.strip() and seen < HEADER_LINES:
            seen += 1
            if (found := posting_date(line)) is not None:
                date_hint = date_hint or found
                i += 1
                continue
            if _AUTHOR_LINE.match(line) and _date_near(lines, i):
                i += 1
                continue
        out.append(line)
        i += 1
    return out, date_hint


def is_archive_nav(line: str) -> bool:
    """Whether `line` is an archive's navigation ("Previous message: ...", "Messages sorted by")."""
    return _NAV.match(line) is not None


def _footer_follows(lines: list[str], start: int) -> bool:
    for line in lines[start:start + 2]:
        if _FOOTER_LIST.match(line):
            return True
    return False


def _date_near(lines: list[str], i: int) -> bool:
    """An author line is chrome only next to the archive's date line."""
    near = [line for line in lines[max(0, i - 2):i + 3] if line.strip()]
    return any(posting_date(line) for line in near)


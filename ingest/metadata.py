"""A report's period (``YYYY-MM``), told from its title, its file name, its text or its date.

Real archives say it in many ways: "for September 2021", "Sept. 2021", "2021-09", "202005"
in a file name, or a title that names only the month ("DM Status Report for March") with
the year in the file name, the body or the post date. The title wins over the body, since
copy-paste errors leave the wrong month in the opener. The report's own month stated in its
first lines ("the monthly report for April 2024", "April 2024 report") comes next, before a
file name or a posting date: a list archive or a mail says when the report was *sent*,
usually the month after the one it covers. Date lines of an archive or mail header
("Sent: 2024-05-02", "Date: Thu, 2 May 2024") in the opening text are not read as periods.
"""

from __future__ import annotations

import re

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}
_ABBREVIATIONS = {name[:3]: n for name, n in _MONTHS.items()} | {"sept": 9}
_MONTH_WORD = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
    r"|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR = r"(?P<year>(?:19|20)\d\d)"
# "September 2021", "Sept. 2021", "September, 2021", "Sep-2021", "september_2021"
_MONTH_YEAR = re.compile(rf"\b{_MONTH_WORD}[\s,_-]*{_YEAR}\b", re.I)
# "2021 September" (rare, but file names do it)
_YEAR_MONTH_WORD = re.compile(rf"\b{_YEAR}[\s_-]*{_MONTH_WORD}\b", re.I)
# "2021-09", "2021_09", "2021.09", "2021/09"; not followed by more digits (a date is fine).
_ISO = re.compile(r"(?<!\d)(?P<year>(?:19|20)\d\d)[-_./](?P<month>0?[1-9]|1[0-2])(?!\d)")
# "202109" packed into a file name
_PACKED = re.compile(r"(?<!\d)(?P<year>(?:19|20)\d\d)(?P<month>0[1-9]|1[0-2])(?!\d)")
_MONTH_ONLY = re.compile(rf"\b{_MONTH_WORD}(?![\w])", re.I)
_YEAR_ONLY = re.compile(r"(?<![\d.-])(?P<year>(?:19|20)\d\d)(?![\d])")
# How far into the text we look: the opener, not a history paragraph further down.
LEAD_CHARS = 600
# The "first lines" in which a report states its own month.
OPENER_CHARS = 300
_REPORT_WORD = r"(?:report|update|status|summary|newsletter|notes|digest|review|news)"
# "report for April 2024", "update covering April 2024", "covers April 2024", "for the month of".
_OWN_BEFORE = re.compile(
    rf"(?:\b{_REPORT_WORD}\w*\W+(?:\w+\W+){{0,2}}?(?:for|of|covering|on|from)|\bcover(?:s|ing)"
    rf"|\bfor\s+the\s+month\s+of)\s+(?:the\s+month\s+of\s+)?$",
    re.I,
)
# "April 2024 report", "April 2024 monthly update"
_OWN_AFTER = re.compile(rf"[\s,:-]*(?:\w+\s+)?{_REPORT_WORD}\b", re.I)
# Header lines that state when a mail was sent or a post made, not what it covers.
_DATE_LINE = re.compile(
    r"^\s*(?:date|sent|posted|received|published)(?:\s+on)?\s*:.*$"
    r"|^\s*(?:mon|tue|wed|thu|fri|sat|sun)\w*,?\s+\w+\s+\d{1,2},?\s+\d{1,2}:\d\d.*$",
    re.I | re.M,
)


def find_period(title: str | None, file_name: str, text: str, date_hint: str | None) -> str | None:
    """The report's period as ``YYYY-MM``, or None when nothing says it.

    Order: a full date in the title; a month-only title completed by a year from the file
    name, the text or the date hint; the report's own month in its first lines ("report for
    April 2024", "April 2024 report"); then the file name; then any month in the opening
    text; then the date hint (a forum post date, a mail's Date:, an archive's posting date).
    """
    title = title or ""
    lead = _DATE_LINE.sub("", text[:LEAD_CHARS])
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", file_name)
    if (found := _full_period(title)) is not None:
        return found
    title_month = _month_only(title)
    if title_month is not None:
        year = _year_in(stem) or _year_in(lead) or _year_for(title_month, date_hint)
        if year is not None:
            return f"{year}-{title_month:02d}"
    if (found := _own_period(lead[:OPENER_CHARS])) is not None:
        return found
    for source in (stem, lead):
        if (found := _full_period(source, packed=source is stem)) is not None:
            return found
    return date_hint


def _full_period(text: str, packed: bool = False) -> str | None:
    patterns = [_MONTH_YEAR, _YEAR_MONTH_WORD, _ISO] + ([_PACKED] if packed else [])
    best: tuple[int, str] | None = None
    for pattern in patterns:
        m = pattern.search(text)
        if m is not None and (best is None or m.start() < best[0]):
            best = (m.start(), f"{m.group('year')}-{_month_number(m.group('month')):02d}")
    return best[1] if best else None


def _own_period(opener: str) -> str | None:
    """A month and year that the opener says the report covers, or None."""
    for pattern in (_MONTH_YEAR, _ISO):
        for m in pattern.finditer(opener):
            before = opener[max(0, m.start() - 60):m.start()]
            if _OWN_BEFORE.search(before) or _OWN_AFTER.match(opener, m.end()):
                return f"{m.group('year')}-{_month_number(m.group('month')):02d}"
    return None


def _month_number(token: str) -> int:
    token = token.lower().rstrip(".")
    if token.isdigit():
        return int(token)
    return _MONTHS.get(token) or _ABBREVIATIONS[token[:4] if token[:4] == "sept" else token[:3]]


def _month_only(title: str) -> int | None:
    """A month named in a title ("... for March"), ignoring 'may' used as a verb."""
    for m in _MONTH_ONLY.finditer(title):
        token = m.group("month")
        if token.lower() == "may" and token != "May":
            continue
        if len(token.rstrip(".")) < 3:
            continue
        return _month_number(token)
    return None


def _year_in(text: str) -> str | None:
    m = _YEAR_ONLY.search(text)
    return m.group("year") if m else None


def _year_for(month: int, date_hint: str | None) -> str | None:
    """The year of a month-only report posted at `date_hint`: December's report posted in
    January belongs to the year before."""
    if not date_hint:
        return None
    year, posted_month = int(date_hint[:4]), int(date_hint[5:7])
    return str(year - 1 if month > posted_month else year)

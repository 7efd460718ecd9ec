"""Plain-text reports (e-mails, pasted forum posts): headings told from the text itself.

A plain-text report has no markup, so headings are recognised by how people write them:
- ``# Heading`` / ``## Heading`` (Markdown habit, also without the space: ``##Heading``);
- a line underlined with ``===`` (level 1) or ``---`` (level 2);
- a numbered line on its own: ``1. Project Status``, ``2.3 Middleware`` (level = depth);
- a short line on its own, without closing punctuation, followed by a paragraph;
- an emphasis-wrapped line, as mail clients write headings: ``*## Heading*``, ``**Heading**``.
A run of short list lines (a handle or name, then a description, one per line, such as
``DMTN-210 Registry schema`` or ``owner/repo#12 Fix the cache``) is a list, not headings.
Hard-wrapped paragraphs are rejoined; bullet and numbered list items stay one per line.
A leading e-mail header block (``Subject:``, ``Date:``...) gives the title and date;
mailing-list archive chrome and the list footer are dropped (`ingest.readers.mail`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path

from ingest.readers.base import ParsedDocument, RawSection
from ingest.readers.decoding import decode_text, ensure_text_bytes
from ingest.readers.mail import emphasis_heading, strip_archive_chrome, strip_list_tag

_HASH_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s*(\S.*?)\s*#*\s*$")
_UNDERLINE = re.compile(r"^\s*(={3,}|-{3,})\s*$")
_NUMBERED_HEADING = re.compile(r"^\s{0,3}(\d{1,2}(?:\.\d{1,2})*)\.?\s+(\S.*)$")
_BULLET = re.compile(r"^(\s*)([-*\u2022\u2013\u25aa\u25e6+]|\d{1,3}[.)])\s+(\S.*)$")
_FIELD_LINE = re.compile(r"^[\w][\w /-]{0,25}:\s+\S")
_MAIL_HEADER = re.compile(r"^(From|To|Cc|Subject|Date|Sent|Reply-To|Message-ID):\s*(.*)$", re.I)
_SENTENCE_END = (".", "!", "?", ":", ";")
_NOT_HEADING_END = (".", ",", ";", ":", "!", "?")
_SALUTATIONS = {
    "hi", "hello", "dear", "regards", "best", "cheers", "thanks", "sincerely",
    "best regards", "kind regards", "many thanks", "thank you", "all the best",
}
_SMALL_WORDS = {"a", "an", "and", "the", "of", "for", "in", "on", "to", "at", "by", "with", "or", "&"}
MAX_HEADING_WORDS = 10
MAX_HEADING_CHARS = 80
# A list line is shorter than the lines of a hard-wrapped paragraph (mail wraps at 72-78).
MAX_LIST_LINE_CHARS = 64
# How far back a run of list lines is followed to find where it starts.
MAX_LIST_RUN_LOOKBACK = 8
# A line this long with text right under it is the first line of a wrapped paragraph.
WRAPPED_LINE_CHARS = 50
_HYPHEN_END = re.compile(r"\w-$")
_INNER_SENTENCE = re.compile(r"[a-z0-9)][.!?]\s+[A-Z]")
# A list line: a handle (letters and digits: DMTN-210, PTS-014, owner/repo#12, #12, @name)
# or a name and a dash, then a description.
_HANDLE_LINE = re.compile(
    r"^\s*(?:(?=\S*\d)(?=\S*[A-Za-z#])[\w#@][\w./#!@-]*\w|@\w[\w.-]*)\s+\S"
    r"|^\s*\S+(?:\s+\S+){0,3}\s+[-\u2013\u2014]\s+\S"
)


@dataclass(frozen=True, slots=True)
class _Heading:
    text: str
    level: int


def read_text(path: Path, data: bytes) -> ParsedDocument:
    """Read a plain-text report into title and sections."""
    ensure_text_bytes(path, data, "a text file")
    lines = _normalise_lines(decode_text(data))
    title, date_hint, lines = _strip_mail_header(lines)
    if title is None:
        title, lines = _take_title_line(lines)
    lines, posted = strip_archive_chrome(lines)
    return ParsedDocument(format="text", title=strip_list_tag(title),
                          sections=parse_text_sections(lines), date_hint=date_hint or posted)


def parse_text_sections(lines: list[str]) -> list[RawSection]:
    """Split plain-text lines into sections, recognising headings, paragraphs and lists."""
    sections: list[RawSection] = []
    heading, level, blocks = "", 0, []
    paragraph: list[str] = []
    items: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            blocks.append(join_wrapped(paragraph))
            paragraph.clear()
        if items:
            blocks.append("\n".join(items))
            items.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        found = _heading_at(lines, i)
        if found is not None:
            flush_paragraph()
            if heading or blocks:
                sections.append(RawSection(heading, level, "\n\n".join(blocks)))
            heading, level, blocks = found[0].text, found[0].level, []
            i = found[1]
            continue
        if not line.strip():
            flush_paragraph()
        elif (bullet := _BULLET.match(line)) is not None and not (
            # "199) was reviewed" inside a wrapped paragraph is not a numbered item
            paragraph and bullet.group(2)[0].isdigit() and not paragraph[-1].endswith(":")
        ):
            if paragraph:
                blocks.append(join_wrapped(paragraph))
                paragraph.clear()
            marker = bullet.group(2)
            prefix = f"{marker} " if marker[0].isdigit() else "- "
            items.append(prefix + bullet.group(3).strip())
        elif items and line.startswith((" ", "\t")):
            items[-1] += " " + line.strip()  # an indented continuation of the last item
        elif in_list_run(lines, i):
            if paragraph:
                blocks.append(join_wrapped(paragraph))
                paragraph.clear()
            items.append("- " + line.strip())
        else:
            if items:
                blocks.append("\n".join(items))
                items.clear()
            paragraph.append(line.strip())
        i += 1
    flush_paragraph()
    if heading or blocks:
        sections.append(RawSection(heading, level, "\n\n".join(blocks)))
    return sections


def join_wrapped(lines: list[str]) -> str:
    """Rejoin hard-wrapped lines with spaces; a line ending in a hyphen after a word joins the
    next without one, keeping the hyphen ("long-" + "term", "DMTN-" + "208"), since mail
    clients wrap at hyphens but do not hyphenate words."""
    # Only the last two characters decide, so keep just those: searching the growing
    # paragraph for each line made a 15 MB file of short lines take hours.
    parts, tail = [lines[0]], lines[0][-2:]
    for line in lines[1:]:
        if not _HYPHEN_END.search(tail):
            parts.append(" ")
        parts.append(line)
        tail = (tail + line)[-2:]
    return "".join(parts)


def _heading_at(lines: list[str], i: int) -> tuple[_Heading, int] | None:
    """The heading starting at line i and the index of the line after it, or None."""
    line = lines[i].strip()
    if not line:
        return None
    nxt = lines[i + 1] if i + 1 < len(lines) else ""
    prev = lines[i - 1].strip() if i > 0 else ""
    if (emphasis := emphasis_heading(line)) is not None:
        return _Heading(*emphasis), i + 1
    if (m := _HASH_HEADING.match(lines[i])) is not None and not m.group(2).startswith("#"):
        return _Heading(m.group(2).strip(), len(m.group(1))), i + 1
    if (u := _UNDERLINE.match(nxt)) is not None and _looks_like_heading(line, strict=False):
        # A dashed line under text is a heading, not a rule, when the text is heading-like.
        return _Heading(line, 1 if u.group(1)[0] == "=" else 2), i + 2
    if _BULLET.match(lines[i]) and not _NUMBERED_HEADING.match(lines[i]):
        return None
    following = _next_nonblank(lines, i + 1)
    if (n := _NUMBERED_HEADING.match(lines[i])) is not None:
        # "1. Foo" directly followed by "2. Bar" is a list, not a heading.
        in_list = _BULLET.match(nxt) is not None
        if not prev and not in_list and following is not None \
                and _looks_like_heading(n.group(2), strict=False):
            return _Heading(n.group(2).strip(), n.group(1).count(".") + 1), i + 1
        return None
    if following is None or _BULLET.match(lines[i]) or in_list_run(lines, i):
        return None
    if not prev:
        # On its own after a blank line: short and unpunctuated is enough, unless the next
        # line carries straight on, as the first line of a hard-wrapped paragraph does.
        wrapped = bool(nxt.strip()) and len(line) > WRAPPED_LINE_CHARS
        if not wrapped and _looks_like_heading(line, strict=False):
            return _Heading(line, 1), i + 1
        return None
    # Directly under a paragraph (reports pasted from a forum lose their blank lines):
    # only when the previous line closed a sentence and this one reads as a title.
    if prev.endswith(_SENTENCE_END) and nxt.strip() and _looks_like_heading(line, strict=True):
        return _Heading(line, 1), i + 1
    return None


def in_list_run(lines: list[str], i: int) -> bool:
    """Whether line i is one of a run of short list lines: it and a neighbour (the line
    before or after it, one blank line between allowed) both read as a handle or name and a
    description, and the run starts after a blank line or a line ending in ":" (not inside a
    hard-wrapped paragraph whose lines happen to start with IDs)."""
    if not _is_list_line(lines[i]):
        return False
    if _list_neighbour(lines, i, 1) is None and _list_neighbour(lines, i, -1) is None:
        return False
    start = i
    while (before := _list_neighbour(lines, start, -1)) is not None:
        start = before
        if i - start > MAX_LIST_RUN_LOOKBACK:
            return True  # that many list lines in a row are a list: stop walking (n^2)
    if start == 0 or not lines[start - 1].strip() or lines[start - 1].rstrip().endswith(":"):
        return True
    return _heading_at(lines, start - 1) is not None  # a list right under its heading


def _list_neighbour(lines: list[str], i: int, step: int) -> int | None:
    j = i + step
    if 0 <= j < len(lines) and not lines[j].strip():
        j += step
    return j if 0 <= j < len(lines) and _is_list_line(lines[j]) else None


def _is_list_line(line: str) -> bool:
    text = line.strip()
    return (bool(text) and len(text) <= MAX_LIST_LINE_CHARS and not text.endswith(_NOT_HEADING_END)
            and _HANDLE_LINE.match(text) is not None and not _BULLET.match(line)
            and not _NUMBERED_HEADING.match(line))


def _looks_like_heading(line: str, strict: bool) -> bool:
    """Short, unpunctuated, capitalised; with `strict`, also mostly title-cased words."""
    text = line.strip()
    words = text.split()
    if not words or len(words) > MAX_HEADING_WORDS or len(text) > MAX_HEADING_CHARS:
        return False
    if text.endswith(_NOT_HEADING_END) or _FIELD_LINE.match(text):
        return False
    if not (text[0].isupper() or text[0].isdigit()) or text.endswith("-"):
        return False
    if _INNER_SENTENCE.search(text):
        return False  # two sentences on one line: prose, not a heading
    if text.lower().strip(",!") in _SALUTATIONS or "http" in text or "@" in text:
        return False
    if strict:
        content = [w for w in words if w.lower() not in _SMALL_WORDS]
        capitalised = sum(1 for w in content if w[0].isupper() or w[0].isdigit())
        return len(words) <= 6 and capitalised >= max(1, round(0.75 * len(content)))
    return True


def _next_nonblank(lines: list[str], start: int) -> int | None:
    for j in range(start, len(lines)):
        if lines[j].strip():
            return j
    return None


def _normalise_lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    return [line.expandtabs(4).rstrip().replace("\u00a0", " ") for line in text.split("\n")]


def _strip_mail_header(lines: list[str]) -> tuple[str | None, str | None, list[str]]:
    """Take a leading RFC 822 style header block off: its Subject is the title."""
    start = _next_nonblank(lines, 0)
    if start is None or not _MAIL_HEADER.match(lines[start]):
        return None, None, lines
    fields: dict[str, str] = {}
    end = start
    while end < len(lines) and lines[end].strip():
        if (m := _MAIL_HEADER.match(lines[end])) is not None:
            fields[m.group(1).lower()] = m.group(2).strip()
        end += 1
    if "subject" not in fields and "date" not in fields:
        return None, None, lines
    subject = re.sub(r"^((re|fwd?|aw):\s*)+", "", fields.get("subject", ""), flags=re.I) or None
    return subject, _mail_date(fields.get("date") or fields.get("sent")), lines[end:]


def _mail_date(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).strftime("%Y-%m")
    except (TypeError, ValueError, IndexError):
        return None


def _take_title_line(lines: list[str]) -> tuple[str | None, list[str]]:
    """The first non-empty line is the report's title (with its underline, if any)."""
    first = _next_nonblank(lines, 0)
    if first is None:
        return None, lines
    line = lines[first]
    if _NUMBERED_HEADING.match(line) and not _BULLET.match(lines[first + 1] if first + 1 < len(lines) else ""):
        return None, lines  # the text opens with its first numbered section: no title line
    m = _HASH_HEADING.match(line)
    title = (m.group(2) if m else line).strip()
    if len(title) > 200:
        return None, lines  # a paragraph, not a title; the pipeline falls back to the name
    rest = first + 1
    if rest < len(lines) and _UNDERLINE.match(lines[rest]):
        rest += 1
    return title, lines[rest:]

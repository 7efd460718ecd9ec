"""Engine-neutral text clean-up for the PDF reader: lines in, paragraphs out.

A PDF has no paragraphs, only positioned lines. This module rebuilds the reader text
conventions (see ingest/readers/base.py) from `Line` records: wrapped lines are rejoined,
words hyphenated at a line end are joined again, paragraphs are separated by a blank line
and list items become ``"- "`` lines. Nothing here imports pdfminer.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

#: Glyphs that start a list item wherever they appear at the start of a line.
_BULLET_GLYPHS = "•◦▪▫■□●○‣⁃∙·➢➤►▶✓✔❖"
#: Dash-like markers: a list item only when the line also looks like one (see _is_item),
#: because a justified line may start with a dash in the middle of a sentence.
_DASH_MARKERS = ("-", "–", "—", "*")
#: pdfminer writes an unmapped glyph as "(cid:N)"; at a line start it is nearly always a
#: bullet drawn from a symbol font without a Unicode map (LaTeX's itemize bullet can be).
_NUMBERED = re.compile(r"(\d{1,2}[.)]|\(?[a-z][.)]|\([ivx]{1,4}\))\s+(?=\S)")
_CID = re.compile(r"\(cid:\d+\)")
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]]*$")
#: Spacing accent -> combining accent, for TeX's accent-then-letter glyph pairs.
_SPACING_ACCENTS = {
    "´": "\u0301", "¨": "\u0308", "ˆ": "\u0302", "˜": "\u0303", "¯": "\u0304",
    "˘": "\u0306", "˙": "\u0307", "˚": "\u030a", "ˇ": "\u030c", "˝": "\u030b",
}
_ACCENT_PAIR = re.compile("([" + "".join(_SPACING_ACCENTS) + "])([^\\W\\d_])")
# Accents compose only onto the letters they usually sit on, so that "it´s" (an acute
# accent typed as an apostrophe) stays as it is.
_ACCENTABLE = {"ˇ": "cszrnedtCSZRNEDT", "˜": "nN"}


def _compose(m: re.Match) -> str:
    accent, letter = m.group(1), m.group(2)
    if letter in "aeiouyAEIOUY" or letter in _ACCENTABLE.get(accent, ""):
        return letter + _SPACING_ACCENTS[accent]
    return m.group()
_HYPHENS = "-\u2010\u2011\u00ad"
_WORD = re.compile(r"[^\W\d_][\w]*(?:-[\w]+)*", re.UNICODE)


@dataclass
class Line:
    """One visual line of a page, in PDF points with y measured from the page bottom."""

    page: int  # 1-based
    x0: float
    x1: float
    y0: float
    y1: float
    size: float  # dominant font size, weighted by characters
    bold: bool  # (nearly) all of its characters are in a bold face
    text: str
    chars: int  # non-space characters, for weighting
    column: int = 0  # 1 for the right column of a two-column page
    #: Number of whitespace-separated words (set from `text`, which never changes): the
    #: heading rules ask it of every line, and a cached_property's lock cost more than this.
    words: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.words = len(self.text.split())


def normalise(text: str) -> str:
    """NFKC (ligatures, odd spaces, full-width forms), unify hyphens, collapse spaces.

    TeX's OT1 fonts draw an accented letter as a spacing accent then the letter
    ("Pach´on"); those pairs are composed first ("Pachón"). Curly quotes and dashes
    survive NFKC unchanged, which is what we want.
    """
    if text.isascii():
        # Most lines: NFKC, the hyphen and soft-hyphen rules change no ASCII text, and
        # str.split() splits on exactly the whitespace `_SPACES` matches in ASCII.
        return " ".join(text.split())
    if not _SPACING_ACCENTS.keys().isdisjoint(text):  # (a scan in C: this runs per line)
        text = _ACCENT_PAIR.sub(_compose, text)
        # Left over: an acute typed as an apostrophe; other lone accents are debris that
        # NFKC would turn into a space plus a combining mark.
        text = "".join("’" if c == "´" else c for c in text if c == "´" or c not in _SPACING_ACCENTS)
        text = unicodedata.normalize("NFC", text)
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2010", "-").replace("\u2011", "-")
    text = _SPACES.sub(" ", text).strip()
    # A soft hyphen only matters where it ends a line (join_hyphenated drops it there).
    return re.sub("\u00ad(?!$)", "", text)


def strip_cids(text: str) -> str:
    """Drop pdfminer's "(cid:N)" placeholders for glyphs without a Unicode mapping."""
    if "(cid:" not in text and text.isascii():  # most lines (two regex passes otherwise)
        return " ".join(text.split())
    return _SPACES.sub(" ", _CID.sub(" ", text)).strip()


def bullet_marker(text: str) -> tuple[str, str] | None:
    """Split a line into (marker, rest) when it starts with a list-item marker."""
    m = _CID.match(text)
    if m and text[m.end() : m.end() + 1] == " ":
        return m.group(), text[m.end() :].strip()
    if len(text) >= 2 and text[1] == " ":
        first = text[0]
        # Private-use and control code points: a symbol-font bullet without a Unicode map
        # (what pdfminer shows as "(cid:N)", PDFium as the raw code).
        code = ord(first)
        if (first in _BULLET_GLYPHS or first in _DASH_MARKERS or 0xE000 <= code <= 0xF8FF
                or code < 0x20 or 0x7F <= code <= 0x9F):
            return first, text[2:].strip()
    return None


def _numbered_marker(text: str) -> tuple[str, str] | None:
    """Split "1. Text", "2) Text", "(b) Text" into (marker, rest); the number is dropped
    since list items are written as "- " lines whatever their original label."""
    m = _NUMBERED.match(text)
    return (m.group(1), text[m.end() :]) if m else None


class Vocabulary:
    """Words and hyphenated compounds seen in one document, to decide line-end hyphens."""

    def __init__(self, texts: list[str]) -> None:
        self._texts = texts

    @cached_property
    def _found(self) -> tuple[set[str], set[str]]:
        # Scanned on the first line-end hyphen only: many documents have none, and the scan
        # was a tenth of reading a generated PDF. One scan of the whole text (a word never
        # spans the line breaks joining it).
        found = set(_WORD.findall("\n".join(self._texts).lower()))
        self._texts = []
        compounds = {w for w in found if "-" in w}
        return found - compounds, compounds

    @property
    def words(self) -> set[str]:
        """The document's words without a hyphen, lower-cased."""
        return self._found[0]

    @property
    def compounds(self) -> set[str]:
        """The document's hyphenated compounds, lower-cased."""
        return self._found[1]


def join_hyphenated(left: str, right: str, vocab: Vocabulary) -> str:
    """Join a line ending in a hyphen with the next line, keeping real hyphens.

    Rules, in order: a soft hyphen always goes. The document's own words decide next: if
    it writes the joined word elsewhere and never the compound, join ("LSST-" + "ComCam"
    when "LSSTComCam" occurs); if it writes the compound ("long-term"), keep it. Otherwise
    the hyphen stays when the next part starts with a capital or a digit ("DMTN-" +
    "208", "non-" + "English"), when the first part holds a digit or capitals after its
    first letter ("Gen3-", "LDM-"), or is already a compound ("target-of-"); anything else
    is a word broken by hyphenation and is joined ("infra-" + "structure"), since
    typesetters hyphenate far more often than compounds happen to fall at a line end.
    """
    stem = left[:-1]
    if left[-1] == "\u00ad":
        return stem + right
    head = stem.split(" ")[-1].lstrip("(\"'“‘[")
    tail_match = re.match(r"\w+", right)
    if not head or not tail_match:
        return left + right
    tail = tail_match.group()
    joined, compound = f"{head}{tail}".casefold(), f"{head}-{tail}".casefold()
    if joined in vocab.words and compound not in vocab.compounds:
        return stem + right
    if compound in vocab.compounds:
        return left + right
    if not head[-1].isalpha() or tail[0].isupper() or tail[0].isdigit():
        return left + right
    if any(c.isdigit() for c in head) or any(c.isupper() for c in head[1:]) or "-" in head:
        return left + right
    return stem + right


@dataclass
class _Block:
    """A paragraph or list item being assembled: its lines' texts, joined with spaces once
    it is done (`_join` decides a line-end hyphen from the last part alone: a word never
    spans two parts), instead of the whole text copied again for every line."""

    item: bool
    parts: list[str]
    marker_x: float
    last: Line

    @property
    def text(self) -> str:
        return " ".join(self.parts)


def _left_margin(lines: list[Line]) -> dict[tuple[int, int], float]:
    """Per page and column, the most common left edge of body lines (their left margin)."""
    by_page: dict[tuple[int, int], list[float]] = {}
    for line in lines:
        by_page.setdefault((line.page, line.column), []).append(round(line.x0))
    return {key: statistics.mode(xs) for key, xs in by_page.items()}


def _right_edge(lines: list[Line]) -> dict[tuple[int, int], float]:
    """Per page and column, the right edge of full lines (the largest right edge seen)."""
    edges: dict[tuple[int, int], float] = {}
    for line in lines:
        key = (line.page, line.column)
        edges[key] = max(edges.get(key, 0.0), line.x1)
    return edges


def _typical_pitch(lines: list[Line]) -> float:
    """The usual baseline distance between consecutive lines of one paragraph."""
    pitches = [
        a.y0 - b.y0
        for a, b in zip(lines, lines[1:])
        if a.page == b.page and 0 < a.y0 - b.y0 < 3 * a.size
    ]
    if not pitches:
        return 0.0
    return statistics.median(pitches)


def assemble(lines: list[Line], vocab: Vocabulary) -> str:
    """Turn the body lines of one section into text with paragraphs and list items."""
    if not lines:
        return ""
    left = _left_margin(lines)
    right = _right_edge(lines)
    pitch = _typical_pitch(lines)
    blocks: list[_Block] = []
    for line in lines:
        text = line.text
        marker = bullet_marker(text) or _numbered_marker(text)
        prev = blocks[-1] if blocks else None
        indent = line.x0 - left.get((line.page, line.column), line.x0)
        if marker and prev is not None and marker[0] not in _BULLET_GLYPHS:
            # A dash or a number opens an item only when indented or after a finished
            # sentence or item: a wrapped line may start with one mid-sentence.
            if not (indent > 0.4 * line.size or prev.item or _SENTENCE_END.search(prev.parts[-1])):
                marker = None
        if marker:
            rest = strip_cids(marker[1])
            if rest:
                blocks.append(_Block(True, [rest], line.x0, line))
            continue
        text = strip_cids(text)
        if not text:
            continue
        if prev is not None and _continues(prev, line, indent, pitch, right):
            last = prev.parts[-1]
            if _ends_hyphenated(last):
                prev.parts[-1] = join_hyphenated(last, text, vocab)
            else:
                prev.parts.append(text)
            prev.last = line
        else:
            blocks.append(_Block(False, [text], line.x0, line))
    out: list[str] = []
    for i, block in enumerate(blocks):
        if i:
            out.append("\n" if block.item and blocks[i - 1].item else "\n\n")
        out.append(f"- {block.text}" if block.item else block.text)
    return "".join(out).strip()


def _continues(prev: _Block, line: Line, indent: float, pitch: float, right: dict) -> bool:
    """Does `line` continue the paragraph or item `prev` rather than start a new one?"""
    last = prev.last
    # A new page or the top of the next column: the paragraph may go on there.
    if last.page == line.page and last.column == line.column:
        gap = last.y0 - line.y0
        if gap <= 0 or (pitch and gap > 1.3 * pitch) or (not pitch and gap > 1.6 * last.size):
            return False
    if prev.item:
        # Item text wraps to lines indented past the marker; anything else ends the item.
        return line.x0 > prev.marker_x + 0.3 * line.size
    if indent > 0.7 * line.size and last.x0 <= line.x0 - 0.7 * line.size:
        return False  # first-line indent of a new paragraph
    full = right.get((last.page, last.column), last.x1)
    if _SENTENCE_END.search(last.text) and last.x1 < full - 4 * last.size:
        return False  # a short last line that ends a sentence closes the paragraph
    return True


def join_lines(texts: list[str], vocab: Vocabulary) -> str:
    """Lines of one heading or paragraph as one text (line-end hyphens decided by `vocab`)."""
    out = ""
    for text in texts:
        out = _join(out, text, vocab) if out else text
    return out


def _join(left: str, right: str, vocab: Vocabulary) -> str:
    """Join two wrapped lines: a hyphen at the end may be dropped, else add a space."""
    if _ends_hyphenated(left):
        return join_hyphenated(left, right, vocab)
    return f"{left} {right}"


def _ends_hyphenated(left: str) -> bool:
    """Does `left` end in a hyphen that may join the next line's first word?"""
    return len(left) > 1 and left[-1] in _HYPHENS and left[-2] != " "

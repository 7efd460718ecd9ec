"""What a format reader hands to the extraction pipeline.

A reader turns one file into a `ParsedDocument`: the title the document states, its sections
in order (heading, level, text, page) and, for paged formats, the page count. It knows
nothing of entities, periods or ids; `ingest.extract` adds those, so every format gets the
same treatment and a reader (say, the PDF engine) can be swapped without touching the rest.

Text conventions every reader follows, so that downstream code sees one shape:
- paragraphs are separated by one blank line (``"\\n\\n"``), hard-wrapped lines rejoined;
- a list item is its own line starting with ``"- "`` (list items of one list are separated
  by a single ``"\\n"``);
- no trailing whitespace, no runs of spaces.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True, slots=True)
class RawSection:
    """A section as a reader found it. `level` 0 is the untitled text before any heading."""

    heading: str
    level: int
    text: str
    page: int | None = None
    #: What the anchor is made from when it is not the heading: a numbered PDF heading
    #: ("3.11 Storage Migration") keeps its number in the text, not in the anchor.
    anchor_text: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """A reader's output: the document's own title (or None), sections, page count."""

    format: str
    title: str | None
    sections: list[RawSection] = field(default_factory=list)
    pages: int | None = None
    #: A ``YYYY-MM`` date the container states (a forum post date), used for the period
    #: only when the title, the text and the file name name none.
    date_hint: str | None = None


class Reader(Protocol):
    """A format reader: ``read(path, data)`` -> ParsedDocument, or raise IngestError."""

    def __call__(self, path: Path, data: bytes) -> ParsedDocument: ...

"""Parse the small report source format shared by all PDF producers.

A source file is a block of ``key: value`` header lines, a line ``---``,
then the body:

* ``# Heading`` starts a section, ``## Heading`` a subsection;
* lines starting with ``- `` are bullet items (a following indented line
  continues the item);
* blank lines separate paragraphs; other lines are joined into a paragraph.

The format is deliberately tiny so that each producer (LaTeX, LibreOffice,
ReportLab) renders the same text in its own way, as a human author would.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

REQUIRED_KEYS = ("title", "producer", "output", "date")
PRODUCERS = ("latex", "libreoffice", "reportlab")


@dataclass(frozen=True)
class Block:
    """One body block: kind is 'h1', 'h2', 'p' or 'ul' (text lines in items)."""

    kind: str
    text: str = ""
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportSource:
    """A parsed source: header fields plus body blocks."""

    path: Path
    meta: dict[str, str]
    blocks: tuple[Block, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:
        return self.meta["title"]

    @property
    def producer(self) -> str:
        return self.meta["producer"]

    @property
    def output(self) -> str:
        return self.meta["output"]

    @property
    def outline(self) -> bool:
        """True when the PDF should carry bookmarks (a document outline)."""
        return self.meta.get("outline", "no").lower() in ("yes", "true", "1")

    @property
    def date(self) -> dt.date:
        return dt.date.fromisoformat(self.meta["date"])

    @property
    def epoch(self) -> int:
        """Seconds since 1970 at 09:00 UTC on the report date (for SOURCE_DATE_EPOCH)."""
        moment = dt.datetime.combine(self.date, dt.time(9, 0), tzinfo=dt.timezone.utc)
        return int(moment.timestamp())


def parse_source(path: Path) -> ReportSource:
    """Read one source file; raise ValueError naming the file and the problem."""
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n---\n")
    if not sep:
        raise ValueError(f"{path}: no '---' line between header and body; add one")
    meta: dict[str, str] = {}
    for line in head.splitlines():
        if line.strip():
            key, _, value = line.partition(":")
            meta[key.strip().lower()] = value.strip()
    missing = [k for k in REQUIRED_KEYS if k not in meta]
    if missing:
        raise ValueError(f"{path}: header lacks {', '.join(missing)}")
    if meta["producer"] not in PRODUCERS:
        raise ValueError(f"{path}: producer must be one of {', '.join(PRODUCERS)}")
    return ReportSource(path=path, meta=meta, blocks=tuple(_parse_body(body)))


def _parse_body(body: str) -> list[Block]:
    blocks: list[Block] = []
    para: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(Block("p", " ".join(para)))
            para.clear()
        if items:
            blocks.append(Block("ul", items=tuple(items)))
            items.clear()

    for raw in body.splitlines():
        line = raw.rstrip()
        if not line.strip():
            flush()
        elif line.startswith("## "):
            flush()
            blocks.append(Block("h2", line[3:].strip()))
        elif line.startswith("# "):
            flush()
            blocks.append(Block("h1", line[2:].strip()))
        elif line.startswith("- "):
            if para:
                flush()
            items.append(line[2:].strip())
        elif items and raw.startswith("  "):
            # continuation of the previous bullet item
            items[-1] = f"{items[-1]} {line.strip()}"
        else:
            if items:
                flush()
            para.append(line.strip())
    flush()
    return blocks

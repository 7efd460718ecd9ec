"""The one data model every layer shares: a report, its sections and their entity mentions.

Everything here is a frozen dataclass, so a `Report` made by ingest is the same value that
search indexes and web renders; no loose dicts cross a layer boundary. `to_dict()` gives the
JSON shape that `report-archive extract --json` prints.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

#: The entity types we extract, in the order we show them.
ENTITY_TYPES: tuple[str, ...] = (
    "document",
    "milestone",
    "ticket",
    "system",
    "dataset",
    "organization",
    "meeting",
)


#: How a mention was found (`Mention.via`): an ID pattern, a gazetteer entry, an open-class
#: rule (``rule:<name>``, see `ingest.entity_rules`) or the archive-wide consistency pass
#: (``archive``: the name was typed with confidence elsewhere in the archive).
VIA_PATTERN = "pattern"
VIA_GAZETTEER = "gazetteer"
VIA_ARCHIVE = "archive"
RULE_PREFIX = "rule:"


def found_by_rule(via: str) -> bool:
    """Whether a mention was found by an open-class rule or the consistency pass, i.e. its
    name is in no configuration file and can be curated."""
    return via.startswith(RULE_PREFIX) or via == VIA_ARCHIVE


@dataclass(frozen=True, slots=True)
class Mention:
    """One occurrence of an entity in a text (a section's body, its heading or the title).

    `start`/`end` are character offsets into the text the mention belongs to (`Section.text`
    for `Section.mentions`, `Section.heading` for `Section.heading_mentions`, `Report.title`
    for `Report.title_mentions`); `name` is the canonical name (aliases and spelling
    variants already normalised), `surface` the text as written; `via` says how it was
    found (`VIA_PATTERN`, `VIA_GAZETTEER`, ``rule:<name>`` or `VIA_ARCHIVE`).
    """

    type: str
    name: str
    start: int
    end: int
    surface: str = ""
    via: str = VIA_GAZETTEER

    def to_dict(self) -> dict:
        return {"type": self.type, "name": self.name, "start": self.start, "end": self.end,
                "via": self.via}


@dataclass(frozen=True, slots=True)
class EntityCount:
    """An entity and how often a report (or a section) mentions it."""

    type: str
    name: str
    count: int

    def to_dict(self) -> dict:
        return {"type": self.type, "name": self.name, "count": self.count}


@dataclass(frozen=True, slots=True)
class Section:
    """A run of report text under one heading.

    `anchor` is unique within its report and URL-safe; `page` is the 1-based page the section
    starts on (PDF only, else None); `level` is 1 for top-level headings, 0 for the untitled
    preamble before the first heading. `mentions` are in `text`, `heading_mentions` in
    `heading` (each with offsets into its own string).
    """

    heading: str
    level: int
    anchor: str
    text: str
    page: int | None = None
    mentions: tuple[Mention, ...] = ()
    heading_mentions: tuple[Mention, ...] = ()

    @property
    def all_mentions(self) -> tuple[Mention, ...]:
        """Heading mentions, then body mentions."""
        return self.heading_mentions + self.mentions

    def entity_counts(self) -> list[EntityCount]:
        """The distinct entities of this section (heading included) with their mention counts."""
        return _count(self.all_mentions)

    def to_dict(self) -> dict:
        return {
            "anchor": self.anchor,
            "heading": self.heading,
            "level": self.level,
            "page": self.page,
            "text": self.text,
            "heading_mentions": [m.to_dict() for m in self.heading_mentions],
            "mentions": [m.to_dict() for m in self.mentions],
        }


@dataclass(frozen=True, slots=True)
class Report:
    """One ingested report file.

    `id` is stable and URL-safe (derived from the file name, so the same file ingested twice
    gets the same id); `period` is ``YYYY-MM`` or None when it cannot be told; `format` is
    one of ``pdf``, ``html``, ``text``, ``markdown``; `pages` is set for PDFs only;
    `title_mentions` are the entity mentions in `title` (offsets into it).
    """

    id: str
    title: str
    period: str | None
    source: str
    format: str
    sha256: str
    pages: int | None
    sections: tuple[Section, ...] = field(default_factory=tuple)
    title_mentions: tuple[Mention, ...] = ()
    #: What the report tells the archive-wide entity pass (`ingest.entity_evidence`): the
    #: votes of its own rule-found names and its cues; derived data, not compared.
    evidence: dict | None = field(default=None, compare=False, repr=False)

    @property
    def mentions(self) -> tuple[Mention, ...]:
        """All mentions of the report: the title's, then each section's heading and body."""
        return self.title_mentions + tuple(m for s in self.sections for m in s.all_mentions)

    def entity_counts(self) -> list[EntityCount]:
        """The distinct entities of the report with their mention counts."""
        return _count(self.mentions)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "period": self.period,
            "source": self.source,
            "format": self.format,
            "sha256": self.sha256,
            "pages": self.pages,
            "title_mentions": [m.to_dict() for m in self.title_mentions],
            "sections": [s.to_dict() for s in self.sections],
            "entities": [e.to_dict() for e in self.entity_counts()],
        }


def _count(mentions: tuple[Mention, ...]) -> list[EntityCount]:
    """Count mentions per (type, name), ordered by type order, then count, then name."""
    counts = Counter((m.type, m.name) for m in mentions)
    order = {t: i for i, t in enumerate(ENTITY_TYPES)}
    ranked = sorted(counts.items(), key=lambda kv: (order.get(kv[0][0], 99), -kv[1], kv[0][1]))
    return [EntityCount(type=t, name=n, count=c) for (t, n), c in ranked]

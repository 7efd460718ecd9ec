"""The extraction pipeline: a file in, a `Report` out.

A format reader gives title and sections; this module adds what every format shares: the
stable id, the sha256, the period, unique anchors and the entity mentions of each section.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.errors import IngestError
from ingest.metadata import find_period
from ingest.model import Report, Section
from ingest.options import ReadOptions
from ingest.readers.base import ParsedDocument, RawSection
from ingest.registry import format_for, is_supported

if TYPE_CHECKING:
    from ingest.entities import EntityMatcher

PREAMBLE_ANCHOR = "intro"


def extract_report(path: str | Path, matcher: "EntityMatcher | None" = None,
                   options: ReadOptions | None = None) -> Report:
    """Read one report file into a `Report` (`options`: PDF engine, OCR, limits).

    Raises IngestError (one line: "<path>: <problem>") for a missing, unreadable, empty,
    unsupported or corrupt file; never anything else for bad input.
    """
    path = Path(path)
    if not path.exists():
        raise IngestError(path, "no such file; check the path")
    if path.is_dir():
        raise IngestError(path, "is a directory; give a report file, or ingest the directory")
    fmt = format_for(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise IngestError(path, f"cannot be read ({error.strerror}); check its permissions") from None
    if not data:
        raise IngestError(path, "the file is empty; there is nothing to ingest")
    try:
        reader = fmt.load_reader()
        parsed = reader(path, data, options or ReadOptions()) if fmt.takes_options else reader(path, data)
    except IngestError:
        raise
    except Exception as error:  # a reader bug or a library failure on odd input
        raise IngestError(
            path, f"could not be read ({type(error).__name__}: {error}); "
            "the file may be damaged — please report it if it opens elsewhere"
        ) from error
    return build_report(path, data, parsed, matcher or default_matcher())


def build_report(path: Path, data: bytes, parsed: ParsedDocument, matcher: "EntityMatcher") -> Report:
    """Assemble the Report from a reader's output: ids, period, anchors, mentions."""
    title = _clean_title(parsed.title) or _title_from_name(path)
    raw_sections = _drop_title_heading(parsed.sections, title)
    if not any(s.text.strip() or s.heading for s in raw_sections):
        raise IngestError(path, "contains no text to index (is it a scanned image or blank?)")
    anchors: set[str] = set()
    sections = []
    for raw in raw_sections:
        text = raw.text.strip()
        if not text and not raw.heading:
            continue
        anchor = _unique_anchor(raw.anchor_text or raw.heading, anchors)
        sections.append(Section(
            heading=raw.heading, level=raw.level if raw.heading else 0, anchor=anchor,
            text=text, page=raw.page, mentions=tuple(matcher.find(text)),
            heading_mentions=tuple(matcher.find(raw.heading)) if raw.heading else (),
        ))
    # headings too: a mail's first line ("April 2024 report") is often read as one
    lead = "\n".join(f"{s.heading}\n{s.text}" if s.heading else s.text for s in sections[:2])
    title_mentions = tuple(matcher.find(title))
    if getattr(matcher, "rules", False):
        title_mentions, sections = _consistent(title, title_mentions, sections)
    return Report(
        id=report_id(path), title=title,
        period=find_period(title, path.name, lead, parsed.date_hint),
        source=str(path), format=parsed.format, sha256=hashlib.sha256(data).hexdigest(),
        pages=parsed.pages, sections=tuple(sections), title_mentions=title_mentions,
    )


def _consistent(title: str, title_mentions, sections: list[Section]):
    """A name the rules typed somewhere in the report is that entity in its title, headings
    and every section (see `ingest.entity_consistency`)."""
    from ingest.entity_consistency import Spreader, learn

    learned = learn(m for part in ([title_mentions] + [s.all_mentions for s in sections]) for m in part)
    if not learned:
        return title_mentions, sections
    spread = Spreader(learned)
    return spread.apply(title, title_mentions), [
        replace(s, mentions=spread.apply(s.text, s.mentions),
                heading_mentions=spread.apply(s.heading, s.heading_mentions)) for s in sections]


def report_id(path: Path) -> str:
    """A stable, URL-safe id from the file name: the same file always gets the same id."""
    return slugify(path.name, max_length=80) or "report"


def slugify(text: str, max_length: int = 60) -> str:
    """Lower-case ASCII words joined by hyphens ("Technical Progress" -> technical-progress)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def iter_report_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files to ingest: each given file as is, and the supported files under each directory.

    Directory walks skip hidden entries and README files (an archive's own notes are not
    reports) and go in sorted order, so runs are repeatable.
    """
    for given in paths:
        path = Path(given)
        if not path.is_dir():
            yield path
            continue
        for found in sorted(path.rglob("*")):
            relative = found.relative_to(path).parts
            if any(part.startswith(".") for part in relative):
                continue
            if found.is_file() and is_supported(found) and not found.name.lower().startswith("readme"):
                yield found


@lru_cache(maxsize=1)
def default_matcher() -> "EntityMatcher":
    """The entity matcher from the shipped configuration, built once per process."""
    from ingest.entities import load_matcher

    return load_matcher()


def _unique_anchor(heading: str, taken: set[str]) -> str:
    base = slugify(heading) or PREAMBLE_ANCHOR
    anchor, n = base, 2
    while anchor in taken:
        anchor, n = f"{base}-{n}", n + 1
    taken.add(anchor)
    return anchor


def _clean_title(title: str | None) -> str | None:
    if not title:
        return None
    title = re.sub(r"\s+", " ", title).strip().strip("#").strip()
    generic = {"untitled", "document", "microsoft word", "report"}
    if not title or title.lower() in generic or re.match(r"^microsoft word\s*-", title, re.I):
        return None
    return title


def _title_from_name(path: Path) -> str:
    return re.sub(r"[_-]+", " ", path.stem).strip() or path.name


def _drop_title_heading(sections: list[RawSection], title: str) -> list[RawSection]:
    """A first heading that repeats the title is the title, not a section: its text becomes
    the untitled opening section."""
    if sections and _same(sections[0].heading, title):
        first = sections[0]
        return [RawSection("", 0, first.text, first.page), *sections[1:]]
    return list(sections)


def _same(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return re.sub(r"\W+", " ", s).strip().lower()
    return bool(a) and norm(a) == norm(b)

"""The extraction pipeline: a file in, a `Report` out.

A format reader gives title and sections; this module adds what every format shares: the
stable id, the sha256, the period, unique anchors and the entity mentions of each section.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.errors import IngestError
from ingest.metadata import find_period
from ingest.model import Report, Section
from ingest.options import ReadOptions
from ingest.readers.base import ParsedDocument, RawSection
from ingest.registry import format_for
from ingest.walk import file_kind, iter_report_files  # noqa: F401 - part of this module's API

if TYPE_CHECKING:
    from ingest.entities import EntityMatcher

PREAMBLE_ANCHOR = "intro"
#: Text, Markdown and HTML files above this size are refused unread: a monthly report is a
#: few hundred KB at most, and reading one costs about 15 times its size in memory at peak
#: (decoded text, lines, sections, mentions), so this bounds a file to ~250 MB.
MAX_TEXT_FILE_MB = 16
# Control characters (tab, LF, FF, CR apart) never reach the index, whatever the reader.
_CONTROL = dict.fromkeys([*range(0, 9), 11, *range(14, 32), 0x7F])
_CONTROL_CHAR = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _without_control(text: str) -> str:
    # A search in C first: nearly no text has one, and translate copies every character.
    return text.translate(_CONTROL) if _CONTROL_CHAR.search(text) else text


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
        info = path.stat()
    except OSError as error:
        raise IngestError(path, f"cannot be read ({error.strerror}); check its permissions") from None
    kind = file_kind(info.st_mode)
    if kind is not None:  # opening a pipe or a device would block or never end
        raise IngestError(path, f"is {kind}, not a regular file; only regular files "
                                "are read: give the path of a report file")
    if fmt.name != "pdf" and info.st_size > MAX_TEXT_FILE_MB * 1024 * 1024:
        raise IngestError(path, f"is {info.st_size / 1024 / 1024:,.1f} MB; {fmt.name} files above "
                                f"{MAX_TEXT_FILE_MB} MB are not read (a report is far smaller): "
                                "split it, or check that it is a report")
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
    title = _clean_title(parsed.title and _without_control(parsed.title)) \
        or _title_from_name(path)
    raw_sections = _drop_title_heading(parsed.sections, title)
    if not any(s.text.strip() or s.heading for s in raw_sections):
        raise IngestError(path, "contains no text to index (is it blank, or a scanned image?); "
                                 "check the file, or leave it out of the archive")
    anchors: set[str] = set()
    sections = []
    for raw in raw_sections:
        heading = _without_control(raw.heading)
        text = _without_control(raw.text).strip()
        if not text and not heading:
            continue
        anchor = _unique_anchor(raw.anchor_text or heading, anchors)
        sections.append(Section(
            heading=heading, level=raw.level if heading else 0, anchor=anchor,
            text=text, page=raw.page, mentions=tuple(matcher.find(text)),
            heading_mentions=tuple(matcher.find(heading)) if heading else (),
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
    """A stable, URL-safe id from the file name: the same file always gets the same id.

    Latin names (accents included) give their words ("Résumé 2021-03.txt" ->
    resume-2021-03-txt). A name in another script is transliterated and gets a short hash
    of the name itself, since transliteration can merge names ("報告" and "报告" both read
    "baogao"): "отчет-2021-03.txt" -> otchet-2021-03-txt-<6 hex>.
    """
    name = path.name
    if _latin(name):
        return slugify(name, max_length=80) or "report"
    from anyascii import anyascii

    digest = hashlib.sha1(unicodedata.normalize("NFC", name).encode("utf-8")).hexdigest()[:6]
    base = slugify(anyascii(name), max_length=73) or "report"
    return f"{base}-{digest}"


def _latin(name: str) -> bool:
    """True when folding to ASCII loses no letter, digit or symbol of `name`."""
    for char in name:
        if char.isascii() or unicodedata.category(char)[0] not in "LNS":
            continue
        if not unicodedata.normalize("NFKD", char).encode("ascii", "ignore").strip():
            return False
    return True


def slugify(text: str, max_length: int = 60) -> str:
    """Lower-case ASCII words joined by hyphens ("Technical Progress" -> technical-progress)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


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

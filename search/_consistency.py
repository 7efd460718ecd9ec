"""Archive-wide entity consistency and cheap re-annotation of the stored text.

`harmonise` runs at the end of every ingest that changed the index: the names that the
open-class rules typed anywhere in the archive are voted one (type, canonical name) per
surface (`ingest.entity_consistency.learn`), and every section that writes such a surface
without that mention gets it (``via="archive"``), so an entity page gathers every month
that names it. Two streaming passes over the stored section documents; the second one
decodes only the sections whose stored JSON contains a learned surface (one regex search on
the raw string), and only the reports that change are rewritten.

`reannotate` applies a new entity configuration (a curated ``--entities`` file: accepted,
retyped, merged or rejected names) to the text already in the index: every report is
rebuilt from its stored documents and its mentions are found again, without reading or
parsing the source files.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

from ingest.entity_consistency import Spreader, learn
from ingest.entity_cues import ArchiveEvidence
from ingest.entity_regex import trie_regex
from ingest.model import VIA_ARCHIVE, Mention, Report, found_by_rule
from search._schema import rebuild_report, report_meta, section_data
from search._writer import batch

# A stored section whose JSON holds no rule-found mention needs no decoding to learn from.
_RULE_MARK = re.compile(r'"(?:rule:|archive")')


def _rule_mentions(searcher, evidence=None):
    """Rule-found mentions of every section (and title) in the index, streamed; with
    `evidence` (an `ArchiveEvidence`), every section's text and heading feed its cues."""
    for fields in searcher.documents(kind="section"):
        raw = fields["data"]
        if evidence is not None:
            data = json.loads(raw)
            evidence.add(data["t"], ((row[2], row[3]) for row in data.get("m", ())))
            evidence.add(fields.get("heading", ""), ((row[2], row[3]) for row in data.get("hm", ())))
        elif not _RULE_MARK.search(raw):
            continue
        else:
            data = json.loads(raw)
        for key, text in (("m", data["t"]), ("hm", fields.get("heading", "")), ("tm", fields["title"])):
            for row in data.get(key, ()):
                if len(row) > 4 and found_by_rule(row[4]):
                    surface = row[5] if len(row) > 5 else text[row[2]:row[3]]
                    yield Mention(row[0], row[1], row[2], row[3], surface, row[4])


def harmonise(ix, matcher=None) -> int:
    """Make rule-found names consistent across the archive; the number of reports rewritten.

    With `matcher` (rules on), the contexts a name recurs in across the archive type it too
    (`ingest.entity_cues.ArchiveEvidence`), except names its configuration knows or rejects.
    Call with the write lock held, after the ingest's last commit."""
    evidence = ArchiveEvidence() if matcher is not None and matcher.rules else None
    with ix.searcher() as searcher:
        learned = learn(_rule_mentions(searcher, evidence))
        if evidence is not None:
            learned = {**{s: v for s, v in evidence.learned().items() if not matcher.configured(s)},
                       **learned}
        if not learned:
            return 0
        spread = Spreader(learned, via=VIA_ARCHIVE)
        # A trie of the learned surfaces, searched on the raw stored JSON (where a line break
        # inside a name is written \n): one pass per section whatever the number of names.
        finder = re.compile(trie_regex(learned).pattern.replace(r"\s+", r"(?:\s|\\n)+"))
        touched = set()
        for fields in searcher.documents(kind="section"):
            if fields["report_id"] in touched or not (finder.search(fields["data"]) or finder.search(fields.get("heading", ""))
                                                      or finder.search(fields["title"])):
                continue
            data = section_data(fields)
            for key, text in (("m", data["t"]), ("hm", fields.get("heading", "")), ("tm", fields["title"])):
                if key == "tm" and data["o"] != 0:
                    continue
                mentions = _rows(data.get(key, ()), text)
                if spread.apply(text, mentions) != mentions:
                    touched.add(fields["report_id"])
                    break
    if not touched:
        return 0
    # One report in memory at a time: a learned name can touch most of a large archive, and
    # holding every touched report before writing grew the ingest by ~30 KB a report. The
    # searcher reads the last commit; the batch's writes show only when it commits.
    # A tantivy handle brings its own batch (see search._tantivy_engine); Whoosh's is here.
    with (ix.batch() if hasattr(ix, "batch") else batch(ix)) as b, ix.searcher() as searcher:
        for rid in sorted(touched):
            report, source_abs = _stored_report(searcher, rid)
            b.put(_apply(report, spread), source_abs)
    return len(touched)


def reannotate(ix, matcher) -> int:
    """Find every mention again in the stored text with `matcher` (a new configuration),
    then harmonise; the number of reports rewritten. Call with the write lock held."""
    from ingest.extract import _consistent

    with ix.searcher() as searcher:
        ids = [f["report_id"] for f in searcher.documents(kind="report")]
    count = 0
    for start in range(0, len(ids), 200):  # a bounded number of reports in memory
        with ix.searcher() as searcher:
            reports = [_stored_report(searcher, rid) for rid in ids[start:start + 200]]
        with (ix.batch() if hasattr(ix, "batch") else batch(ix)) as b:
            for report, source_abs in reports:
                sections = [replace(s, mentions=tuple(matcher.find(s.text)),
                                    heading_mentions=tuple(matcher.find(s.heading)) if s.heading else ())
                            for s in report.sections]
                title_mentions = tuple(matcher.find(report.title))
                if matcher.rules:
                    title_mentions, sections = _consistent(report.title, title_mentions, sections)
                new = replace(report, sections=tuple(sections), title_mentions=title_mentions)
                if new != report:
                    b.put(new, source_abs)
                    count += 1
    harmonise(ix, matcher)
    return count


def _rows(rows, text: str) -> tuple[Mention, ...]:
    return tuple(Mention(r[0], r[1], r[2], r[3], r[5] if len(r) > 5 else text[r[2]:r[3]],
                         r[4] if len(r) > 4 else "gazetteer") for r in rows)


def _stored_report(searcher, report_id: str) -> tuple[Report, str]:
    report_fields, sections = None, []
    for fields in searcher.documents(report_id=report_id):
        if fields["kind"] == "report":
            report_fields = fields
        else:
            sections.append(fields)
    return rebuild_report(report_fields, sections), report_meta(report_fields)["source_abs"]


def _apply(report: Report, spread: Spreader) -> Report:
    sections = tuple(replace(s, mentions=spread.apply(s.text, s.mentions),
                             heading_mentions=spread.apply(s.heading, s.heading_mentions))
                     for s in report.sections)
    return replace(report, sections=sections,
                   title_mentions=spread.apply(report.title, report.title_mentions))


class UnsupportedEngineError(ValueError):
    """The index was built by an engine whose stored text this module cannot rewrite."""


def require_whoosh(index_dir: Path) -> None:
    """Raise UnsupportedEngineError unless `index_dir` is a Whoosh index (or none yet)."""
    from search._engine import recorded_engine

    engine = recorded_engine(Path(index_dir))
    if engine not in (None, "whoosh", "tantivy"):  # the embedded engines' stored documents
        raise UnsupportedEngineError(
            f"{index_dir}: built by the {engine} engine; curation commands read the embedded "
            "(whoosh) index only. Apply a curated file with a re-ingest instead: "
            "report-archive ingest SOURCES --entities FILE into a new index")


def entities_copy(index_dir: Path) -> Path:
    """Where the index keeps the --entities file it was built with."""
    from search._entity import ENTITIES_COPY

    return Path(index_dir) / ENTITIES_COPY


def reannotate_index(index_dir: Path, entities_file: str | Path | None = None) -> int:
    """Apply an entity configuration to an existing index without re-reading any file:
    `entities_file` (else the one the index was built with) over the shipped default.
    Returns the number of reports whose mentions changed. Takes the write lock; raises
    IndexBusyError, EntityConfigError, or FileNotFoundError for a missing index."""
    from ingest.entities import load_matcher
    from search._entity import record_entities_file
    from search._lock import write_lock
    from search._engine import open_engine
    from search._writer import refresh_summary

    index_dir = Path(index_dir)
    require_whoosh(index_dir)
    probe = open_engine(index_dir)
    if not probe.exists():
        raise FileNotFoundError(f"{index_dir}: no index here; run report-archive ingest first")
    copy = entities_copy(index_dir)
    extra = Path(entities_file) if entities_file else (copy if copy.exists() else None)
    matcher = load_matcher(extra)  # a bad file fails here, before the index is touched
    with write_lock(index_dir):
        eng = open_engine(index_dir)
        ix = eng.open_writer()
        try:
            count = reannotate(ix, matcher)
            record_entities_file(index_dir, str(entities_file) if entities_file else None)
            refresh_summary(eng, ix)
        finally:
            eng.close()
    return count

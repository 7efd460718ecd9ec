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

import re
from dataclasses import replace
from pathlib import Path

from ingest.entity_consistency import Spreader, spread_map
from ingest.entity_evidence import Aggregate, report_evidence, with_evidence
from ingest.model import Report
from search._schema import rebuild_report, report_meta
from search._writer import batch

# A stored section whose JSON holds no rule-found mention needs no decoding to learn from.
_RULE_MARK = re.compile(r'"(?:rule:|archive")')


def harmonise(ix, matcher=None) -> int:
    """Make rule-found names consistent across the archive; the number of reports rewritten.

    With `matcher` (rules on), the contexts a name recurs in across the archive type it too
    (`ingest.entity_cues.ArchiveEvidence`), except names its configuration knows or rejects.
    Call with the write lock held, after the ingest's last commit. (An ingest runs the pass
    incrementally, `search._archive_pass`; this is the full pass.)"""
    return harmonise_all(ix, matcher)[0]


def harmonise_all(ix, matcher=None):
    """The full pass: (reports rewritten, the archive's `Aggregate`, the final spread map).

    Sums every stored report's evidence (computed from its stored text for a report that
    has none), then rewrites every report that writes a learned surface, holds a mention
    the archive gave, or has a mention the archive re-typed, so it equals the report one
    fresh ingest of the same files would give."""
    from search._archive_pass import configured_of, rewrite_writing

    agg = Aggregate()
    retyped = set()
    with ix.searcher() as searcher:
        for fields in searcher.documents(kind="report"):
            ev = report_meta(fields).get("ev")
            if ev is None or "v" not in ev:
                ev = with_evidence(_stored_report(searcher, fields["report_id"])[0]).evidence
            elif ev.get("r"):
                retyped.add(fields["report_id"])
            agg.add(ev)
    final = spread_map(agg.learned(configured_of(matcher)))
    count = rewrite_writing(ix, final, final, also=retyped, given=True)
    return count, agg, final


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
                new = replace(new, evidence=report_evidence(new))  # the report as built anew
                if new != report:
                    b.put(new, source_abs)
                    count += 1
    harmonise(ix, matcher)
    return count


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

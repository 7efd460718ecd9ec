"""The archive-wide entity pass of one ingest run on an embedded engine, kept incremental.

What the archive learned (one (type, name) per surface, `ingest.entity_evidence`) is the sum
of every report's evidence; the sum is stored next to the index (`AGGREGATE_NAME`, with the
index generation it belongs to, the entity configuration and the names every stored report
is consistent with). A run then:

- adds the evidence of each report its workers built, and takes back that of each report it
  replaces or removes (read from the stored report document);
- once every file of the run is read (the ingest's first phase: `search._ingest`), gives
  the workers the run's final names, and they apply them to the reports they spooled
  (`search._workers`) as they write every batch: the reports of this run are written once,
  with the archive's names, and need no second commit. (Before, each batch was written with
  the names learned so far; a generated 10k-section archive teaches names until its last
  batch, 1,537 surfaces added after the first of 6, and 946 of 1,103 reports were
  rewritten after the last commit: about a third of the ingest.)
- after the last commit, rewrites only the reports written before this run that can differ
  from the final names: the ones that write a surface whose learned value changed since the
  names they were written with, found by the engine's phrase search (`search._lookup`).
  Over a stable archive that is none.

A missing, stale (another generation: a killed run, a write by another tool) or older-version
aggregate is rebuilt by one full pass over the stored reports (`search._consistency`), the
path every ingest took before evidence was stored.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from ingest.entity_consistency import Learned, Spreader, spread_map
from ingest.entity_evidence import Aggregate, base_of, changed_surfaces, spread, with_evidence
from ingest.entity_regex import trie_regex
from ingest.model import VIA_ARCHIVE
from search._lookup import report_ids_writing
from search._schema import report_meta

AGGREGATE_NAME = "entity-evidence.json"


def config_key(entities_file: str | None) -> str:
    """Which entity configuration the learned names depend on (cues leave its names alone)."""
    if not entities_file:
        return "default"
    try:
        return hashlib.sha256(Path(entities_file).read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


def read_aggregate(index_dir: Path, generation: int, key: str) -> tuple[Aggregate, Learned] | None:
    """The stored aggregate and applied names if they belong to this generation and key."""
    try:
        data = json.loads((Path(index_dir) / AGGREGATE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("generation") != generation or data.get("key") != key:
        return None
    agg = Aggregate.from_json(data)
    if agg is None:
        return None
    return agg, {s: (t, n) for s, t, n in data.get("applied", ())}


def write_aggregate(index_dir: Path, agg: Aggregate, applied: Learned, generation: int, key: str) -> None:
    """Store the aggregate atomically (a killed run leaves the old one, which is then stale)."""
    data = agg.to_json()
    data.update(generation=generation, key=key,
                applied=[[s, t, n] for s, (t, n) in sorted(applied.items())])
    target = Path(index_dir) / AGGREGATE_NAME
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, target)


def configured_of(matcher):
    """The matcher's `configured` test when its rules are on (cues count), else None."""
    return matcher.configured if matcher is not None and getattr(matcher, "rules", False) else None


class ArchivePass:
    """The parent's side of the pass for one run (see the module docs)."""

    def __init__(self, eng, ix, index_dir: Path, matcher, key: str, has_reports: bool) -> None:
        self.eng, self.ix, self.index_dir, self.key = eng, ix, Path(index_dir), key
        self.matcher = matcher
        self.configured = configured_of(matcher)
        stored = read_aggregate(index_dir, eng.generation(ix), key) if has_reports else None
        #: No usable aggregate for an index with reports: one full pass at the end.
        self.full = has_reports and stored is None
        self.agg, self.applied = stored if stored else (Aggregate(), {})
        self.older = has_reports  # reports written before this run: consistent with `applied`
        self.maps: list[Learned] = []  # the spread maps batches were written with
        self._taken: set[str] = set()  # ids whose stored evidence was taken back

    def add(self, evidence: dict | None) -> None:
        """Count the evidence of a report this run built."""
        if not self.full and evidence is not None:
            self.agg.add(evidence)

    def take_back(self, searcher, report_id: str) -> None:
        """Take back the evidence of the stored version of `report_id` (replaced, removed)."""
        if self.full or report_id in self._taken:
            return  # (a pruned report's id may come back from a moved file in the same run)
        self._taken.add(report_id)
        for fields in searcher.documents(report_id=report_id, kind="report"):
            ev = report_meta(fields).get("ev")
            if ev is None or "v" not in ev:  # written before evidence was stored
                from search._consistency import _stored_report
                ev = with_evidence(_stored_report(searcher, report_id)[0]).evidence
            self.agg.add(ev, -1)

    def learned_now(self) -> Learned | None:
        """The names to write with from now on (None: no names, a full pass follows).

        An ingest asks once, when every file of the run is read (`search._ingest`): every
        batch is then written with the final names. Each answer is kept, so that a caller
        asking again between batches would still have its earlier batches brought in line
        by `finish`."""
        if self.full:
            return None
        learned = spread_map(self.agg.learned(self.configured))
        self.maps.append(learned)
        return learned

    def finish(self) -> int:
        """After the run's last commit: bring the reports that can differ in line with the
        final names and store the aggregate; the number of reports rewritten."""
        from search._consistency import harmonise_all

        if self.full:
            count, agg, final = harmonise_all(self.ix, self.matcher)
        else:
            agg = self.agg
            final = self.maps[-1] if self.maps else spread_map(agg.learned(self.configured))
            surfaces: set[str] = set()
            for used in self.maps[:-1]:
                surfaces |= changed_surfaces(used, final)
            if self.older:
                surfaces |= changed_surfaces(self.applied, final)
            count = rewrite_writing(self.ix, surfaces, final) if surfaces else 0
        write_aggregate(self.index_dir, agg, final, self.eng.generation(self.ix), self.key)
        return count


def raw_finder(surfaces) -> re.Pattern:
    """A trie of `surfaces` to search stored JSON with (where a line break is written \\n)."""
    return re.compile(trie_regex(dict.fromkeys(surfaces)).pattern.replace(r"\s+", r"(?:\s|\\n)+"))


def rewrite_writing(ix, surfaces, final: Learned, also=frozenset(), given: bool = False) -> int:
    """Rewrite with the names `final` the reports that write one of `surfaces`, those
    listed in `also` and, with `given`, every report holding a mention the archive gave
    (a full pass: a surface no longer learned leaves none behind); the number of reports
    that changed."""
    from search._consistency import _stored_report
    from search._writer import batch

    candidates = set(also)
    found = None if given or not surfaces else report_ids_writing(ix, surfaces)
    if found is not None:  # the engine's phrase search found them: no scan
        candidates |= found
        surfaces = ()
    finder = raw_finder(surfaces) if surfaces else None
    with ix.searcher() as searcher:
        if finder is not None or given:
            for fields in searcher.documents(kind="section"):
                rid = fields["report_id"]
                if rid in candidates:
                    continue
                if given and '"archive"' in fields["data"]:
                    candidates.add(rid)
                elif finder is not None and (finder.search(fields["data"])
                                             or finder.search(fields.get("heading", ""))
                                             or finder.search(fields["title"])):
                    candidates.add(rid)
    if not candidates:
        return 0
    spreader = Spreader(final, via=VIA_ARCHIVE)
    count = 0
    # One report in memory at a time: a learned name can touch most of a large archive.
    # The searcher reads the last commit; the batch's writes show only when it commits.
    with (ix.batch() if hasattr(ix, "batch") else batch(ix)) as b, ix.searcher() as searcher:
        for rid in sorted(candidates):
            stored, source_abs = _stored_report(searcher, rid)
            new = spread(base_of(with_evidence(stored)), spreader)
            if new != stored or stored.evidence is None:
                b.put(new, source_abs)
                count += new != stored
    return count

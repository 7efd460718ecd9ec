"""What one report tells the archive-wide entity pass, and the archive's sum of it.

The pass (`search._consistency`, `search._pg_harmonise`) votes one (type, name) per surface
over every rule-found mention of the archive and sums every text's cues
(`ingest.entity_consistency`, `ingest.entity_cues`). Both are sums over reports, so each
report's share is computed once, where the report is built (in the ingest workers), and
stored with it (`report_evidence`, a compact dict in `Report.evidence`); the archive keeps
the sum (`Aggregate`): a report added adds its share, one replaced or removed takes its old
share back, and no pass has to read every text again to know what the archive learned.

A report's evidence is that of its own mentions: the mentions the pass added
(``via="archive"``) or re-typed are not evidence (`base_of` undoes them: the re-typed
mentions' own types are kept in the evidence, ``"r"``), so what the archive learns does not
depend on the order the reports came in, and a report ingested in steps ends as the same
report as one fresh ingest of the final files (`spread` applies the learned names).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from ingest.entity_consistency import Learned, Spreader, learned_of, votes_of
from ingest.entity_cues import ArchiveEvidence
from ingest.model import VIA_ARCHIVE, Mention, Report, Section

#: Bumped when what the evidence holds changes: a stored aggregate of another version is
#: rebuilt by a full pass.
VERSION = 1


def report_evidence(report: Report, cues: bool = True) -> dict:
    """The evidence of `report` as built (no archive-given mentions): its rule-found votes
    (``"v"``: [surface, type, name, weight]) and, with `cues`, the cues of its texts
    (``"c"``: [type, surface, weight, places]); plain lists, to store as JSON."""
    votes = votes_of(m for m in report.mentions if m.via != VIA_ARCHIVE)
    cue_sum = ArchiveEvidence()
    for s in report.sections if cues else ():
        # a word inside a mention is part of that name, not a name of its own
        cue_sum.add(s.text, ((m.start, m.end) for m in s.mentions if m.via != VIA_ARCHIVE))
        if s.heading:
            cue_sum.add(s.heading, ((m.start, m.end) for m in s.heading_mentions if m.via != VIA_ARCHIVE))
    return {"v": [[surface, t, n, w] for surface, d in votes.items() for (t, n), w in d.items()],
            "c": [list(c) for c in cue_sum.counts()], "r": []}


def with_evidence(report: Report) -> Report:
    """`report` with its evidence: computed from its own mentions when it has none (a
    report written before evidence was stored, or by a tool)."""
    if report.evidence is not None and "v" in report.evidence:
        return report
    base = base_of(report)
    return replace(report, evidence=report_evidence(base))


def _parts(report: Report):
    """(part, index, text, mentions) of every text of a report: title, headings, bodies."""
    yield "t", 0, report.title, report.title_mentions
    for i, s in enumerate(report.sections):
        yield "h", i, s.heading, s.heading_mentions
        yield "s", i, s.text, s.mentions


def _rebuilt(report: Report, new: dict, evidence: dict | None) -> Report:
    title = new.get(("t", 0), report.title_mentions)
    # (only the sections whose mentions changed are made anew, by the constructor:
    # `replace` took a tenth of the archive pass's spreading)
    sections = tuple(Section(heading=s.heading, level=s.level, anchor=s.anchor, text=s.text,
                             page=s.page, mentions=new.get(("s", i), s.mentions),
                             heading_mentions=new.get(("h", i), s.heading_mentions))
                     if ("s", i) in new or ("h", i) in new else s
                     for i, s in enumerate(report.sections))
    return replace(report, sections=sections, title_mentions=title, evidence=evidence)


def base_of(report: Report) -> Report:
    """`report` without what the archive pass gave it: its ``archive`` mentions dropped,
    its re-typed rule-found mentions back to their own type and name."""
    ev = report.evidence or {}
    restore = {(p, i, a, b): (t, n) for p, i, a, b, t, n in ev.get("r", ())}
    new = {}
    for part, i, _text, mentions in _parts(report):
        if not restore and not any(m.via == VIA_ARCHIVE for m in mentions):
            continue
        out = []
        for m in mentions:
            if m.via == VIA_ARCHIVE:
                continue
            own = restore.get((part, i, m.start, m.end))
            out.append(replace(m, type=own[0], name=own[1]) if own else m)
        new[part, i] = tuple(out)
    if not new:
        return report
    return _rebuilt(report, new, dict(ev, r=[]) if report.evidence is not None else None)


def spread(report: Report, spreader: Spreader) -> Report:
    """The archive's learned names applied to `report` (as built: see `base_of`); the
    mentions it re-types keep their own type and name in the evidence (``"r"``)."""
    new: dict[tuple[str, int], tuple[Mention, ...]] = {}
    retyped = []
    parts = list(_parts(report))
    # (one search for the learned names in all the report's texts: `Spreader.apply_all`)
    outs = spreader.apply_all([(text, mentions) for _, _, text, mentions in parts])
    for (part, i, _text, mentions), (out, own) in zip(parts, outs):
        if out is mentions:
            continue
        new[part, i] = out
        retyped.extend([part, i, start, end, t, n] for start, end, t, n in own)
    if not new:
        return report
    evidence = dict(report.evidence or {}, r=retyped)
    return _rebuilt(report, new, evidence)


class Aggregate:
    """The archive's summed evidence: votes per surface and cues per (type, surface).

    Memory holds one entry per distinct surface (never one per report)."""

    def __init__(self) -> None:
        self.votes: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
        self.cues = ArchiveEvidence()

    def add(self, evidence: dict, sign: int = 1) -> None:
        """Add one report's evidence (`sign` -1: take it back)."""
        for surface, t, n, w in evidence.get("v", ()):
            d = self.votes[surface]
            d[t, n] += sign * w
            if not d[t, n]:
                del d[t, n]
                if not d:
                    del self.votes[surface]
        for t, surface, w, places in evidence.get("c", ()):
            self.cues.add_counts(t, surface, sign * w, sign * places)

    def learned(self, configured=None) -> Learned:
        """surface -> (type, name): the rule votes' winners over the names the archive's
        cues type; with `configured` (a surface -> bool, the matcher's), cues leave the
        configuration's names alone. None: cues are not used (rules off)."""
        learned = learned_of(self.votes)
        if configured is None:
            return learned
        return {**{s: v for s, v in self.cues.learned().items() if not configured(s)}, **learned}

    def to_json(self) -> dict:
        """The aggregate as plain lists (see `from_json`)."""
        return {"version": VERSION,
                "v": [[s, t, n, w] for s, d in self.votes.items() for (t, n), w in d.items()],
                "c": [list(c) for c in self.cues.counts()]}

    @classmethod
    def from_json(cls, data: dict) -> "Aggregate | None":
        """The aggregate `to_json` wrote, or None if another version wrote it."""
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return None
        agg = cls()
        agg.add(data)
        return agg


def changed_surfaces(a: Learned, b: Learned) -> set[str]:
    """Surfaces whose (type, name) differs between two spread maps (see `spread_map`)."""
    return {s for s in a.keys() | b.keys() if a.get(s) != b.get(s)}

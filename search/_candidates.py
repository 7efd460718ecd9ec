"""Names the open-class rules found across the index, for a curator to accept, retype, merge
or reject (`report-archive entities candidates`)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ingest.model import found_by_rule
from search._consistency import _RULE_MARK, require_whoosh


@dataclass(frozen=True, slots=True)
class EntityCandidate:
    """A rule-found entity: its counts, first and last month, how it was found and two
    contexts (report id, text around one mention)."""

    type: str
    name: str
    reports: int
    mentions: int
    first_seen: str | None
    last_seen: str | None
    via: tuple[str, ...] = ()
    contexts: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return {"type": self.type, "name": self.name, "reports": self.reports,
                "mentions": self.mentions, "first_seen": self.first_seen,
                "last_seen": self.last_seen, "via": list(self.via),
                "contexts": [{"report_id": r, "text": t} for r, t in self.contexts]}


def candidates(index_dir: Path, min_reports: int = 1) -> list[EntityCandidate]:
    """Rule-found entities in `index_dir` named in at least `min_reports` reports, best first
    (most reports, then most mentions, then name). Raises FileNotFoundError for a missing
    index."""
    index_dir = Path(index_dir)
    require_whoosh(index_dir)
    from search._engine import open_engine
    engine = open_engine(index_dir)
    if not engine.exists():
        raise FileNotFoundError(f"{index_dir}: no index here; run report-archive ingest first")
    try:
        with engine.open_writer().searcher() as searcher:  # either embedded engine's documents
            found = rule_names(searcher)
    finally:
        engine.close()
    out = []
    for (type_, name), e in found.items():
        if len(e["reports"]) < min_reports:
            continue
        periods = sorted(e["periods"])
        out.append(EntityCandidate(type_, name, len(e["reports"]), e["mentions"],
                                   periods[0] if periods else None, periods[-1] if periods else None,
                                   tuple(sorted(e["via"])), tuple(e["contexts"])))
    out.sort(key=lambda c: (-c.reports, -c.mentions, c.name.lower(), c.type))
    return out


def rule_names(searcher) -> dict[tuple[str, str], dict]:
    """Per rule-found (type, name): report ids, mention count, periods, up to two contexts
    and the rules that found it (for `entities candidates`)."""
    out: dict[tuple[str, str], dict] = defaultdict(lambda: {"reports": set(), "mentions": 0,
                                                             "periods": set(), "contexts": [],
                                                             "via": set()})
    for fields in searcher.documents(kind="section"):
        raw = fields["data"]
        if not _RULE_MARK.search(raw):
            continue
        data = json.loads(raw)
        for key, text in (("m", data["t"]), ("hm", fields.get("heading", "")), ("tm", fields["title"])):
            for row in data.get(key, ()):
                if len(row) <= 4 or not found_by_rule(row[4]) or row[4] == "rule:variant":
                    continue
                entry = out[(row[0], row[1])]
                entry["reports"].add(fields["report_id"])
                entry["mentions"] += 1
                entry["via"].add(row[4])
                if fields.get("period"):
                    entry["periods"].add(fields["period"])
                if len(entry["contexts"]) < 2 and fields["report_id"] not in {c[0] for c in entry["contexts"]}:
                    snippet = " ".join(text[max(0, row[2] - 60):row[3] + 60].split())
                    entry["contexts"].append((fields["report_id"], snippet))
    return out



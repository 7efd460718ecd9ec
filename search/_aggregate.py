"""A small derived table of reports and entities, kept next to the index as summary.json.

Listing reports or all entities from Whoosh would mean loading stored fields of every
section. Instead, every ingest derives this table from the per-report documents (one per
report, with its entity counts) and writes it atomically. It records the index generation
it was built from; when a reader finds it stale (an ingest killed between commit and
writing it) the reader rebuilds it in memory, so it can never disagree with the index.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import defaultdict
from pathlib import Path

from ingest.model import ENTITY_TYPES
from search._schema import report_meta

SUMMARY_NAME = "summary.json"
_TYPE_ORDER = {t: i for i, t in enumerate(ENTITY_TYPES)}


def entry_of(fields: dict) -> tuple[dict, list, str]:
    """One report document's summary row, its [type, name, count] entities and ingest time.

    Ingest workers call this on the report document they just built, and `build` on the
    stored one, so an incrementally updated summary equals a rebuilt one."""
    meta = report_meta(fields)
    row = {
        "id": fields["report_id"], "title": fields["title"], "period": fields.get("period"),
        "format": fields["format"], "source": meta["source"], "pages": meta["pages"],
        "sections": meta["sections"], "entities": len(meta["entities"]),
        "source_abs": meta["source_abs"], "sha256": meta["sha256"],
    }
    return row, meta["entities"], meta["ingested_at"]


class Accumulator:
    """Folds report rows into the summary one at a time: memory holds the summary itself
    (one row per report, one per entity), never the reports' documents."""

    def __init__(self) -> None:
        self.reports: list[dict] = []
        self.ents: dict[tuple[str, str], dict] = {}
        self.sections = 0
        self.last_updated: str | None = None

    @classmethod
    def from_summary(cls, summary: dict) -> "Accumulator":
        """Continue from a stored summary (to add reports without re-reading the index)."""
        acc = cls()
        acc.reports = list(summary["reports"])
        acc.ents = {(e["type"], e["name"]): dict(e) for e in summary["entities"]}
        acc.sections = summary["stats"]["sections"]
        acc.last_updated = summary["stats"]["last_updated"]
        return acc

    def add(self, row: dict, entities: list, ingested_at: str) -> None:
        """Count one report (a row from `entry_of`)."""
        period = row["period"]
        self.sections += row["sections"]
        self.last_updated = max(self.last_updated or "", ingested_at)
        self.reports.append(row)
        for etype, name, count in entities:
            e = self.ents.get((etype, name))
            if e is None:
                e = self.ents[(etype, name)] = {"type": etype, "name": name, "reports": 0,
                                                "mentions": 0, "first_seen": None,
                                                "last_seen": None}
            e["reports"] += 1
            e["mentions"] += count
            if period:
                e["first_seen"] = min(e["first_seen"] or period, period)
                e["last_seen"] = max(e["last_seen"] or period, period)

    def finish(self, generation: int) -> dict:
        """The summary dict (the format summary.json holds)."""
        reports = sorted(self.reports, key=lambda r: (r["period"] or "9999-99", r["title"],
                                                      r["id"]))
        entities = sorted(self.ents.values(), key=lambda e: (_TYPE_ORDER.get(e["type"], 99),
                                                             -e["mentions"], e["name"].lower()))
        by_type: dict[str, int] = defaultdict(int)
        for e in entities:
            by_type[e["type"]] += 1
        formats: dict[str, int] = defaultdict(int)
        for r in reports:
            formats[r["format"]] += 1
        periods = [r["period"] for r in reports if r["period"]]
        return {
            "generation": generation,
            "reports": reports,
            "entities": entities,
            "stats": {
                "reports": len(reports), "sections": self.sections,
                "entities_by_type": {t: by_type[t] for t in ENTITY_TYPES if by_type.get(t)},
                "formats": dict(sorted(formats.items())),
                "first_period": min(periods) if periods else None,
                "last_period": max(periods) if periods else None,
                "last_updated": self.last_updated,
                "roots": archive_roots(r["source_abs"] for r in reports),
            },
        }


class StreamingAccumulator(Accumulator):
    """An `Accumulator` whose report rows wait on disk, not in memory: an ingest's parent
    folds every report of the run into the summary, and rows kept in memory (about 1 KB
    each) grew it with the archive. Memory holds a sort key and a file offset per report and
    the counters; `write` streams summary.json in the order `finish` gives (the same JSON).
    The rows go to an anonymous temporary file in `folder` (gone when closed or killed)."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self._rows = tempfile.TemporaryFile(dir=folder)
        self._keys: list[tuple] = []  # (sort key..., offset, length) per report
        self._formats: dict[str, int] = defaultdict(int)
        self._periods: list[str | None] = [None, None]
        self._dirs: dict[str, str] = {}  # folder -> one file in it (for archive_roots)

    @classmethod
    def from_summary(cls, summary: dict, folder: Path) -> "StreamingAccumulator":
        acc = cls(folder)
        for row in summary["reports"]:
            acc._keep(row)
        acc.ents = {(e["type"], e["name"]): dict(e) for e in summary["entities"]}
        acc.sections = summary["stats"]["sections"]
        acc.last_updated = summary["stats"]["last_updated"]
        return acc

    def add(self, row: dict, entities: list, ingested_at: str) -> None:
        super().add(row, entities, ingested_at)
        self._keep(self.reports.pop())

    def _keep(self, row: dict) -> None:
        line = json.dumps(row, ensure_ascii=False).encode("utf-8")
        self._keys.append((row["period"] or "9999-99", row["title"], row["id"],
                           self._rows.tell(), len(line)))
        self._rows.write(line)
        self._formats[row["format"]] += 1
        if row["period"]:
            low, high = self._periods
            self._periods = [min(low or row["period"], row["period"]),
                             max(high or row["period"], row["period"])]
        self._dirs.setdefault(os.path.dirname(row["source_abs"]), row["source_abs"])

    def write(self, index_dir: Path, generation: int) -> None:
        """Replace summary.json atomically with this summary, streamed."""
        entities = sorted(self.ents.values(), key=lambda e: (_TYPE_ORDER.get(e["type"], 99),
                                                             -e["mentions"], e["name"].lower()))
        by_type: dict[str, int] = defaultdict(int)
        for e in entities:
            by_type[e["type"]] += 1
        stats = {
            "reports": len(self._keys), "sections": self.sections,
            "entities_by_type": {t: by_type[t] for t in ENTITY_TYPES if by_type.get(t)},
            "formats": dict(sorted(self._formats.items())),
            "first_period": self._periods[0], "last_period": self._periods[1],
            "last_updated": self.last_updated,
            "roots": archive_roots(self._dirs.values()),
        }
        self._keys.sort()
        path = Path(index_dir) / SUMMARY_NAME
        tmp = path.with_suffix(".json.tmp")
        rows = self._rows
        rows.flush()
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(f'{{"generation": {json.dumps(generation)}, "reports": [')
            for i, (*_, offset, length) in enumerate(self._keys):
                rows.seek(offset)
                f.write((", " if i else "") + rows.read(length).decode("utf-8"))
            f.write('], "entities": ')
            json.dump(entities, f, ensure_ascii=False)
            f.write(', "stats": ')
            json.dump(stats, f, ensure_ascii=False)
            f.write("}")
        os.replace(tmp, path)
        self.close()

    def close(self) -> None:
        self._rows.close()


def build(report_fields, generation: int) -> dict:
    """Aggregate reports and entities from the stored report documents' fields (an
    iterable, streamed one document at a time: an engine view's `report_fields()`)."""
    acc = Accumulator()
    for fields in report_fields:
        acc.add(*entry_of(fields))
    return acc.finish(generation)


def archive_roots(sources) -> list[str]:
    """The directories the indexed files live in, nested ones folded into their ancestor:
    the archive a web front end may serve original files from."""
    roots: list[str] = []
    for folder in sorted({os.path.dirname(s) for s in sources if s}):
        if not any(folder == r or folder.startswith(r.rstrip(os.sep) + os.sep) for r in roots):
            roots.append(folder)
    return roots


def write(index_dir: Path, summary: dict) -> None:
    """Replace summary.json atomically (write a temp file, then rename over)."""
    path = Path(index_dir) / SUMMARY_NAME
    tmp = path.with_suffix(".json.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(summary, f, ensure_ascii=False)  # encoded in chunks, not one big string
    os.replace(tmp, path)


def read(index_dir: Path, generation: int) -> dict | None:
    """The stored summary if it matches `generation`, else None (caller rebuilds)."""
    try:
        data = json.loads((Path(index_dir) / SUMMARY_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if data.get("generation") == generation else None


def empty() -> dict:
    """The summary of an index that does not exist yet."""
    return {"generation": -1, "reports": [], "entities": [],
            "stats": {"reports": 0, "sections": 0, "entities_by_type": {}, "formats": {},
                      "first_period": None, "last_period": None, "last_updated": None,
                      "roots": []}}

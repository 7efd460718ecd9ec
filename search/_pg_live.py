"""The names a PostgreSQL ingest run writes its reports with.

A run reads every file first (see `search._pg_ingest`) and counts each report's evidence;
before it writes any report, the names learned from the archive's stored evidence sum and
all of this run's are published to the run's worker processes (a number in shared memory,
the names in a file of the run's own temporary directory), and every report is written
with them. Each report says which version of the names it was written with (the first,
the names of the last pass, when the run taught nothing new), and the pass at the end
looks, for each version, only at that version's reports that write a surface whose
learned value differs from the final one (`search._pg_harmonise`): other writers'
evidence, counted meanwhile, is what may still change them.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import tempfile
from pathlib import Path

from ingest.entity_consistency import Learned, spread_map
from ingest.entity_evidence import Aggregate



class LiveNames:
    """The parent's side: versions of the names, and which reports each one wrote."""

    def __init__(self, start: Learned, stored: Aggregate | None, configured) -> None:
        self.agg = stored or Aggregate()
        self.configured = configured
        self.maps: list[Learned] = [start]
        self.written: dict[int, list[str]] = {0: []}
        self._dir = Path(tempfile.mkdtemp(prefix="report-archive-names-"))
        self._publish(start)
        self.version = multiprocessing.get_context("fork").Value("i", 0, lock=False)

    def _publish(self, learned: Learned) -> None:
        path = self._dir / f"{len(self.maps) - 1}.json"
        path.write_text(json.dumps([[s, t, n] for s, (t, n) in learned.items()]), encoding="utf-8")

    def count(self, evidence: dict | None) -> None:
        """Count the evidence of a report this run has read (and will write)."""
        if evidence is not None:
            self.agg.add(evidence)

    def publish(self) -> None:
        """Publish the names learned from everything counted so far (when they changed): the
        version the reports written from now on are written with."""
        learned = spread_map(self.agg.learned(self.configured))
        if learned != self.maps[-1]:
            self.maps.append(learned)
            self.written[len(self.maps) - 1] = []
            self._publish(learned)
            self.version.value = len(self.maps) - 1

    def wrote(self, report_id: str, version: int) -> None:
        """A report of this run was written with names `version`."""
        self.written.setdefault(version, []).append(report_id)

    def read(self, version: int) -> Learned:
        """The names of `version` (in a worker)."""
        rows = json.loads((self._dir / f"{version}.json").read_text(encoding="utf-8"))
        return {s: (t, n) for s, t, n in rows}

    def versions(self) -> list[tuple[Learned, list[str]]]:
        """(names, ids of the reports written with them) of every version."""
        return [(self.maps[v], ids) for v, ids in sorted(self.written.items()) if ids]

    def close(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)

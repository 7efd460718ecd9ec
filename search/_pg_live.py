"""The names a PostgreSQL ingest run writes its reports with, refreshed as the run learns.

A PostgreSQL report is written (committed) as soon as it is built, so it cannot wait for the
names the whole run will teach the archive. It is written with the best names known then:
those the archive had learned when the run started (the last pass's evidence sum) plus the
evidence of the reports this run has written so far, recomputed after 8, 16, 32, ... and
then every `REFRESH_EVERY` files. Each version of the names is published to the run's
worker processes (a number in shared memory, the names in a file of the run's own temporary
directory); each report says which version it was written with, and the pass at the end
looks, for each version, only at that version's reports that write a surface whose learned
value differs from the final one (`search._pg_harmonise`). In a fresh archive most reports
are then written right the first time, and the serial pass has less to rewrite.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import tempfile
from pathlib import Path

from ingest.entity_consistency import Learned, spread_map
from ingest.entity_evidence import Aggregate

#: Files between two refreshes of the names once the doubling steps (8, 16, ...) pass it.
REFRESH_EVERY = 128


class LiveNames:
    """The parent's side: versions of the names, and which reports each one wrote."""

    def __init__(self, start: Learned, stored: Aggregate | None, configured) -> None:
        self.agg = stored or Aggregate()
        self.configured = configured
        self.maps: list[Learned] = [start]
        self.written: dict[int, list[str]] = {0: []}
        self.done = 0
        self._dir = Path(tempfile.mkdtemp(prefix="report-archive-names-"))
        self._publish(start)
        self.version = multiprocessing.get_context("fork").Value("i", 0, lock=False)

    def _publish(self, learned: Learned) -> None:
        path = self._dir / f"{len(self.maps) - 1}.json"
        path.write_text(json.dumps([[s, t, n] for s, (t, n) in learned.items()]), encoding="utf-8")

    def wrote(self, report_id: str, version: int, evidence: dict | None) -> None:
        """A report of this run was written with names `version`; count its evidence and,
        on a refresh step, publish the names learned so far if they changed."""
        self.written.setdefault(version, []).append(report_id)
        if evidence is not None:
            self.agg.add(evidence)
        self.done += 1
        if self.done < 8 or (self.done & (self.done - 1) and self.done % REFRESH_EVERY):
            return
        learned = spread_map(self.agg.learned(self.configured))
        if learned != self.maps[-1]:
            self.maps.append(learned)
            self.written[len(self.maps) - 1] = []
            self._publish(learned)
            self.version.value = len(self.maps) - 1

    def read(self, version: int) -> Learned:
        """The names of `version` (in a worker)."""
        rows = json.loads((self._dir / f"{version}.json").read_text(encoding="utf-8"))
        return {s: (t, n) for s, t, n in rows}

    def versions(self) -> list[tuple[Learned, list[str]]]:
        """(names, ids of the reports written with them) of every version."""
        return [(self.maps[v], ids) for v, ids in sorted(self.written.items()) if ids]

    def close(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)

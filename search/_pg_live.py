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
import uuid
from pathlib import Path

from ingest.entity_consistency import Learned, spread_map
from ingest.entity_evidence import Aggregate
from search._pg_schema import SCHEMA, ensure_table

S = SCHEMA
#: Read reports whose evidence a run sends to the server at once (see `LiveNames.count`).
PENDING_BATCH = 64
_PENDING_DDL = f"""
CREATE TABLE IF NOT EXISTS {S}.pending_evidence (
    run         text NOT NULL,
    pid         integer NOT NULL,
    started     timestamptz NOT NULL,
    report_id   text NOT NULL,
    ev          jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS pending_evidence_run ON {S}.pending_evidence (run)"""
#: The runs alive now: their connection (backend pid and start) is still there.
ALIVE = ("EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a WHERE a.pid = p.pid "
          "AND a.backend_start = p.started)")


def ensure_pending(conn) -> None:
    """Create the ``pending_evidence`` table if the index has none (derived data of running
    ingests, added within schema version 2)."""
    ensure_table(conn, "pending_evidence", _PENDING_DDL)


def others_pending(conn, run: str | None, uncounted: bool = False) -> list:
    """(report id, evidence) that the other runs alive now have read and not yet written
    and counted; `uncounted`: only those of reports whose version the archive's evidence
    sum does not count yet (a pass's view: the sum counts what is written)."""
    if run is None:
        return []
    extra = (f" AND NOT EXISTS (SELECT 1 FROM {S}.evidence e WHERE e.report_id = p.report_id "
             "AND e.counted_sha IS NOT NULL AND e.counted_sha = e.sha256)") if uncounted else ""
    return conn.execute(f"SELECT p.report_id, p.ev FROM {S}.pending_evidence p "
                        f"WHERE p.run <> %s AND {ALIVE}{extra}", (run,)).fetchall()


class LiveNames:
    """The parent's side: versions of the names, and which reports each one wrote."""

    def __init__(self, start: Learned, stored: Aggregate | None, configured,
                 conn=None) -> None:
        self.agg = stored or Aggregate()
        self.configured = configured
        # With `conn` (the run's connection to the primary), the evidence read is also
        # shared with the other runs writing now, as theirs with us (`publish`).
        self.conn = conn
        self.run = uuid.uuid4().hex
        self._unsent: list[tuple[str, str]] = []
        self._own: set[str] = set()
        self._folded: set[tuple[str, str]] = set()  # (run, report id) of others' counted
        if conn is not None:
            ensure_pending(conn)
        self.maps: list[Learned] = [start]
        self.written: dict[int, list[str]] = {0: []}
        self._dir = Path(tempfile.mkdtemp(prefix="report-archive-names-"))
        self._publish(start)
        self.version = multiprocessing.get_context("fork").Value("i", 0, lock=False)

    def _publish(self, learned: Learned) -> None:
        path = self._dir / f"{len(self.maps) - 1}.json"
        path.write_text(json.dumps([[s, t, n] for s, (t, n) in learned.items()]), encoding="utf-8")

    def count(self, evidence: dict | None, report_id: str | None = None) -> None:
        """Count the evidence of a report this run has read (and will write), and send it,
        a batch at a time, for the other runs writing meanwhile to count too."""
        if evidence is None:
            return
        self.agg.add(evidence)
        if self.conn is not None and report_id is not None:
            self._own.add(report_id)
            self._unsent.append((report_id, json.dumps(evidence)))
            if len(self._unsent) >= PENDING_BATCH:
                self._send()

    def _send(self) -> None:
        if self._unsent:
            # one statement per batch (the backend's row of pg_stat_activity read once)
            self.conn.execute(
                f"INSERT INTO {S}.pending_evidence SELECT %s, a.pid, a.backend_start, u.rid, "
                "u.ev FROM pg_catalog.pg_stat_activity a, unnest(%s::text[], %s::jsonb[]) "
                "AS u(rid, ev) WHERE a.pid = pg_backend_pid()",
                (self.run, [rid for rid, _ in self._unsent], [ev for _, ev in self._unsent]))
            self._unsent = []

    def publish(self) -> None:
        """Publish the names learned from everything counted so far, the other running
        writers' evidence included (when they changed): the version the reports written
        from now on are written with. Two runs of a fresh archive that read at the same
        time then write with (nearly) the same names, those of both halves, and their
        passes have (nearly) nothing to rewrite."""
        if self.conn is not None:
            self._send()
            self.conn.execute(f"DELETE FROM {S}.pending_evidence p WHERE NOT {ALIVE}")
            self._fold_others()
        self._new_version()

    def refresh(self) -> None:
        """While this run writes: publish again if the other runs writing now have shared
        evidence since (they may still have been reading at `publish`); the reports
        written from then on carry their names too, and the pass rewrites fewer."""
        if self.conn is not None and self._fold_others():
            self._new_version()

    def _fold_others(self) -> bool:
        """Count the evidence other live runs have shared and this run has not counted
        yet; whether there was any."""
        rows = self.conn.execute(
            f"SELECT p.run, p.report_id, p.ev FROM {S}.pending_evidence p WHERE p.run <> %s "
            f"AND {ALIVE} AND p.run || ' ' || p.report_id <> ALL(%s)",
            (self.run, [f"{r} {rid}" for r, rid in self._folded])).fetchall()
        for run, rid, ev in rows:
            self._folded.add((run, rid))
            if rid not in self._own:
                self.agg.add(ev)
        return bool(rows)

    def _new_version(self) -> None:
        learned = spread_map(self.agg.learned(self.configured))
        if learned != self.maps[-1]:
            self.maps.append(learned)
            self.written[len(self.maps) - 1] = []
            self._publish(learned)
            self.version.value = len(self.maps) - 1

    def withdraw(self) -> None:
        """Take this run's shared evidence back (its reports and their evidence are written
        and counted by its pass by now, or the run failed)."""
        if self.conn is not None and not self.conn.closed:
            self.conn.execute(f"DELETE FROM {S}.pending_evidence WHERE run = %s", (self.run,))

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

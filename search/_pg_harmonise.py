"""Archive-wide entity consistency for a PostgreSQL index, kept incremental (the embedded
engines' counterpart is `search._archive_pass`; both learn and spread with
`ingest.entity_evidence`).

Each report's evidence (the votes of its own rule-found names, its cues) is computed by the
worker that built it and stored in the ``evidence`` table beside the report's version
(sha256). The archive's sum of it is kept in ``settings`` (``entity_evidence``), and each
evidence row says which version of its report the sum counts (``counted_sha``), so a pass
only adds what was written since the last one and takes back what was replaced or removed:
it never reads every text again. Reports are written by the workers with the names learned
when their run started; the pass then rewrites only the reports that write a surface whose
learned value changed: since the last pass for any report, since the run's start for the
reports written meanwhile (found through the sections' text search index, not a scan).

One pass at a time across machines (an advisory lock); other writers may write meanwhile:
a report is rewritten only if it is still the version that was read (`_pg_write.rewrite`),
and the next run's pass brings a newer one in line. A missing or older-version sum is
rebuilt from the evidence rows (a report without a row gets one from its stored text) and
every report is looked at once, as every pass did before evidence was stored, but for the
reports its own run wrote (checked per version of the names, as always) and those of the
runs alive now: an evidence row names the run that wrote its report until that run's pass
has checked it (``run``), so a run that died before its pass leaves its reports to the
next pass, and a run alive now checks its own.
"""

from __future__ import annotations

import json

from ingest.entity_consistency import Learned, Spreader, spread_map
from ingest.entity_evidence import Aggregate, base_of, changed_surfaces, spread, with_evidence
from ingest.model import VIA_ARCHIVE
from search import _pg_read, _pg_write
from search._pg_live import ALIVE, others_pending
from search._pg_schema import SCHEMA, ensure_table

S = SCHEMA
#: Advisory lock key held for one pass: two runs ending together do not both rewrite the
#: same reports, and the evidence sum is updated by one pass at a time.
_PASS_LOCK = 0x7265706f72740002
#: Surfaces per text-search statement when looking up the reports that write them.
_LOOKUP_CHUNK = 100

_EVIDENCE_DDL = f"""
CREATE TABLE IF NOT EXISTS {S}.evidence (
    report_id   text PRIMARY KEY,
    sha256      text NOT NULL,
    ev          jsonb NOT NULL,
    counted_sha text,
    counted     jsonb,
    run         text
)"""


def ensure_evidence(conn) -> None:
    """Create the ``evidence`` table if the index has none (added within schema version 1:
    derived data, rebuilt from the reports when missing)."""
    ensure_table(conn, "evidence", _EVIDENCE_DDL)


def store_evidence(conn, report, run: str | None = None) -> None:
    """Record the evidence of the version of `report` just written (its sha256); `run`:
    the ingest run (`_pg_live`) that wrote it and whose pass has yet to check it (None:
    written by a pass, so checked)."""
    if report.evidence is None:
        return
    conn.execute(f"INSERT INTO {S}.evidence (report_id, sha256, ev, run) VALUES (%s, %s, %s, %s) "
                 "ON CONFLICT (report_id) DO UPDATE SET sha256 = excluded.sha256, "
                 "ev = excluded.ev, run = excluded.run",
                 (report.id, report.sha256, json.dumps(report.evidence), run))


#: The evidence row ``e``'s run is still alive (its connection is): its own pass will check
#: the reports it wrote.
_RUN_ALIVE = (f"EXISTS (SELECT 1 FROM {S}.pending_evidence p WHERE p.run = e.run AND "
              f"{ALIVE})")


def _unchecked(conn, run: str | None, alive: bool) -> dict[str, str]:
    """{report id: run} of the reports written by other runs whose pass has not checked
    them: of runs alive now (`alive`: their pass will), or of runs that died before their
    pass (no pass will unless this one does)."""
    return dict(conn.execute(
        f"SELECT e.report_id, e.run FROM {S}.evidence e WHERE e.run IS NOT NULL AND "
        f"e.run <> %s AND {'' if alive else 'NOT '}{_RUN_ALIVE}", (run or "",)).fetchall())


def recorded_learned(conn) -> Learned:
    """The names the last pass made the archive consistent with (what a run's workers
    write their reports with)."""
    value = _setting(conn, "learned")
    try:
        return {s: tuple(v) for s, v in json.loads(value)} if value else {}
    except (ValueError, TypeError):
        return {}


def _setting(conn, name: str) -> str | None:
    row = conn.execute(f"SELECT value FROM {S}.settings WHERE name = %s", (name,)).fetchone()
    return row[0] if row is not None else None


def stored_aggregate(conn) -> Aggregate | None:
    """The evidence sum the last pass stored (None: none yet, or of another version)."""
    stored = _setting(conn, "entity_evidence")
    try:
        return Aggregate.from_json(json.loads(stored)) if stored else None
    except ValueError:
        return None


def harmonise(conn, since=None, matcher=None, written=None, run=None) -> int:
    """Make rule-found names consistent across the archive; the number of reports rewritten.
    `conn` is an autocommit connection to the primary; with `matcher` (rules on), the
    archive's summed cues type names too. `written`: (names, report ids) of each version
    of the names this run wrote its reports with (`search._pg_live`); those reports are
    checked against the final names where they differ, every report where the names the
    last pass recorded differ. Without `written`, every report written since `since` (this
    run's start on the server's clock) is checked for every learned name. `run` (this
    run's id in `_pg_live`): the final names also count the evidence other runs have read
    and are still writing, as their reports were written with it (else a pass ending
    before another run's writes would undo its names and that run's pass redo them)."""
    from search._pg_live import ensure_pending

    ensure_evidence(conn)
    ensure_pending(conn)  # which other runs are alive (see `_unchecked`)
    conn.execute("SELECT pg_advisory_lock(%s)", (_PASS_LOCK,))
    try:
        return _harmonise(conn, since, matcher, written, run)
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (_PASS_LOCK,))


def _harmonise(conn, since, matcher, written, run=None) -> int:
    from search._archive_pass import configured_of

    # The sum and the versions it counts change together, while the workers wait to record
    # evidence (a brief table lock: they write reports meanwhile, and their evidence once it
    # ends, to be counted by the next pass).
    with conn.transaction():
        conn.execute(f"LOCK TABLE {S}.evidence IN SHARE ROW EXCLUSIVE MODE")
        agg = stored_aggregate(conn)
        full = agg is None
        agg = _reconcile(conn, agg or Aggregate(), full)
        conn.execute(f"INSERT INTO {S}.settings VALUES ('entity_evidence', %s) ON CONFLICT (name) "
                     "DO UPDATE SET value = excluded.value",
                     (json.dumps(agg.to_json(), separators=(",", ":")),))
    pending = others_pending(conn, run, uncounted=True) if run is not None else []
    if pending:  # counted for the names only: the stored sum counts what is written
        agg = Aggregate.from_json(agg.to_json())
        for _, ev in pending:
            agg.add(ev)
    final = spread_map(agg.learned(configured_of(matcher)))
    recorded = recorded_learned(conn)
    candidates: set[str] = set()
    if full:  # every report once: archive-given and re-typed mentions left by older passes
        candidates |= {r[0] for r in conn.execute(f"SELECT report_id FROM {S}.evidence "
                                                  "WHERE jsonb_array_length(ev->'r') > 0")}
        candidates |= {r[0] for r in conn.execute(
            f"SELECT DISTINCT s.report_id FROM {S}.mentions m JOIN {S}.sections s "
            "ON s.id = m.section_id WHERE m.via = %s", (VIA_ARCHIVE,))}
        candidates |= {r[0] for r in conn.execute(
            f"SELECT id FROM {S}.reports WHERE title_mentions::text LIKE %s", (f'%"{VIA_ARCHIVE}"%',))}
        # but this run's own reports, read fresh and written with names it knows: they
        # are checked as below, where those names differ from the final ones (a fresh
        # archive's first pass then reads back none of its own run's reports, nor looks
        # for their surfaces)
        # nor those of the other runs writing now: their own passes check them
        skip = {rid for _, ids in written or () for rid in ids} | set(_unchecked(conn, run, True))
        others = [r for (r,) in conn.execute(f"SELECT id FROM {S}.reports")
                  if r not in skip] if skip else None
        candidates |= _writing(conn, set(final) | set(recorded), ids=others)
        candidates -= skip
    else:
        candidates |= _writing(conn, changed_surfaces(recorded, final))
        if written is None:
            candidates |= _writing(conn, set(final), since=since)
    # per version of the names this run wrote with: the surfaces it got wrong, among the
    # reports written with it (a superset, checked exactly when spreading); the last
    # versions, with the other runs' evidence in, get few or none wrong
    for names, written_ids in written or ():
        candidates |= _writing(conn, changed_surfaces(names, final), ids=written_ids)
    # the reports of runs that died before their pass: no pass has checked them
    dead = _unchecked(conn, run, False)
    candidates |= set(dead)
    count = _rewrite(conn, sorted(candidates), final) if candidates else 0
    # this run's reports and the dead runs' are checked now (a report another run has
    # written since keeps that run's name)
    conn.execute(f"UPDATE {S}.evidence SET run = NULL WHERE run = %s OR (run = ANY(%s) "
                 "AND report_id = ANY(%s))", (run or "", sorted(set(dead.values())), list(dead)))
    # recorded once the reports are rewritten: a killed pass is done again by the next one
    conn.execute(f"INSERT INTO {S}.settings VALUES ('learned', %s) ON CONFLICT (name) "
                 "DO UPDATE SET value = excluded.value",
                 (json.dumps(sorted([s, list(v)] for s, v in final.items())),))
    return count


def _reconcile(conn, agg: Aggregate, full: bool) -> Aggregate:
    """Bring `agg` up to date with the reports as they are now (in the caller's
    transaction, the evidence table locked): count each report's current evidence (once:
    ``counted_sha``), take back that of replaced and removed versions."""
    where = "" if full else (" WHERE e.report_id IS NULL OR e.counted_sha IS DISTINCT FROM r.sha256 "
                             "OR e.sha256 <> r.sha256")
    with conn.cursor(name="report_archive_evidence") as cur:
        cur.itersize = 500
        cur.execute(f"SELECT r.id, r.sha256, e.sha256, e.ev, e.counted FROM {S}.reports r "
                    f"LEFT JOIN {S}.evidence e ON e.report_id = r.id{where}")
        counted = []  # streamed: one report's evidence in memory at a time
        for rid, sha, ev_sha, ev, before in cur:
            if before is not None and not full:
                agg.add(before, -1)
            if ev is None or ev_sha != sha:  # written without evidence (a tool, a killed worker)
                report = _pg_read.report(conn, rid)
                if report is None:
                    continue
                report = with_evidence(report)
                store_evidence(conn, report)
                ev = report.evidence
            agg.add(ev)
            counted.append(rid)
    if counted:
        conn.execute(f"UPDATE {S}.evidence SET counted = ev, counted_sha = sha256 "
                     "WHERE report_id = ANY(%s)", (counted,))
    gone = conn.execute(f"DELETE FROM {S}.evidence e WHERE NOT EXISTS (SELECT 1 FROM {S}.reports r "
                        "WHERE r.id = e.report_id) RETURNING counted").fetchall()
    if not full:
        for (before,) in gone:
            if before is not None:
                agg.add(before, -1)
    return agg


def _writing(conn, surfaces: set[str], since=None, ids=None) -> set[str]:
    """Ids of the reports whose text (body, heading, title) writes one of `surfaces`
    (written at or after `since`, or among `ids`, when given), found through the sections'
    text search index: a superset (stemmed words), which the spreading then checks exactly."""
    if not surfaces or ids == []:
        return set()
    found: set[str] = set()
    ordered = sorted(surfaces)
    if since is not None:
        extra, more = f" AND s.report_id IN (SELECT id FROM {S}.reports WHERE ingested_at >= %s)", [since]
    elif ids is not None:
        extra, more = " AND s.report_id = ANY(%s)", [list(ids)]
    else:
        extra, more = "", []
    for start in range(0, len(ordered), _LOOKUP_CHUNK):
        chunk = ordered[start:start + _LOOKUP_CHUNK]
        # each surface as a phrase the way the index reads phrases, computed once here: a
        # function call in the statement would run again for every row rechecked
        # (and the query parsed once: a sub-select, not a cast that a generic plan redoes)
        phrases = [q for (q,) in conn.execute(
            f"SELECT {S}.phrase(x)::text FROM unnest(%s::text[]) WITH ORDINALITY AS u(x, n) "
            "ORDER BY n", (chunk,))]
        query = " | ".join(f"({q})" for q in phrases if q)
        if query:
            found |= {r[0] for r in conn.execute(
                f"SELECT DISTINCT s.report_id FROM {S}.sections s WHERE s.tsv @@ "
                f"(SELECT %s::tsquery){extra}", [query, *more])}
        # a surface of stop words alone gives an empty text query: look for it as written
        empty = [s for s, q in zip(chunk, phrases) if not q]
        for surface in empty:
            found |= {r[0] for r in conn.execute(
                f"SELECT DISTINCT s.report_id FROM {S}.sections s WHERE (strpos(s.body, %s) > 0 "
                f"OR strpos(s.heading, %s) > 0 OR strpos(s.title, %s) > 0){extra}",
                [surface, surface, surface, *more])}
    return found


def _rewrite(conn, report_ids: list[str], final: Learned) -> int:
    """Rewrite each report with the names `final` when they change it; how many changed."""
    spreader = Spreader(final, via=VIA_ARCHIVE)
    count = 0
    for rid in report_ids:
        row = conn.execute(f"SELECT r.source_abs, r.ingested_at, e.ev, e.sha256 = r.sha256 FROM "
                           f"{S}.reports r LEFT JOIN {S}.evidence e ON e.report_id = r.id "
                           "WHERE r.id = %s", (rid,)).fetchone()
        report = _pg_read.report(conn, rid) if row is not None else None
        if report is None:
            continue
        source_abs, written_at, ev, current = row
        if ev is not None and current:
            from dataclasses import replace
            report = replace(report, evidence=ev)
        new = spread(base_of(with_evidence(report)), spreader)
        if new != report and _pg_write.rewrite(conn, new, source_abs, written_at):
            store_evidence(conn, new)  # the re-typed mentions' own types (see base_of)
            count += 1
    return count

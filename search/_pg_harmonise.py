"""Archive-wide entity consistency for a PostgreSQL index (the embedded engines' counterpart
is `search._consistency.harmonise`, whose voting and spreading this module reuses).

At the end of an ingest run that changed the index, the names the open-class rules typed
anywhere in the archive are voted one (type, canonical name) per surface
(`ingest.entity_consistency.learn`), and every report that writes such a surface without
that mention is rewritten with it (``via="archive"``), so an entity page gathers every
month that names it. The rule-found mentions come from the ``mentions`` table and the
reports' title mentions. The learned names are recorded in ``settings``: while they stay
the same, a run looks only at the reports written since it started (the others were made
consistent with those names already); when they change, at every report.

Other writers may run meanwhile (only the passes themselves take turns): a report is
rewritten only if it is still the version that was read (`_pg_write.rewrite`), so a newer
version another worker wrote is never overwritten; the next run's pass brings that one in
line.
"""

from __future__ import annotations

import json

from ingest.entity_consistency import Spreader, learn
from ingest.model import RULE_PREFIX, VIA_ARCHIVE, Mention
from search import _pg_read, _pg_write
from search._pg_schema import SCHEMA

S = SCHEMA
#: Advisory lock key held for one pass: two runs ending together do not both rewrite the
#: same reports; the second, once the first is done, finds its names recorded and looks at
#: the reports written since it started only.
_PASS_LOCK = 0x7265706f72740002


def _rule_mentions(conn):
    """Rule-found mentions of every section body, heading and title in the index."""
    rows = conn.execute(
        f"SELECT m.type, m.name, m.start_at, m.end_at, coalesce(m.surface, substr(CASE WHEN "
        f"m.in_heading THEN s.heading ELSE s.body END, m.start_at + 1, m.end_at - m.start_at)),"
        f" m.via FROM {S}.mentions m JOIN {S}.sections s ON s.id = m.section_id "
        "WHERE m.via LIKE %s OR m.via = %s", (RULE_PREFIX + "%", VIA_ARCHIVE))
    for etype, name, start, end, surface, via in rows:
        yield Mention(etype, name, start, end, surface, via)
    titles = conn.execute(
        f"SELECT title, title_mentions FROM {S}.reports WHERE title_mentions::text LIKE %s "
        "OR title_mentions::text LIKE %s", ("%" + RULE_PREFIX + "%", f'%"{VIA_ARCHIVE}"%'))
    for title, mentions in titles:
        for m in mentions:
            surface = m[5] if len(m) > 5 else title[m[2]:m[3]]
            yield Mention(m[0], m[1], m[2], m[3], surface, m[4])


def _touched(conn, spread: Spreader, since) -> list[tuple[str, str, object]]:
    """(id, source_abs, ingested_at) of the reports a pass would change: every report, or
    those written at or after `since` (the server's clock), read as a stream of sections
    with their stored mentions, as the embedded engines stream their section documents."""
    where, params = ("WHERE r.ingested_at >= %s", (since,)) if since is not None else ("", ())
    touched: dict[str, tuple] = {}
    with conn.transaction():
        with conn.cursor(name="report_archive_harmonise") as cur:
            cur.itersize = 500
            cur.execute(
                f"SELECT r.id, r.source_abs, r.ingested_at, s.ord, s.body, s.heading, r.title, "
                f"r.title_mentions, coalesce((SELECT json_agg(json_build_array(m.in_heading, "
                f"m.type, m.name, m.start_at, m.end_at, m.surface, m.via) ORDER BY m.ord) "
                f"FROM {S}.mentions m WHERE m.section_id = s.id), '[]') FROM {S}.sections s "
                f"JOIN {S}.reports r ON r.id = s.report_id {where}", params)
            for rid, source_abs, at, order, body, heading, title, title_rows, rows in cur:
                if rid in touched:
                    continue
                heads = [r[1:] for r in rows if r[0]]
                own = [r[1:] for r in rows if not r[0]]
                texts = [(body, _pg_write._mentions(own, body)),
                         (heading, _pg_write._mentions(heads, heading))]
                if order == 0:
                    texts.append((title, _title_mentions(title, title_rows)))
                if any(spread.apply(text, mentions) != mentions for text, mentions in texts):
                    touched[rid] = (rid, source_abs, at)
    return sorted(touched.values())


def _title_mentions(title: str, rows) -> tuple[Mention, ...]:
    return tuple(Mention(m[0], m[1], m[2], m[3], m[5] if len(m) > 5 else title[m[2]:m[3]], m[4])
                 for m in rows)


def _recorded_learned(conn) -> str | None:
    row = conn.execute(f"SELECT value FROM {S}.settings WHERE name = 'learned'").fetchone()
    return row[0] if row is not None else None


def _archive_cues(conn, evidence) -> None:
    """Feed every section's text and heading to `evidence` (an ArchiveEvidence), streamed."""
    with conn.transaction():
        with conn.cursor(name="report_archive_cues") as cur:
            cur.itersize = 1000
            # with each section its mention spans: a word inside a mention is part of that
            # name, not a name of its own (see ArchiveEvidence.add)
            cur.execute(f"SELECT s.body, s.heading, (SELECT array_agg(ARRAY[m.start_at, m.end_at, "
                        f"m.in_heading::int]) FROM {S}.mentions m WHERE m.section_id = s.id) "
                        f"FROM {S}.sections s")
            for body, heading, spans in cur:
                spans = spans or ()
                evidence.add(body, [(a, b) for a, b, h in spans if not h])
                evidence.add(heading, [(a, b) for a, b, h in spans if h])


def harmonise(conn, since=None, matcher=None) -> int:
    """Make rule-found names consistent across the archive; the number of reports rewritten.
    `conn` is an autocommit connection to the primary; with `matcher` (rules on), the
    archive's summed cues type names too. When the learned names are those the
    last pass recorded, only the reports written since `since` (this run's start on the
    server's clock) can need them; otherwise every report is looked at."""
    conn.execute("SELECT pg_advisory_lock(%s)", (_PASS_LOCK,))
    try:
        return _harmonise(conn, since, matcher)
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (_PASS_LOCK,))


def _harmonise(conn, since, matcher) -> int:
    from ingest.entity_cues import ArchiveEvidence
    from search._consistency import _apply

    learned = learn(_rule_mentions(conn))
    if matcher is not None and matcher.rules:
        # The contexts a name recurs in across the archive type it too (as in
        # search._consistency), except names the configuration knows or rejects.
        evidence = ArchiveEvidence()
        _archive_cues(conn, evidence)
        learned = {**{s: v for s, v in evidence.learned().items() if not matcher.configured(s)},
                   **learned}
    if not learned:
        return 0
    spread = Spreader(learned, via=VIA_ARCHIVE)
    value = json.dumps(sorted([s, list(v)] for s, v in spread.learned.items()))
    recorded = _recorded_learned(conn)
    if recorded != value:
        since = None
    count = 0
    for rid, source_abs, written_at in _touched(conn, spread, since):
        report = _pg_read.report(conn, rid)
        if report is None:
            continue
        new = _apply(report, spread)
        if new != report and _pg_write.rewrite(conn, new, source_abs, written_at):
            count += 1
    if recorded != value:  # recorded once the pass is done: a killed pass is run again
        conn.execute(f"INSERT INTO {S}.settings VALUES ('learned', %s) ON CONFLICT (name) "
                     "DO UPDATE SET value = excluded.value", (value,))
    return count

"""Archive-wide entity consistency for a PostgreSQL index (the embedded engines' counterpart
is `search._consistency.harmonise`, whose voting and spreading this module reuses).

At the end of an ingest run that changed the index, the names the open-class rules typed
anywhere in the archive are voted one (type, canonical name) per surface
(`ingest.entity_consistency.learn`), and every report that writes such a surface without
that mention is rewritten with it (``via="archive"``), so an entity page gathers every
month that names it. The rule-found mentions come from the ``mentions`` table and the
reports' title mentions; the reports to look at are those whose sections match a learned
surface in the full-text index (a superset, checked in Python as the embedded engines do).

Other writers may run meanwhile: a report is rewritten only if it is still the version
that was read (`_pg_write.rewrite`), so a newer version another worker wrote is never
overwritten; the next run's pass brings that one in line.
"""

from __future__ import annotations

from ingest.entity_consistency import Spreader, learn
from ingest.model import RULE_PREFIX, VIA_ARCHIVE, Mention
from search import _pg_read, _pg_write
from search._pg_schema import CONFIG, SCHEMA

S = SCHEMA


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


def _candidates(conn, surfaces: list[str]) -> list[str]:
    """Ids of the reports with a section that may write one of `surfaces` (a superset:
    the full-text index for surfaces with words, a substring scan for the rest)."""
    rows = conn.execute(f"SELECT s, plainto_tsquery('{CONFIG}', s)::text FROM unnest(%s::text[])"
                        " AS s", (surfaces,)).fetchall()
    tsq = " | ".join(f"({t})" for _, t in rows if t)
    bare = ["%" + _pg_like(s) + "%" for s, t in rows if not t]
    found = conn.execute(
        f"SELECT DISTINCT s.report_id FROM {S}.sections s WHERE "
        "(%s <> '' AND s.tsv @@ to_tsquery(%s)) OR s.body ILIKE ANY(%s) "
        "OR s.heading ILIKE ANY(%s) OR s.title ILIKE ANY(%s) ORDER BY 1",
        (tsq, tsq or "x", bare, bare, bare)).fetchall()
    return [r[0] for r in found]


def _pg_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def harmonise(conn) -> int:
    """Make rule-found names consistent across the archive; the number of reports rewritten.
    `conn` is an autocommit connection to the primary."""
    from search._consistency import _apply

    learned = learn(_rule_mentions(conn))
    if not learned:
        return 0
    spread = Spreader(learned, via=VIA_ARCHIVE)
    count = 0
    for rid in _candidates(conn, sorted(spread.learned)):
        # The version read first: the rewrite happens only if nobody wrote it since.
        row = conn.execute(f"SELECT source_abs, ingested_at FROM {S}.reports WHERE id = %s",
                           (rid,)).fetchone()
        report = _pg_read.report(conn, rid) if row is not None else None
        if report is None:
            continue
        new = _apply(report, spread)
        if new != report and _pg_write.rewrite(conn, new, row[0], row[1]):
            count += 1
    return count

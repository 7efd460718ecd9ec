"""Reading reports and the archive's summary back from the PostgreSQL index (by SQL).

The summary (reports listed, entities with their counts and first/last month, stats) is
computed from the ``reports`` table, one row per report with its entity counts, so it is
as current as the last committed report whichever machine wrote it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

from psycopg.rows import dict_row

from ingest.model import ENTITY_TYPES, Report
from search import _pg_write
from search._pg_schema import SCHEMA

S = SCHEMA
_TYPE_ORDER = {t: i for i, t in enumerate(ENTITY_TYPES)}


def report(conn, report_id: str) -> Report | None:
    """The stored `Report` with this id, or None."""
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(f"SELECT * FROM {S}.reports WHERE id = %s", (report_id,)).fetchone()
        if row is None:
            return None
        sections = cur.execute(
            f"SELECT id, ord, anchor, heading, level, page, body FROM {S}.sections "
            "WHERE report_id = %s ORDER BY ord", (report_id,)).fetchall()
    ids = [s["id"] for s in sections]
    mentions = conn.execute(
        f"SELECT section_id, in_heading, type, name, start_at, end_at, surface, via "
        f"FROM {S}.mentions WHERE section_id = ANY(%s) ORDER BY section_id, ord",
        (ids,)).fetchall() if ids else []
    return _pg_write.rebuild(row, sections, mentions)


def summary(conn) -> dict:
    """The summary in the form `search._aggregate` gives (reports, entities, stats)."""
    from search._aggregate import archive_roots

    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            f"SELECT id, title, period, format, source, pages, section_count AS sections, "
            f"jsonb_array_length(entities) AS entities, source_abs, sha256 FROM {S}.reports "
            "ORDER BY coalesce(period, '9999-99'), title, id").fetchall()
        ents = cur.execute(
            f"SELECT e->>0 AS type, e->>1 AS name, count(*) AS reports, "
            f"sum((e->>2)::int) AS mentions, min(r.period) AS first_seen, "
            f"max(r.period) AS last_seen FROM {S}.reports r, "
            "jsonb_array_elements(r.entities) e GROUP BY 1, 2").fetchall()
        last = cur.execute(f"SELECT to_char(max(ingested_at) AT TIME ZONE 'UTC', "
                           f"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS t FROM {S}.reports").fetchone()
    entities = sorted(({**e, "reports": int(e["reports"]), "mentions": int(e["mentions"])}
                       for e in ents),
                      key=lambda e: (_TYPE_ORDER.get(e["type"], 99), -e["mentions"],
                                     e["name"].lower()))
    by_type: dict[str, int] = defaultdict(int)
    for e in entities:
        by_type[e["type"]] += 1
    formats: dict[str, int] = defaultdict(int)
    for r in rows:
        formats[r["format"]] += 1
    periods = [r["period"] for r in rows if r["period"]]
    return {
        "reports": rows,
        "entities": entities,
        "stats": {
            "reports": len(rows), "sections": sum(r["sections"] for r in rows),
            "entities_by_type": {t: by_type[t] for t in ENTITY_TYPES if by_type.get(t)},
            "formats": dict(sorted(formats.items())),
            "first_period": min(periods) if periods else None,
            "last_period": max(periods) if periods else None,
            "last_updated": last["t"] if last else None,
            "roots": archive_roots(r["source_abs"] for r in rows),
        },
    }


#: How long a read of the stored --entities file is trusted (another machine may change it).
ENTITIES_TTL = 30.0
_entities_seen: dict[str, tuple[float, Path | None]] = {}
_entities_lock = threading.Lock()
#: The read servers of each open index (so this lookup, too, goes to a replica).
READERS: dict = {}


def _settings_row(conn):
    found = conn.execute("SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = %s "
                         "AND tablename = 'settings'", (SCHEMA,)).fetchone()
    return conn.execute(f"SELECT value FROM {S}.settings WHERE name = 'entities'"
                        ).fetchone() if found else None


def entities_copy(url: str) -> Path | None:
    """A local file holding the --entities configuration the index was built with (from its
    ``settings`` table, re-read every `ENTITIES_TTL` seconds), or None when it has none."""
    now = time.monotonic()
    seen = _entities_seen.get(url)
    if seen is not None and now - seen[0] < ENTITIES_TTL:
        return seen[1]
    from search._pg_conn import connect

    with _entities_lock:
        readers = READERS.get(url)
        if readers is not None:
            row = readers.run(_settings_row)
        else:
            conn = connect(url)
            try:
                row = _settings_row(conn)
            finally:
                conn.close()
        path = None
        if row is not None:
            digest = hashlib.sha256(row[0].encode("utf-8")).hexdigest()[:16]
            path = Path(tempfile.gettempdir()) / f"report-archive-entities-{digest}.toml"
            if not path.exists():  # named by its content: written once, never changed
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(row[0], encoding="utf-8")
                os.replace(tmp, path)
        _entities_seen[url] = (now, path)
        return path

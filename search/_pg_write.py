"""Writing reports into the PostgreSQL index: each report replaced in one transaction.

Many writers (processes, machines) may write at once; none takes a lock for its whole run.
`put` serialises only the writers of *one report id*, with a transaction-scoped advisory
lock on that id, then inside the same transaction writes the report: a new one is
inserted; a changed one keeps its rows (and section ids) and only the sections whose
content changed are updated in place (each row carries a digest of what it was written
from), the ones past its new end deleted and new ones inserted, so a re-ingest or the
archive pass leaves dead rows only where something changed (table bloat stays bounded by
autovacuum, see `_pg_schema`). So:

- a reader sees the old report or the new one, never a mix;
- the same file written by two workers at once ends as one report: the second finds the
  first one's sha256 once the lock is free and does nothing;
- a killed writer's transaction is rolled back by the server: no half-written report.

Vocabulary words go in after the report commits, in their own statement, in sorted order
(two writers adding the same new words cannot deadlock); a word left by a killed writer or
a removed report is harmless, since frequencies are counted from the sections.
"""

from __future__ import annotations

import hashlib
import json
import re
import weakref

from ingest.model import Mention, Report, Section
from search._pg_schema import CONFIG, MAX_SECTIONS, SCHEMA

S = SCHEMA
#: Joins type and name in an entity facet value (see `facet_lexemes`), as in the Whoosh index.
KEY_SEP = "\x1f"
_SERIES = re.compile(r"^([A-Za-z]+)-[0-9]")
#: Words the vocabulary keeps: letters only (IDs and numbers are never corrected).
_WORD = re.compile(r"[^\W\d_]{2,30}")
#: The weighted document of a section: entity names A, heading B, title C, body D. Angle
#: brackets become spaces first: PostgreSQL's parser would drop "<script>" as an HTML tag,
#: and report text is text (a report that quotes markup is searchable by its words).
#: Packed (see `_pg_schema`): stop words and single letters hold no position.
TSV = f"{S}.packed(" + " || ".join(
    f"setweight(to_tsvector('{CONFIG}', translate(%({field})s, '<>', '  ')), '{weight}')"
    for field, weight in (("names", "A"), ("heading", "B"), ("title", "C"), ("body", "D"))) + ")"
#: The columns of a section row written from Python (tsv is computed from them by SQL).
_COLUMNS = ("report_id", "ord", "anchor", "heading", "level", "page", "body", "title",
            "period", "year", "format", "entity_names", "series", "etypes", "facet_ids", "digest")
_VALUES = {c: f"%({c})s" for c in _COLUMNS} | {"tsv": TSV}
_INSERT_SECTION = (f"INSERT INTO {S}.sections (id, {', '.join(_VALUES)}) VALUES "
                   f"(%(id)s, {', '.join(_VALUES.values())})")
_UPDATE_SECTION = (f"UPDATE {S}.sections SET "
                   + ", ".join(f"{c} = {v}" for c, v in _VALUES.items()) + " WHERE id = %(id)s")
#: The same when the text the tsvector is made of is unchanged (the archive pass changes
#: mentions of types and via, seldom the names): the tsvector is not computed again.
_UPDATE_SECTION_SAME_TEXT = (f"UPDATE {S}.sections SET "
                             + ", ".join(f"{c} = {v}" for c, v in _VALUES.items() if c != "tsv")
                             + " WHERE id = %(id)s")
#: A facet value longer than this (UTF-8 bytes) is left out of the section's facet
#: lexemes: tsvector lexemes hold at most 2,047 bytes (a heading that long is no heading).
FACET_MAX_BYTES = 2000
_COPY_MENTIONS = (f"COPY {S}.mentions (section_id, ord, in_heading, type, name, start_at, "
                  "end_at, surface, via) FROM STDIN")


def clean(text: str) -> str:
    """PostgreSQL text cannot hold NUL: a space keeps every offset where it was."""
    return text.replace("\x00", " ")


def series_of(name: str) -> str | None:
    """The ID series of an entity name (``DMTN`` for ``DMTN-208``), or None."""
    m = _SERIES.match(name)
    return m.group(1) if m else None


def _unique(values) -> list:
    return list(dict.fromkeys(v for v in values if v))


def words_of(report: Report) -> list[str]:
    """The report's vocabulary: lower-cased words of its text, headings and title, and its
    one-word entity names, sorted."""
    words = set(_WORD.findall(report.title.lower()))
    for s in report.sections:
        words.update(_WORD.findall(s.text.lower()))
        words.update(_WORD.findall(s.heading.lower()))
    words.update(m.name.lower() for m in report.mentions if m.name.isalpha())
    return sorted(w for w in words if len(w) <= 30)


def _stored(m: Mention, text: str) -> list:
    return [m.type, m.name, m.start, m.end, m.via] + \
        ([m.surface] if m.surface != text[m.start:m.end] else [])


def put(conn, report: Report, source_abs: str, started) -> tuple[str, str | None]:
    """Write `report` in one transaction: ("added" | "updated" | "unchanged", None), or
    ("failed", reason) when a different file of this run (written since `started`, the
    run's start on the server's clock) already gave a report this id."""
    if len(report.sections) > MAX_SECTIONS:
        return "failed", (f"{source_abs}: {len(report.sections):,} sections, more than the "
                          f"{MAX_SECTIONS:,} one report may have")
    fields = list(_section_fields(report))
    ids = facet_ids(conn, fields)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                     ("report:" + report.id,))
        row = conn.execute(f"SELECT sha256, source_abs, ingested_at >= %s, block "
                           f"FROM {S}.reports WHERE id = %s", (started, report.id)).fetchone()
        if row is not None and row[0] == report.sha256:
            return "unchanged", None
        if row is not None and row[2] and row[1] != source_abs:
            return "failed", (f"{source_abs}: report id {report.id!r} is also produced by "
                              f"{row[1]}; rename one of the files")
        _write(conn, report, source_abs, row[3] if row is not None else None, fields, ids)
    add_words(conn, words_of(report))
    return ("updated" if row is not None else "added"), None


#: The vocabulary words each connection has added (or found there): a writer sends only the
#: words it has not sent before, after its first reports a few per report.
_WORDS_SENT: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def add_words(conn, words: list[str]) -> None:
    """Add `words` (sorted) to the vocabulary, those this connection has not added yet."""
    sent = _WORDS_SENT.setdefault(conn, set())
    new = [w for w in words if w not in sent]
    if new:
        conn.execute(f"INSERT INTO {S}.vocabulary SELECT w FROM unnest(%s::text[]) AS w "
                     "ORDER BY w ON CONFLICT DO NOTHING", (new,))
        sent.update(new)


def rewrite(conn, report: Report, source_abs: str, written_at) -> bool:
    """Replace a stored report with `report` (same file, other mentions) only if it is still
    the version written at `written_at`; whether it was replaced (one transaction)."""
    fields = list(_section_fields(report))
    ids = facet_ids(conn, fields)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                     ("report:" + report.id,))
        row = conn.execute(f"SELECT ingested_at, block FROM {S}.reports WHERE id = %s",
                           (report.id,)).fetchone()
        if row is None or row[0] != written_at:
            return False
        _write(conn, report, source_abs, row[1], fields, ids)
    return True


def _write(conn, report: Report, source_abs: str, block: int | None,
           fields: list, ids: dict[str, int]) -> None:
    """Insert `report` (`block` None) or bring its stored rows (of that block) in line with
    it: the report row updated, sections updated only where their digest changed."""
    title = clean(report.title)
    entities = [[e.type, e.name, e.count] for e in report.entity_counts()]
    values = (title, report.period, report.format, report.source, source_abs, report.sha256,
              report.pages, len(report.sections), json.dumps(entities),
              json.dumps([_stored(m, report.title) for m in report.title_mentions]))
    stored: dict[int, str] = {}
    if block is None:
        block = conn.execute(
            f"INSERT INTO {S}.reports (id, block, title, period, format, source, source_abs, "
            "sha256, pages, section_count, entities, title_mentions, ingested_at) "
            f"VALUES (%s, nextval('{S}.report_blocks'), %s, %s, %s, %s, %s, %s, %s, %s, %s, "
            "%s, clock_timestamp()) RETURNING block", (report.id,) + values).fetchone()[0]
    else:
        conn.execute(
            f"UPDATE {S}.reports SET title = %s, period = %s, format = %s, source = %s, "
            "source_abs = %s, sha256 = %s, pages = %s, section_count = %s, entities = %s, "
            "title_mentions = %s, ingested_at = clock_timestamp() WHERE id = %s",
            values + (report.id,))
        stored = dict(conn.execute(f"SELECT ord, digest FROM {S}.sections WHERE report_id = %s",
                                   (report.id,)).fetchall())
        conn.execute(f"DELETE FROM {S}.sections WHERE report_id = %s AND ord >= %s",
                     (report.id, len(report.sections)))
    inserts, updates, same_text, mentions = [], [], [], []
    for row, own in _section_rows(fields, block, ids):
        old = stored.get(row["ord"])
        if old is None:
            inserts.append(row)
        elif old == row["digest"]:
            continue  # written from the same content: the row stays as it is
        elif old[:_TEXT_HEX] == row["digest"][:_TEXT_HEX]:
            same_text.append(row)
        else:
            updates.append(row)
        mentions.extend(own)
    with conn.cursor() as cur:
        if updates or same_text:
            cur.execute(f"DELETE FROM {S}.mentions WHERE section_id = ANY(%s)",
                        ([r["id"] for r in updates + same_text],))
        if updates:
            cur.executemany(_UPDATE_SECTION, updates)
        if same_text:
            cur.executemany(_UPDATE_SECTION_SAME_TEXT, same_text)
        if inserts:
            cur.executemany(_INSERT_SECTION, inserts)
        if mentions:
            # COPY: one stream for the report's mentions (tens per section), not an
            # INSERT each (measured the larger part of both sides' per-row work)
            with cur.copy(_COPY_MENTIONS) as copy:
                for m in mentions:
                    copy.write_row(m)


def _section_fields(report: Report):
    """(section, its row without id, digest and facet ids; with its facet values) of each
    section of `report`: what the row is written from."""
    period = report.period
    title = clean(report.title)
    for order, s in enumerate(report.sections):
        # The title's mentions count with the first section, as in the embedded engines.
        every = (report.title_mentions if order == 0 else ()) + s.all_mentions
        names = _unique(m.name for m in every)
        row = {
            "report_id": report.id, "ord": order, "anchor": s.anchor,
            "heading": clean(s.heading), "level": s.level, "page": s.page,
            "body": clean(s.text), "title": title, "period": period,
            "year": period[:4] if period else None, "format": report.format,
            "entity_names": [n.lower() for n in names],
            "series": _unique((series_of(n) or "").lower() for n in names),
            "etypes": _unique(m.type for m in every), "names": " ".join(names),
        }
        row["facets"] = facet_lexemes(row, _unique(f"{m.type}{KEY_SEP}{m.name}" for m in every))
        yield s, row


def _section_rows(fields, block: int, ids: dict[str, int]):
    """(row, mention rows) of each section of the `fields` (`_section_fields`) of a report
    written in `block`, its digest over both; `ids` numbers its facet values."""
    for s, row in fields:
        row = dict(row)
        order = row["ord"]
        sid = block << 16 | order
        row["id"] = sid
        row["facet_ids"] = [ids[v] for v in row.pop("facets")]
        own = [(sid, i, True, m.type, m.name, m.start, m.end, _surface(m, s.heading), m.via)
               for i, m in enumerate(s.heading_mentions)]
        base = len(s.heading_mentions)
        own += [(sid, base + i, False, m.type, m.name, m.start, m.end, _surface(m, s.text),
                 m.via) for i, m in enumerate(s.mentions)]
        # what the row and its mentions are written from (the id is the block's, kept),
        # led by a digest of the text its tsvector is made of
        text = [row["names"], row["heading"], row["title"], row["body"]]
        row["digest"] = _digest(text) + _digest(
            [[row[c] for c in _COLUMNS if c not in ("facet_ids", "digest")], text,
             [m[1:] for m in own]])
        yield row, own


#: Hex digits of a section digest that cover its tsvector's text (the rest: everything).
_TEXT_HEX = 16


def _digest(value) -> str:
    return hashlib.blake2b(json.dumps(value).encode("utf-8"), digest_size=8).hexdigest()


#: The facet a section's facet value counts for, by its first character (see
#: `facet_lexemes`).
FACET_PREFIX = {"year": "y", "format": "f", "heading": "h", "etype": "t", "entkey": "e"}


def facet_lexemes(row: dict, entity_keys: list[str]) -> list[str]:
    """The section's facet values as lexemes, one per facet value, each led by its facet's
    letter (``y2021``, ``fpdf``, ``hTechnical Progress``, ``tsystem``, ``esystem\x1fButler``)."""
    p = FACET_PREFIX
    values = [p["heading"] + row["heading"], p["format"] + row["format"]]
    if row["year"]:
        values.append(p["year"] + row["year"])
    values += [p["etype"] + t for t in row["etypes"]]
    values += [p["entkey"] + k for k in entity_keys]
    return [v for v in dict.fromkeys(values) if len(v.encode("utf-8")) <= FACET_MAX_BYTES]


#: Each connection's facet value ids learnt so far (a value's id never changes, so a writer
#: asks the server only for the values it has not met: after its first reports, rarely).
_FACET_IDS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def facet_ids(conn, fields) -> dict[str, int]:
    """{facet value: its id in ``facet_values``} for every facet value of the sections'
    `fields` (`_section_fields`). New values are added in their own (autocommitted)
    statement, before the report's transaction and in sorted order, as the vocabulary is:
    two writers adding the same new values cannot deadlock, and neither waits for the
    other's report. A value left by a killed writer or a removed report counts nowhere
    (facets are counted from the sections)."""
    known = _FACET_IDS.setdefault(conn, {})
    values = {v for _, row in fields for v in row["facets"]}
    missing = sorted(v for v in values if v not in known)
    if missing:
        known.update(conn.execute(
            f"WITH new AS (INSERT INTO {S}.facet_values (value) SELECT v FROM "
            "unnest(%s::text[]) AS v ORDER BY v ON CONFLICT DO NOTHING RETURNING value, id) "
            f"SELECT value, id FROM new UNION ALL SELECT value, id FROM {S}.facet_values "
            "WHERE value = ANY(%s)", (missing, missing)).fetchall())
        if any(v not in known for v in missing):
            # A value another writer added while the insert waited for its commit: the
            # statement's snapshot predates it, a new statement's does not.
            known.update(conn.execute(f"SELECT value, id FROM {S}.facet_values "
                                      "WHERE value = ANY(%s)", (missing,)).fetchall())
    return known


def _surface(m: Mention, text: str) -> str | None:
    return None if m.surface == text[m.start:m.end] else m.surface


def delete_unchanged(conn, report_id: str, sha256: str, before) -> bool:
    """Remove a report only if it is still the version we looked at (same sha256, written
    before `before`): a report another worker has just (re)added survives a prune."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                     ("report:" + report_id,))
        done = conn.execute(f"DELETE FROM {S}.reports WHERE id = %s AND sha256 = %s "
                            "AND ingested_at < %s", (report_id, sha256, before))
        return done.rowcount > 0


def known(conn) -> dict[str, dict]:
    """Indexed reports by id: sha256, absolute source path and when each was written."""
    rows = conn.execute(f"SELECT id, sha256, source_abs, ingested_at FROM {S}.reports")
    return {r[0]: {"sha256": r[1], "source_abs": r[2], "ingested_at": r[3]} for r in rows}


def rebuild(report_row: dict, section_rows: list[dict], mention_rows: list[tuple]) -> Report:
    """The `Report` from its rows: the report row, its sections (ordered) and mentions
    as (section_id, in_heading, type, name, start, end, surface, via) ordered by ord."""
    by_section: dict[int, tuple[list, list]] = {}
    for sid, in_heading, etype, name, start, end, surface, via in mention_rows:
        by_section.setdefault(sid, ([], []))[0 if in_heading else 1].append(
            (etype, name, start, end, surface, via))
    sections = []
    for row in section_rows:
        heads, body = by_section.get(row["id"], ([], []))
        sections.append(Section(
            heading=row["heading"], level=row["level"], anchor=row["anchor"], text=row["body"],
            page=row["page"], mentions=_mentions(body, row["body"]),
            heading_mentions=_mentions(heads, row["heading"])))
    title = report_row["title"]
    title_mentions = tuple(
        Mention(type=m[0], name=m[1], start=m[2], end=m[3],
                surface=m[5] if len(m) > 5 else title[m[2]:m[3]], via=m[4])
        for m in report_row["title_mentions"])
    return Report(id=report_row["id"], title=title, period=report_row["period"],
                  source=report_row["source"], format=report_row["format"],
                  sha256=report_row["sha256"], pages=report_row["pages"],
                  sections=tuple(sections), title_mentions=title_mentions)


def _mentions(rows, text: str) -> tuple[Mention, ...]:
    return tuple(Mention(type=t, name=n, start=a, end=b,
                         surface=s if s is not None else text[a:b], via=v)
                 for t, n, a, b, s, v in rows)

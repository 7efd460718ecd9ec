"""The PostgreSQL engine's tables, created on first use and versioned.

Everything lives in one PostgreSQL schema, ``report_archive``, so the index (derived data,
like the embedded engines' directories) can be dropped whole with one statement:

- ``reports``: one row per report (metadata, entity counts as JSON) keyed by the report id;
- ``sections``: one row per section with a weighted ``tsvector`` (entity names A, heading
  B, title C, body D) under a GIN index, the filter columns (period, year, format) and the
  entity names, series and types as arrays (GIN) so filters are index lookups; its facet
  values as the ids of ``facet_values`` (``facet_ids``, an integer array: a match set's
  facets are counted in one pass over small integers, then the few distinct ones named),
  and a digest of what the row was written from (a re-ingest updates only the sections
  whose digest changed);
- ``facet_values``: each facet value (``y2021``, ``hSummary``, ``esystem\x1fButler``, see
  `_pg_write.facet_lexemes`) once, with its id;
- ``mentions``: the entity mentions of section bodies and headings at their character
  offsets, one row each (a title's mentions are JSON on its report row);
- ``vocabulary``: the words of the archive, under a ``pg_trgm`` index, for typo correction;
- ``settings``: the extra entity configuration the index was built with (its aliases
  resolve at query time on every machine);
- ``schema_version``: the one number this module checks before any read or write.

A section's ``tsvector`` is ``packed``: its positions are renumbered without the places of
stop words and single letters (which to_tsvector leaves empty), so a phrase reads stop words
as the embedded engines do: "status butler" finds "status of the Butler" (version 2);
``phrase(text)`` reads a query's words the same way.

A section's id is ``block << 16 | order``: ``block`` is drawn once per report write from a
sequence, so the sections of one report have consecutive ids even while other writers
insert theirs (the ranking looks at a section's neighbours as id +-1, +-2).
"""

from __future__ import annotations

from search._pg_conn import IndexUnavailableError

SCHEMA = "report_archive"
#: Bump when the tables change; `check` then tells the user what to run.
#: 2: section tsvectors packed (positions without stop words and single letters), facet
#: lexemes and digests on sections, autovacuum sooner on the tables rows are updated in.
#: 3: facet values as integer ids (``facet_values``), counted 20-30 % cheaper than text.
#: 4: evidence rows name the run whose pass has yet to check their report (``run``).
SCHEMA_VERSION = 4
#: Most sections one report may have: the low bits of a section id.
MAX_SECTIONS = 1 << 16
#: The text search configuration: English stemming and stop words, as the Whoosh engine.
CONFIG = "english"
#: Advisory lock key held while the tables are created (any 64-bit number of our own).
_CREATE_LOCK = 0x7265706f72740001

DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE EXTENSION IF NOT EXISTS pg_trgm;
-- `v` with its positions renumbered 1, 2, ... over the places that hold a lexeme, single
-- letters dropped: stop words (to_tsvector keeps their places empty) and single letters
-- then hold no place, as in the embedded engines' analyzers. Weights are kept. (A lexeme
-- past to_tsvector's 256 positions has lost the later ones: its places close up too.)
-- PL/pgSQL, not SQL: a SQL function this complex is not inlined, and a writer's insert
-- plans its statement again for every row; PL/pgSQL keeps the plan for the session
-- (measured: half the cost of a section's tsvector). The tsvector's text input sorts
-- each lexeme's positions itself.
CREATE FUNCTION {SCHEMA}.packed(v tsvector) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
RETURN (SELECT coalesce(string_agg(l, ' '), '')::tsvector FROM (
    SELECT '''' || replace(replace(lexeme, '\\', '\\\\'), '''', '''''') || ''':'
           || string_agg(r::text || w, ',') AS l
    FROM (SELECT u.lexeme, x.w, dense_rank() OVER (ORDER BY x.p) AS r
          FROM unnest(v) u, unnest(u.positions, u.weights) AS x(p, w)
          WHERE length(u.lexeme) > 1 OR upper(u.lexeme) = lower(u.lexeme)) y
    GROUP BY lexeme) z);
END
$$;
-- The words of `t` as a phrase of the packed documents: its lexemes in order, each next to
-- the one before ('status' <-> 'butler' for "status of the Butler"); empty for stop words.
CREATE FUNCTION {SCHEMA}.phrase(t text) RETURNS tsquery
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT coalesce(string_agg('''' || replace(replace(u.lexeme, '\\', '\\\\'), '''', '''''')
                           || '''', ' <-> ' ORDER BY x.p), '')::tsquery
FROM unnest({SCHEMA}.packed(to_tsvector('{CONFIG}', t))) u, unnest(u.positions) AS x(p)
$$;
CREATE TABLE {SCHEMA}.reports (
    id          text PRIMARY KEY,
    block       bigint NOT NULL UNIQUE,
    title       text NOT NULL,
    period      text,
    format      text NOT NULL,
    source      text NOT NULL,
    source_abs  text NOT NULL,
    sha256      text NOT NULL,
    pages       integer,
    section_count integer NOT NULL,
    entities    jsonb NOT NULL,
    title_mentions jsonb NOT NULL,
    ingested_at timestamptz NOT NULL
);
CREATE INDEX reports_sha256 ON {SCHEMA}.reports (sha256);
CREATE INDEX reports_ingested ON {SCHEMA}.reports (ingested_at);
CREATE SEQUENCE {SCHEMA}.report_blocks;
CREATE TABLE {SCHEMA}.sections (
    id          bigint PRIMARY KEY,
    report_id   text NOT NULL REFERENCES {SCHEMA}.reports (id) ON DELETE CASCADE,
    ord         integer NOT NULL,
    anchor      text NOT NULL,
    heading     text NOT NULL,
    level       integer NOT NULL,
    page        integer,
    body        text NOT NULL,
    title       text NOT NULL,
    period      text,
    year        text,
    format      text NOT NULL,
    entity_names text[] NOT NULL,
    series      text[] NOT NULL,
    etypes      text[] NOT NULL,
    facet_ids   integer[] NOT NULL,
    digest      text NOT NULL,
    tsv         tsvector NOT NULL
) WITH (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.05);
CREATE INDEX sections_tsv ON {SCHEMA}.sections USING gin (tsv);
CREATE INDEX sections_entity_names ON {SCHEMA}.sections USING gin (entity_names);
CREATE INDEX sections_series ON {SCHEMA}.sections USING gin (series);
CREATE INDEX sections_report ON {SCHEMA}.sections (report_id);
CREATE INDEX sections_period ON {SCHEMA}.sections (period);
CREATE TABLE {SCHEMA}.mentions (
    section_id  bigint NOT NULL REFERENCES {SCHEMA}.sections (id) ON DELETE CASCADE,
    ord         integer NOT NULL,
    in_heading  boolean NOT NULL,
    type        text NOT NULL,
    name        text NOT NULL,
    start_at    integer NOT NULL,
    end_at      integer NOT NULL,
    surface     text,
    via         text NOT NULL,
    PRIMARY KEY (section_id, ord)
) WITH (autovacuum_vacuum_scale_factor = 0.05);
CREATE INDEX mentions_name ON {SCHEMA}.mentions (lower(name));
CREATE TABLE {SCHEMA}.facet_values (
    id          integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    value       text NOT NULL UNIQUE
);
CREATE TABLE {SCHEMA}.vocabulary (word text PRIMARY KEY);
CREATE INDEX vocabulary_trgm ON {SCHEMA}.vocabulary USING gin (word gin_trgm_ops);
CREATE TABLE {SCHEMA}.settings (name text PRIMARY KEY, value text NOT NULL);
CREATE TABLE {SCHEMA}.schema_version (version integer NOT NULL);
INSERT INTO {SCHEMA}.schema_version VALUES ({SCHEMA_VERSION});
"""


class SchemaError(IndexUnavailableError):
    """The database holds tables of another report-archive version; says what to run."""


def installed_version(conn) -> int | None:
    """The schema version the database holds, or None when it holds no index yet."""
    # A query of the catalog table (a fresh snapshot), not to_regclass(), which may answer
    # from this backend's cache while another writer has just created the tables.
    row = conn.execute("SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = %s AND "
                       "tablename = 'schema_version'", (SCHEMA,)).fetchone()
    if row is None:
        return None
    found = conn.execute(f"SELECT max(version) FROM {SCHEMA}.schema_version").fetchone()
    return found[0] if found and found[0] is not None else 0


def check(version: int | None, where: str) -> None:
    """Raise SchemaError unless `version` (from `installed_version`) is ours or None."""
    if version is None or version == SCHEMA_VERSION:
        return
    if version < SCHEMA_VERSION:
        raise SchemaError(
            f"The index at {where} has schema version {version}, older than the version "
            f"{SCHEMA_VERSION} this report-archive uses. The index is derived data: drop it "
            f"with  psql '{where}' -c 'DROP SCHEMA {SCHEMA} CASCADE'  and run "
            f"report-archive ingest --index '{where}' PATHS  again.")
    raise SchemaError(
        f"The index at {where} has schema version {version}, newer than the version "
        f"{SCHEMA_VERSION} this report-archive knows: another machine runs a newer "
        "report-archive. Upgrade this one (pip install -U report-archive) and run the "
        "command again.")


def ensure_table(conn, table: str, ddl: str) -> None:
    """Create `table` with `ddl` if the schema has none (tables of derived data added within
    a schema version). Looked up first, and again under the creation lock: two first
    writers at once, the second waits, then finds the table."""
    def missing() -> bool:
        return conn.execute("SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = %s AND "
                            "tablename = %s", (SCHEMA, table)).fetchone() is None

    if missing():
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_CREATE_LOCK,))
            if missing():
                conn.execute(ddl)


def ensure(conn, where: str) -> None:
    """Create the tables if the database has none (once, whoever comes first), else check
    their version. `conn` is in autocommit mode; `where` names the database in errors."""
    version = installed_version(conn)
    if version is None:
        with conn.transaction():
            # Two first writers at once: the second waits here, then finds the tables.
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_CREATE_LOCK,))
            if installed_version(conn) is None:
                conn.execute(DDL)
        version = installed_version(conn)
    check(version, where)
    # Added within version 1 (an index only, so no new version): a reader's state check
    # (count and latest write of the reports) reads it alone.
    # Looked up first: CREATE INDEX takes a lock that would queue the other writers' inserts.
    if conn.execute("SELECT 1 FROM pg_catalog.pg_indexes WHERE schemaname = %s AND "
                    "indexname = 'reports_ingested'", (SCHEMA,)).fetchone() is None:
        conn.execute(f"CREATE INDEX IF NOT EXISTS reports_ingested ON {SCHEMA}.reports "
                     "(ingested_at)")

"""The PostgreSQL engine behind `search.Index`: reads by SQL, from replicas when given.

`PgEngine(url, read_urls)` keeps a small connection pool per database. Reads go to the
read URLs (streaming replicas) in turn, and to the primary only when no replica answers
(see `_pg_pool.Readers`); writes are `_pg_ingest`'s. A `PgView` is one request's
connection: it follows the interface of `_engine` (compile, matches, docs, facets, hits,
vocabulary, reports) so the engine-neutral Runner ranks its matches as it ranks the
embedded engines'. The match statement's SQL (condition, score, facets) is
`_pg_match`'s, the hits' snippets and the stored sections' reads `_pg_hits`'s.

A doc is the section id (``block << 16 | order``): consecutive within a report, and
``doc >> 16`` tells the report without a query.
"""

from __future__ import annotations

import re
import threading
import time

from search import _facets, _pg_hits, _pg_read
from search._pg_match import FACET_COUNT, FacetRows, facet_names, match
from search._pg_query import Compiler, Sql, lexemes_sql
from search._pg_schema import SCHEMA
from search._types import Hit, QueryError

S = SCHEMA
_LEXEMES = re.compile(r"'((?:[^']|'')*)'")
#: A letter standing alone (not part of a word or an ID such as "DM-1a"): "a", a stop word.
_SINGLE_LETTER = re.compile(r"(?<![\w-])[^\W\d_](?![\w-])")
#: Memory a search statement may use for its match set before spilling to disk (the
#: server's default, 4 MB, spills a 10k-match set with its facet values).
WORK_MEM = "32MB"
#: Query texts whose lexemes a view keeps (it lives as long as the index does not change).
LEXEME_CACHE = 10_000


class PgView:
    """One request's reads on one connection (used by one thread)."""

    def __init__(self, readers, key, names: dict | None = None) -> None:
        self.run = readers.run  # every statement: a replica, else the primary
        self.key = key
        #: {facet value id: (facet key, label) or None} learnt so far (see
        #: `_pg_match.facet_names`; shared by the views of one state of the index).
        self.names = {} if names is None else names
        self._periods: dict[int, str | None] = {}
        self._lexemes: dict[str, str] = {}
        self._section_count: int | None = None
        self._vocabulary = None
        #: ((query, filters), `FacetRows`, distinct reports or None) of the last
        #: `matches` or `top` (see `facets`, `count_reports`).
        self._facets = None

    # -- plumbing -----------------------------------------------------------------------------
    def _rows(self, sql: str, params=(), deadline: float | None = None) -> list:
        if deadline is None:
            return self.run(lambda conn: conn.execute(sql, params).fetchall())
        left = int((deadline - time.monotonic()) * 1000)
        if left <= 0:
            raise _too_long()

        def timed(conn):
            with conn.transaction():
                # one round trip; work_mem: a match set with its facet values (tens of
                # thousands of rows) is kept in memory, not spilled to a temporary file
                conn.execute(f"SET LOCAL statement_timeout = {left}; "
                             f"SET LOCAL work_mem = '{WORK_MEM}'")
                return conn.execute(sql, params).fetchall()
        import psycopg

        try:
            return self.run(timed)
        except psycopg.errors.QueryCanceled:
            raise _too_long() from None

    def lexemes(self, texts) -> dict[str, str]:
        """{text: its tsquery text}: "" for stop words and punctuation (one round trip).

        A single letter counts as a stop word, as in the embedded engines' analyzers; the
        documents' positions are packed without either (see `_pg_schema`)."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._lexemes]
        if missing:
            if len(self._lexemes) > LEXEME_CACHE:
                self._lexemes.clear()
            plain: dict[str, list[str]] = {}
            for t in missing:
                plain.setdefault(_SINGLE_LETTER.sub("a", t), []).append(t)
            for text, tsq in self._rows(lexemes_sql(), (list(plain),)):
                for original in plain[text]:
                    self._lexemes[original] = tsq or ""
        return {t: self._lexemes[t] for t in texts}

    # -- queries --------------------------------------------------------------------------------
    def compile(self, node, resolve) -> Sql | None:
        return Compiler(self.lexemes, self.vocabulary(), resolve).compile(node)

    def literal(self, text: str) -> Sql | None:
        tsq = self.lexemes([text])[text]
        if not tsq:
            return None
        return Sql("s.tsv @@ %s::tsquery", (tsq,), (tsq,))

    #: The default fields' weights in most-words ranking (as the Whoosh engine's boosts).
    field_boosts = {"text": 1.0, "title": 1.5, "section": 2.0, "entity": 3.0, "series": 1.0}

    @staticmethod
    def all_of(queries) -> Sql:
        queries = list(queries)
        return Sql("(" + " AND ".join(q.where for q in queries) + ")",
                   sum((q.params for q in queries), ()), sum((q.rank for q in queries), ()),
                   sum((q.names for q in queries), ()))

    def field_docs(self, node, resolve) -> dict[str, set[int]]:
        """{field: sections holding the clause there}: a word or ID looked up per default
        field in one statement (body and names, title, heading by their weights; entity
        names and series exactly); other clauses count as body text."""
        from search import _qtree as qt
        from search._pg_query import weighted

        if not isinstance(node, (qt.Word, qt.Phrase)) or node.field is not None:
            q = self.compile(node, resolve)
            return {"text": self.docs(q)} if q is not None else {}
        tsq = self.lexemes([node.text])[node.text]
        if not tsq:
            return {}
        name = (resolve(node.text) if resolve else node.text).lower()
        rows = self._rows(
            f"SELECT s.id, s.tsv @@ %s::tsquery, s.tsv @@ %s::tsquery, s.tsv @@ %s::tsquery, "
            f"s.entity_names @> ARRAY[%s], s.series @> ARRAY[%s] FROM {S}.sections s "
            "WHERE s.tsv @@ %s::tsquery OR s.entity_names @> ARRAY[%s] "
            "OR s.series @> ARRAY[%s]",
            (weighted(tsq, "AD"), weighted(tsq, "C"), weighted(tsq, "B"), name,
             node.text.lower(), tsq, name, node.text.lower()))
        fields = ("text", "title", "section", "entity", "series")
        # Every field, empty ones too: a word no section holds is not a stop word (the
        # Runner counts "sections with every word" over these sets).
        out: dict[str, set[int]] = {f: set() for f in fields}
        for row in rows:
            for field, held in zip(fields, row[1:]):
                if held:
                    out[field].add(row[0])
        return out

    def positions(self, words: list[str], docs):
        """({doc: {term: positions in the body}}, neighbouring (term, term) pairs) for the
        query's plain `words`, read from the sections' tsvectors."""
        found = self.lexemes(words)
        terms = []
        for w in words:
            lexemes = _LEXEMES.findall(found[w])
            if lexemes:
                terms.append(lexemes[0].replace("''", "'"))
        pairs = list(zip(terms, terms[1:]))
        docs = list(docs)
        if not pairs or not docs:
            return {}, pairs
        rows = self._rows(
            f"SELECT s.id, u.lexeme, u.positions, u.weights FROM {S}.sections s, "
            "unnest(s.tsv) u WHERE s.id = ANY(%s) AND u.lexeme = ANY(%s)",
            (docs, list(dict.fromkeys(terms))))
        out: dict[int, dict[str, list]] = {}
        for doc, lexeme, positions, weights in rows:
            body = sorted(p for p, w in zip(positions, weights) if w == "D")
            if body:
                out.setdefault(doc, {})[lexeme] = body
        return out, pairs

    def is_stop_word(self, word: str) -> bool:
        return not self.lexemes([word])[word]

    def matches(self, q: Sql | None, filters, deadline: float | None) -> list:
        """(score, doc) of every match in doc order; the facets of the same match set are
        counted in the same statement (one round trip, one snapshot) and kept for `facets`."""
        where, params, rank, rank_params = match(q, filters)

        rows = self._rows(f"""
            WITH m AS MATERIALIZED (SELECT s.id, {rank} AS r, s.period, s.facet_ids
                                    FROM {S}.sections s WHERE {where})
            SELECT 0, id, r::float8, period FROM m
            UNION ALL {FACET_COUNT}
            ORDER BY 1, 2""", rank_params + params, deadline)
        out = [(float(score), doc) for kind, doc, score, _ in rows if kind == 0]
        self._periods.update((doc, period) for kind, doc, _, period in rows if kind == 0)
        self._facets = ((q, filters), self._facet_rows(rows), None)
        return out

    def top(self, q: Sql | None, filters, limit: int, deadline) -> tuple[int, list]:
        """(how many sections match, the first `limit` of `matches` by score then doc): one
        statement ranks every match on the server and sends only the best ones; the facets
        and the distinct reports of the whole match set are counted in it and kept."""
        where, params, rank, rank_params = match(q, filters)

        rows = self._rows(f"""
            WITH m AS MATERIALIZED (SELECT s.id, {rank} AS r, s.period, s.facet_ids
                                    FROM {S}.sections s WHERE {where})
            (SELECT 0, id, r::float8, period FROM m ORDER BY r DESC, id LIMIT %s)
            UNION ALL SELECT 1, count(*), count(DISTINCT id >> 16)::float8, NULL FROM m
            UNION ALL {FACET_COUNT}""", rank_params + params + (limit,), deadline)
        items = sorted(((float(score), doc) for kind, doc, score, _ in rows if kind == 0),
                       key=lambda it: (-it[0], it[1]))
        self._periods.update((doc, period) for kind, doc, _, period in rows if kind == 0)
        [(total, reports)] = [(int(r[1]), int(r[2])) for r in rows if r[0] == 1]
        self._facets = ((q, filters), self._facet_rows(rows), reports)
        return total, items

    def docs(self, q: Sql | None) -> set[int]:
        if q is None:
            return set()
        return {r[0] for r in self._rows(f"SELECT s.id FROM {S}.sections s WHERE {q.where}",
                                         q.params)}

    @property
    def section_count(self) -> int:
        if self._section_count is None:
            self._section_count = self._rows(
                f"SELECT coalesce(sum(section_count), 0) FROM {S}.reports")[0][0]
        return int(self._section_count)

    @staticmethod
    def report_of(doc: int) -> int:
        return doc >> 16

    def period(self, doc: int) -> str | None:
        if doc not in self._periods:
            row = self._rows(f"SELECT period FROM {S}.sections WHERE id = %s", (doc,))
            self._periods[doc] = row[0][0] if row else None
        return self._periods[doc]

    def count_reports(self, docs, match_set=None) -> int:
        """Distinct reports of `docs`, or of the whole `match_set` `top` counted."""
        kept = self._facets
        if match_set is not None and kept is not None and kept[0] == match_set \
                and kept[2] is not None:
            return kept[2]
        return len({d >> 16 for d in docs})

    def facets(self, docs, match_set=None, expand=None) -> dict:  # see search._engine
        """The facet dict over exactly `docs` (the match set or, from `top`, its best
        ones), counted by SQL over the match set."""
        docs = list(docs)
        if not docs:
            return _facets.empty()
        kept = self._facets
        if match_set is not None and kept is not None and kept[0] == match_set:
            return kept[1].shaped(expand)  # counted with the matches
        rows = self._rows(f"WITH m AS (SELECT s.facet_ids FROM {S}.sections s "
                          "WHERE s.id = ANY(%s)) " + FACET_COUNT, (docs,))
        return self._facet_rows(rows).shaped(expand)

    def _facet_rows(self, rows) -> FacetRows:
        """The facets of `FACET_COUNT`'s rows, the names of values new to this view read
        first."""
        facets = FacetRows(rows, self.names)
        if facets.missing:
            facet_names(self.run, self.names, facets.missing)
            facets = FacetRows(rows, self.names)
        return facets

    # -- hits (search._pg_hits) -------------------------------------------------------------
    def hits(self, items, highlight: Sql | None) -> list[Hit]:
        return _pg_hits.hits(self.run, items, highlight)

    def vocabulary(self):
        """The typo corrector's vocabulary, one per view: what it has counted and looked up
        (frequencies, similar words) holds while the index does not change, so a repeated
        misspelling costs no round trips for its correction."""
        if self._vocabulary is None:
            from search._pg_vocab import Vocabulary
            self._vocabulary = Vocabulary(self)
        return self._vocabulary

    # -- stored reports ---------------------------------------------------------------------
    def report(self, report_id: str):
        return self.run(lambda conn: _pg_read.report(conn, report_id))

    def summary(self) -> dict:
        return self.run(_pg_read.summary)

    def entity_sections(self, name: str) -> list[tuple[dict, dict]]:
        """(fields, data) of the sections naming `name`, in the `_schema.section_data` form."""
        return _pg_hits.entity_sections(self.run, name)

    def more_like_this(self, report_id: str, anchor: str, limit: int) -> list[Hit]:
        """Other reports' sections sharing the section's most frequent words."""
        return _pg_hits.more_like_this(self, report_id, anchor, limit)


def _too_long() -> QueryError:
    return QueryError("This search took too long and was stopped. Add words, a phrase or a "
                      "filter (period, type) to narrow it.", param="q")


class PgEngine:
    """The engine for one PostgreSQL index: its primary URL and the replicas to read."""

    NAME = "postgres"

    def __init__(self, url: str, read_urls=()) -> None:
        from search._pg_pool import Readers

        self.url = url
        self.readers = Readers(url, read_urls)
        _pg_read.READERS[url] = self.readers  # the --entities lookup reads where we read
        self.pool = _Cache(self)

    def exists(self) -> bool:
        """Whether the database holds an index (QueryError-like SchemaError when its
        version is not ours; ConnectionProblem when no server answers)."""
        from search._pg_conn import shown
        from search._pg_schema import check, installed_version

        version = self.readers.run(installed_version)
        check(version, shown(self.url))
        return version is not None

    def view(self) -> PgView | None:
        """The view of the index's current state for the calling thread (or searcher slot),
        None when the database holds no index yet. A thread keeps its view (and what it
        learnt: lexemes, periods) until another writer changes the index."""
        entry = self.pool.current()
        return entry[1] if entry is not None else None

    def _current_key(self):
        """(reports, last write) of the index now, None with no index: with the schema
        version check, one statement (a request's first round trip)."""
        import psycopg

        from search._pg_conn import shown
        from search._pg_schema import check

        def read(conn):
            try:
                return conn.execute(
                    f"SELECT (SELECT max(version) FROM {S}.schema_version), count(*), "
                    f"max(ingested_at) FROM {S}.reports").fetchone()
            except psycopg.errors.UndefinedTable:
                return None
        row = self.readers.run(read)
        if row is None:  # no index, or tables of another version: say which
            self.exists()
            return None
        check(row[0], shown(self.url))
        return (row[1], row[2])

    def close(self) -> None:
        self.readers.close()


class _Cache:
    """Per state of the index: each thread's (or slot's) view, and derived values (the
    summary), dropped when the state changes."""

    def __init__(self, engine: PgEngine) -> None:
        self._engine = engine
        self._key = None
        self._values: dict = {}
        self._views: dict = {}  # owner -> (key, PgView)
        self._lock = threading.Lock()

    def current(self):
        """(key, view) of the index's current state for this owner, None with no index."""
        from search._pool import _owner

        key = self._engine._current_key()
        if key is None:
            return None
        me = _owner()
        entry = self._views.get(me)
        if entry is None or entry[0] != key:
            names = self.cached(key, "facet_names", dict)
            entry = (key, PgView(self._engine.readers, key, names))
            with self._lock:
                self._views[me] = entry
                for t in [t for t in self._views if isinstance(t, threading.Thread)
                          and not t.is_alive() and t is not me]:
                    del self._views[t]
        return entry

    def cached(self, key, name: str, build):
        if key != self._key:
            self._key, self._values = key, {}
        values = self._values
        if name not in values:
            values[name] = build()
        return values[name]

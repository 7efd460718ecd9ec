"""The PostgreSQL engine behind `search.Index`: reads by SQL, from replicas when given.

`PgEngine(url, read_urls)` keeps a small connection pool per database. Reads go to the
read URLs (streaming replicas) in turn, and to the primary only when no replica answers
(see `_pg_pool.Readers`); writes are `_pg_ingest`'s. A `PgView` is one request's
connection: it follows the interface of `_engine` (compile, matches, docs, facets, hits,
vocabulary, reports) so the engine-neutral Runner ranks its matches as it ranks the
embedded engines'.

A doc is the section id (``block << 16 | order``): consecutive within a report, and
``doc >> 16`` tells the report without a query.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter

from psycopg.rows import dict_row

from ingest.model import ENTITY_TYPES
from search import _facets, _pg_read, _snippet
from search._pg_query import Compiler, Sql, lexemes_sql, loose_query, quote_tsquery
from search._pg_schema import CONFIG, SCHEMA
from search._pg_write import FACET_PREFIX
from search._types import EntityRef, Hit, QueryError

S = SCHEMA
#: ts_rank weights for {D, C, B, A}: body, title, heading, entity names.
RANK_WEIGHTS = "{0.1, 0.15, 0.2, 0.3}"
#: ts_rank's normalisation: 1 divides by 1 + log(words in the section), so a long section
#: that says a word often does not outrank a short one about it (as BM25 does in the
#: embedded engines).
RANK_NORMALISATION = 1
_LEXEMES = re.compile(r"'((?:[^']|'')*)'")
#: A letter standing alone (not part of a word or an ID such as "DM-1a"): "a", a stop word.
_SINGLE_LETTER = re.compile(r"(?<![\w-])[^\W\d_](?![\w-])")
#: Query texts whose lexemes a view keeps (it lives as long as the index does not change).
LEXEME_CACHE = 10_000
#: ts_headline marks matches with these control characters (which never reach the index:
#: ingest drops them), so the headline is plain text that Python escapes before turning them
#: into <mark>; angle brackets are swapped for two others first, since PostgreSQL's parser
#: would treat "<script>" as a tag, and swapped back after.
_START, _STOP, _LT, _GT = "\x02", "\x03", "\x05", "\x06"
_HEADLINE = (f"StartSel={_START}, StopSel={_STOP}, MaxFragments=2, MaxWords=30, MinWords=12, "
             "FragmentDelimiter=\" … \"")
_UNSWAP = str.maketrans(_LT + _GT, "<>")


class PgView:
    """One request's reads on one connection (used by one thread)."""

    def __init__(self, readers, key) -> None:
        self.run = readers.run  # every statement: a replica, else the primary
        self.key = key
        self._periods: dict[int, str | None] = {}
        self._lexemes: dict[str, str] = {}
        self._section_count: int | None = None
        #: ((query, filters), facet counts, distinct reports or None) of the last
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
                conn.execute(f"SET LOCAL statement_timeout = {left}")
                return conn.execute(sql, params).fetchall()
        import psycopg

        try:
            return self.run(timed)
        except psycopg.errors.QueryCanceled:
            raise _too_long() from None

    def _query(self, make, deadline: float | None) -> list:
        """The rows of the statement `make(conn)` gives as (sql, params), in one snapshot
        (REPEATABLE READ: ts_stat's own query sees what the statement sees), stopped at
        `deadline`."""
        import psycopg

        left = None if deadline is None else int((deadline - time.monotonic()) * 1000)
        if left is not None and left <= 0:
            raise _too_long()

        def run(conn):
            with conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                if left is not None:
                    conn.execute(f"SET LOCAL statement_timeout = {left}")
                return conn.execute(*make(conn)).fetchall()
        try:
            return self.run(run)
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
        where, params, rank, rank_params = _match(q, filters)

        def make(conn):
            return (f"""
                WITH m AS MATERIALIZED (SELECT s.id, {rank} AS r, s.period
                                        FROM {S}.sections s WHERE {where})
                SELECT 0, id, r::float8, period FROM m
                UNION ALL {_FACET_STAT}
                ORDER BY 1, 2""", rank_params + params + (_facet_sql(conn, where, params),))
        rows = self._query(make, deadline)
        out = [(float(score), doc) for kind, doc, score, _ in rows if kind == 0]
        self._periods.update((doc, period) for kind, doc, _, period in rows if kind == 0)
        self._facets = ((q, filters), _facet_counts(rows), None)
        return out

    def top(self, q: Sql | None, filters, limit: int, deadline) -> tuple[int, list]:
        """(how many sections match, the first `limit` of `matches` by score then doc): one
        statement ranks every match on the server and sends only the best ones; the facets
        and the distinct reports of the whole match set are counted in it and kept."""
        where, params, rank, rank_params = _match(q, filters)

        def make(conn):
            return (f"""
                WITH m AS MATERIALIZED (SELECT s.id, {rank} AS r, s.period
                                        FROM {S}.sections s WHERE {where})
                (SELECT 0, id, r::float8, period FROM m ORDER BY r DESC, id LIMIT %s)
                UNION ALL SELECT 1, count(*), count(DISTINCT id >> 16)::float8, NULL FROM m
                UNION ALL {_FACET_STAT}""",
                    rank_params + params + (limit, _facet_sql(conn, where, params)))
        rows = self._query(make, deadline)
        items = sorted(((float(score), doc) for kind, doc, score, _ in rows if kind == 0),
                       key=lambda it: (-it[0], it[1]))
        self._periods.update((doc, period) for kind, doc, _, period in rows if kind == 0)
        [(total, reports)] = [(int(r[1]), int(r[2])) for r in rows if r[0] == 1]
        self._facets = ((q, filters), _facet_counts(rows), reports)
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
            return _facets.from_counts(kept[1], expand)  # counted with the matches
        rows = self.run(lambda conn: conn.execute(
            _FACET_STAT, (_facet_sql(conn, "s.id = ANY(%s)", (docs,)),)).fetchall())
        return _facets.from_counts(_facet_counts(rows), expand)

    # -- hits -------------------------------------------------------------------------------------
    def hits(self, items, highlight: Sql | None) -> list[Hit]:
        items = list(items)
        if not items:
            return []
        ids = [d for _, d in items]
        tsq = " | ".join(f"({t})" for t in highlight.rank) if highlight and highlight.rank \
            else ""
        body = "translate(s.body, '<>', %(swap)s)"
        # A phrase with stop words between its words in the text: ts_headline finds no
        # phrase there (it numbers the text's words itself), so its words are marked.
        headline = f"ts_headline('{CONFIG}', {body}, %(tsq)s::tsquery, %(opts)s)"
        if tsq:
            snippet = (f"h.first, CASE WHEN strpos(h.first, %(start)s) = 0 AND %(tsq)s <> "
                       f"%(loose)s THEN {headline.replace('(tsq)', '(loose)')} END AS second FROM "
                       f"{S}.sections s, LATERAL (SELECT {headline} AS first) h")
        else:
            snippet = f"'' AS first, NULL AS second FROM {S}.sections s"
        params = {"swap": _LT + _GT, "tsq": tsq, "loose": loose_query(tsq), "opts": _HEADLINE,
                  "start": _START, "ids": ids}

        def read(conn):
            with conn.cursor(row_factory=dict_row) as cur:
                rows = cur.execute(
                    f"SELECT s.id, s.report_id, s.title, s.period, s.heading, s.anchor, "
                    f"s.page, s.format, s.body, {snippet} WHERE s.id = ANY(%(ids)s)",
                    params).fetchall()
                mentions = cur.execute(
                    f"SELECT section_id, type, name, start_at, end_at FROM {S}.mentions "
                    "WHERE section_id = ANY(%s) AND NOT in_heading ORDER BY section_id, ord",
                    (ids,)).fetchall()
            return rows, mentions
        rows, mentions = self.run(read)
        by_id = {r["id"]: r for r in rows}
        body_mentions: dict[int, list] = {}
        for m in mentions:
            body_mentions.setdefault(m["section_id"], []).append(m)
        wanted = set(highlight.names) if highlight else set()
        out = []
        for score, doc in items:
            r = by_id.get(doc)
            if r is None:  # removed by another writer since the match: skip it
                continue
            own = body_mentions.get(doc, [])
            text = r["body"]
            headline = r["first"] if _START in r["first"] else r["second"] or ""
            snippet_html = _marked(headline) if _START in headline else ""
            if not snippet_html:
                spans = [(m["start_at"], m["end_at"]) for m in own
                         if m["name"].lower() in wanted]
                snippet_html = _snippet.mark_spans(text, spans) if spans else _snippet.lead(text)
            seen = dict.fromkeys((m["type"], m["name"]) for m in own)
            out.append(Hit(report_id=r["report_id"], title=r["title"], period=r["period"],
                           section=r["heading"], anchor=r["anchor"], page=r["page"],
                           score=round(abs(float(score or 0.0)), 4), snippet_html=snippet_html,
                           format=r["format"],
                           entities=tuple(EntityRef(t, n) for t, n in seen)))
        return out

    def vocabulary(self):
        from search._pg_vocab import Vocabulary
        return Vocabulary(self)

    # -- stored reports ---------------------------------------------------------------------
    def report(self, report_id: str):
        return self.run(lambda conn: _pg_read.report(conn, report_id))

    def summary(self) -> dict:
        return self.run(_pg_read.summary)

    def entity_sections(self, name: str) -> list[tuple[dict, dict]]:
        """(fields, data) of the sections naming `name`, in the `_schema.section_data` form."""
        def read(conn):
            with conn.cursor(row_factory=dict_row) as cur:
                rows = cur.execute(
                    f"SELECT s.id, s.report_id, s.title, s.period, s.heading, s.anchor, "
                    f"s.ord, s.level, s.page, s.body, r.title_mentions FROM {S}.sections s "
                    f"JOIN {S}.reports r ON r.id = s.report_id "
                    "WHERE s.entity_names @> ARRAY[%s]", (name.lower(),)).fetchall()
                ids = [r["id"] for r in rows]
                mentions = cur.execute(
                    f"SELECT section_id, in_heading, type, name, start_at, end_at, via "
                    f"FROM {S}.mentions WHERE section_id = ANY(%s) ORDER BY section_id, ord",
                    (ids,)).fetchall() if ids else []
            return rows, mentions
        rows, mentions = self.run(read)
        per: dict[int, dict] = {}
        for m in mentions:
            key = "hm" if m["in_heading"] else "m"
            per.setdefault(m["section_id"], {"m": [], "hm": []})[key].append(
                [m["type"], m["name"], m["start_at"], m["end_at"], m["via"]])
        out = []
        for r in rows:
            fields = {k: r[k] for k in ("report_id", "title", "period", "heading", "anchor")}
            got = per.get(r["id"], {"m": [], "hm": []})
            data = {"o": r["ord"], "l": r["level"], "p": r["page"], "t": r["body"],
                    "m": got["m"], "hm": got["hm"]}
            if r["ord"] == 0 and r["title_mentions"]:
                data["tm"] = r["title_mentions"]
            out.append((fields, data))
        return out

    def more_like_this(self, report_id: str, anchor: str, limit: int) -> list[Hit]:
        """Other reports' sections sharing the section's most frequent words."""
        row = self._rows(f"SELECT id FROM {S}.sections WHERE report_id = %s AND anchor = %s",
                         (report_id, anchor))
        if not row:
            return []
        words = self._rows(
            f"SELECT word FROM ts_stat(format('SELECT tsv FROM {S}.sections WHERE id = %%s', "
            "%s::bigint), 'D') ORDER BY nentry DESC, length(word) DESC, word LIMIT 12",
            (row[0][0],))  # 'D': the body's words only, as the embedded engines compare
        if not words:
            return []
        tsq = " | ".join(quote_tsquery(w[0]) for w in words)
        found = self._rows(
            f"SELECT s.id, ts_rank('{RANK_WEIGHTS}', s.tsv, %s::tsquery) AS r "
            f"FROM {S}.sections s WHERE s.tsv @@ %s::tsquery AND s.report_id <> %s "
            "ORDER BY r DESC, s.id LIMIT %s", (tsq, tsq, report_id, limit))
        return self.hits([(r[1], r[0]) for r in found], None)


#: The facet counts of a match set as rows (2, sections, NULL, lexeme): ts_stat reads the
#: sections' facet lexemes (see `_pg_write.facet_lexemes`) in one pass, given the query
#: text that selects them (`_facet_sql`).
_FACET_STAT = "SELECT 2, ndoc, NULL, word FROM ts_stat(%s)"
_FACET_OF = {letter: name for name, letter in FACET_PREFIX.items()}


def _facet_sql(conn, where: str, params: tuple) -> str:
    """The query text ts_stat runs: the facet lexemes of the sections `where` selects, its
    parameters bound as literals by the driver (ts_stat takes a query text, not values)."""
    import psycopg

    return psycopg.ClientCursor(conn).mogrify(
        f"SELECT s.facets FROM {S}.sections s WHERE {where}", params)


def _facet_counts(rows) -> dict[str, Counter]:
    """{facet: Counter of values} from the (2, sections, NULL, lexeme) rows."""
    counts: dict[str, Counter] = {n: Counter() for n in FACET_PREFIX}
    for kind, n, _, word in rows:
        if kind == 2 and len(word) > 1:  # a lexeme of its letter alone: an empty heading
            counts[_FACET_OF[word[0]]][word[1:]] = int(n)
    return counts


def _match(q: Sql | None, filters) -> tuple[str, tuple, str, tuple]:
    """(where, params, rank expression, its params) of the sections matching `q` and the
    filters."""
    where, params = _filters(filters)
    if q is not None:
        where, params = [q.where] + where, q.params + params
    rank, rank_params = _rank(q)
    return " AND ".join(where) or "true", params, rank, rank_params


def _filters(f) -> tuple[list[str], tuple]:
    where, params = [], ()
    if f is None:
        return where, params
    if f.type:
        where.append("s.etypes @> ARRAY[%s]")
        params += (f.type,)
    if f.entity:
        where.append("s.entity_names @> ARRAY[%s]")
        params += (f.entity,)
    if f.year:
        where.append("s.year = %s")
        params += (f.year,)
    if f.section:
        where.append("s.heading = %s")
        params += (f.section,)
    if f.format:
        where.append("s.format = %s")
        params += (f.format,)
    if f.period_lo is not None or f.period_hi is not None:
        where.append("s.period BETWEEN %s AND %s")
        params += (f.period_lo or "", f.period_hi or "9999-99")
    return where, params


def _rank(q: Sql | None) -> tuple[str, tuple]:
    """The score expression: ts_rank over the query's words plus the entity bonus."""
    if q is None:
        return "0.0", ()
    parts, params = [], ()
    if q.rank:
        parts.append(f"ts_rank('{RANK_WEIGHTS}', s.tsv, %s::tsquery, {RANK_NORMALISATION})")
        params += (" | ".join(f"({t})" for t in q.rank),)
    if q.names:
        from search._pg_query import ENTITY_BONUS
        parts.append(f"(CASE WHEN s.entity_names && %s THEN {ENTITY_BONUS} ELSE 0 END)")
        params += (list(q.names),)
    return (" + ".join(parts) or "0.0"), params


def _marked(headline: str) -> str:
    """The HTML of a ts_headline: its text escaped, its marks <mark>, one per ID
    (<mark>DMTN</mark><mark>-208</mark> -> <mark>DMTN-208</mark>)."""
    from html import escape

    html = escape(headline.translate(_UNSWAP), quote=False)
    html = html.replace(_START, "<mark>").replace(_STOP, "</mark>")
    return html.replace("</mark><mark>", "").replace("</mark>-<mark>", "-")


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
            entry = (key, PgView(self._engine.readers, key))
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

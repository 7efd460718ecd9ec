"""Reading a tantivy index: the shared searcher of one generation (`TantivyView`), its
per-generation tables, and the facets, highlights and hits it builds (split from
`search._tantivy_engine`, which keeps opening, pooling and writing)."""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING

import tantivy
from tantivy import Occur, Query

from search import _qtree as qt
from search import _snippet
from search._facets import shape, top_of
from search._schema import rebuild_report, section_data
from search._suggest import Vocabulary
from search._tantivy_facets import FACET_SPEC, entity_heads, head, ranked
from search._tantivy_query import Compiled, Compiler, Words, literal_query
from search._tantivy_schema import ORDER_BITS, analyzers, fields_of, period_of
from search._types import EntityRef, Hit
from search._whoosh_query import DEFAULT_FIELDS

if TYPE_CHECKING:
    from search._tantivy_engine import TantivyPool

#: How many more than a page `top` fetches, so ties at the cut can be ordered our way.
_TIE_MARGIN = 10


def _report_fields(searcher, schema):
    """The stored report documents, streamed: a caller folds them one at a time (the
    summary), so holding them all would grow an ingest with the archive."""
    if not searcher.num_docs:
        return
    found = searcher.search(Query.term_query(schema, "kind", "report"),
                            limit=searcher.num_docs, count=False)
    for _, addr in found.hits:
        yield fields_of(searcher.doc(addr))



class _Tables:
    """Per-generation values: report periods by ordinal, section count, the analyzer."""

    def __init__(self, searcher, schema) -> None:
        self.periods: dict[int, str | None] = {}
        if searcher.num_docs:
            reports = searcher.search(Query.term_query(schema, "kind", "report"),
                                      limit=searcher.num_docs, count=False).hits
            addrs = [a for _, a in reports]
            seqs = searcher.fast_field_values("seq", addrs)
            months = searcher.fast_field_values("month", addrs)
            self.periods = {s >> ORDER_BITS: period_of(m or 0) for s, m in zip(seqs, months)}
        self.section_count = searcher.search(Query.term_query(schema, "kind", "section"),
                                             limit=1, count=True).count if searcher.num_docs else 0


class TantivyView:
    """The shared searcher of one generation, and what the ranking asks of it."""

    def __init__(self, pool: TantivyPool, key: tuple, searcher) -> None:
        self.pool = pool
        self.key = key
        self.searcher = searcher
        self.schema = pool.schema
        self.words = pool.cached(key, "words", lambda: Words(analyzers()))
        self.tables = pool.cached(key, "tables", lambda: _Tables(searcher, self.schema))
        self.section_count = self.tables.section_count
        self._addr: dict[int, object] = {}
        self._kind = Query.term_query(self.schema, "kind", "section")

    # -- doc columns ------------------------------------------------------------------------
    @staticmethod
    def report_of(doc: int) -> int:
        return doc >> ORDER_BITS

    def period(self, doc: int) -> str | None:
        return self.tables.periods.get(doc >> ORDER_BITS)

    def count_reports(self, docs, match_set=None) -> int:
        if match_set is None:
            return len({d >> ORDER_BITS for d in docs})
        # `docs` is the window `top` ranked: count the whole match set's reports inside
        # tantivy, one histogram bucket per report (a doc's seq holds its report's number)
        q, filters = match_set
        spec = {"r": {"histogram": {"field": "seq", "interval": float(1 << ORDER_BITS),
                                    "min_doc_count": 1}}}
        try:
            return len(self.searcher.aggregate(self._restricted(q, filters), spec)["r"]["buckets"])
        except ValueError:  # more reports than tantivy's bucket limit (65,000)
            return len({d >> ORDER_BITS for _, d in self.matches(q, filters, None)})

    # -- queries ----------------------------------------------------------------------------
    def compile(self, node, resolve):
        return Compiler(self.schema, self.words, self.searcher, resolve).compile(node)

    def literal(self, text: str):
        return literal_query(text, self.schema, self.words)

    #: How much a match in each default field weighs (what the compiled queries boost).
    field_boosts = DEFAULT_FIELDS

    def all_of(self, queries):
        queries = [q for q in queries if q is not None]
        return Compiled(Query.boolean_query([(Occur.Must, q.query) for q in queries]),
                        frozenset().union(*(q.entities for q in queries)))

    def field_docs(self, node, resolve) -> dict[str, set[int]]:
        """{field: sections holding the clause there} (see _engine): words and IDs field by
        field; prefixes and fuzzy terms count as body text."""
        if not isinstance(node, (qt.Word, qt.Phrase)):
            q = self.compile(node, resolve)
            return {"text": self.docs(q)} if q is not None else {}
        if isinstance(node, qt.Word) and not self.words(node.text):
            return {}  # a stop word cannot rank
        compiler = Compiler(self.schema, self.words, None, resolve)
        out = {}
        for field in DEFAULT_FIELDS:
            q = compiler.in_field(field, node.text)
            if q is not None:
                out[field] = self.docs(Compiled(q))
        return out

    def positions(self, words: list[str], docs):
        """({doc: {term: positions in the text}}, neighbouring (term, term) pairs) for the
        plain `words`. The Python bindings do not read positions from the index, so the
        few docs' stored text is analysed again: the same analyzer numbers words as the
        index did (stop words are indexed, so every word counts)."""
        terms = [found[0][1] for found in (self.words(w) for w in words) if len(found) == 1]
        pairs = list(zip(terms, terms[1:]))
        docs = list(docs)
        if not pairs or not docs:
            return {}, []
        wanted = set(terms)
        addrs = self._addresses(docs)
        out = {}
        for d in docs:
            text = section_data(fields_of(self.searcher.doc(addrs[d])))["t"]
            found: dict[str, list] = {}
            # numbered without stop words, as Whoosh numbers them: "EFD with Sasquatch"
            # stands as close as "EFD Sasquatch"
            for i, (_, term) in enumerate(self.words(text)):
                if term in wanted:
                    found.setdefault(term, []).append(i)
            out[d] = found
        return out, pairs

    def is_stop_word(self, word: str) -> bool:
        return self.words.is_stop_word(word)

    def _restricted(self, q, f):
        """`q` (None: every section) with the filters, which never change scores."""
        clauses = [(Occur.Must, q.query if q is not None
                    else Query.const_score_query(self._kind, 1.0))]
        terms = [self._kind]
        for field, value in (("type", f.type), ("entity", f.entity), ("year", f.year),
                             ("heading", f.section), ("format", f.format)):
            if value:
                terms.append(Query.term_query(self.schema, field, value))
        if f.period:
            lo = _month(f.period_lo) if f.period_lo else 1
            hi = _month(f.period_hi) if f.period_hi else 999999
            terms.append(Query.range_query(self.schema, "month", tantivy.FieldType.Unsigned,
                                           lo, hi))
        clauses += [(Occur.Must, Query.const_score_query(t, 0.0)) for t in terms]
        return Query.boolean_query(clauses)

    def _all(self, query) -> list:
        if not self.searcher.num_docs:
            return []
        found = self.searcher.search(query, limit=self.searcher.num_docs, count=False)
        return found.hits

    def matches(self, q, filters, deadline) -> list[tuple[float, int]]:
        hits = self._all(self._restricted(q, filters))
        if not hits:
            return []
        addrs = [a for _, a in hits]
        seqs = self.searcher.fast_field_values("seq", addrs)
        self._addr.update(zip(seqs, addrs))
        items = [(s, d) for (s, _), d in zip(hits, seqs)]
        items.sort(key=lambda it: it[1])
        return items

    def top(self, q, filters, limit: int, deadline) -> tuple[int, list[tuple[float, int]]]:
        """(how many sections match `q` and the filters, the first `limit` of them by score,
        ties by doc) in one tantivy pass: exactly `matches` ranked and cut, without
        handing every match to Python. Tantivy breaks ties by its own doc address, not
        by ours, so a few more are fetched, and more again while a tie straddles the cut."""
        if not self.searcher.num_docs:
            return 0, []
        query = self._restricted(q, filters)
        fetch = limit + _TIE_MARGIN
        while True:
            found = self.searcher.search(query, limit=fetch, count=True)
            hits = found.hits
            addrs = [a for _, a in hits]
            seqs = self.searcher.fast_field_values("seq", addrs) if addrs else []
            items = sorted(zip([s for s, _ in hits], seqs), key=lambda it: (-it[0], it[1]))
            # exact when every match came, or when the last one kept beats the lowest
            # fetched score (every doc scoring above that was fetched)
            if len(items) >= found.count or items[limit - 1][0] > items[-1][0]:
                break
            fetch = min(fetch * 4, found.count)
        self._addr.update(zip(seqs, addrs))
        return found.count, items[:limit]

    def docs(self, q) -> set[int]:
        if q is None:
            return set()
        query = Query.boolean_query([(Occur.Must, q.query),
                                     (Occur.Must, Query.const_score_query(self._kind, 0.0))])
        hits = self._all(query)
        return set(self.searcher.fast_field_values("seq", [a for _, a in hits])) if hits \
            else set()

    # -- facets -----------------------------------------------------------------------------
    def facets(self, docs, match_set=None, expand=None) -> dict:
        docs = list(docs)
        if not docs:
            from search._facets import empty
            return empty()
        if match_set is not None:
            q, filters = match_set
            query = self._restricted(q, filters)
        else:
            query = Query.term_set_query(self.schema, "seq", docs)
        found = self.searcher.aggregate(query, FACET_SPEC)
        # every bucket came (see facet_spec), most documents first: each list is cut, and
        # its distinct values counted, exactly as the engines that count in full do, with
        # Python work only for the values shown (and the ones tied with the last of them)
        entities, distinct = entity_heads(found["entity"]["buckets"], expand)
        sections = found["section"]["buckets"]
        return shape(types=ranked(found["type"]["buckets"]),
                     years=ranked(found["year"]["buckets"]),
                     formats=ranked(found["format"]["buckets"]),
                     sections=head([(b["key"], b["doc_count"]) for b in sections if b["key"]],
                                    top_of("section", expand)),
                     section_distinct=sum(1 for b in sections if b["key"]),
                     entities=entities, entity_distinct=distinct, expand=expand)

    # -- hits -------------------------------------------------------------------------------
    def _addresses(self, docs: list[int]) -> dict[int, object]:
        missing = [d for d in docs if d not in self._addr]
        if missing:
            found = self.searcher.search(Query.term_set_query(self.schema, "seq", missing),
                                         limit=len(missing), count=False).hits
            addrs = [a for _, a in found]
            self._addr.update(zip(self.searcher.fast_field_values("seq", addrs), addrs))
        return self._addr

    def hits(self, items, highlight) -> list[Hit]:
        items = list(items)
        if not items:
            return []
        addrs = self._addresses([d for _, d in items])
        snippets = None
        if highlight is not None:
            snippets = tantivy.SnippetGenerator.create(self.searcher, highlight.query,
                                                       self.schema, "text")
            snippets.set_max_num_chars(_snippet.SNIPPET_CHARS)
        wanted = highlight.entities if highlight is not None else frozenset()
        out = []
        for score, doc in items:
            fields = fields_of(self.searcher.doc(addrs[doc]))
            out.append(_hit(fields, score, snippets, wanted))
        return out

    def vocabulary(self):
        return self.pool.cached(self.key, "vocabulary", lambda: _vocabulary(self.searcher))

    # -- stored documents -------------------------------------------------------------------
    def _stored(self, query, limit: int | None = None) -> list[dict]:
        if not self.searcher.num_docs:
            return []
        found = self.searcher.search(query, limit=limit or self.searcher.num_docs,
                                     count=False).hits
        return [fields_of(self.searcher.doc(a)) for _, a in found]

    def report(self, report_id: str):
        docs = self._stored(Query.term_query(self.schema, "report_id", report_id))
        head = [d for d in docs if d["kind"] == "report"]
        if not head:
            return None
        return rebuild_report(head[0], [d for d in docs if d["kind"] == "section"])

    def report_fields(self):
        return _report_fields(self.searcher, self.schema)

    def entity_sections(self, name: str) -> list[tuple[dict, dict]]:
        query = Query.boolean_query([
            (Occur.Must, Query.term_query(self.schema, "entity", name.lower())),
            (Occur.Must, self._kind)])
        return [(f, section_data(f)) for f in self._stored(query)]

    def more_like_this(self, report_id: str, anchor: str, limit: int) -> list[Hit]:
        docs = self._stored(Query.term_query(self.schema, "doc_id", f"{report_id}#{anchor}"), 1)
        if not docs:
            return []
        text = section_data(docs[0])["t"]
        if not text.strip():
            return []
        like = self._like(text)
        if like is None:
            return []
        query = Query.boolean_query([
            (Occur.Must, like), (Occur.Must, Query.const_score_query(self._kind, 0.0)),
            (Occur.MustNot, Query.term_query(self.schema, "report_id", report_id))])
        found = self.searcher.search(query, limit=limit, count=False).hits
        return [_hit(fields_of(self.searcher.doc(a)), s, None, frozenset()) for s, a in found]


    def _like(self, text: str, terms: int = 12):
        """The `terms` most telling words of `text` (tf-idf; ties A-Z), each boosted by its
        weight: tantivy's own more-like-this picks among equal words in hash order, so
        two processes could disagree about "similar"."""
        counts: dict[str, int] = {}
        for _, term in self.words(text):
            counts[term] = counts.get(term, 0) + 1
        total = max(self.section_count, 1)
        scored = []
        for term, tf in counts.items():
            df = self.searcher.doc_freq("text", term)
            if df:
                scored.append((tf * math.log(1 + total / df), term))
        scored.sort(key=lambda st: (-st[0], st[1]))
        if not scored:
            return None
        return Query.boolean_query([
            (Occur.Should, Query.boost_query(Query.term_query(self.schema, "text", term), w))
            for w, term in scored[:terms]])


def _month(value: str) -> int:
    return int(value[:4]) * 100 + int(value[5:7])


def _highlight(text: str, snippets) -> str:
    """Tantivy's best fragment of `text`, escaped, with <mark> around the matched words
    (tantivy's offsets are bytes of UTF-8)."""
    snippet = snippets.snippet_from_doc(tantivy.Document(text=text))
    marks = snippet.highlighted()
    if not marks:
        return ""
    raw = snippet.fragment().encode("utf-8")
    out, at = [], 0
    for span in sorted(marks, key=lambda r: r.start):
        if span.start < at:
            continue
        out.append(escape(raw[at:span.start].decode("utf-8", "replace"), quote=False))
        out.append("<mark>" + escape(raw[span.start:span.end].decode("utf-8", "replace"),
                                     quote=False) + "</mark>")
        at = span.end
    out.append(escape(raw[at:].decode("utf-8", "replace"), quote=False))
    rng = snippet.fragment_range()
    full = len(text.encode("utf-8"))
    return ("… " if rng.start > 0 else "") + "".join(out) + (" …" if rng.end < full else "")


def _hit(fields: dict, score: float, snippets, wanted: frozenset) -> Hit:
    from search._search import highlight_ids

    data = section_data(fields)
    text = data["t"]
    snippet = highlight_ids(_highlight(text, snippets)) if snippets is not None else ""
    if not snippet:
        spans = [(m[2], m[3]) for m in data["m"] if m[1].lower() in wanted]
        snippet = _snippet.mark_spans(text, spans) if spans else _snippet.lead(text)
    seen = dict.fromkeys((m[0], m[1]) for m in data["m"])
    return Hit(report_id=fields["report_id"], title=fields["title"],
               period=fields.get("period"), section=fields.get("heading", ""),
               anchor=fields["anchor"], page=data["p"], score=round(abs(float(score)), 4),
               snippet_html=snippet, format=fields["format"],
               entities=tuple(EntityRef(t, n) for t, n in seen))


def _vocabulary(searcher):
    """The spelling vocabulary of this generation: section words and one-word entity
    names, with how many sections use each (read once from the term dictionaries)."""
    counts: dict[str, int] = {}
    if searcher.num_docs:
        for term, n in searcher.terms_with_prefix("spell", ""):
            counts[term] = n
        for term, n in searcher.terms_with_prefix("entity", ""):
            if term.isalpha():
                counts[term] = max(counts.get(term, 0), n)
    return Vocabulary.from_counts(counts)

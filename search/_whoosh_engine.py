"""The Whoosh engine behind the `search._engine` interface.

Its parts live in the modules it started with: `_schema` (fields, documents), `_writer`
(batches, worker segments, commits, merges), `_pool` (searchers per thread and generation),
`_collect` (one scoring pass over all matches), `_facets` (per-generation columns),
`_snippet` (Whoosh highlighting, escaped), `_suggest` (the spelling vocabulary) and
`_whoosh_query` (the query tree compiled for Whoosh). This module only wires them to the
interface; a doc is a Whoosh docnum of the view's searcher.
"""

from __future__ import annotations

from pathlib import Path

from whoosh import index as windex
from whoosh import query as wq
from whoosh.searching import Results

from search import _collect, _facets, _postings, _snippet, _suggest
from search import _qtree as qt
from search import _whoosh_query as wqc
from search._pool import SearcherPool
from search._schema import rebuild_report, section_data
from search._types import EntityRef, Hit


class WhooshEngine:
    """An index directory written and read with Whoosh."""

    NAME = "whoosh"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.pool = SearcherPool(self.path)

    # -- reading ----------------------------------------------------------------------------
    def exists(self) -> bool:
        from search._writer import INDEX_NAME
        return windex.exists_in(str(self.path), indexname=INDEX_NAME)

    def view(self) -> WhooshView | None:
        current = self.pool.current()
        if current is None:
            return None
        return WhooshView(self.pool, current[0], current[1])

    def close(self) -> None:
        self.pool.close()

    # -- writing (call with the write lock held) --------------------------------------------
    def open_writer(self):
        from search._writer import open_or_create
        return open_or_create(self.path)

    def batch(self, ix):
        from search._writer import batch
        return batch(ix)

    def builder(self, ix, stage_dir: Path):
        from search._writer import SegmentBuilder
        return SegmentBuilder(stage_dir, ix.schema)

    def commit(self, ix, finished: list, delete: set[str], dead: dict) -> None:
        from search._writer import commit_segments
        commit_segments(ix, self.path, finished, delete, dead)

    def existing(self, ix) -> dict[str, dict]:
        from search._writer import existing
        return existing(ix)

    def generation(self, ix) -> int:
        return ix.latest_generation()

    def report_fields(self, ix):
        """The stored fields of every report document, streamed (never all in memory: the
        summary is folded from them one at a time); the searcher closes when they end."""
        with ix.searcher() as searcher:
            yield from searcher.documents(kind="report")


class WhooshView:
    """One thread's Whoosh searcher on one generation, with that generation's tables."""

    def __init__(self, pool: SearcherPool, key: tuple, searcher) -> None:
        self.pool = pool
        self.key = key
        self.searcher = searcher
        self.schema = searcher.schema
        self.table = pool.cached(key, "facets", lambda: _facets.FacetTable(searcher))
        self.section_count = self.table.section_count
        self.report_of = self.table.report_of
        self.period = self.table.period
        self.count_reports = self.table.reports
        self._posting_reader = None

    def facets(self, docs, match_set=None, expand=None) -> dict:
        """Facets over `docs`, counted from the generation's columns (`match_set` unused)."""
        return self.table.facets(docs, expand)

    # -- queries ----------------------------------------------------------------------------
    def compile(self, node, resolve):
        expand = wqc.check_expansion(self.searcher.reader())
        q = wqc.compile_tree(node, self.schema, resolve, expand)
        return None if q is wq.NullQuery else q

    def literal(self, text: str):
        return wqc.literal_query(text, self.schema)

    #: How much a match in each default field weighs (what the compiled queries boost).
    field_boosts = wqc.DEFAULT_FIELDS

    def all_of(self, queries):
        return wq.And(list(queries))

    def field_docs(self, node, resolve) -> dict[str, set[int]]:
        """{field: sections holding the clause there}. Words and IDs are looked up field by
        field (a single term straight from its posting list, a phrase by its query), so a
        match in a heading, title or entity name can weigh more; prefixes and fuzzy terms
        count as body text."""
        if not isinstance(node, (qt.Word, qt.Phrase)):
            q = self.compile(node, resolve)
            return {"text": self.docs(q)} if q is not None else {}
        if isinstance(node, qt.Word) and self.is_stop_word(node.text):
            return {}  # a stop word cannot rank
        out = {}
        for field in wqc.DEFAULT_FIELDS:
            q = wqc.field_query(self.schema, field, node.text, resolve)
            if q is None:
                continue
            out[field] = self._postings().docs(q.fieldname, q.text) \
                if isinstance(q, wq.Term) else self.docs(q)
        return out

    def positions(self, words: list[str], docs):
        """({doc: {term: positions in the text}}, neighbouring (term, term) pairs) for the
        query's plain `words` as the text field indexes them."""
        terms = [t[0] for t in (wqc.field_terms(self.schema, "text", w) for w in words) if t]
        pairs = list(zip(terms, terms[1:]))
        if not pairs:
            return {}, []
        return self._postings().positions("text", terms, docs), pairs

    def _postings(self) -> _postings.Postings:
        if self._posting_reader is None:
            self._posting_reader = _postings.Postings(self.searcher, self.table.sections)
        return self._posting_reader

    def is_stop_word(self, word: str) -> bool:
        return not list(self.schema["text"].process_text(word, mode="query"))

    def matches(self, q, filters, deadline: float | None) -> list[tuple[float, int]]:
        run, keep = self._restrict(q, filters)
        return _collect.matches(self.searcher, run, self.table.sections, keep,
                                deadline=deadline)

    def _restrict(self, q, f):
        """The query to run with the filters, and a docnum check for the period.

        Term filters join the query as a `Require` (scores come from the user's query
        alone), so the matcher skips through their postings instead of Whoosh building a
        bit set of the whole index per search. The period range is checked against the
        per-generation period column while collecting.
        """
        terms = []
        if f.type:
            terms.append(wq.Term("type", f.type))
        if f.entity:
            terms.append(wq.Term("entity", f.entity))
        if f.year:
            terms.append(wq.Term("year", f.year))
        if f.section:
            terms.append(wq.Term("heading", f.section))
        if f.format:
            terms.append(wq.Term("format", f.format))
        if q is None:
            run = wq.ConstantScoreQuery(wq.And(terms)) if terms else wq.Every()
        else:
            run = wq.Require(q, wq.And(terms)) if terms else q
        keep = None
        if f.period:
            lo, hi = f.period_lo or "", f.period_hi or "9999-99"
            period = self.table.period

            def keep(docnum: int) -> bool:
                p = period(docnum)
                return p is not None and lo <= p <= hi
        return run, keep

    def docs(self, q) -> set[int]:
        """Every section docnum matching `q` (no scoring, no filters)."""
        if q is None:
            return set()
        found = set()
        sections = self.table.sections
        for sub, offset in self.searcher.leaf_searchers():
            for doc in q.matcher(sub, self.searcher.context()).all_ids():
                if sections[offset + doc]:
                    found.add(offset + doc)
        return found

    # -- hits -------------------------------------------------------------------------------
    def hits(self, items, highlight) -> list[Hit]:
        # A Results object over just these items gives Whoosh's stored fields and highlights.
        results = Results(self.searcher, highlight if highlight is not None else wq.NullQuery,
                          list(items))
        _snippet.configure(results)
        return [_hit(h, highlight) for h in results]

    def vocabulary(self):
        vocabulary = self.pool.cached(self.key, "vocabulary",
                                      lambda: _suggest.Vocabulary(self.searcher))
        return vocabulary.bind(self.searcher.reader())

    # -- stored documents -------------------------------------------------------------------
    def report(self, report_id: str):
        docs = list(self.searcher.documents(report_id=report_id))
        head = [d for d in docs if d["kind"] == "report"]
        if not head:
            return None
        return rebuild_report(head[0], [d for d in docs if d["kind"] == "section"])

    def report_fields(self):
        return self.searcher.documents(kind="report")

    def entity_sections(self, name: str) -> list[tuple[dict, dict]]:
        results = self.searcher.search(wq.Term("entity", name.lower()),
                                       filter=wq.Term("kind", "section"), limit=None)
        out = []
        for hit in results:
            fields = hit.fields()
            out.append((fields, section_data(fields)))
        return out

    def more_like_this(self, report_id: str, anchor: str, limit: int) -> list[Hit]:
        searcher = self.searcher
        docnum = searcher.document_number(doc_id=f"{report_id}#{anchor}")
        if docnum is None:
            return []
        text = section_data(searcher.stored_fields(docnum))["t"]
        if not text.strip():
            # A bare heading has no words to compare; Whoosh would fall back to term
            # vectors this index does not keep and raise.
            return []
        flt = wq.And([wq.Term("kind", "section"), wq.Not(wq.Term("report_id", report_id))])
        results = searcher.more_like(docnum, "text", text=text, top=limit, numterms=12,
                                     filter=flt)
        _snippet.configure(results)
        return [_hit(h, None) for h in results]


def _hit(hit, q) -> Hit:
    from search._search import highlight_ids

    fields = hit.fields()
    data = section_data(fields)
    text = data["t"]
    snippet = hit.highlights("text", text=text, top=2) if q is not None else ""
    snippet = highlight_ids(snippet)
    if not snippet:
        wanted = wqc.id_terms(q, "entity")
        spans = [(m[2], m[3]) for m in data["m"] if m[1].lower() in wanted]
        snippet = _snippet.mark_spans(text, spans) if spans else _snippet.lead(text)
    seen = dict.fromkeys((m[0], m[1]) for m in data["m"])
    return Hit(report_id=fields["report_id"], title=fields["title"],
               period=fields.get("period"), section=fields.get("heading", ""),
               anchor=fields["anchor"], page=data["p"], score=_score(hit),
               snippet_html=snippet, format=fields["format"],
               entities=tuple(EntityRef(t, n) for t, n in seen))


def _score(hit) -> float:
    # Sorted by period, Whoosh puts the sort key in .score: (period key, -relevance).
    score = hit.score[-1] if isinstance(hit.score, tuple) else hit.score
    return round(abs(float(score or 0.0)), 4)

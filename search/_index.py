"""`Index`: read access to one index directory (search, reports, entities, stats).

Each public method does all its work with one searcher, so a request sees one consistent
generation of the index. Searchers stay open between calls, one per thread, and are
replaced when an ingest commits a new generation (see _pool). A missing or empty directory
reads as an empty index.
"""

from __future__ import annotations

import re
import time
import weakref
from pathlib import Path

from whoosh import query as wq
from whoosh.searching import Results

from ingest.model import ENTITY_TYPES, Report
from search import _aggregate, _collect, _entity, _facets, _qtree, _search, _snippet, _suggest
from search import _whoosh_query
from search._pool import SearcherPool
from search._schema import build_schema, rebuild_report, section_data
from search._types import (EntityDetail, EntityRef, EntityStat, Hit, IndexStats, QueryError,
                           ReportSummary, SearchRequest, SearchResponse)



class Index:
    """The archive's search index in `path` (see the search package docs for the API)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._pool = SearcherPool(self.path)
        weakref.finalize(self, self._pool.close)

    # -- plumbing ---------------------------------------------------------------------------
    def _searcher(self):
        """(generation key, searcher) for this thread, or None when there is no index."""
        return self._pool.current()

    def _table(self, key, searcher) -> _facets.FacetTable:
        """The facet table of this index generation, built once and shared by threads."""
        return self._pool.cached(key, "facets", lambda: _facets.FacetTable(searcher))

    def close(self) -> None:
        """Close the searchers kept open between calls (also done when garbage-collected)."""
        self._pool.close()

    def _summary(self) -> dict:
        current = self._searcher()
        if current is None:
            return _aggregate.empty()
        key, searcher = current
        summary = _aggregate.read(self.path, key[0])
        if summary is None:  # stale or missing: derive it in memory, never trust it
            summary = self._pool.cached(key, "summary", lambda: _aggregate.build(searcher, key[0]))
        return summary

    # -- search -----------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchResponse:
        """Run one search: a page of section hits, facets over all matches, and the mode that
        answered; typos corrected when the query as typed finds (almost) nothing."""
        started = time.perf_counter()
        current = self._searcher()
        if current is None:  # still check the query, so errors do not depend on the index
            if not request.literal:
                _qtree.parse(request.q)
            return _response(request, 0, (), _facets.empty(), None, started)
        searcher, table, outcome, suggestion, corrected = self._run(current, request)
        sort = _sort(request, outcome)
        # One pass scored every match: the page needs the best ones, the total and the
        # facets need them all (see _collect). Collapsing needs the full ranking (a report's
        # best hit may be deep).
        items = outcome.items
        docs = [d for _, d in items]
        start = (request.page - 1) * request.per_page
        end = start + request.per_page
        order = ordered(items, outcome.ranked, sort, table.period)
        if request.collapse:
            total = table.reports(docs)
            page = _collapsed(table, order(None), end)[start:]
        else:
            total = len(docs)
            page = order(end)[start:]
        # A Results object over just the page gives Whoosh's stored fields and highlighting.
        highlight = outcome.highlight if outcome.highlight is not None else wq.NullQuery
        results = Results(searcher, highlight, page)
        _snippet.configure(results)
        hits = tuple(_hit(h, outcome.highlight) for h in results)
        facets = table.facets(docs)
        return _response(request, total, hits, facets, suggestion, started,
                         mode=outcome.mode, all_words=outcome.all_words, corrected=corrected)

    def _run(self, current, request: SearchRequest):
        """(searcher, facet table, outcome, suggestion, corrected) of one request on the
        current searcher: the query run as all words, else most words, maybe corrected."""
        key, searcher = current
        table = self._table(key, searcher)
        runner = _search.Runner(
            searcher, table, lambda req, q: self._restrict(req, q, table),
            lambda name: _entity.query_name(self.path, name),
            lambda: self._pool.cached(key, "vocabulary", lambda: _suggest.Vocabulary(searcher)))
        return (searcher, table) + runner.search(request)

    def _restrict(self, request: SearchRequest, q, table: _facets.FacetTable):
        """The query to run with the request's filters, and a docnum check for the period.

        Term filters join the query as a `Require` (scores come from the user's query
        alone), so the matcher skips through their postings instead of Whoosh building a
        bit set of the whole index per search. The period range is checked against the
        per-generation period column while collecting.
        """
        terms = []
        if request.type:
            terms.append(wq.Term("type", request.type))
        if request.entity:
            terms.append(wq.Term("entity", _entity.query_name(self.path, request.entity).lower()))
        if request.year:
            terms.append(wq.Term("year", request.year))
        if request.section:
            terms.append(wq.Term("heading", request.section))
        if request.format:
            terms.append(wq.Term("format", request.format))
        if q is None:
            run = wq.ConstantScoreQuery(wq.And(terms)) if terms else wq.Every()
        else:
            run = wq.Require(q, wq.And(terms)) if terms else q
        keep = None
        if request.period_from or request.period_to:
            lo = _month(request.period_from, first=True) if request.period_from else ""
            hi = _month(request.period_to, first=False) if request.period_to else "9999-99"
            period = table.period

            def keep(docnum: int) -> bool:
                p = period(docnum)
                return p is not None and lo <= p <= hi
        return run, keep

    # -- reports ----------------------------------------------------------------------------
    def report(self, report_id: str) -> Report | None:
        """The full report rebuilt from the index, or None when no report has this id."""
        current = self._searcher()
        if current is None:
            return None
        docs = list(current[1].documents(report_id=report_id))
        head = [d for d in docs if d["kind"] == "report"]
        if not head:
            return None
        return rebuild_report(head[0], [d for d in docs if d["kind"] == "section"])

    def reports(self) -> list[ReportSummary]:
        """Every report, sorted by period (undated last), then title."""
        return [_summary_row(r) for r in self._summary()["reports"]]

    def neighbours(self, report_id: str) -> tuple[ReportSummary | None, ReportSummary | None]:
        """The reports just before and after `report_id` in period order."""
        rows = self.reports()
        ids = [r.id for r in rows]
        if report_id not in ids:
            return None, None
        i = ids.index(report_id)
        return (rows[i - 1] if i > 0 else None), (rows[i + 1] if i + 1 < len(rows) else None)

    def source_path(self, report_id: str) -> Path | None:
        """The file the report was ingested from (absolute), or None for an unknown id."""
        for r in self._summary()["reports"]:
            if r["id"] == report_id:
                return Path(r["source_abs"])
        return None

    # -- entities and stats -----------------------------------------------------------------
    def entities(self, type: str | None = None) -> list[EntityStat]:
        """Every entity with report and mention counts, optionally of one type."""
        if type is not None and type not in ENTITY_TYPES:
            raise QueryError(f"Bad value for 'type': {type!r}. Use one of: "
                             f"{', '.join(ENTITY_TYPES)}.", param="type")
        return [EntityStat(**e) for e in self._summary()["entities"]
                if type is None or e["type"] == type]

    def entity(self, type: str, name: str) -> EntityDetail | None:
        """One entity in detail (name may be an alias or any case), or None if unknown."""
        current = self._searcher()
        if current is None:
            return None
        return _entity.detail(self, current[1], type, name)

    def stats(self) -> IndexStats:
        """Counts of what the index holds, its period span and when it last changed."""
        return IndexStats(index_path=str(self.path), **self._summary()["stats"])

    def more_like_this(self, report_id: str, anchor: str, limit: int = 5) -> list[Hit]:
        """Sections of other reports most similar to the given section."""
        current = self._searcher()
        if current is None:
            return []
        searcher = current[1]
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

    # -- whole result sets (export, batch search): see _export ------------------------------
    def iter_hits(self, request: SearchRequest, limit: int | None = None):
        """Every hit of `request` in order, streamed: an `Export` (total, limit, hits)."""
        from search import _export
        return _export.iter_hits(self, request, _export.EXPORT_MAX if limit is None else limit)

    def overview(self, request: SearchRequest, top: int = 3):
        """A `QueryOverview` of `request`: sections, reports, period span, top hits."""
        from search import _export
        return _export.overview(self, request, top)


# -- helpers --------------------------------------------------------------------------------
def _month(value: str, first: bool) -> str:
    if len(value) == 4:
        return f"{value}-01" if first else f"{value}-12"
    return value


def _summary_row(r: dict) -> ReportSummary:
    return ReportSummary(**{k: r[k] for k in ReportSummary.__dataclass_fields__})


def _hit(hit, q) -> Hit:
    fields = hit.fields()
    data = section_data(fields)
    text = data["t"]
    snippet = hit.highlights("text", text=text, top=2) if q is not None else ""
    snippet = _search.highlight_ids(snippet)
    if not snippet:
        wanted = _whoosh_query.id_terms(q, "entity")
        spans = [(m[2], m[3]) for m in data["m"] if m[1].lower() in wanted]
        snippet = _snippet.mark_spans(text, spans) if spans else _snippet.lead(text)
    seen = dict.fromkeys((m[0], m[1]) for m in data["m"])
    return Hit(report_id=fields["report_id"], title=fields["title"],
               period=fields.get("period"), section=fields.get("heading", ""),
               anchor=fields["anchor"], page=data["p"], score=_score(hit),
               snippet_html=snippet, format=fields["format"],
               entities=tuple(EntityRef(t, n) for t, n in seen))


def _collapsed(table, items, wanted: int) -> list:
    """The best-ranked item of each report, in result order, up to `wanted` of them."""
    seen, out = set(), []
    for item in items:
        rid = table.report_of(item[1])
        if rid not in seen:
            seen.add(rid)
            out.append(item)
            if len(out) >= wanted:
                break
    return out


def _score(hit) -> float:
    # Sorted by period, Whoosh puts the sort key in .score: (period key, -relevance).
    score = hit.score[-1] if isinstance(hit.score, tuple) else hit.score
    return round(abs(float(score or 0.0)), 4)


def _sort(request: SearchRequest, outcome) -> str:
    """The order to show: with no query words there is nothing to rank by, so newest."""
    return "newest" if outcome.mode == "filter" and request.sort == "relevance" else request.sort


def ordered(items, ranked: bool, sort: str, period):
    """`limit -> items in result order`: relevance order as the runner ranked it (or by
    score), else by period with relevance breaking ties."""
    if sort == "relevance" and ranked:
        return lambda limit: items if limit is None else items[:limit]
    if ranked:  # already best first: a stable sort by period keeps that order within months
        def by_period(limit):
            out = list(items)
            if sort == "newest":
                out.sort(key=lambda it: period(it[1]) or "", reverse=True)
            else:
                out.sort(key=lambda it: (period(it[1]) is None, period(it[1]) or ""))
            return out if limit is None else out[:limit]
        return by_period
    return lambda limit: _collect.ranked(items, sort, period, limit)


def _response(request, total, hits, facets, suggestion, started, mode="filter", all_words=0,
              corrected=False) -> SearchResponse:
    return SearchResponse(query=request.q, total=total, page=request.page,
                          per_page=request.per_page,
                          took_ms=round((time.perf_counter() - started) * 1000, 1),
                          sort=request.sort, filters=request.filters(), hits=hits,
                          facets=facets, suggestion=suggestion, match_mode=mode,
                          all_words_total=all_words, corrected=corrected)

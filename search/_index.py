"""`Index`: read access to one index directory (search, reports, entities, stats).

Each public method opens one searcher and does all its work with it, so a request sees one
consistent generation of the index. A missing or empty directory reads as an empty index.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from whoosh import index as windex
from whoosh import query as wq
from whoosh.sorting import FieldFacet, MultiFacet, ScoreFacet

from ingest.model import ENTITY_TYPES, Report
from search import _aggregate, _entity, _facets, _query, _snippet
from search._schema import build_schema, rebuild_report, section_data
from search._types import (EntityDetail, EntityRef, EntityStat, Hit, IndexStats, QueryError,
                           ReportSummary, SearchRequest, SearchResponse)
from search._writer import INDEX_NAME

#: Below this many hits we look for a "did you mean" query.
SUGGEST_BELOW = 3
# Quoted phrases and field:value pairs are left alone; only plain words are corrected.
_WORD = re.compile(r'"[^"]*"|[A-Za-z_]+:\S*|[\w.*~-]+')


class Index:
    """The archive's search index in `path` (see the search package docs for the API)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._table: tuple[int, _facets.FacetTable] | None = None

    # -- plumbing ---------------------------------------------------------------------------
    def _ix(self):
        if not windex.exists_in(str(self.path), indexname=INDEX_NAME):
            return None
        return windex.open_dir(str(self.path), indexname=INDEX_NAME)

    def _summary(self) -> dict:
        ix = self._ix()
        if ix is None:
            return _aggregate.empty()
        generation = ix.latest_generation()
        summary = _aggregate.read(self.path, generation)
        if summary is None:  # stale or missing: derive it in memory, never trust it
            with ix.searcher() as searcher:
                summary = _aggregate.build(searcher, generation)
        return summary

    # -- search -----------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchResponse:
        """Run one search: a page of section hits, facets over all matches, maybe a suggestion."""
        started = time.perf_counter()
        ix = self._ix()
        if ix is None:  # still check the query, so errors do not depend on the index
            _query.parse(request.q, build_schema(), literal=request.literal)
            return _response(request, 0, (), _facets.empty(), None, started)
        generation = ix.latest_generation()
        with ix.searcher() as searcher:
            q = _query.parse(request.q, ix.schema, literal=request.literal,
                              resolve=lambda name: _entity.query_name(self.path, name))
            flt = self._filter(request)
            sort = request.sort
            if q is None:
                q = wq.Every()
                if sort == "relevance":
                    sort = "newest"  # nothing to rank by: show the latest first
            kwargs = {}
            if sort != "relevance":
                key = (FieldFacet("period_desc", reverse=True) if sort == "newest"
                       else FieldFacet("period_asc"))
                kwargs["sortedby"] = MultiFacet([key, ScoreFacet()])
            start = (request.page - 1) * request.per_page
            # Collapsing needs the full ranking (the best hit of each report may be deep);
            # Whoosh's own CollapseCollector cannot be combined with our needs, so we do it.
            # Phrases are costly to match twice (top N, then all docs for facets): score all
            # matches in one pass instead (0.19 -> 0.12 s at 10k sections); for other queries
            # the top-N pass plus a docs pass is cheaper.
            full = request.collapse or _has_phrase(q)
            limit = None if full else start + request.per_page
            results = searcher.search(q, filter=flt, limit=limit, terms=True, **kwargs)
            _snippet.configure(results)
            docs = results.docs()  # every match, not just the page: for totals and facets
            table = self._facet_table(generation, searcher)
            if request.collapse:
                total = table.reports(docs)
                page = _collapsed(table, results, start + request.per_page)[start:]
            else:
                total = len(docs)
                page = results[start:start + request.per_page]
            hits = tuple(_hit(h, q) for h in page)
            facets = table.facets(docs)
            suggestion = None
            if total < SUGGEST_BELOW and request.q.strip() and not request.literal:
                suggestion = _suggest(searcher, ix.schema, request.q, flt, total)
        return _response(request, total, hits, facets, suggestion, started)

    def _facet_table(self, generation: int, searcher) -> _facets.FacetTable:
        """The facet table of this index generation, built once and reused."""
        cached = self._table
        if cached is None or cached[0] != generation:
            cached = (generation, _facets.FacetTable(searcher))
            self._table = cached  # one assignment: safe to share between threads
        return cached[1]

    def _filter(self, request: SearchRequest) -> wq.Query:
        clauses = [wq.Term("kind", "section")]
        if request.type:
            clauses.append(wq.Term("type", request.type))
        if request.entity:
            clauses.append(wq.Term("entity", _entity.query_name(self.path, request.entity).lower()))
        if request.period_from or request.period_to:
            lo = _month(request.period_from, first=True) if request.period_from else None
            hi = _month(request.period_to, first=False) if request.period_to else None
            clauses.append(wq.TermRange("period", lo, hi))
        if request.year:
            clauses.append(wq.Term("year", request.year))
        if request.section:
            clauses.append(wq.Term("heading", request.section))
        if request.format:
            clauses.append(wq.Term("format", request.format))
        return wq.And(clauses)

    # -- reports ----------------------------------------------------------------------------
    def report(self, report_id: str) -> Report | None:
        """The full report rebuilt from the index, or None when no report has this id."""
        ix = self._ix()
        if ix is None:
            return None
        with ix.searcher() as searcher:
            docs = list(searcher.documents(report_id=report_id))
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
        ix = self._ix()
        if ix is None:
            return None
        return _entity.detail(self, ix, type, name)

    def stats(self) -> IndexStats:
        """Counts of what the index holds, its period span and when it last changed."""
        return IndexStats(index_path=str(self.path), **self._summary()["stats"])

    def more_like_this(self, report_id: str, anchor: str, limit: int = 5) -> list[Hit]:
        """Sections of other reports most similar to the given section."""
        ix = self._ix()
        if ix is None:
            return []
        with ix.searcher() as searcher:
            docnum = searcher.document_number(doc_id=f"{report_id}#{anchor}")
            if docnum is None:
                return []
            text = section_data(searcher.stored_fields(docnum))["t"]
            flt = wq.And([wq.Term("kind", "section"), wq.Not(wq.Term("report_id", report_id))])
            results = searcher.more_like(docnum, "text", text=text, top=limit, numterms=12,
                                         filter=flt)
            _snippet.configure(results)
            return [_hit(h, None) for h in results]


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
    if not snippet:
        wanted = _query.id_terms(q, "entity")
        spans = [(m[2], m[3]) for m in data["m"] if m[1].lower() in wanted]
        snippet = _snippet.mark_spans(text, spans) if spans else _snippet.lead(text)
    seen = dict.fromkeys((m[0], m[1]) for m in data["m"])
    return Hit(report_id=fields["report_id"], title=fields["title"],
               period=fields.get("period"), section=fields.get("heading", ""),
               anchor=fields["anchor"], page=data["p"], score=_score(hit),
               snippet_html=snippet, format=fields["format"],
               entities=tuple(EntityRef(t, n) for t, n in seen))


def _has_phrase(q) -> bool:
    return isinstance(q, wq.Phrase) or any(_has_phrase(c) for c in q.children())


def _collapsed(table, results, wanted: int) -> list:
    """The best-ranked hit of each report, in result order, up to `wanted` of them."""
    seen, out = set(), []
    for i in range(results.scored_length()):
        rid = table.report_of(results.docnum(i))
        if rid not in seen:
            seen.add(rid)
            out.append(results[i])
            if len(out) >= wanted:
                break
    return out


def _score(hit) -> float:
    # Sorted by period, Whoosh puts the sort key in .score: (period key, -relevance).
    score = hit.score[-1] if isinstance(hit.score, tuple) else hit.score
    return round(abs(float(score or 0.0)), 4)


def _response(request, total, hits, facets, suggestion, started) -> SearchResponse:
    return SearchResponse(query=request.q, total=total, page=request.page,
                          per_page=request.per_page,
                          took_ms=round((time.perf_counter() - started) * 1000, 1),
                          sort=request.sort, filters=request.filters(), hits=hits,
                          facets=facets, suggestion=suggestion)


def _suggest(searcher, schema, q: str, flt, total: int) -> str | None:
    """A query with misspelt words replaced by the index's own words, if it finds more."""
    reader = searcher.reader()
    corrector = searcher.corrector("text")
    changed = []

    def fix(m: re.Match) -> str:
        token = m.group(0)
        word = token.lower()
        if not token.isalpha() or token in ("AND", "OR", "NOT") or \
                reader.frequency("spell_text", word) or reader.frequency("entity", word):
            return token
        best = corrector.suggest(word, limit=1, maxdist=2)
        if not best:
            return token
        changed.append(best[0])
        return best[0]

    candidate = _WORD.sub(fix, q)
    if not changed:
        return None
    try:
        better = searcher.search(_query.parse(candidate, schema), filter=flt, limit=1)
    except QueryError:
        return None
    return candidate if len(better) > total else None

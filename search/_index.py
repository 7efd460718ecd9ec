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
from whoosh.sorting import Count, FieldFacet, MultiFacet, ScoreFacet

from ingest.model import ENTITY_TYPES, Report
from search import _aggregate, _entity, _query, _snippet
from search._schema import KEY_SEP, build_schema, rebuild_report, section_data
from search._types import (EntityDetail, EntityRef, EntityStat, Hit, IndexStats, QueryError,
                           ReportSummary, SearchRequest, SearchResponse)
from search._writer import INDEX_NAME

#: Names shown per entity type in the entity facet.
ENTITY_FACET_TOP = 10
#: Below this many hits we look for a "did you mean" query.
SUGGEST_BELOW = 3
# Quoted phrases and field:value pairs are left alone; only plain words are corrected.
_WORD = re.compile(r'"[^"]*"|[A-Za-z_]+:\S*|[\w.*~-]+')


class Index:
    """The archive's search index in `path` (see the search package docs for the API)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

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
            return _response(request, 0, (), _empty_facets(), None, started)
        with ix.searcher() as searcher:
            q = _query.parse(request.q, ix.schema, literal=request.literal)
            flt = self._filter(request)
            sort = request.sort
            if q is None:
                q = wq.Every()
                if sort == "relevance":
                    sort = "newest"  # nothing to rank by: show the latest first
            groups = {"type": FieldFacet("etype", allow_overlap=True),
                      "entity": FieldFacet("entkey", allow_overlap=True),
                      "year": FieldFacet("year"), "section": FieldFacet("heading"),
                      "format": FieldFacet("format")}
            if request.collapse:
                groups["report"] = FieldFacet("report_id")
            kwargs = {}
            if sort != "relevance":
                key = (FieldFacet("period_desc", reverse=True) if sort == "newest"
                       else FieldFacet("period_asc"))
                kwargs["sortedby"] = MultiFacet([key, ScoreFacet()])
            # Facets force Whoosh to score every match anyway, so collapsing ourselves over
            # the full ranking costs little (Whoosh's CollapseCollector breaks with facets).
            limit = None if request.collapse else request.page * request.per_page
            results = searcher.search(q, filter=flt, limit=limit, groupedby=groups,
                                      maptype=Count, terms=True, **kwargs)
            _snippet.configure(results)
            start = (request.page - 1) * request.per_page
            if request.collapse:
                total = len(results.groups("report"))
                page = _collapsed(searcher, results, start + request.per_page)[start:]
            else:
                total = len(results)
                page = results[start:start + request.per_page]
            hits = tuple(_hit(h, q) for h in page)
            facets = _facets(results)
            suggestion = None
            if total < SUGGEST_BELOW and request.q.strip() and not request.literal:
                suggestion = _suggest(searcher, ix.schema, request.q, flt, total)
        return _response(request, total, hits, facets, suggestion, started)

    def _filter(self, request: SearchRequest) -> wq.Query:
        clauses = [wq.Term("kind", "section")]
        if request.type:
            clauses.append(wq.Term("type", request.type))
        if request.entity:
            clauses.append(wq.Term("entity", _entity.resolve_name(self, request.entity).lower()))
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


def _collapsed(searcher, results, wanted: int) -> list:
    """The best-ranked hit of each report, in result order, up to `wanted` of them."""
    report_of = searcher.reader().column_reader("report_id")
    seen, out = set(), []
    for i in range(results.scored_length()):
        rid = report_of[results.docnum(i)]
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


def _counts(results, name: str) -> dict:
    try:
        return results.groups(name)
    except KeyError:
        return {}


def _ranked(counts: dict) -> list[dict]:
    items = [(k.decode() if isinstance(k, bytes) else k, c) for k, c in counts.items() if k]
    items.sort(key=lambda kv: (-kv[1], kv[0]))
    return [{"value": k, "count": c} for k, c in items]


def _facets(results) -> dict:
    per_type: dict[str, list] = {}
    for item in _ranked(_counts(results, "entity")):
        etype, _, name = item["value"].partition(KEY_SEP)
        bucket = per_type.setdefault(etype, [])
        if len(bucket) < ENTITY_FACET_TOP:
            bucket.append({"value": name, "count": item["count"]})
    order = {t: i for i, t in enumerate(ENTITY_TYPES)}
    types = sorted(_ranked(_counts(results, "type")), key=lambda i: order.get(i["value"], 99))
    years = sorted(_ranked(_counts(results, "year")), key=lambda i: i["value"])
    return {"type": types,
            "entity": {t: per_type[t] for t in sorted(per_type, key=lambda t: order.get(t, 99))},
            "year": years, "section": _ranked(_counts(results, "section"))[:20],
            "format": _ranked(_counts(results, "format"))}


def _empty_facets() -> dict:
    return {"type": [], "entity": {}, "year": [], "section": [], "format": []}


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

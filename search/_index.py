"""`Index`: read access to one index directory (search, reports, entities, stats).

Each public method does all its work with one engine view (see _engine), so a request sees
one consistent generation of the index. Views keep their searchers open between calls, one
per thread, replaced when an ingest commits a new generation (see _pool). A missing or
empty directory reads as an empty index.
"""

from __future__ import annotations

import time
import weakref
from pathlib import Path

from ingest.model import ENTITY_TYPES, Report
from search import _aggregate, _entity, _facets, _order, _qtree, _search
from search._engine import open_engine, requested_engine
from search._types import (EntityDetail, EntityStat, Hit, IndexStats, QueryError,
                           ReportSummary, SearchRequest, SearchResponse)


class Index:
    """The archive's search index in `path` (see the search package docs for the API).

    `engine` ("whoosh" or "tantivy") is the engine to read it with; None: the one asked for
    by $REPORT_ARCHIVE_ENGINE or the configuration file, else the one the directory records
    (see `search._engine.choose`); another than the recorded one is an
    `EngineMismatchError` that says how to rebuild.
    """

    def __init__(self, path: str | Path, engine: str | None = None, read=()) -> None:
        from search._pg_conn import is_url

        if is_url(path):  # a PostgreSQL database; `read`: replica URLs that serve reads
            from search._pg_engine import PgEngine
            self.path = path
            self._engine = PgEngine(path, read)
        else:
            self.path = Path(path)
            self._engine = open_engine(self.path, engine or requested_engine())
        self.engine = self._engine.NAME
        #: The engine's searcher pool (per thread or `searcher_slot`).
        self._pool = self._engine.pool
        weakref.finalize(self, self._engine.close)

    # -- plumbing ---------------------------------------------------------------------------
    def _view(self):
        """The engine's view of the latest generation for this thread, or None (no index)."""
        return self._engine.view()

    def close(self) -> None:
        """Close the searchers kept open between calls (also done when garbage-collected)."""
        self._engine.close()

    def _summary(self) -> dict:
        view = self._view()
        if view is None:
            return _aggregate.empty()
        key = view.key
        if hasattr(view, "summary"):  # computed by the engine (PostgreSQL: by SQL)
            return self._pool.cached(key, "summary", view.summary)
        summary = _aggregate.read(self.path, key[0])
        if summary is None:  # stale or missing: derive it in memory, never trust it
            summary = self._pool.cached(key, "summary",
                                        lambda: _aggregate.build(view.report_fields(), key[0]))
        return summary

    # -- search -----------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchResponse:
        """Run one search: a page of section hits, facets over all matches, and the mode that
        answered; typos corrected when the query as typed finds (almost) nothing."""
        started = time.perf_counter()
        view = self._view()
        if view is None:  # still check the query, so errors do not depend on the index
            if not request.literal:
                _qtree.parse(request.q)
            return _response(request, 0, (), _facets.empty(), None, started,
                             reports=0 if request.count_reports else None)
        start = (request.page - 1) * request.per_page
        end = start + request.per_page
        # a page in relevance order needs only the best `end` results (an engine may rank
        # and count them in one pass); a collapsed page or another order needs them all
        window = end if request.sort == "relevance" and not request.collapse else None
        outcome, suggestion, corrected = self._run(view, request, window)
        sort = _sort(request, outcome)
        # One pass scored every match (or, with `window`, the engine's best ones and the
        # total): the page needs the best ones, the total and the facets need them all.
        # Collapsing needs the full ranking (a report's best hit may be deep).
        items = outcome.items
        docs = [d for _, d in items]
        order = ordered(items, outcome.ranked, sort, view.period)
        reports = None
        if request.collapse:
            total = reports = view.count_reports(docs)
            page = _collapsed(view, order(None), end)[start:]
        else:
            total = len(docs) if outcome.total is None else outcome.total
            page = order(end)[start:]
            if request.count_reports:  # `docs` may be the window only: count the match set
                reports = view.count_reports(docs, None if outcome.total is None
                                             else outcome.match_set)
        hits = tuple(view.hits(page, outcome.highlight))
        facets = view.facets(docs, outcome.match_set, request.more)
        return _response(request, total, hits, facets, suggestion, started,
                         mode=outcome.mode, all_words=outcome.all_words, corrected=corrected,
                         reports=reports if request.count_reports else None)

    def _run(self, view, request: SearchRequest, window: int | None = None):
        """(outcome, suggestion, corrected) of one request on `view`: the query run as all
        words, else most words, maybe corrected; `window`: see `_search.Runner`."""
        runner = _search.Runner(view, lambda name: _entity.query_name(self.path, name), window)
        return runner.search(request)

    # -- reports ----------------------------------------------------------------------------
    def report(self, report_id: str) -> Report | None:
        """The full report rebuilt from the index, or None when no report has this id."""
        view = self._view()
        return view.report(report_id) if view is not None else None

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

    def entity(self, type: str, name: str, all_co_mentions: bool = False) -> EntityDetail | None:
        """One entity in detail (name may be an alias or any case), or None if unknown.
        Co-mentions are the most frequent ones unless `all_co_mentions`."""
        view = self._view()
        if view is None:
            return None
        return _entity.detail(self, view, type, name, all_co_mentions)

    def stats(self) -> IndexStats:
        """Counts of what the index holds, its period span and when it last changed."""
        from search._pg_conn import shown

        return IndexStats(index_path=shown(str(self.path)), **self._summary()["stats"])

    def more_like_this(self, report_id: str, anchor: str, limit: int = 5) -> list[Hit]:
        """Sections of other reports most similar to the given section."""
        view = self._view()
        if view is None:
            return []
        return view.more_like_this(report_id, anchor, limit)

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
def _summary_row(r: dict) -> ReportSummary:
    return ReportSummary(**{k: r[k] for k in ReportSummary.__dataclass_fields__})


def _collapsed(view, items, wanted: int) -> list:
    """The best-ranked item of each report, in result order, up to `wanted` of them."""
    seen, out = set(), []
    for item in items:
        rid = view.report_of(item[1])
        if rid not in seen:
            seen.add(rid)
            out.append(item)
            if len(out) >= wanted:
                break
    return out


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
    return lambda limit: _order.ranked(items, sort, period, limit)


def _response(request, total, hits, facets, suggestion, started, mode="filter", all_words=0,
              corrected=False, reports=None) -> SearchResponse:
    return SearchResponse(query=request.q, total=total, page=request.page,
                          per_page=request.per_page,
                          took_ms=round((time.perf_counter() - started) * 1000, 1),
                          sort=request.sort, filters=request.filters(), hits=hits,
                          facets=facets, suggestion=suggestion, match_mode=mode,
                          all_words_total=all_words, corrected=corrected, reports=reports)

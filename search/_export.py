"""Whole result sets: every hit of a search in order (for export), and a query's overview.

`Index.search` answers one page; an export wants all of it. Paging through `search` would
re-run the query once per page (each run scores every match), so a 10,000-row export at
100 per page would run it 100 times and could straddle an ingest. Here the query runs once
on one engine view (one generation of the index), the (score, docnum) list is ranked once, and
hits are built `CHUNK` at a time, so the memory for stored fields, snippets and `Hit`
objects is that of one chunk whatever the number of rows; only the ranked docnum list
grows with the number of matches (two numbers per match, as in every search).

`overview` answers the batch-search question for one query in the same single pass: how
many sections and reports match, the first and last period, and the top hits.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from search import _index, _qtree
from search._types import Hit, SearchRequest

#: Hits built at a time while streaming: bounds the memory of one export step.
CHUNK = 100
#: The most rows an export gives (documented in the README and the OpenAPI document).
EXPORT_MAX = 10_000


@dataclass(frozen=True, slots=True)
class Export:
    """A whole result set: `total` matches, `hits` yields at most `limit` of them in order."""

    total: int
    limit: int
    hits: Iterator[Hit]

    @property
    def truncated(self) -> bool:
        """True when the export stops before the last match (the cap was reached)."""
        return self.total > self.limit


@dataclass(frozen=True, slots=True)
class QueryOverview:
    """One query at a glance: counts, the period span of its matches, the best hits."""

    query: str
    total: int
    reports: int
    first_period: str | None
    last_period: str | None
    hits: tuple[Hit, ...]

    def to_dict(self) -> dict:
        return {"query": self.query, "total": self.total, "reports": self.reports,
                "first_period": self.first_period, "last_period": self.last_period,
                "hits": [h.to_dict() for h in self.hits]}


def _run(index, request: SearchRequest):
    """(view, highlight query, ranked items, order) for the request, or None for no
    index: the same run as `Index.search` (all words, else most words; typos corrected)."""
    view = index._view()
    if view is None:
        if not request.literal:
            _qtree.parse(request.q)
        return None
    outcome, _, _ = index._run(view, request)
    order = _index.ordered(outcome.items, outcome.ranked, _index._sort(request, outcome),
                           view.period)
    return view, outcome.highlight, outcome.items, order


def iter_hits(index, request: SearchRequest, limit: int = EXPORT_MAX) -> Export:
    """Every hit of `request` in its order (page and per_page ignored), at most `limit`.

    The query runs now (a bad query raises `QueryError` here, before anything is
    streamed); the hits are built lazily, `CHUNK` at a time, on the calling thread's
    view, which must be the thread that iterates.
    """
    limit = max(0, min(int(limit), EXPORT_MAX))
    found = _run(index, request)
    if found is None:
        return Export(total=0, limit=limit, hits=iter(()))
    view, q, items, order = found
    if request.collapse:
        total = view.count_reports([d for _, d in items])
        ranked = _index._collapsed(view, order(None), limit)
    else:
        total = len(items)
        ranked = order(limit)
    del items  # only the ranked (and cut) list is needed from here on

    def generate() -> Iterator[Hit]:
        for start in range(0, len(ranked), CHUNK):
            yield from view.hits(ranked[start:start + CHUNK], q)

    return Export(total=total, limit=limit, hits=generate())


def overview(index, request: SearchRequest, top: int = 3) -> QueryOverview:
    """Counts, period span and the `top` best hits of `request`, from one pass."""
    found = _run(index, request)
    if found is None:
        return QueryOverview(request.q, 0, 0, None, None, ())
    view, q, items, order = found
    docs = [d for _, d in items]
    periods = [p for p in map(view.period, docs) if p]
    ranked = order(top)
    return QueryOverview(query=request.q, total=len(docs), reports=view.count_reports(docs),
                         first_period=min(periods) if periods else None,
                         last_period=max(periods) if periods else None,
                         hits=tuple(view.hits(ranked, q)))

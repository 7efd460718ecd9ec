"""Result order, the same for every engine: by relevance, or by period then relevance."""

from __future__ import annotations

import heapq


def _relevance(item: tuple[float, int]) -> tuple[float, int]:
    return (-item[0], item[1])  # best first; ties in index order, as Whoosh orders them


def ranked(items, sort: str, period, limit: int | None = None) -> list[tuple[float, int]]:
    """`items` in result order: by relevance, or by period (newest/oldest first, undated
    last) then relevance. `period(docnum)` gives a document's period or None. With
    `limit`, only that many from the top."""
    if sort == "relevance":
        if limit is not None and limit < len(items):
            return heapq.nsmallest(limit, items, key=_relevance)
        return sorted(items, key=_relevance)
    out = sorted(items, key=_relevance)
    if sort == "newest":  # stable sorts: equal periods stay in relevance order
        out.sort(key=lambda it: period(it[1]) or "", reverse=True)
    else:
        out.sort(key=lambda it: (period(it[1]) is None, period(it[1]) or ""))
    return out if limit is None else out[:limit]

"""One pass over the matches of a query: every match scored once, then ranked by us.

A search needs both a page of ranked hits and the whole matching set (for the total and
the facets). Whoosh gives the page from a top-N pass and the set from a second pass over
the postings (`Results.docs()`), and turns a filter query into a bit set of the whole
index on every search. Here one collector walks the matcher once, drops report documents
and documents outside the period range by looking them up in the per-generation table
(`_facets.FacetTable`), and keeps (score, docnum) of the rest; ranking, sorting by period
and collapsing are then plain Python over that list.
"""

from __future__ import annotations

import time

from whoosh.collectors import ScoredCollector

from search._types import QueryError

#: How many matches are collected between two looks at the clock.
_CLOCK_EVERY = 2048


class AllMatches(ScoredCollector):
    """Scores every match that `sections` marks and `keep` (if given) accepts."""

    def __init__(self, sections: bytearray, keep=None, deadline: float | None = None) -> None:
        super().__init__()
        self.sections = sections
        self.keep = keep
        self.deadline = deadline

    def prepare(self, top_searcher, q, context) -> None:
        super().prepare(top_searcher, q, context)
        self.items: list[tuple[float, int]] = []

    def collect_matches(self) -> None:
        sections, keep, offset, items = self.sections, self.keep, self.offset, self.items
        final, top = self.final_fn, self.top_searcher
        deadline, seen = self.deadline, 0
        for sub_docnum in self.matches():
            seen += 1
            if deadline is not None and seen % _CLOCK_EVERY == 0 and time.monotonic() > deadline:
                raise QueryError("This search took too long and was stopped. Add words, a "
                                 "phrase or a filter (period, type) to narrow it.", param="q")
            docnum = offset + sub_docnum
            if not sections[docnum] or (keep is not None and not keep(docnum)):
                continue
            score = self.matcher.score()  # self.matcher: matches() may swap in a faster one
            if final:
                score = final(top, docnum, score)
            items.append((score, docnum))

    def results(self):
        return self.items


def matches(searcher, q, sections: bytearray, keep=None,
            deadline: float | None = None) -> list[tuple[float, int]]:
    """(score, docnum) of every section matching `q`, in document order; past `deadline`
    (a `time.monotonic()` value) the search stops with a QueryError."""
    collector = AllMatches(sections, keep, deadline)
    # needs_current=True makes Whoosh build unions as a tree of two-way matchers: on
    # segments under 5,000 documents it would otherwise pre-read every OR into an array
    # cleared in Python per 2,048 documents, whatever the number of matches (10-40 % of
    # a query at 10k sections).
    searcher.search_with_collector(q, collector, context=searcher.context(needs_current=True))
    return collector.items

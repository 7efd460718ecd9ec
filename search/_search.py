"""One search on one engine view: the query tree run as all words, else most words, with
typos corrected when the query as typed finds (almost) nothing.

The decisions live in engine-neutral modules (`_qtree` parses, `_relevance` plans and ranks,
`_correct` picks corrections); this module runs them on one `View` of an engine (see
`_engine`): the view compiles the tree, collects matches in one pass and counts clauses.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from search import _correct, _order, _qtree, _relevance
from search._engine import Filters

#: Below this many sections with every word, a corrected query is tried.
SUGGEST_BELOW = 3
#: Longest a search may take before it is stopped with an error (seconds).
TIME_BUDGET = 3.0


@dataclass
class Outcome:
    """What one run of a query found, before the page is cut."""

    items: list            # (score, doc) in rank order (relevance) or document order
    ranked: bool           # True when `items` is already in relevance order
    mode: str              # "all", "most", "literal" or "filter"
    all_words: int         # sections with every word
    highlight: object      # the engine query whose terms the snippets mark (or None)
    #: (engine query or None for every section, Filters) whose whole match set `items`
    #: is, so an engine may count facets itself; None when `items` is a subset ("most").
    match_set: object = None
    #: How many sections match when `items` holds only the best of them (see Runner
    #: `window`); None: `items` is every match.
    total: int | None = None


class Runner:
    """Runs requests on one view of one index generation (one thread's)."""

    def __init__(self, view, resolve, window: int | None = None) -> None:
        self.view = view
        self.resolve = resolve          # entity alias -> canonical name
        self.deadline = time.monotonic() + TIME_BUDGET
        # Only the first `window` results in relevance order are wanted (a page in the
        # default order): an engine that can rank and count in one pass (`top`) then
        # hands over the best ones and the total instead of every match.
        self.window = window if hasattr(view, "top") else None

    def compile(self, node):
        return self.view.compile(node, self.resolve)

    def filters(self, request) -> Filters:
        lo = _month(request.period_from, first=True) if request.period_from else None
        hi = _month(request.period_to, first=False) if request.period_to else None
        entity = self.resolve(request.entity).lower() if request.entity else None
        return Filters(type=request.type, entity=entity, year=request.year,
                       section=request.section, format=request.format,
                       period_lo=lo, period_hi=hi)

    def collect(self, request, q, every: bool = False) -> list:
        """(score, doc) of the sections matching `q` and the filters; `every`: no query
        words, the filters alone. A `q` of None (only stop words) finds nothing."""
        if q is None and not every:
            return []
        return self.view.matches(q, self.filters(request), self.deadline)

    # -- one query ---------------------------------------------------------------------------
    def run(self, request, text: str) -> Outcome:
        """Run `text` with the request's filters (literal, or all words then most words)."""
        if request.literal:
            q = self.view.literal(text)
            if q is None:
                raise _nothing_literal(text)
            items = self.collect(request, q)
            return Outcome(items, False, "literal", len(items), q, (q, self.filters(request)))
        tree = _qtree.parse(text)
        if tree is None:
            items = self.collect(request, None, every=True)
            return Outcome(items, False, "filter", len(items), None,
                           (None, self.filters(request)))
        plan = _relevance.plan(tree)
        strict = self.compile(plan.strict)
        if not plan.can_rank_by_most:
            return self._all_words(request, plan, strict)
        if self.window is not None and strict is not None:
            # the sections with every word are those the clause sets below would intersect
            # to: counted by the engine, enough of them answer without the sets
            best = self._best(request, plan, strict)
            if best.total >= _relevance.FEW_ALL_WORDS:
                return best
        # Several ranking words: which sections hold each (per field) decides the mode. With
        # enough sections holding all of them, the strict query ranks them (all words);
        # else those sets rank every section holding any (most words), with no second pass.
        clause_fields = [self.view.field_docs(n, self.resolve) for n in plan.should]
        union: set = set()
        for fields in clause_fields:
            for docs in fields.values():
                union |= docs
        allowed = self._allowed(request, plan, union)
        every = [set().union(*fields.values()) for fields in clause_fields if fields]
        strict_docs = set.intersection(*every) if every else set()
        if allowed is not None:
            strict_docs &= allowed
        if len(strict_docs) >= _relevance.FEW_ALL_WORDS:
            return self._all_words(request, plan, strict)
        candidates = sorted(union if allowed is None else union & allowed)
        dfs = [len(set().union(*fields.values())) if fields else 0 for fields in clause_fields]
        clause_weights = _relevance.weights(dfs, self.view.section_count)
        ranked = _relevance.rank_most(candidates, clause_fields, clause_weights,
                                      self.view.report_of, self.view.field_boosts, strict_docs)
        ranked = _relevance.rescore_near(ranked, self._near(plan), _relevance.WEIGHTS["near"])
        items = [(round(score, 4), d) for _, score, d in ranked]
        return Outcome(items, True, "most", len(strict_docs), self.compile(plan.loose()))

    def _all_words(self, request, plan, strict) -> Outcome:
        """All-words mode: the sections with every word, ranked by the engine's score."""
        if self.window is not None and strict is not None:
            return self._best(request, plan, strict)
        items = self.collect(request, strict)
        return Outcome(self._with_proximity(items, plan), True, "all", len(items), strict,
                       self._match_set(request, strict))

    def _best(self, request, plan, strict) -> Outcome:
        """All-words mode from the engine's `top`: the first `window` results (or the
        proximity window, which may reorder them) and the total."""
        want = self.window
        if len(plan.words()) >= 2:
            want = max(want, _relevance.NEAR_WINDOW)
        total, items = self.view.top(strict, self.filters(request), want, self.deadline)
        return Outcome(self._with_proximity(items, plan), True, "all", total, strict,
                       self._match_set(request, strict), total=total)

    def _match_set(self, request, strict):
        return (strict, self.filters(request)) if strict is not None else None

    def _allowed(self, request, plan, union: set) -> set | None:
        """The docs of `union` that pass the filters (period included) and `must` clauses
        and hold no `must_not` clause; None when nothing restricts."""
        filters = self.filters(request)
        must = [self.compile(n) for n in plan.must]
        allowed = None
        if filters != Filters() or must:
            query = must[0] if len(must) == 1 else self.view.all_of(must) if must else None
            allowed = {d for _, d in self.view.matches(query, filters, self.deadline)} \
                if query is not None or filters != Filters() else None
        if plan.must_not:
            banned = set()
            for n in plan.must_not:
                q = self.compile(n)
                if q is not None:
                    banned |= self.view.docs(q)
            allowed = (union if allowed is None else allowed) - banned
        return allowed

    def _near(self, plan):
        """docs -> {doc: share of neighbouring query words standing close in its text}."""
        words = plan.words()

        def near(docs):
            if len(words) < 2:
                return {}
            found, pairs = self.view.positions(words, docs)
            return {d: _relevance.near_share(p, pairs) for d, p in found.items()}
        return near

    def _with_proximity(self, items, plan) -> list:
        """All-words ranking: the engine's score, with a bonus near the top where the words
        stand close together."""
        ranked = [(True, s, d) for s, d in _order.ranked(items, "relevance", None)]
        if len(ranked) < 2 or len(plan.words()) < 2:
            return [(s, d) for _, s, d in ranked]
        top = ranked[0][1] or 1.0
        ranked = _relevance.rescore_near(ranked, self._near(plan),
                                         _relevance.WEIGHTS["near"] * top)
        return [(s, d) for _, s, d in ranked]

    # -- the request -------------------------------------------------------------------------
    def search(self, request):
        """(outcome, suggestion, corrected) for the request. When fewer than SUGGEST_BELOW
        sections hold every word as typed, misspelt words are corrected; the corrected
        results replace the typed ones when they hold every word more often, or when a
        word was unknown to the index and the correction finds anything."""
        outcome = self.run(request, request.q)
        if request.literal or outcome.mode == "filter" or outcome.all_words >= SUGGEST_BELOW:
            return outcome, None, False
        tree = _qtree.parse(request.q)
        vocabulary = self.view.vocabulary()
        fixes = _correct.corrections(tree, vocabulary, self.view.is_stop_word)
        if not fixes:
            return outcome, None, False
        candidate = _correct.apply(request.q, fixes)
        try:
            better = self.run(request, candidate)
        except Exception:  # a correction that does not parse is no correction
            return outcome, None, False
        unknown = any(was_unknown for _, was_unknown in fixes.values())
        if better.all_words > outcome.all_words or (
                unknown and better.items and better.all_words >= outcome.all_words):
            if request.correct:
                return better, candidate, True
            return outcome, candidate, False
        return outcome, None, False



def _month(value: str, first: bool) -> str:
    if len(value) == 4:
        return f"{value}-01" if first else f"{value}-12"
    return value



def _nothing_literal(text: str):
    from search._types import QueryError
    return QueryError(f"Nothing to search for in {text[:200]!r}: a search as typed ignores "
                      "punctuation, one-letter and very common words (the, of, and ...). "
                      "Add a distinctive word.", param="q")


def highlight_ids(html: str) -> str:
    """Join the marks of an ID's parts: <mark>DMTN</mark>-<mark>208</mark> -> one mark."""
    return html.replace("</mark>-<mark>", "-")


"""Relevance decisions made on the query tree, the same for every engine.

**All words, else most of them.** Words typed side by side, with no operator, first ask for
sections holding every word. When fewer than `FEW_ALL_WORDS` sections do, the words only
rank: any section with at least one of them may match (Lucene's ``should`` clauses), and
`rank_most` orders them (sections with every word first, then by how much of the query the
section, its neighbours and its report cover) and drops those with too little of it
(``minimum_should_match``, measured on the report). Phrases, ``+words``, fields, explicit
``AND``/``OR`` groups and ``NOT`` stay strict in both modes.

**Words that do not decide.** Question words and auxiliaries (what, when, did, ...) are
dropped when the query has other words; a word in a large share of sections gets a small
weight (inverse document frequency), so "status" or "progress" cannot outvote "Rucio".

**Passage and report evidence.** People ask about reports: a query's words are often spread
over a heading, its paragraph and the next section. A section is scored by the words it
holds, the words of its neighbours and the words of its whole report (as passage retrieval
combines passage and document scores), plus its engine score for the fields it matched
in (heading, title and entity names weigh more than body text) and a bonus for query words
that stand close together in it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from search import _qtree as qt

#: Below this many sections with every word, the words rank instead of filter.
FEW_ALL_WORDS = 10
#: Words that carry no topic in a question. Dropped when the query has other words.
QUESTION_WORDS = frozenset("""
    what when where who whom whose which why how did does do done doing is are was were
    been be being has have had can could would should shall will there any about tell me
    happen happened happening
""".split())
#: A section (with its report) must cover at least this share of the best-covered
#: report's query weight to be listed in most-words mode.
MIN_SHOULD_SHARE = 0.5
#: How the parts of the most-words score add up (section words, neighbourhood, report,
#: engine score, proximity); section coverage dominates.
WEIGHTS = {"section": 1.0, "context": 0.35, "report": 0.6, "engine": 0.5, "near": 0.3}


@dataclass(frozen=True)
class Plan:
    """How to run one query: strictly, and (when it has several ranking words) loosely."""

    strict: object                      # the whole tree: every word must match
    should: tuple = ()                  # words that only rank in most-words mode
    must: tuple = ()                    # clauses that must match in both modes
    must_not: tuple = ()                # NOT clauses
    dropped: tuple = field(default=())  # question words left out

    @property
    def can_rank_by_most(self) -> bool:
        return len(self.should) >= 2

    def loose(self):
        """The tree for most-words mode: any `should` word, every `must`, no `must_not`."""
        parts = [qt.Or(self.should)] + list(self.must) + [qt.Not(n) for n in self.must_not]
        return parts[0] if len(parts) == 1 else qt.And(tuple(parts), explicit=True)

    def near_pairs(self) -> list[tuple[str, str]]:
        """Neighbouring plain words of the query, for the proximity bonus."""
        words = [n.text for n in self.should if isinstance(n, qt.Word)]
        return list(zip(words, words[1:]))


def _ranks(node) -> bool:
    """Whether a top-level clause only ranks in most-words mode (a bare term)."""
    if isinstance(node, qt.Phrase):
        return node.field is None and node.ident
    return isinstance(node, (qt.Word, qt.Prefix, qt.Fuzzy, qt.Wildcard)) and node.field is None


def plan(tree) -> Plan:
    """The plan for `tree` (None for an empty query gives an empty plan)."""
    if tree is None:
        return Plan(strict=None)
    if not (isinstance(tree, qt.And) and not tree.explicit):
        return Plan(strict=tree)
    kids = list(tree.children)
    topical = [k for k in kids if not _is_question_word(k)]
    dropped = tuple(k for k in kids if _is_question_word(k)) if topical else ()
    kids = topical or kids
    should = tuple(k for k in kids if _ranks(k))
    must = tuple(k.child if isinstance(k, qt.Required) else k
                 for k in kids if not _ranks(k) and not isinstance(k, qt.Not))
    must_not = tuple(k.child for k in kids if isinstance(k, qt.Not))
    strict = kids[0] if len(kids) == 1 else qt.And(tuple(kids), explicit=False)
    return Plan(strict=strict, should=should, must=must, must_not=must_not, dropped=dropped)


def _is_question_word(node) -> bool:
    return isinstance(node, qt.Word) and node.field is None and \
        node.text.lower().strip("?!.,") in QUESTION_WORDS


def weights(doc_freqs: list[int], total: int) -> list[float]:
    """Inverse document frequency of each clause: rare words weigh most; a word in every
    section weighs almost nothing, and a word in none weighs nothing (it cannot rank)."""
    total = max(total, 1)
    return [math.log(1 + (total - df + 0.5) / (df + 0.5)) if df else 0.0 for df in doc_freqs]


def rank_most(items, clause_docs, clause_weights, report_of, near_docs=(), strict_docs=()):
    """Order the most-words candidates and drop those with too little of the query.

    `items` are (engine score, doc) of every section matching at least one `should` clause
    (and every `must`), in document order; `clause_docs[i]` the docs matching clause i;
    `report_of(doc)` a doc's report; `near_docs` sets of docs where two query words stand
    close; `strict_docs` the docs that matched every word. Returns (score, doc) in rank
    order, best first.
    """
    total = sum(clause_weights) or 1.0
    docs = [d for _, d in items]
    engine = {d: s for s, d in items}
    top_engine = max(engine.values(), default=0.0) or 1.0
    # which clauses each candidate section holds, as a bit mask
    held = dict.fromkeys(docs, 0)
    for i, matching in enumerate(clause_docs):
        bit = 1 << i
        for d in matching:
            if d in held:
                held[d] |= bit
    by_report: dict = {}
    for d in docs:
        r = report_of(d)
        by_report[r] = by_report.get(r, 0) | held[d]

    def cover(mask: int) -> float:
        return sum(w for i, w in enumerate(clause_weights) if mask >> i & 1) / total

    cache: dict[int, float] = {}

    def cov(mask: int) -> float:
        value = cache.get(mask)
        if value is None:
            value = cache[mask] = cover(mask)
        return value

    best_report = max((cov(m) for m in by_report.values()), default=0.0)
    floor = MIN_SHOULD_SHARE * best_report
    n_near = max(len(near_docs), 1)
    strict = set(strict_docs)
    out = []
    for d in docs:
        r = report_of(d)
        report_cover = cov(by_report[r])
        if report_cover < floor:
            continue
        context = held[d]
        for nb in (d - 1, d + 1, d - 2, d + 2):
            if nb in held and report_of(nb) == r:
                context |= held[nb]
        near = sum(1 for s in near_docs if d in s) / n_near
        score = (WEIGHTS["section"] * cov(held[d]) + WEIGHTS["context"] * cov(context)
                 + WEIGHTS["report"] * report_cover
                 + WEIGHTS["engine"] * engine[d] / top_engine + WEIGHTS["near"] * near)
        out.append((d in strict, score, d))
    out.sort(key=lambda t: (not t[0], -t[1], t[2]))
    return [(round(score, 4), d) for _, score, d in out]

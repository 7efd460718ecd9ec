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
combines passage and document scores), and by the fields it holds them in (heading, title
and entity names weigh more than body text), from each word's set of sections per field,
without a second scored pass over every section holding any word. The best-ranked are
then rescored for query words that stand close together in them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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
#: How the parts of the most-words score add up: the query weight the section holds, its
#: neighbourhood holds, its report holds, the fields it holds it in (heading, title and
#: entity names above body text) and proximity. Section coverage dominates.
WEIGHTS = {"section": 1.0, "context": 0.35, "report": 0.6, "fields": 0.3, "near": 0.3}


@dataclass(frozen=True)
class Plan:
    """How to run one query: strictly, and (when it has several ranking words) loosely."""

    strict: object                      # the whole tree: every word must match
    should: tuple = ()                  # words that only rank in most-words mode
    must: tuple = ()                    # clauses that must match in both modes
    must_not: tuple = ()                # NOT clauses

    @property
    def can_rank_by_most(self) -> bool:
        return len(self.should) >= 2

    def loose(self):
        """The tree for most-words mode: any `should` word, every `must`, no `must_not`."""
        parts = [qt.Or(self.should)] + list(self.must) + [qt.Not(n) for n in self.must_not]
        return parts[0] if len(parts) == 1 else qt.And(tuple(parts), explicit=True)

    def words(self) -> list[str]:
        """The plain words among the ranking clauses, in query order."""
        return [n.text for n in self.should if isinstance(n, qt.Word)]


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
    kids = topical or kids
    should = tuple(k for k in kids if _ranks(k))
    must = tuple(k.child if isinstance(k, qt.Required) else k
                 for k in kids if not _ranks(k) and not isinstance(k, qt.Not))
    must_not = tuple(k.child for k in kids if isinstance(k, qt.Not))
    strict = kids[0] if len(kids) == 1 else qt.And(tuple(kids), explicit=False)
    return Plan(strict=strict, should=should, must=must, must_not=must_not)


def _is_question_word(node) -> bool:
    return isinstance(node, qt.Word) and node.field is None and \
        node.text.lower().strip("?!.,") in QUESTION_WORDS


def weights(doc_freqs: list[int], total: int) -> list[float]:
    """Inverse document frequency of each clause: rare words weigh most; a word in every
    section weighs almost nothing, and a word in none weighs nothing (it cannot rank)."""
    total = max(total, 1)
    return [math.log(1 + (total - df + 0.5) / (df + 0.5)) if df else 0.0 for df in doc_freqs]


def rank_most(candidates, clause_fields, clause_weights, report_of, field_boosts,
              strict_docs=()):
    """Order the most-words candidates and drop those with too little of the query.

    `candidates` are the docs (sections) that hold at least one `should` clause and pass
    every filter, `must` and `must_not`; `clause_fields[i]` maps a field name to the docs
    whose field holds clause i; `field_boosts` says how much a match in each field weighs
    (heading, title and entity names above body text); `report_of(doc)` gives a doc's
    report; `strict_docs` the docs that hold every word. Returns (strict, score, doc) best
    first: docs with every word first, then by score.
    """
    total = sum(clause_weights) or 1.0
    strict_docs = set(strict_docs)
    held = dict.fromkeys(candidates, 0)
    for i, fields in enumerate(clause_fields):
        bit = 1 << i
        for d in set().union(*fields.values()) if fields else ():
            if d in held:
                held[d] |= bit
    # the best field each candidate holds each clause in, as a boost above body text: only
    # the boosted fields (headings, titles, names: small sets) need looking at
    extra = dict.fromkeys(held, 0.0)
    top_boost = max(field_boosts.values()) - 1.0 or 1.0
    boosted = sorted(((b, f) for f, b in field_boosts.items() if b > 1.0), reverse=True)
    for i, fields in enumerate(clause_fields):
        weight = clause_weights[i] / total / top_boost
        seen: set = set()
        for boost, field in boosted:  # best first: a doc takes its best field's boost
            for d in fields.get(field, ()):
                if d in held and d not in seen:
                    seen.add(d)
                    extra[d] += weight * (boost - 1.0)
    report = {d: report_of(d) for d in held}
    by_report: dict = {}
    for d, mask in held.items():
        r = report[d]
        by_report[r] = by_report.get(r, 0) | mask

    cache: dict[int, float] = {}

    def cov(mask: int) -> float:
        value = cache.get(mask)
        if value is None:
            value = cache[mask] = sum(
                w for i, w in enumerate(clause_weights) if mask >> i & 1) / total
        return value

    best_report = max((cov(m) for m in by_report.values()), default=0.0)
    floor = MIN_SHOULD_SHARE * best_report
    w_section, w_context, w_report = WEIGHTS["section"], WEIGHTS["context"], WEIGHTS["report"]
    w_fields = WEIGHTS["fields"]
    out = []
    for d, mask in held.items():
        r = report[d]
        report_cover = cov(by_report[r])
        if report_cover < floor:
            continue
        # the sections around it in the same report (a heading, its paragraph and the
        # next section often share a query's words between them)
        context = mask
        for nb in (d - 2, d - 1, d + 1, d + 2):
            if report.get(nb) == r:
                context |= held[nb]
        score = (w_section * cov(mask) + w_context * cov(context) + w_report * report_cover
                 + w_fields * extra[d])
        out.append((d in strict_docs, score, d))
    out.sort(key=lambda t: (not t[0], -t[1], t[2]))
    return out


#: How many of the best-ranked sections the proximity bonus may reorder (a rescoring
#: window, as search engines rescore their top hits with a costlier signal).
NEAR_WINDOW = 50
#: Two words at most this many positions apart stand "close" together.
NEAR_DISTANCE = 6


def near_share(positions: dict[str, list], pairs: list[tuple[str, str]]) -> float:
    """The share of neighbouring query words (`pairs` of terms) that stand within
    `NEAR_DISTANCE` positions of each other, given each term's positions in one text."""
    if not pairs:
        return 0.0
    close = 0
    for a, b in pairs:
        pa, pb = positions.get(a), positions.get(b)
        if pa and pb and _min_gap(pa, pb) <= NEAR_DISTANCE:
            close += 1
    return close / len(pairs)


def _min_gap(a: list, b: list) -> int:
    """Smallest |x - y| for x in a, y in b (both sorted ascending): one merge pass."""
    i = j = 0
    best = abs(a[0] - b[0])
    while i < len(a) and j < len(b):
        best = min(best, abs(a[i] - b[j]))
        if a[i] < b[j]:
            i += 1
        else:
            j += 1
    return best


def rescore_near(ranked, near, bonus: float):
    """`ranked` (strict, score, doc) with `bonus * near(docs)[doc]` added to the scores of
    the first `NEAR_WINDOW` entries, re-sorted within the window (strict ones first)."""
    head, tail = ranked[:NEAR_WINDOW], ranked[NEAR_WINDOW:]
    if not head or bonus <= 0:
        return ranked
    shares = near([d for _, _, d in head])
    head = [(strict, score + bonus * shares.get(d, 0.0), d) for strict, score, d in head]
    head.sort(key=lambda t: (not t[0], -t[1], t[2]))
    return head + tail

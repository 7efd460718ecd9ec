"""Relevance of search over the sample archive, scored against our own judged query set.

The queries and their answers live in `tests/fixtures/relevance/queries.toml` (written before
judging and before any ranking was tuned on them; its header says how). A search is a
function `search_fn(q) -> [report id, ...]` in rank order; hits are sections, so the ids may
repeat and are deduplicated by report, keeping the first place each report reaches.

- MRR@10: mean over queries of 1 / (place of the first right report among the first 10
  distinct reports), 0 when none is there.
- recall@3: mean over queries of (right reports among the first 3 distinct reports) /
  (right reports). A query with more than three answers cannot reach 1; the table prints
  that ceiling.
- Negatives (nothing in the archive answers) stay out of both; they are reported as the
  share of negative queries for which the search returned nothing at all.

The naive baseline counts, for each report, the case-insensitive substring occurrences of
each query word (split on whitespace, lower-cased, punctuation stripped from both ends of
the word) in the report's extracted text (title, headings, section text), sums them and
ranks reports by that sum, ties by report id; reports scoring 0 are left out.

    .venv/bin/python -m tests.relevance_eval              # our engine vs the baseline
    .venv/bin/python -m tests.relevance_eval --queries    # ... and each query's places
"""

from __future__ import annotations

import string
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

QUERIES_PATH = Path(__file__).parent / "fixtures" / "relevance" / "queries.toml"
SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_reports"
KINDS = ("topic", "keywords", "question", "typo1", "typo2", "id_topic")
MRR_DEPTH = 10
RECALL_DEPTH = 3

SearchFn = Callable[[str], Sequence[str]]


@dataclass(frozen=True)
class Query:
    """One judged query: what a user typed and every report that answers it."""

    id: str
    kind: str
    text: str
    answers: tuple[str, ...]
    note: str = ""
    judged: str = ""
    negative: bool = False
    hard: bool = False


def load_queries(path: Path = QUERIES_PATH) -> list[Query]:
    """Read the query set. Raises ValueError naming the query for a malformed entry.

    A query must have a known kind, and answers exactly when it is not a negative.
    """
    entries = tomllib.loads(Path(path).read_text(encoding="utf-8"))["query"]
    queries, seen = [], set()
    for e in entries:
        qid = e.get("id", "?")
        if qid in seen:
            raise ValueError(f"{path}: query id {qid!r} is used twice")
        seen.add(qid)
        if e.get("kind") not in KINDS:
            raise ValueError(f"{path}: query {qid}: kind {e.get('kind')!r} is not one of {KINDS}")
        answers, negative = tuple(e.get("answers", ())), bool(e.get("negative", False))
        if negative == bool(answers):
            raise ValueError(f"{path}: query {qid}: a query needs answers unless it is "
                             "marked negative = true (and a negative has none)")
        queries.append(Query(qid, e["kind"], e["text"], answers, e.get("note", ""),
                             e.get("judged", ""), negative, bool(e.get("hard", False))))
    return queries


def distinct(report_ids: Iterable[str]) -> list[str]:
    """Report ids in order of first appearance (section hits -> ranked reports)."""
    return list(dict.fromkeys(report_ids))


def reciprocal_rank(ranked: Sequence[str], answers: Iterable[str], depth: int = MRR_DEPTH) -> float:
    """1/place of the first right report among the first `depth` of `ranked`, else 0."""
    right = set(answers)
    for place, rid in enumerate(ranked[:depth], start=1):
        if rid in right:
            return 1.0 / place
    return 0.0


def recall_at(ranked: Sequence[str], answers: Iterable[str], depth: int = RECALL_DEPTH) -> float:
    """Share of the right reports found among the first `depth` of `ranked`."""
    right = set(answers)
    return len(right & set(ranked[:depth])) / len(right)


@dataclass(frozen=True)
class Group:
    """Figures over one group of queries (all, or one kind)."""

    n: int
    mrr: float
    recall3: float
    recall3_ceiling: float  # what a perfect ranking reaches, given how many answers there are


@dataclass(frozen=True)
class Figures:
    """What `evaluate` measures: overall, per kind, the negatives, and each query's ranking."""

    overall: Group
    per_kind: dict[str, Group]
    negatives_n: int
    negatives_empty: float  # share of negatives for which nothing at all came back
    ranked: dict[str, list[str]]  # query id -> distinct reports in rank order


def _group(queries: Sequence[Query], ranked: dict[str, list[str]]) -> Group:
    n = len(queries)
    if not n:
        return Group(0, 0.0, 0.0, 0.0)
    rr = sum(reciprocal_rank(ranked[q.id], q.answers) for q in queries)
    rec = sum(recall_at(ranked[q.id], q.answers) for q in queries)
    ceiling = sum(min(RECALL_DEPTH, len(q.answers)) / len(q.answers) for q in queries)
    return Group(n, rr / n, rec / n, ceiling / n)


def evaluate(search_fn: SearchFn, queries: Sequence[Query]) -> Figures:
    """Run every query through `search_fn` and score the rankings (see the module docs)."""
    ranked = {q.id: distinct(search_fn(q.text)) for q in queries}
    judged = [q for q in queries if not q.negative]
    negatives = [q for q in queries if q.negative]
    per_kind = {k: _group([q for q in judged if q.kind == k], ranked) for k in KINDS}
    empty = sum(1 for q in negatives if not ranked[q.id])
    return Figures(_group(judged, ranked), per_kind, len(negatives),
                   empty / len(negatives) if negatives else 0.0, ranked)


def query_words(text: str) -> list[str]:
    """The baseline's words: whitespace-split, lower-cased, punctuation stripped at the ends."""
    words = (w.strip(string.punctuation) for w in text.lower().split())
    return [w for w in words if w]


def baseline_search_fn(texts: dict[str, str]) -> SearchFn:
    """The naive substring-count ranking over {report id: extracted text}."""
    lowered = {rid: t.lower() for rid, t in texts.items()}

    def search(q: str) -> list[str]:
        words = query_words(q)
        counts = {rid: sum(t.count(w) for w in words) for rid, t in lowered.items()}
        return sorted((rid for rid, c in counts.items() if c), key=lambda r: (-counts[r], r))

    return search


def report_text(report) -> str:
    """What the baseline reads of an `ingest.model.Report`: title, headings, section text."""
    return "\n".join([report.title] + [f"{s.heading}\n{s.text}" for s in report.sections])


def report_texts(sample_dir: Path = SAMPLE_DIR) -> dict[str, str]:
    """{report id: report_text} of every report under `sample_dir`, as extracted."""
    from ingest import extract_report, iter_report_files

    reports = (extract_report(path) for path in iter_report_files([sample_dir]))
    return {r.id: report_text(r) for r in reports}


def engine_search_fn(index) -> SearchFn:
    """Our engine: `index.search(SearchRequest(q=q, per_page=50))`, hits' report ids.

    A query the engine rejects (QueryError) finds nothing: that is what the user sees.
    """
    from search import QueryError, SearchRequest

    def search(q: str) -> list[str]:
        try:
            response = index.search(SearchRequest(q=q, per_page=50))
        except QueryError:
            return []
        return [h.report_id for h in response.hits]

    return search


def format_table(columns: dict[str, Figures]) -> str:
    """Figures side by side: one row per group, MRR@10 and recall@3 per column."""
    names = list(columns)
    head = f"{'queries':<12}{'n':>4}" + "".join(f"{n + ' MRR@10':>20}{n + ' R@3':>16}"
                                                 for n in names) + f"{'R@3 max':>9}"
    lines = [head, "-" * len(head)]
    first = columns[names[0]]
    rows = [("all", first.overall, [c.overall for c in columns.values()])]
    rows += [(k, first.per_kind[k], [c.per_kind[k] for c in columns.values()]) for k in KINDS]
    for label, g0, groups in rows:
        cells = "".join(f"{g.mrr:>20.3f}{g.recall3:>16.3f}" for g in groups)
        lines.append(f"{label:<12}{g0.n:>4}{cells}{g0.recall3_ceiling:>9.3f}")
    neg = "  ".join(f"{n}: {c.negatives_empty:.2f}" for n, c in columns.items())
    lines.append(f"negatives {first.negatives_n}: share with no result at all  {neg}")
    return "\n".join(lines)


def main(argv: Sequence[str] = ()) -> int:
    """Build a real index of sample_reports per engine in a temp dir, print every engine
    and the baseline side by side."""
    from search import Index, ingest_paths
    from search._engine import ENGINES

    queries = load_queries()
    columns: dict[str, Figures] = {}
    with tempfile.TemporaryDirectory(prefix="relevance-eval-") as tmp:
        for engine in ENGINES:
            index_dir = Path(tmp) / engine
            # one worker: the order of documents (and so of ties) is the same every run
            ingest_paths([SAMPLE_DIR], index_dir, jobs=1, engine=engine)
            columns[engine] = evaluate(engine_search_fn(Index(index_dir)), queries)
    columns["baseline"] = evaluate(baseline_search_fn(report_texts()), queries)
    print(f"{len(queries)} queries over {SAMPLE_DIR.name}/ ({QUERIES_PATH.name})\n")
    print(format_table(columns))
    if "--queries" in argv:
        names = " / ".join(columns)
        print(f"\nplace of the first right report ({names}; - = not in top {MRR_DEPTH})")
        for q in queries:
            places = []
            for fig in columns.values():
                rr = reciprocal_rank(fig.ranked[q.id], q.answers) if q.answers else 0.0
                places.append(str(round(1 / rr)) if rr else "-")
            tag = "negative" if q.negative else q.kind
            print(f"  {q.id:<13}{tag:<10}{'/'.join(places):>7}  {q.text}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

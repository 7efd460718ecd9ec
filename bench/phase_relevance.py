"""What the relevance rules cost, and what they buy.

- **Modes**: the same multi-word queries answered in all-words mode and in most-words mode,
  alternated per repetition (the threshold that picks the mode is set to force one or the
  other), p50/p95 per side and their ratio. Target: most words at most 2x all words (p95).
- **Corrections**: the time `search._correct.corrections` takes to correct a one-word typo
  (the vocabulary built once per index generation, as the server keeps it), p95 over a set
  of typos of frequent words. Target: under 20 ms at 100k sections.
- **Kinds**: p50/p95 of whole searches for questions, keyword combinations and typos.
- **Quality** (`quality()`): MRR@10 and recall@3 of the relevance evaluation set over the
  sample archive (tests/fixtures/relevance) next to the naive substring-count baseline,
  computed in the same run.
"""

from __future__ import annotations

import time

from bench import stats

#: Multi-word queries from the generator's common vocabulary: few sections hold all words.
MULTI = ["network transfer latency", "calibration pipeline outage", "storage upgrade schedule",
         "alert database migration", "notebook authentication incident"]
#: Questions and typo queries, as people type them.
KINDS = {
    "question": ["when did the calibration campaign start", "what happened to the storage upgrade",
                 "who reviewed the alert database"],
    "keywords": MULTI[:3],
    "typo1": ["calibratoin pipeline", "netwrok latency", "deploymnet schedule"],
    "typo2": ["calibartoin pipleine", "stroage upgarde"],
}
#: One-word typos of frequent words (a transposition, a dropped and a doubled letter).
TYPOS = ["calibratoin", "deploymnet", "perfromance", "infrastructre", "throughtput",
         "configuraton", "documantation", "migrtion"]


def _timer(fn):
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000.0


def run(index_dir, reps: int, loops: int, log=print) -> dict:
    """Mode costs, correction cost and per-kind latency on the index in `index_dir`."""
    from search import Index, SearchRequest, _correct, _qtree, _relevance

    idx = Index(index_dir)
    for q in MULTI + [q for qs in KINDS.values() for q in qs]:
        idx.search(SearchRequest(q=q))  # warm the searcher, the facet table, the vocabulary
    original = _relevance.FEW_ALL_WORDS

    def mode_side(threshold):
        def once(rep: int):
            _relevance.FEW_ALL_WORDS = threshold
            try:
                return [_timer(lambda q=q: idx.search(SearchRequest(q=q)))
                        for _ in range(loops) for q in MULTI]
            finally:
                _relevance.FEW_ALL_WORDS = original
        return once

    modes = stats.alternate(reps, {"all_words": mode_side(0), "most_words": mode_side(10 ** 9)})
    out: dict = {"multi_queries": MULTI, "modes": {}}
    for name, rep_samples in modes.items():
        out["modes"][name] = {
            "p50_ms": stats.median([stats.percentile(s, 50) for s in rep_samples]),
            "p95_ms": stats.median([stats.percentile(s, 95) for s in rep_samples])}
    out["ratio_p95_most_vs_all"] = out["modes"]["most_words"]["p95_ms"] / \
        out["modes"]["all_words"]["p95_ms"]

    view = idx._view()
    bound = view.vocabulary()
    is_stop = view.is_stop_word

    trees = [_qtree.parse(t) for t in TYPOS]
    samples = []
    fixes = {}
    for _ in range(reps):
        for text, tree in zip(TYPOS, trees):
            start = time.perf_counter()
            found = _correct.corrections(tree, bound, is_stop)
            samples.append((time.perf_counter() - start) * 1000.0)
            fixes[text] = {w: c for w, (c, _) in found.items()}
    out["correction"] = {"p50_ms": stats.percentile(samples, 50),
                         "p95_ms": stats.percentile(samples, 95), "fixes": fixes}

    out["kinds"] = {}
    for kind, queries in KINDS.items():
        per = [_timer(lambda q=q: idx.search(SearchRequest(q=q)))
               for _ in range(reps * loops) for q in queries]
        modes_seen = sorted({idx.search(SearchRequest(q=q)).match_mode for q in queries})
        out["kinds"][kind] = {"p50_ms": stats.percentile(per, 50),
                              "p95_ms": stats.percentile(per, 95), "modes": modes_seen}
    idx.close()
    log(f"    relevance: most/all words p95 {out['modes']['most_words']['p95_ms']:.1f}/"
        f"{out['modes']['all_words']['p95_ms']:.1f} ms "
        f"({out['ratio_p95_most_vs_all']:.2f}x); typo correction p95 "
        f"{out['correction']['p95_ms']:.2f} ms")
    return out


def quality(work_dir, log=print) -> dict:
    """MRR@10 and recall@3 on the judged sample-archive queries, ours vs the baseline."""
    from pathlib import Path

    from ingest import extract_report, iter_report_files
    from search import Index, ingest_paths
    from tests.relevance_eval import (baseline_search_fn, engine_search_fn, evaluate,
                                      load_queries, report_text)

    samples = Path(__file__).resolve().parent.parent / "sample_reports"
    index_dir = Path(work_dir) / "relevance-index"
    ingest_paths([samples], index_dir, jobs=1)
    texts = {}
    for path in iter_report_files([samples]):
        report = extract_report(path)
        texts[report.id] = report_text(report)
    queries = load_queries()
    ours = evaluate(engine_search_fn(Index(index_dir)), queries)
    base = evaluate(baseline_search_fn(texts), queries)

    def figures(f):
        return {"mrr10": f.overall.mrr, "recall3": f.overall.recall3,
                "per_kind": {k: {"mrr10": v.mrr, "recall3": v.recall3}
                             for k, v in f.per_kind.items()}}
    out = {"queries": ours.overall.n, "ours": figures(ours), "baseline": figures(base)}
    log(f"    relevance quality: MRR@10 {ours.overall.mrr:.3f} (baseline {base.overall.mrr:.3f}), "
        f"recall@3 {ours.overall.recall3:.3f} (baseline {base.overall.recall3:.3f})")
    return out

"""Search relevance on the sample archive, against the judged set in tests/fixtures/relevance.

The engine is scored through a real index of sample_reports (the session `sample_index`),
next to the naive substring-count baseline computed in the same run; see
`tests/relevance_eval.py` for the measures. The figures print with `pytest -s` (or `-rP`);
`python -m tests.relevance_eval --queries` shows each query's place as well.
"""

from __future__ import annotations

import pytest

from tests.relevance_eval import (KINDS, Query, baseline_search_fn, distinct, engine_search_fn,
                                  evaluate, format_table, load_queries, query_words, recall_at,
                                  reciprocal_rank, report_text)

#: The conformance suite: every test here runs once per search engine (see conftest).
pytestmark = pytest.mark.usefixtures("search_engine")

# MRR@10 of our engine on the judged queries when this test landed (main fdcf9ad, before the
# query-parser and ranking rewrite of issue 8) was 0.148. After the rewrite (most-words
# ranking with report evidence, corrections; main 71efca0, rules written before the set was
# run) it is 0.871 and recall@3 0.451 (baseline 0.548 / 0.212). The floors are those minus
# 0.03 for noise; they must not be lowered to make a change pass.
MIN_MRR = 0.84
MIN_RECALL3 = 0.42


@pytest.fixture(scope="session")
def queries():
    return load_queries()


def test_query_set_is_judged_against_real_report_ids(queries, sample_reports):
    judged = [q for q in queries if not q.negative]
    assert len(queries) >= 48
    for kind in KINDS:
        assert sum(q.kind == kind for q in judged) >= 6, kind
    unknown = {(q.id, a) for q in judged for a in q.answers if a not in sample_reports}
    assert not unknown, f"answers that are not report ids of sample_reports: {sorted(unknown)}"
    assert 3 <= sum(q.negative for q in queries) < len(queries) // 4


def test_scorer_on_a_hand_made_ranking():
    qs = [
        Query("a", "topic", "x", ("r2",)),
        Query("b", "topic", "y", ("r1", "r4")),
        Query("c", "typo1", "z", ("r9",)),
        Query("n", "typo2", "nothing", (), negative=True),
    ]
    rankings = {
        # sections of r3 twice, then r2: r2 is the 2nd distinct report -> 1/2
        "x": ["r3", "r3", "r2", "r2"],
        # r1 first (1/1); of {r1, r4} only r1 is in the first 3 distinct reports -> 1/2
        "y": ["r1", "r5", "r1", "r6", "r4"],
        # the right report is the 11th distinct one: outside the top 10 -> 0
        "z": [f"s{i}" for i in range(10)] + ["r9"],
        "nothing": [],
    }
    fig = evaluate(lambda q: rankings[q], qs)
    assert fig.overall.n == 3 and fig.negatives_n == 1 and fig.negatives_empty == 1.0
    assert fig.overall.mrr == pytest.approx((0.5 + 1 + 0) / 3)
    assert fig.overall.recall3 == pytest.approx((1 + 0.5 + 0) / 3)
    assert fig.per_kind["topic"].mrr == pytest.approx(0.75)
    assert fig.per_kind["typo1"].mrr == 0.0 and fig.per_kind["typo2"].n == 0
    assert fig.ranked["b"] == ["r1", "r5", "r6", "r4"]
    assert distinct(["b", "a", "b"]) == ["b", "a"]
    assert reciprocal_rank(["a", "b", "c"], ["c"]) == pytest.approx(1 / 3)
    assert recall_at(["a", "b", "c", "d"], ["d", "a"]) == 0.5


def test_baseline_counts_query_words_as_substrings():
    search = baseline_search_fn({
        "r1": "Qserv upgraded; the QSERV team",
        "r2": "The Qserv upgrade.",
        "r3": "Nothing relevant here.",
        "r0": "upgrade upgrade",
    })
    assert query_words("Qserv, upgrade!  DMTN-208.") == ["qserv", "upgrade", "dmtn-208"]
    # r1: qserv 2 + upgrade 1 ("upgraded"); r2: 1 + 1; r0: 0 + 2; ties by report id
    assert search("Qserv upgrade") == ["r1", "r0", "r2"]
    assert search("euclid") == []


def test_a_malformed_query_set_names_the_query(tmp_path):
    bad = tmp_path / "q.toml"
    bad.write_text('[[query]]\nid = "x-1"\nkind = "topic"\ntext = "a"\nanswers = []\n')
    with pytest.raises(ValueError, match="x-1.*negative"):
        load_queries(bad)
    bad.write_text('[[query]]\nid = "x-2"\nkind = "typo3"\ntext = "a"\nanswers = ["r"]\n')
    with pytest.raises(ValueError, match="x-2.*typo3"):
        load_queries(bad)


def test_engine_relevance_against_the_baseline(queries, sample_index, sample_reports):
    texts = {rid: report_text(report) for rid, (_, report) in sample_reports.items()}
    ours = evaluate(engine_search_fn(sample_index), queries)
    baseline = evaluate(baseline_search_fn(texts), queries)
    print("\n" + format_table({"engine": ours, "baseline": baseline}))
    assert ours.overall.n == baseline.overall.n == sum(not q.negative for q in queries)
    assert ours.overall.mrr >= MIN_MRR, (
        f"MRR@10 {ours.overall.mrr:.3f} fell below {MIN_MRR} (baseline {baseline.overall.mrr:.3f})")
    assert ours.overall.recall3 >= MIN_RECALL3, (
        f"recall@3 {ours.overall.recall3:.3f} fell below {MIN_RECALL3}")
    # the engine must beat the naive baseline on every kind of query, not only on average
    for kind, figures in ours.per_kind.items():
        assert figures.mrr >= baseline.per_kind[kind].mrr, kind

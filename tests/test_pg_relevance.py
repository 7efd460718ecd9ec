"""Relevance of the PostgreSQL engine on the judged sample-archive queries, beside the
embedded engine and the substring baseline (tests/relevance_eval.py). PostgreSQL ranks by
its own ts_rank, so its figures may differ from Whoosh's; the engine-neutral most-words
ranking and corrections run on both. The table prints with ``pytest -s``."""

from __future__ import annotations

from pathlib import Path

import pytest
from relevance_eval import (baseline_search_fn, engine_search_fn, evaluate, format_table,
                            load_queries, report_text)

from search import Index, ingest_paths

#: Side by side with the Whoosh index of the same reports (`corpus_index`, `sample_index`);
#: the conformance suite runs everything else on PostgreSQL too (see conftest).
pytestmark = pytest.mark.engine_only("whoosh")

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_reports"
#: Floors for the PostgreSQL engine: its figures when this test was written (MRR@10 0.843,
#: recall@3 0.447; Whoosh 0.871 / 0.459, baseline 0.548 / 0.212 in the same run; nothing in
#: the PostgreSQL engine was tuned on these queries) minus 0.03 for noise. They must not be
#: lowered to make a change pass. Since then (conformance suite): ts_rank normalised by
#: section length (chosen for a failing browser test, not for these queries) and single
#: letters dropped from queries as the embedded engines drop them: 0.870 / 0.451 (Whoosh
#: 0.875 / 0.456); measured after the change on the same queries.
MIN_MRR = 0.81
MIN_RECALL3 = 0.41


def test_postgres_relevance_beside_whoosh_and_the_baseline(pg_url, sample_index,
                                                           sample_reports):
    queries = load_queries()
    assert ingest_paths([SAMPLE_DIR], pg_url, jobs=2).failed == ()
    index = Index(pg_url)
    try:
        pg = evaluate(engine_search_fn(index), queries)
    finally:
        index.close()
    whoosh = evaluate(engine_search_fn(sample_index), queries)
    texts = {rid: report_text(report) for rid, (_, report) in sample_reports.items()}
    baseline = evaluate(baseline_search_fn(texts), queries)
    print("\n" + format_table({"postgres": pg, "whoosh": whoosh, "baseline": baseline}))
    assert pg.overall.n == whoosh.overall.n
    assert pg.overall.mrr >= MIN_MRR and pg.overall.recall3 >= MIN_RECALL3
    # like the embedded engine, it must beat the naive baseline on every kind of query
    for kind, figures in pg.per_kind.items():
        assert figures.mrr >= baseline.per_kind[kind].mrr, kind

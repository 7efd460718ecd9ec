"""Export and batch overviews on a PostgreSQL index: the same rows as the embedded engine."""

from __future__ import annotations

import pytest
from test_pg_search import load

from conftest import CORPUS
from search import SearchRequest

#: Side by side with the Whoosh index of the same reports (`corpus_index`, `sample_index`);
#: the conformance suite runs everything else on PostgreSQL too (see conftest).
pytestmark = pytest.mark.engine_only("whoosh")


@pytest.fixture
def pg_corpus(pg_url):
    index = load(pg_url, CORPUS)
    yield index
    index.close()


@pytest.mark.parametrize("params", [{"q": "qserv"}, {"q": "", "sort": "oldest"},
                                    {"q": "cutout", "collapse": True},
                                    {"q": "butler", "period_from": "2021-02"}])
def test_export_and_overview_match_the_embedded_engine(pg_corpus, corpus_index, params):
    request = SearchRequest(**params)
    got, want = pg_corpus.iter_hits(request), corpus_index.iter_hits(request)
    assert (got.total, got.limit) == (want.total, want.limit)
    rows = lambda export: [(h.report_id, h.anchor, h.period) for h in export.hits]  # noqa: E731
    assert sorted(rows(got)) == sorted(rows(want))
    a, b = pg_corpus.overview(request), corpus_index.overview(request)
    assert (a.total, a.reports, a.first_period, a.last_period) == \
        (b.total, b.reports, b.first_period, b.last_period)

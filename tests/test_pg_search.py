"""Reading a PostgreSQL index through `search.Index`: the same answers as the embedded
engine on the same reports (IDs, totals, facets, periods, entities), HTML-safe snippets,
typo correction, and reports, entities and stats by SQL. A real server (tests/pg_server.py)."""

from __future__ import annotations

import pytest
from conftest import CORPUS

from search import Index, SearchRequest
from search._pg_conn import connect
from search._pg_schema import ensure

#: Side by side with the Whoosh index of the same reports (`corpus_index`, `sample_index`);
#: the conformance suite runs everything else on PostgreSQL too (see conftest).
pytestmark = pytest.mark.engine_only("whoosh")

QUERIES = ["DMTN-208", "dmtn-208", "DMTN", "qserv", "butler", "entity:\"Data Butler\"",
           "entity:Qserv", "type:milestone", "\"image cutout service\"", "qserv OR rucio",
           "cutout NOT dmtn-208", "period:2021-01..2021-03", "title:status", "butl*",
           "section:\"Technical Progress\" qserv", "ldm-503-efda", "format:html", "script",
           "qserv cluster benchmarked", "the"]


def load(url: str, reports) -> Index:
    conn = connect(url)
    try:
        ensure(conn, url)
        from search import _pg_write

        started = conn.execute("SELECT clock_timestamp()").fetchone()[0]
        for r in reports:
            assert _pg_write.put(conn, r, r.source, started)[0] == "added"
    finally:
        conn.close()
    return Index(url)


@pytest.fixture
def pg_corpus(pg_url):
    index = load(pg_url, CORPUS)
    yield index
    index.close()


@pytest.mark.parametrize("q", QUERIES)
def test_the_same_sections_totals_and_facets_as_whoosh(pg_corpus, corpus_index, q):
    request = SearchRequest(q=q, per_page=100)
    got, want = pg_corpus.search(request), corpus_index.search(request)
    assert {(h.report_id, h.anchor) for h in got.hits} == \
        {(h.report_id, h.anchor) for h in want.hits}
    assert (got.total, got.match_mode, got.all_words_total) == \
        (want.total, want.match_mode, want.all_words_total)
    assert got.facets == want.facets
    for g in got.hits:
        w = next(h for h in want.hits if (h.report_id, h.anchor) == (g.report_id, g.anchor))
        assert (g.period, g.title, g.section, g.page, g.format, g.entities) == \
            (w.period, w.title, w.section, w.page, w.format, w.entities)


@pytest.mark.parametrize("params", [{"entity": "Qserv"}, {"from": "2021-02", "to": "2021-06"},
                                    {"type": "document"}, {"format": "markdown"},
                                    {"year": "2021"}, {"section": "Milestones"}])
def test_filters_agree_with_whoosh(pg_corpus, corpus_index, params):
    for q in ("", "qserv", "status"):
        request = SearchRequest.from_params({"q": q, **params, "per_page": "100"})
        got, want = pg_corpus.search(request), corpus_index.search(request)
        assert [(h.report_id, h.anchor) for h in got.hits] == \
            [(h.report_id, h.anchor) for h in want.hits] or q, (q, params)
        assert {(h.report_id, h.anchor) for h in got.hits} == \
            {(h.report_id, h.anchor) for h in want.hits}
        assert got.total == want.total and got.facets == want.facets


def test_sort_by_period_and_collapse(pg_corpus, corpus_index):
    for params in ({"q": "qserv OR cutout", "sort": "newest"},
                   {"q": "qserv OR cutout", "sort": "oldest"},
                   {"q": "qserv OR cutout OR butler", "collapse": "1"}):
        request = SearchRequest.from_params(params)
        got, want = pg_corpus.search(request), corpus_index.search(request)
        assert [h.period for h in got.hits] == [h.period for h in want.hits]
        assert got.total == want.total


def test_snippets_mark_the_words_and_escape_the_text(pg_corpus):
    hits = pg_corpus.search(SearchRequest(q="script preview")).hits
    assert len(hits) == 1
    snippet = hits[0].snippet_html
    assert "<script" not in snippet and "&lt;<mark>script</mark>&gt;alert(1)" in snippet
    assert "<mark>" in snippet
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0
    [hit] = pg_corpus.search(SearchRequest(q="dmtn-208")).hits
    assert "<mark>DMTN-208</mark>" in hit.snippet_html


def test_a_typo_is_corrected_from_the_vocabulary(pg_corpus, corpus_index):
    for q in ("qserb", "benchmakred qserv"):
        got, want = pg_corpus.search(SearchRequest(q=q)), corpus_index.search(SearchRequest(q=q))
        assert (got.suggestion, got.corrected) == (want.suggestion, want.corrected), q
        assert got.corrected
        assert {h.report_id for h in got.hits} == {h.report_id for h in want.hits}


def test_reports_entities_and_stats_agree_with_whoosh(pg_corpus, corpus_index):
    assert pg_corpus.reports() == corpus_index.reports()
    assert pg_corpus.entities() == corpus_index.entities()
    assert pg_corpus.entities("system") == corpus_index.entities("system")
    for report in CORPUS:
        assert pg_corpus.report(report.id) == corpus_index.report(report.id)
    assert pg_corpus.report("no-such-report") is None
    for etype, name in (("system", "Qserv"), ("document", "DMTN-208"), ("system", "butler")):
        assert pg_corpus.entity(etype, name) == corpus_index.entity(etype, name)
    got, want = pg_corpus.stats().to_dict(), corpus_index.stats().to_dict()
    for key in ("reports", "sections", "entities_by_type", "formats", "first_period",
                "last_period", "roots"):
        assert got[key] == want[key], key
    assert got["index_path"].startswith("postgresql://")


def test_more_like_this_finds_other_reports(pg_corpus):
    hits = pg_corpus.more_like_this("2021-03-status", "technical-progress")
    assert hits and all(h.report_id != "2021-03-status" for h in hits)


def test_a_bad_query_is_the_same_error(pg_corpus, corpus_index):
    from search import QueryError

    for q in ('"unclosed', "a AND", "period:2021-13", "x" * 1001):
        with pytest.raises(QueryError) as got:
            pg_corpus.search(SearchRequest(q=q))
        with pytest.raises(QueryError) as want:
            corpus_index.search(SearchRequest(q=q))
        assert str(got.value) == str(want.value)


def test_an_empty_database_reads_as_an_empty_index(pg_url):
    index = Index(pg_url)
    try:
        assert index.search(SearchRequest(q="qserv")).total == 0
        assert index.reports() == [] and index.stats().reports == 0
    finally:
        index.close()


@pytest.mark.parametrize("q", ["dmtn-20*", "qser?", "qserb~", "q*erv", "entity:ldm*",
                               "report:2021-0*", "title:stat*"])
def test_patterns_find_what_whoosh_finds(pg_corpus, corpus_index, q):
    request = SearchRequest(q=q, per_page=100)
    got, want = pg_corpus.search(request), corpus_index.search(request)
    assert {(h.report_id, h.anchor) for h in got.hits} == \
        {(h.report_id, h.anchor) for h in want.hits}
    assert got.total == want.total > 0

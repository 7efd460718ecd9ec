"""What a search returns: ranking, snippets, facets, pagination, sorting, collapsing, hints."""

from __future__ import annotations

import re

from conftest import make_report, make_section
from search import Index, SearchRequest


def test_section_naming_the_thing_beats_one_sharing_a_word(corpus_index):
    # 2021-03 names the Butler (entity); 2021-06 only says "a butler ... at lunch"
    response = corpus_index.search(SearchRequest(q="butler"))
    ids = [h.report_id for h in response.hits]
    assert ids.index("2021-03-status") < ids.index("2021-06-status")
    assert response.hits[0].score > response.hits[-1].score > 0


def test_hit_carries_report_and_section_fields(corpus_index):
    hit = corpus_index.search(SearchRequest(q="dmtn-208")).hits[0]
    assert hit.to_dict() == {
        "report_id": "2021-01-status", "title": "Status report 2021-01", "period": "2021-01",
        "section": "Technical Progress", "anchor": "technical-progress", "page": None,
        "score": hit.score, "format": "text",
        "snippet_html": hit.snippet_html,
        "entities": [{"type": "document", "name": "DMTN-208"},
                     {"type": "system", "name": "Butler Registry"}],
    }
    assert "<mark>DMTN</mark>-<mark>208</mark>" in hit.snippet_html or \
        "<mark>DMTN-208</mark>" in hit.snippet_html


def test_snippets_escape_document_text(corpus_index):
    hit = corpus_index.search(SearchRequest(q="preview")).hits[0]
    assert hit.anchor == "escaping"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hit.snippet_html
    assert "a &lt; b &amp; c" in hit.snippet_html
    assert "<mark>preview</mark>" in hit.snippet_html
    # our <mark> is the only markup left
    assert re.sub(r"</?mark>", "", hit.snippet_html).count("<") == 0


def test_snippet_of_an_entity_only_match_marks_the_mention(corpus_index):
    hit = corpus_index.search(SearchRequest(q="entity:butler")).hits[0]
    assert "<mark>Data Butler</mark>" in hit.snippet_html


def test_facets_count_all_matches_not_just_the_page(corpus_index):
    response = corpus_index.search(SearchRequest(q="", per_page=1))
    assert response.total == 8 and len(response.hits) == 1
    facets = response.facets
    assert facets["year"] == [{"value": "2020", "count": 1}, {"value": "2021", "count": 6}]
    assert facets["format"] == [{"value": "text", "count": 4}, {"value": "html", "count": 2},
                                {"value": "markdown", "count": 2}]
    assert {"value": "Technical Progress", "count": 3} in facets["section"]
    assert facets["type"] == [{"value": "document", "count": 2}, {"value": "milestone", "count": 1},
                              {"value": "ticket", "count": 1}, {"value": "system", "count": 4},
                              {"value": "meeting", "count": 1}]
    assert facets["entity"]["system"][0] == {"value": "Qserv", "count": 2}
    assert facets["entity"]["document"] == [{"value": "DMTN-207", "count": 1},
                                            {"value": "DMTN-208", "count": 1}]


def test_facets_follow_the_filters(corpus_index):
    response = corpus_index.search(SearchRequest(type="system"))
    assert response.total == 4
    assert response.filters == {"type": "system"}
    assert [f["value"] for f in response.facets["type"]] == ["document", "milestone", "system"]


def test_pagination(corpus_index):
    pages = [corpus_index.search(SearchRequest(q="", sort="oldest", page=p, per_page=3))
             for p in (1, 2, 3, 4)]
    assert [p.total for p in pages] == [8] * 4
    assert [p.pages for p in pages] == [3] * 4
    seen = [(h.report_id, h.anchor) for p in pages for h in p.hits]
    assert len(seen) == len(set(seen)) == 8
    assert pages[3].hits == ()
    assert pages[0].to_dict()["pages"] == 3


def test_sort_by_period(corpus_index):
    newest = corpus_index.search(SearchRequest(q="cutout", sort="newest"))
    oldest = corpus_index.search(SearchRequest(q="cutout", sort="oldest"))
    assert [h.period for h in newest.hits] == ["2021-06", "2021-01", None]
    assert [h.period for h in oldest.hits] == ["2021-01", "2021-06", None]  # undated last
    assert all(h.score > 0 for h in newest.hits)


def test_collapse_gives_one_hit_per_report(corpus_index):
    response = corpus_index.search(SearchRequest(q="period:2021", collapse=True))
    assert response.total == 3
    assert sorted(h.report_id for h in response.hits) == ["2021-01-status", "2021-03-status",
                                                           "2021-06-status"]
    # facets still count sections, not reports
    assert response.facets["year"] == [{"value": "2021", "count": 6}]
    second = corpus_index.search(SearchRequest(q="period:2021", collapse=True, page=2,
                                               per_page=2))
    assert len(second.hits) == 1 and second.pages == 2
    assert second.hits[0].report_id not in {h.report_id for h in response.hits[:2]}


def test_filters_by_entity_alias_case_section_and_format(corpus_index):
    def ids(**kw):
        return [(h.report_id, h.anchor) for h in corpus_index.search(SearchRequest(**kw)).hits]
    assert ids(entity="qserv") == ids(entity="QSERV") and len(ids(entity="qserv")) == 2
    assert ids(entity="dmtn-208") == [("2021-01-status", "technical-progress")]
    assert len(ids(section="Technical Progress")) == 3
    assert ids(format="markdown", q="claimed") == [("2021-03-status", "milestones")]


def test_did_you_mean(corpus_index):
    response = corpus_index.search(SearchRequest(q="qserb"))
    assert response.total == 0
    assert response.suggestion == "qserv"
    assert corpus_index.search(SearchRequest(q="qserb cluster")).suggestion == "qserv cluster"
    # enough hits: no hint; nothing close: no hint
    assert corpus_index.search(SearchRequest(q="butler")).suggestion is None
    assert corpus_index.search(SearchRequest(q="zzzzzzzz")).suggestion is None


def test_response_dict_shape(corpus_index):
    d = corpus_index.search(SearchRequest(q="qserv", type="system")).to_dict()
    assert list(d) == ["query", "total", "page", "per_page", "pages", "took_ms", "sort",
                       "filters", "hits", "facets", "suggestion"]
    assert list(d["facets"]) == ["type", "entity", "year", "section", "format"]


def test_missing_index_reads_as_empty(tmp_path):
    idx = Index(tmp_path / "nothing-here")
    response = idx.search(SearchRequest(q="butler"))
    assert response.total == 0 and response.hits == ()
    assert idx.stats().reports == 0
    assert idx.reports() == [] and idx.entities() == []
    assert idx.report("x") is None and idx.entity("system", "Butler") is None


def test_more_like_this_finds_other_reports(tmp_path, make_index):
    s = make_section
    idx = make_index(tmp_path, reports=[
        make_report("a", "2021-01", [s("Qserv", "Qserv ingest of the catalog tables was slow; "
                                                "the ingest workers were tuned and replicated.")]),
        make_report("b", "2021-02", [s("Qserv", "Catalog ingest into Qserv is faster after "
                                                "tuning the ingest workers."),
                                     s("Travel", "Staff travelled to the summit for a review.")]),
        make_report("c", "2021-03", [s("Other", "Nothing related; the summit road was repaired.")]),
    ])
    similar = idx.more_like_this("a", "qserv")
    assert similar and similar[0].report_id == "b" and similar[0].anchor == "qserv"
    assert all(h.report_id != "a" for h in similar)
    assert idx.more_like_this("a", "no-such-anchor") == []

"""What a search returns: ranking, snippets, facets, pagination, sorting, collapsing, hints."""

from __future__ import annotations

import re

from conftest import make_report, make_section
from search import Index, SearchRequest
import pytest

#: The conformance suite: every test here runs once per search engine (see conftest).
pytestmark = pytest.mark.usefixtures("search_engine")


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


def test_a_typo_is_corrected_and_the_corrected_results_shown(corpus_index):
    response = corpus_index.search(SearchRequest(q="qserb"))
    assert response.suggestion == "qserv" and response.corrected
    assert response.query == "qserb"  # what was typed, for "search instead for"
    assert response.total == len(corpus_index.search(SearchRequest(q="qserv")).hits) == 2
    assert response.to_dict()["corrected"] is True
    fixed = corpus_index.search(SearchRequest(q="qserb cluster"))
    assert fixed.suggestion == "qserv cluster" and fixed.corrected
    assert fixed.hits[0].report_id == "2021-06-status"
    # known words are left alone; nothing close: nothing corrected, nothing found
    assert corpus_index.search(SearchRequest(q="butler")).suggestion is None
    nothing = corpus_index.search(SearchRequest(q="zzzzzzzz"))
    assert nothing.suggestion is None and not nothing.corrected and nothing.total == 0


def test_question_and_stop_words_are_never_corrected(corpus_index):
    # "when", "did" and "the" are not in the corpus as words: still not "corrected"
    response = corpus_index.search(SearchRequest(q="when did the qserb cluster"))
    assert response.suggestion == "when did the qserv cluster"


def test_ids_with_digits_are_never_corrected(corpus_index):
    # DMTN-209 is one digit from DMTN-208, which the corpus has: still no correction
    response = corpus_index.search(SearchRequest(q="dmtn-209"))
    assert response.suggestion is None and response.total == 0
    assert corpus_index.search(SearchRequest(q="qserb2")).suggestion is None


def test_response_dict_shape(corpus_index):
    d = corpus_index.search(SearchRequest(q="qserv", type="system")).to_dict()
    assert list(d) == ["query", "total", "page", "per_page", "pages", "took_ms", "sort",
                       "filters", "hits", "facets", "suggestion", "corrected", "match_mode",
                       "all_words_total"]
    assert list(d["facets"]) == ["type", "entity", "year", "section", "format", "more"]


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
        make_report("c", "2021-03", [s("Other", "Nothing related; the summit road was repaired."),
                                     s("Technical Progress", "")]),
    ])
    similar = idx.more_like_this("a", "qserv")
    assert similar and similar[0].report_id == "b" and similar[0].anchor == "qserv"
    assert all(h.report_id != "a" for h in similar)
    assert idx.more_like_this("a", "no-such-anchor") == []
    # A heading whose text lives in its subsections has nothing to compare: no hits, no error.
    assert idx.more_like_this("c", "technical-progress") == []


def _words_index(tmp_path, make_index):
    """Sections using 'calibrations' three times as often as 'calibration', and 'cable'
    more often than 'table': neither frequency nor A-Z order alone picks the right word."""
    s = make_section
    texts = ["Detector calibrations were repeated.", "The calibrations finished late.",
             "Nightly calibrations ran twice.", "One calibration frame was lost.",
             "A cable was moved.", "The cable tray broke.",
             "The table was replaced.", "Qserv answered the query."]
    return make_index(tmp_path, reports=[
        make_report(f"r{i}", f"2021-{i + 1:02d}", [s("Notes", text)])
        for i, text in enumerate(texts)])


def test_did_you_mean_ranks_by_edit_distance_then_frequency(tmp_path, make_index):
    idx = _words_index(tmp_path, make_index)

    def suggest(q):
        return idx.search(SearchRequest(q=q)).suggestion

    # 'calibration' is one edit away, 'calibrations' two, though more used
    assert suggest("calibratio") == "calibration"
    assert suggest("calibratoin") == "calibration"  # a transposition is one edit
    assert suggest("calibratoins") == "calibrations"
    # both one edit away: the word more sections use wins
    assert suggest("xable") == "cable"
    # nothing within one edit: widen to two (a transposition and a substitution)
    assert suggest("qsreb") == "qserv"
    # stop words are not indexed, so they are not 'corrected' into other words
    assert suggest("the qserb") == "the qserv"


def test_did_you_mean_keeps_the_filters(tmp_path, make_index):
    idx = _words_index(tmp_path, make_index)
    # no calibration of any kind after April: no suggestion that would find nothing there
    assert idx.search(SearchRequest(q="calibratoin", period_from="2021-05")).suggestion is None
    assert idx.search(SearchRequest(q="calibratoin", period_to="2021-02")).suggestion \
        == "calibration"


def test_searcher_is_reused_until_an_ingest_commits(tmp_path, make_index, search_engine):
    from search._writer import write_reports

    s = make_section
    idx = make_index(tmp_path, reports=[
        make_report("a", "2021-01", [s("Notes", "The alpha camera was cooled.")])])
    assert idx.search(SearchRequest(q="alpha")).total == 1
    first = idx._pool.current()[1]
    idx.search(SearchRequest(q="camera"))
    assert idx._pool.current()[1] is first  # no new searcher per query

    write_reports(idx.path, [make_report("b", "2022-05", [s("Notes", "Alpha again.")],
                                         fmt="html")])
    response = idx.search(SearchRequest(q="alpha"))  # same Index object, no restart
    assert response.total == 2
    assert {f["value"] for f in response.facets["format"]} == {"text", "html"}
    assert [f["value"] for f in response.facets["year"]] == ["2021", "2022"]
    assert idx._pool.current()[1] is not first
    if search_engine == "whoosh":  # Whoosh searchers hold files: the old one is closed
        assert first.is_closed
    assert idx.stats().reports == 2

    write_reports(idx.path, [], delete=("a",))
    assert [h.report_id for h in idx.search(SearchRequest(q="alpha")).hits] == ["b"]
    idx.close()
    assert idx.search(SearchRequest(q="alpha")).total == 1  # reopens after close()


def _search_from_threads(index, searchers=False, threads=4) -> list:
    """Run a query mix from `threads` threads at once; assert every answer equals the one
    from this thread; with `searchers`, return the searcher each thread ended with."""
    import threading

    queries = ["butler", "qserv", '"image cutout"', "dmtn-208", "service", ""]
    expected = {q: index.search(SearchRequest(q=q)).to_dict() for q in queries}
    got, used, errors = [], [], []

    def worker():
        try:
            for _ in range(20):
                for q in queries:
                    d = index.search(SearchRequest(q=q)).to_dict()
                    got.append(d == {**expected[q], "took_ms": d["took_ms"]})
            if searchers:
                used.append(index._pool.current()[1])
        except Exception as exc:  # noqa: BLE001 - reported below with the thread's error
            errors.append(exc)

    started = [threading.Thread(target=worker) for _ in range(threads)]
    for t in started:
        t.start()
    for t in started:
        t.join()
    assert not errors and got and all(got)
    return used


def test_threads_get_the_same_answers(corpus_index):
    _search_from_threads(corpus_index)


@pytest.mark.engine_only("whoosh")  # tantivy searchers are thread-safe: one is shared
def test_whoosh_threads_get_their_own_searcher(corpus_index):
    import threading

    used = _search_from_threads(corpus_index, searchers=True)
    assert len({id(s) for s in used}) == 4
    # the finished threads' searchers are closed when this thread next refreshes
    corpus_index._pool._open.pop(threading.current_thread(), None)[1].close()
    corpus_index.search(SearchRequest(q="qserv"))
    assert all(s.is_closed for s in used)


def test_two_edit_corrections_compare_a_bounded_number_of_words(tmp_path, make_index, monkeypatch):
    from search import _suggest

    idx = _words_index(tmp_path, make_index)
    assert idx.search(SearchRequest(q="qsreb")).suggestion == "qserv"
    # the same typo with the bound at zero words compared: no two-edit correction at all
    monkeypatch.setattr(_suggest, "MAX_COMPARED", 0)
    assert idx.search(SearchRequest(q="qsreb")).suggestion is None
    # one-edit corrections do not compare words: they still work
    assert idx.search(SearchRequest(q="calibratoin")).suggestion == "calibration"

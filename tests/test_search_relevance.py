"""Ranking by most words, question words, proximity, report evidence, literal mode, ID
highlighting and query limits, on small real indexes written for each behaviour."""

from __future__ import annotations

import pytest

from search import QueryError, SearchRequest
from tests.conftest import make_report, make_section, session_location

#: The conformance suite: every test here runs once per search engine (see conftest).
pytestmark = pytest.mark.usefixtures("search_engine")


def search(index, q: str, **kw):
    return index.search(SearchRequest(q=q, per_page=50, **kw))


def reports_of(response) -> list[str]:
    return list(dict.fromkeys(h.report_id for h in response.hits))


@pytest.fixture(scope="module")
def words_index(request, search_engine):
    from search import Index
    from search._writer import write_reports

    s = make_section
    filler = [make_report(f"filler-{i}", f"{2018 + i // 12}-{i % 12 + 1:02d}", [
        s("Summary", f"Routine month {i}: tickets were closed and the status was reviewed.")])
        for i in range(12)]
    reports = filler + [
        # every word of "network link upgrade" in one section
        make_report("all-three", "2021-02", [
            s("Networking", "The network link to the base site had an upgrade in February.")]),
        # the words spread over a heading and the next section of one report
        make_report("spread", "2021-03", [
            s("Network", "Work on the long-haul link continued."),
            s("Next steps", "An upgrade of the routers is planned.")]),
        # one word only, many times
        make_report("one-word", "2021-04", [
            s("Upgrade", "Upgrade upgrade upgrade: the operating system upgrade finished.")]),
        # the words close together versus far apart
        make_report("near", "2021-05", [
            s("Alerts", "The alert stream went public after the broker review.")]),
        make_report("far", "2021-06", [
            s("Alerts", "The alert team reviewed brokers. Many weeks later, after tests of "
                        "the database, the backups, the pipelines, the cameras and the "
                        "calibration, the stream of images went to storage.")]),
        make_report("ids", "2021-07", [
            s("Documents", "DMTN-208 was revised; LDM-503-EFDa was claimed.",
              [("document", "DMTN-208", "DMTN-208"),
               ("milestone", "LDM-503-EFDa", "LDM-503-EFDa")])]),
    ]
    index_dir = session_location(request, "relevance")
    write_reports(index_dir, reports, engine=search_engine)
    return Index(index_dir)


def test_words_rank_instead_of_filtering_when_no_section_has_them_all(words_index):
    response = search(words_index, "network link upgrade")
    assert response.match_mode == "most"
    assert response.all_words_total == 1
    order = reports_of(response)
    # all words in a section first; then the report that holds them all across sections,
    # above the report that repeats one word
    assert order[0] == "all-three" and "spread" in order
    assert "one-word" not in order or order.index("spread") < order.index("one-word")


def test_all_words_mode_when_enough_sections_hold_every_word(words_index):
    response = search(words_index, "routine month")
    assert response.match_mode == "all"
    assert response.total == response.all_words_total == 12


def test_a_query_with_no_section_holding_every_word_is_not_empty(words_index):
    response = search(words_index, "router upgrade schedule")
    assert response.total > 0 and response.all_words_total == 0
    assert response.match_mode == "most"
    assert reports_of(response)[0] == "spread"


def test_question_words_do_not_decide(words_index):
    question = search(words_index, "when did the alert stream go public")
    assert reports_of(question)[0] == "near"
    # "did", "when" and "go" were not required: the topic words found it
    assert question.total >= 1


def test_close_words_weigh_more_than_far_ones(words_index):
    order = reports_of(search(words_index, "alert stream"))
    assert order.index("near") < order.index("far")


def test_explicit_operators_phrases_and_plus_stay_strict(words_index):
    assert search(words_index, "network AND link AND upgrade").total == 1
    assert search(words_index, '"network link" upgrade').total == 1
    strict_plus = search(words_index, "+router upgrade")
    assert reports_of(strict_plus) == ["spread"]
    assert search(words_index, "network upgrade", type="document").total == 0


def test_most_words_mode_highlights_the_words_that_matched(words_index):
    response = search(words_index, "router upgrade schedule")
    spread = [h for h in response.hits if h.report_id == "spread"][0]
    assert "<mark>upgrade</mark>" in spread.snippet_html
    assert "<mark>routers</mark>" in spread.snippet_html


def test_an_id_is_highlighted_whole(words_index):
    hit = search(words_index, "DMTN-208").hits[0]
    assert "<mark>DMTN-208</mark>" in hit.snippet_html
    assert "<mark>DMTN</mark>" not in hit.snippet_html
    hit = search(words_index, "LDM-503-EFDa").hits[0]
    assert "<mark>LDM-503-EFDa</mark>" in hit.snippet_html


def test_literal_mode_is_a_phrase_and_never_matches_everything(words_index):
    assert reports_of(search(words_index, "link to the base", literal=True)) == ["all-three"]
    assert search(words_index, "base link", literal=True).total == 0  # order matters
    with pytest.raises(QueryError) as error:
        search(words_index, "of the ... !", literal=True)
    assert "Nothing to search for" in str(error.value)
    assert error.value.param == "q"


def test_a_typo_in_a_most_words_query_is_corrected(words_index):
    response = search(words_index, "netwrok link upgrade")
    assert response.corrected and response.suggestion == "network link upgrade"
    assert reports_of(response)[0] == "all-three"
    as_typed = words_index.search(SearchRequest(q="netwrok link upgrade", correct=False))
    assert not as_typed.corrected and as_typed.suggestion == "network link upgrade"


@pytest.mark.parametrize("q, message", [
    ("x" * 1001, "Query too long: 1,001 characters, at most 1,000 allowed."),
    (" ".join(["word"] * 65), "Query too complex: 65 terms, at most 64 allowed."),
    (" OR ".join(["w"] * 34), "Query too complex: 33 operators, at most 32 allowed."),
    ("(" * 13 + "x" + ")" * 13, "Query too complex: 13 levels of parentheses, at most 12"),
    ("rucio~9", "Fuzzy distance 9 in 'rucio~9' is too large: at most 2 edits are allowed."),
    ("NOT " * 40 + "x", "Query too complex: 40 operators, at most 32 allowed."),
    ("s*", "Query too broad"),
])
def test_query_cost_is_bounded(words_index, q, message):
    if q == "s*":  # more words start with s than this small limit allows
        from search import _whoosh_query
        limit = _whoosh_query.MAX_EXPANSION
        _whoosh_query.MAX_EXPANSION = 2
        try:
            with pytest.raises(QueryError) as error:
                search(words_index, q)
        finally:
            _whoosh_query.MAX_EXPANSION = limit
    else:
        with pytest.raises(QueryError) as error:
            search(words_index, q)
    assert str(error.value).startswith(message)
    assert error.value.param == "q"


def test_a_huge_word_is_not_corrected_and_costs_little(words_index):
    # a word longer than the corrector's limit is looked up, not edited letter by letter
    response = search(words_index, "x" * 900)
    assert response.total == 0 and response.suggestion is None

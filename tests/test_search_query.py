"""Every query form on a real index (tests/conftest.py CORPUS), and the errors for bad ones."""

from __future__ import annotations

import pytest

from conftest import make_report, make_section
from search import QueryError, SearchRequest

#: The conformance suite: every test here runs once per search engine (see conftest).
pytestmark = pytest.mark.usefixtures("search_engine")


def hits(index, q: str, **kw) -> list[tuple[str, str]]:
    """(report id, anchor) of every hit, in order."""
    response = index.search(SearchRequest(q=q, per_page=100, **kw))
    assert response.total == len(response.hits)
    return [(h.report_id, h.anchor) for h in response.hits]


TP = "technical-progress"


def test_words_are_stemmed(corpus_index):
    # "migrating" finds "migrated"; "benchmarks" finds "benchmarked"
    assert hits(corpus_index, "migrating") == [("2021-01-status", TP)]
    assert hits(corpus_index, "benchmarks") == [("2021-06-status", TP)]


def test_words_are_anded_by_default(corpus_index):
    assert hits(corpus_index, "qserv cluster") == [("2021-06-status", TP)]


@pytest.mark.parametrize("q, expected", [
    # typed without its stop words, a phrase finds the text that has them ...
    ('"status butler"', {"r1", "r2"}),
    ('"plan test"', {"r1"}),
    # ... typed with them, or other ones, the same text (stop words hold no place) ...
    ('"status of the butler"', {"r1", "r2"}),
    ('"status for butler"', {"r1", "r2"}),
    # ... but other words in between still break a phrase
    ('"status foo bar butler"', {"r3"}),
    ('"status report butler"', set()),
    ('"test plan"', {"r2"}),
])
def test_phrases_read_stop_words_alike_on_every_engine(make_index, tmp_path, q, expected):
    s = make_section
    index = make_index(tmp_path, reports=[
        make_report("r1", "2021-01", [s("Status", "The status of the Butler is good. We "
                                                  "wrote a plan for the test today.")]),
        make_report("r2", "2021-02", [s("Other", "The status Butler went fine. A test plan "
                                                 "exists.")]),
        make_report("r3", "2021-03", [s("Third", "Status foo bar Butler here.")]),
    ])
    assert {r for r, _ in hits(index, q)} == expected
    if q.startswith('"status') and "r1" in expected:
        # the phrase's words are marked where stop words stand between them
        [hit] = [h for h in index.search(SearchRequest(q=q)).hits if h.report_id == "r1"]
        assert "<mark>status</mark>" in hit.snippet_html.lower()
        assert "<mark>butler</mark>" in hit.snippet_html.lower()


def test_stop_words_do_not_have_to_match(corpus_index):
    # the exact-match fields used to turn "of" and "the" into required terms: no hits
    assert hits(corpus_index, "qserv on the cluster") == hits(corpus_index, "qserv cluster")
    assert hits(corpus_index, "the qserv cluster") == [("2021-06-status", TP)]
    assert hits(corpus_index, "qserv NOT the") == hits(corpus_index, "qserv")
    # only stop words: nothing is searched for, so nothing is found (not every section)
    assert hits(corpus_index, "of the") == []


def test_phrase(corpus_index):
    assert set(hits(corpus_index, '"image cutout service"')) == {
        ("2021-01-status", TP), ("undated-notes", "preamble")}
    assert hits(corpus_index, '"cutout image service"') == []


@pytest.mark.parametrize("q, expected", [
    ("qserv OR efd", {("2021-03-status", TP), ("2021-06-status", TP),
                      ("2021-03-status", "milestones")}),
    ("qserv AND NOT cluster", {("2021-03-status", TP)}),
    ("(qserv OR efd) AND claimed", {("2021-03-status", "milestones")}),
])
def test_boolean_operators(corpus_index, q, expected):
    assert set(hits(corpus_index, q)) == expected


def test_prefix_and_fuzzy(corpus_index):
    assert {r for r, _ in hits(corpus_index, "butl*")} == {
        "2021-01-status", "2021-03-status", "2021-06-status"}
    assert {r for r, _ in hits(corpus_index, "qserb~")} == {"2021-03-status", "2021-06-status"}


@pytest.mark.parametrize("q", ["dmtn-208", "DMTN-208", "Dmtn-208", "entity:DMTN-208",
                               "entity:dmtn-208", 'entity:"DMTN-208"'])
def test_ids_match_whole_in_any_case(corpus_index, q):
    # the default analyzer would split DMTN-208; the entity field keeps it whole
    assert hits(corpus_index, q) == [("2021-01-status", TP)]


def test_id_does_not_match_a_neighbouring_number(corpus_index):
    assert hits(corpus_index, "dmtn-209") == []


def test_series_finds_every_handle_of_it(corpus_index):
    assert {r for r, _ in hits(corpus_index, "DMTN")} == {"2021-01-status", "2021-06-status"}
    assert {r for r, _ in hits(corpus_index, "series:dmtn")} == {"2021-01-status",
                                                                 "2021-06-status"}


def test_entity_field_uses_the_canonical_name(corpus_index):
    # the text says "Data Butler"; the entity is Butler, and "Butler Registry" is another one
    assert hits(corpus_index, "entity:butler") == [("2021-03-status", TP)]
    assert hits(corpus_index, 'entity:"butler registry"') == [("2021-01-status", TP)]


def test_type_and_section_and_title_fields(corpus_index):
    assert hits(corpus_index, "type:milestone") == [("2021-03-status", "milestones")]
    assert hits(corpus_index, "type:meeting") == [("2020-11-status", "community")]
    assert {a for _, a in hits(corpus_index, 'section:"Technical Progress"')} == {TP}
    assert {r for r, _ in hits(corpus_index, "title:undated")} == {"undated-notes"}


@pytest.mark.parametrize("q, reports", [
    ("period:2021-01..2021-03", {"2021-01-status", "2021-03-status"}),
    ("period:2021", {"2021-01-status", "2021-03-status", "2021-06-status"}),
    ("period:2020-11", {"2020-11-status"}),
    ("period:..2021-01", {"2020-11-status", "2021-01-status"}),
    ("period:2021-04..", {"2021-06-status"}),
    ("year:2020", {"2020-11-status"}),
])
def test_period_in_query(corpus_index, q, reports):
    assert {r for r, _ in hits(corpus_index, q)} == reports


def test_period_params_and_query_agree(corpus_index):
    by_params = hits(corpus_index, "qserv", period_from="2021-04", period_to="2021")
    assert by_params == hits(corpus_index, "qserv period:2021-04..2021-12") == [
        ("2021-06-status", TP)]


def test_literal_mode_searches_the_text_as_typed(corpus_index):
    # an unbalanced quote and markup are just text here: no error, no operators (the words
    # as typed, in order: "showed script alert script")
    assert hits(corpus_index, 'showed <script>alert(1)</script> "and', literal=True) == [
        ("2021-06-status", "escaping")]
    assert len(hits(corpus_index, 'a < b & c "cutout', literal=True)) == 3
    assert hits(corpus_index, "type:milestone", literal=True) == []


def test_prose_colon_is_not_a_field(corpus_index):
    assert hits(corpus_index, "Qserv: cluster") == [("2021-06-status", TP)]


@pytest.mark.parametrize("q, message", [
    ('foo "bar', "Unbalanced quote in query 'foo \"bar'. Close the quote, or search with "
                 "literal=True (--literal) to search the text as typed."),
    ("(qserv OR efd", "Unbalanced parenthesis in query '(qserv OR efd'. Close every '(' with "
                      "a ')', or search with literal=True (--literal) to search the text as "
                      "typed."),
    ("author:me", "Unknown field 'author' in query 'author:me'. Use one of text, title, "
                  "section, entity, type, series, period, year, format, report; quote the "
                  "word, or search with literal=True (--literal) to search the text as typed."),
    ("period:2021-13", "Bad period '2021-13' in query 'period:2021-13'. Write period:YYYY, "
                       "period:YYYY-MM or period:YYYY-MM..YYYY-MM (e.g. period:2021-01..2021-06), "
                       "or search with literal=True (--literal) to search the text as typed."),
    ("period:2021-06..2021-01", "Empty period range '2021-06..2021-01' in query "
                                "'period:2021-06..2021-01'. Put the earlier month first, or "
                                "search with literal=True (--literal) to search the text as "
                                "typed."),
    ("type:person", "Unknown entity type 'person' in query 'type:person'. Use one of document, "
                    "milestone, ticket, system, dataset, organization, meeting, or search with "
                    "literal=True (--literal) to search the text as typed."),
    ("qserv AND", "Dangling operator 'AND' in query 'qserv AND'. Give AND a term on both "
                  "sides, write it in lower case to search for the word, or search with "
                  "literal=True (--literal) to search the text as typed."),
    ("OR efd", "Dangling operator 'OR' in query 'OR efd'. Give OR a term on both sides, write "
               "it in lower case to search for the word, or search with literal=True "
               "(--literal) to search the text as typed."),
    ("(qserv NOT) efd", "Dangling operator 'NOT' in query '(qserv NOT) efd'. Give NOT a term "
                        "after it, write it in lower case to search for the word, or search "
                        "with literal=True (--literal) to search the text as typed."),
])
def test_malformed_queries_say_how_to_fix_them(corpus_index, q, message):
    with pytest.raises(QueryError) as error:
        corpus_index.search(SearchRequest(q=q))
    assert str(error.value) == message
    assert error.value.param == "q"


@pytest.mark.parametrize("params, param", [
    ({"page": "abc"}, "page"), ({"per_page": "1000"}, "per_page"), ({"from": "2021-13"}, "from"),
    ({"to": "21"}, "to"), ({"sort": "foo"}, "sort"), ({"type": "person"}, "type"),
    ({"page": "0"}, "page"),
])
def test_bad_parameters_name_the_parameter(params, param):
    with pytest.raises(QueryError) as error:
        SearchRequest.from_params(params)
    assert error.value.param == param
    assert params[param] in str(error.value)


def test_from_params_reads_every_parameter():
    req = SearchRequest.from_params({"q": "x", "type": "system", "entity": "Qserv",
                                     "from": "2021-01", "to": "2021", "section": "Summary",
                                     "format": "pdf", "year": "2021", "sort": "newest",
                                     "page": "2", "per_page": "5", "collapse": "1",
                                     "literal": "true"})
    assert req == SearchRequest(q="x", type="system", entity="Qserv", period_from="2021-01",
                                period_to="2021", section="Summary", format="pdf", year="2021",
                                sort="newest", page=2, per_page=5, collapse=True, literal=True)


def test_entity_aliases_resolve_to_the_canonical_name(corpus_index):
    # the shipped entity configuration knows "Data Butler" as an alias of Butler
    assert hits(corpus_index, 'entity:"Data Butler"') == hits(corpus_index, "entity:Butler") \
        == [("2021-03-status", TP)]
    assert hits(corpus_index, "", entity="data butler") == [("2021-03-status", TP)]
    assert len(hits(corpus_index, "entity:qs*")) == 2  # patterns are left alone

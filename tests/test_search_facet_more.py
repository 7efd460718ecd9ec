"""Cut facet lists say how much they leave out, and `more=` lists one of them whole.

The sample archive's every-section search has more section headings than the section facet
shows (20) and more systems than the entity facet shows (10): each engine must count the
values it leaves out exactly, and list them all when asked.
"""

from __future__ import annotations

import pytest

from search import FACET_ALL_MAX, QueryError, SearchRequest
from search._facets import ENTITY_FACET_TOP, SECTION_FACET_TOP
from web_fixtures import app, client, soup, web_archive  # noqa: F401

pytestmark = pytest.mark.usefixtures("search_engine")


def _every(index, **kwargs):
    return index.search(SearchRequest(per_page=1, **kwargs)).facets


def test_cut_lists_count_what_they_leave_out(sample_index):
    cut = _every(sample_index)
    whole = _every(sample_index, more="section")
    headings = [v["value"] for v in whole["section"]]
    assert len(headings) == len(set(headings)) > SECTION_FACET_TOP
    assert len(cut["section"]) == SECTION_FACET_TOP
    assert cut["more"]["section"] == len(headings) - SECTION_FACET_TOP
    assert cut["section"] == whole["section"][:SECTION_FACET_TOP]  # the same order
    assert whole["more"]["section"] == 0


def test_more_lists_one_entity_type_whole_and_leaves_the_rest_cut(sample_index):
    cut = _every(sample_index)
    whole = _every(sample_index, more="system")
    systems = whole["entity"]["system"]
    assert len(systems) > ENTITY_FACET_TOP and len(systems) <= FACET_ALL_MAX
    assert cut["more"]["entity"]["system"] == len(systems) - ENTITY_FACET_TOP
    assert "system" not in whole["more"]["entity"]
    # the other facets are as without `more`
    assert whole["entity"]["organization"] == cut["entity"]["organization"]
    assert whole["section"] == cut["section"]
    # counts are per section, as the filter finds them
    name = systems[-1]["value"]
    filtered = sample_index.search(SearchRequest(entity=name, type="system", per_page=1))
    assert filtered.total == systems[-1]["count"]


def test_the_counts_hold_for_a_query_too(sample_index):
    facets = _every(sample_index, q="qserv")
    assert facets["entity"], "Qserv's sections mention entities"
    for etype, values in facets["entity"].items():
        whole = _every(sample_index, q="qserv", more=etype)["entity"][etype]
        assert facets["more"]["entity"].get(etype, 0) == len(whole) - len(values)
        assert len(values) == min(len(whole), ENTITY_FACET_TOP)


def test_a_bad_more_names_the_parameter(sample_index):
    with pytest.raises(QueryError) as err:
        SearchRequest.from_params({"more": "planet"})
    assert err.value.param == "more" and "'section'" in str(err.value)


def test_the_search_page_links_and_n_more_and_back(client):
    page = soup(client.get("/?from=2000"))  # every dated section: no query words
    links = {a.get_text(strip=True): a["href"] for a in page.select("aside.facets a.more")}
    more_sections = [href for text, href in links.items() if "more=section" in href]
    assert more_sections, links
    text = next(t for t, h in links.items() if h == more_sections[0])
    left = int(text.split()[1])  # "and N more"
    whole = soup(client.get(more_sections[0].split("#")[0]))
    section_facet = [s for s in whole.select("aside.facets section.facet")
                     if s.h2 and s.h2.get_text() == "Section"][0]
    assert len(section_facet.select("li")) == SECTION_FACET_TOP + left
    fewer = section_facet.select_one("a.more")
    assert fewer.get_text() == "show fewer" and "more=" not in fewer["href"]


def test_the_report_count_is_over_every_match_not_the_page(sample_index):
    # the search page's "N sections in M reports": counted by the engine over its match
    # set, the same number a collapsed search gives as its total
    for q in ("qserv", "status", "", "butler gen3"):
        counted = sample_index.search(SearchRequest(q=q, per_page=1, count_reports=True))
        collapsed = sample_index.search(SearchRequest(q=q, per_page=1, collapse=True))
        assert counted.reports == collapsed.total > 0, q
        assert counted.to_dict()["reports"] == counted.reports
    assert "reports" not in sample_index.search(SearchRequest(q="qserv")).to_dict()

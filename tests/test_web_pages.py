"""The HTML pages over a real index: search, report, reports, entities, entity, about."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from web_fixtures import app, client, get_json, soup, web_archive, xss_report_id  # noqa: F401
import pytest

#: The conformance suite: every test here runs once per search engine (see conftest).
pytestmark = pytest.mark.usefixtures("search_engine")


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_search_page_keeps_the_query_and_highlights_hits(client):
    page = soup(client.get("/?q=qserv"))
    assert page.find("input", id="q")["value"] == "qserv"
    hits = page.select("li.hit")
    assert hits, "Qserv is in several sample reports"
    assert all(hit.find("mark") for hit in hits)
    assert all(m.get_text().lower() == "qserv" for m in page.select("li.hit mark"))
    count = page.find("p", class_="count").get_text(" ", strip=True)
    assert re.fullmatch(r"\d+ sections? in \d+ reports? · \d+ ms", count), count
    title = hits[0].find("h2").find("a")
    assert re.fullmatch(r"/reports/[\w.-]+#[\w.-]+", title["href"])
    assert hits[0].select_one("a.chip")["href"].startswith("/entities/")


def test_a_hit_links_to_the_exact_section_of_its_report(client):
    href = soup(client.get("/?q=qserv")).select_one("li.hit h2 a")["href"]
    path, anchor = href.split("#")
    report = soup(client.get(path))
    section = report.find(id=anchor)
    assert section is not None and section.name == "section"
    assert "qserv" in section.get_text().lower()


def test_facet_links_combine_and_active_filters_can_be_removed(client):
    page = soup(client.get("/?q=qserv"))
    year_link = page.select_one("aside.facets a[href*='year=']")
    with_year = soup(client.get(year_link["href"]))
    format_link = with_year.select_one("aside.facets a[href*='format=']")
    params = _query(format_link["href"])
    assert params["q"] == ["qserv"] and "year" in params and "format" in params
    both = client.get(format_link["href"])
    assert both.status_code == 200
    active = soup(both).select("ul.active-filters li")
    assert [li.get_text(" ", strip=True).split(":")[0] for li in active] == ["year", "format"]
    remove_year = active[0].find("a", class_="remove")["href"]
    assert _query(remove_year) == {"q": ["qserv"], "format": params["format"]}
    data = get_json(client, "/api/search?" + urlsplit(format_link["href"]).query)
    assert data["filters"] == {"year": params["year"][0], "format": params["format"][0]}
    assert all(h["format"] == params["format"][0] for h in data["hits"])


def test_pagination_and_sort_links(client):
    first = soup(client.get("/?q=data&per_page=3"))
    pager = first.find("nav", class_="pager")
    assert pager.find("strong", attrs={"aria-current": "page"}).get_text() == "1"
    second_href = pager.find("a", rel="next")["href"]
    assert _query(second_href)["page"] == ["2"] and _query(second_href)["per_page"] == ["3"]
    second = soup(client.get(second_href))
    first_titles = [a["href"] for a in first.select("li.hit h2 a")]
    assert [a["href"] for a in second.select("li.hit h2 a")] != first_titles
    assert second.find("ol", class_="hits")["start"] == "4"
    newest = client.get(first.find("nav", class_="sort").find("a", string="newest")["href"])
    periods = [h["period"] for h in get_json(client, "/api/search?q=data&sort=newest&per_page=100")["hits"]]
    assert periods == sorted(periods, reverse=True)
    assert soup(newest).find("nav", class_="sort").find("strong").get_text() == "newest"


def test_corrected_results_say_so_and_link_both_queries(client):
    data = get_json(client, "/api/search?q=qsrev")
    assert data["corrected"] and data["suggestion"] == "qserv" and data["total"] > 0
    assert data["query"] == "qsrev"
    note = soup(client.get("/?q=qsrev")).select_one("p.suggest")
    assert note.get_text(" ", strip=True).startswith("Showing results for qserv ; search "
                                                     "instead for qsrev")
    corrected, as_typed = note.find_all("a")
    assert _query(corrected["href"])["q"] == ["qserv"]
    assert _query(as_typed["href"]) == {"q": ["qsrev"], "correct": ["0"]}
    # the as-typed link shows the typed query's own (empty) results, with the suggestion
    typed = get_json(client, "/api/search?q=qsrev&correct=0")
    assert not typed["corrected"] and typed["total"] == 0 and typed["suggestion"] == "qserv"
    offer = soup(client.get(as_typed["href"])).select_one("p.suggest")
    assert offer.get_text(" ", strip=True) == "Did you mean qserv ?"


def test_most_words_mode_is_said_in_words(client):
    data = get_json(client, "/api/search?q=qserv+zebra+upgrade")
    assert data["match_mode"] == "most" and data["all_words_total"] == 0
    line = soup(client.get("/?q=qserv+zebra+upgrade")).select_one("p.match-mode")
    assert line.get_text(" ", strip=True).startswith("No section holds every word")


def test_malformed_query_errors_name_the_option_of_each_interface(client):
    api = client.get('/api/search?q=foo+"bar')
    assert api.status_code == 400
    assert api.get_json()["error"].endswith("or add literal=1 to search the text as typed.")
    page = client.get('/?q=foo+"bar')
    alert = soup(page).find("div", class_="alert")
    assert "Close the quote, or search as typed." in alert.get_text()
    assert _query(alert.find("a", string="search as typed")["href"])["literal"] == ["1"]


def test_empty_state_says_what_to_try(client):
    page = soup(client.get("/?q=zyxwvutsr&year=2020"))
    empty = page.find("div", class_="empty-state")
    assert "Nothing matches" in empty.get_text()
    assert empty.find("a", string="search without filters")["href"] == "/?q=zyxwvutsr"
    assert page.select("li.hit") == []


def test_bad_parameter_is_shown_inline_with_how_to_fix_it(client):
    response = client.get("/?q=qserv&page=abc")
    assert response.status_code == 400
    alert = soup(response).find("div", class_="alert")
    assert "Bad value for 'page': 'abc'. Use a whole number." in alert.get_text()
    assert alert.find("a", string="search without it")["href"] == "/?q=qserv"


def test_home_page_without_query_shows_the_archive(client):
    page = soup(client.get("/"))
    assert page.find("input", id="q") is not None
    assert page.select("section a[href^='/reports/']")
    assert page.select("a.chip[href^='/?entity=']")


def test_report_page(client):
    rid = xss_report_id(client)
    page = soup(client.get(f"/reports/{rid}"))
    assert page.find("h1").get_text() == "DM Status Report for February 2021"
    assert "February 2021" in page.find("p", class_="meta").get_text()
    sections = page.select("section.rsec")
    assert [s["id"] for s in sections] == [a["href"][1:] for a in page.select("nav.toc ol a")]
    mentions = {(a.get_text(), a["href"]) for a in page.select("a.mention")}
    assert ("DM-26348", "/entities/ticket/DM-26348") in mentions
    assert ("Qserv", "/entities/system/Qserv") in mentions
    for _, href in mentions:
        assert client.get(href).status_code == 200, href
    with client.get(page.find("a", string="Original file")["href"]) as source:
        assert source.status_code == 200 and source.mimetype == "text/plain"
        assert b"<script>alert(1)</script>" in source.data


def test_report_page_shows_pdf_page_numbers_and_series_neighbours(client):
    reports = get_json(client, "/api/reports")["reports"]
    pdf = next(r for r in reports if r["format"] == "pdf")
    page = soup(client.get(pdf["html_url"]))
    assert page.select("section.rsec span.page")
    series = page.find("nav", class_="series")
    index = [r["id"] for r in reports].index(pdf["id"])
    assert series.find("a", rel="prev")["href"] == reports[index - 1]["html_url"]
    assert series.find("a", rel="next")["href"] == reports[index + 1]["html_url"]
    with client.get(f"/reports/{pdf['id']}/source") as source:
        assert source.mimetype == "application/pdf" and source.data.startswith(b"%PDF")


def test_reports_list_is_by_period(client):
    page = soup(client.get("/reports"))
    rows = page.select("table.list tbody tr")
    assert len(rows) == get_json(client, "/api/reports")["total"] == 10
    assert [s["id"] for s in page.select("section.year")] == ["y2020", "y2021"]


def test_entities_page_groups_by_type_and_filters(client):
    page = soup(client.get("/entities"))
    groups = [s["id"] for s in page.select("section.etype")]
    assert "system" in groups and "ticket" in groups
    systems = soup(client.get("/entities?type=system"))
    assert [s["id"] for s in systems.select("section.etype")] == ["system"]
    names = [a.get_text() for a in systems.select("a.ename")]
    assert "Qserv" in names
    found = [a.get_text() for a in soup(client.get("/entities?type=system&q=QSE")).select("a.ename")]
    assert "Qserv" in found and len(found) < len(names)
    assert all("qse" in name.lower() for name in found)
    bad = client.get("/entities?type=bogus")
    assert bad.status_code == 400
    assert "use one of document, milestone" in soup(bad).find(class_="error-msg").get_text()


def test_entity_page_has_chart_mentions_and_co_mentions(client):
    page = soup(client.get("/entities/system/Qserv"))
    detail = get_json(client, "/api/entities/system/Qserv")
    svg = page.find("svg", class_="chart")
    assert svg["role"] == "img" and svg.find("title").get_text().startswith("Mentions of Qserv")
    assert len(svg.find_all("rect", class_="bar")) == len(detail["per_month"])
    occurrences = page.select("section.occurrences li.hit")
    assert len(occurrences) == len(detail["occurrences"]) > 0
    periods = [o["period"] for o in detail["occurrences"]]
    assert periods == sorted(periods)
    co = page.select("aside.co a.chip")
    assert co and all(a["href"].startswith("/entities/") for a in co)
    assert "first seen" in page.find("p", class_="meta").get_text()


def test_entity_alias_redirects_to_the_canonical_page(client):
    response = client.get("/entities/system/qserv")
    assert response.status_code == 302
    assert response.headers["Location"] == "/entities/system/Qserv"


def test_outbound_link_to_the_tracker_for_a_ticket(client):
    page = soup(client.get("/entities/ticket/DM-26348"))
    link = page.find("a", class_="outbound")
    assert link["href"].endswith("/browse/DM-26348")
    assert "noopener" in link["rel"]


def test_about_page_counts(client):
    stats = get_json(client, "/api/stats")
    page = soup(client.get("/about"))
    values = {d.find("dt").get_text(): d.find("dd").get_text(strip=True) for d in page.select("dl.stats div")}
    assert values["Reports"] == str(stats["reports"]) == "10"
    assert values["Sections"] == f"{stats['sections']:,}"
    row = page.find("a", class_="t-system").find_parent("tr")
    assert row.find("td", class_="num").get_text() == f"{stats['entities_by_type']['system']:,}"


def test_report_headings_link_to_similar_sections(client):
    report = get_json(client, "/api/reports/dm-status-202001-txt")
    page = soup(client.get("/reports/dm-status-202001-txt"))
    for data, section in zip(report["sections"], page.select("section.rsec")):
        heading = section.find(["h2", "h3"])
        link = heading.find("a", class_="similar-link")
        if not data["text"].strip():  # a bare heading: nothing to compare, no link
            assert link is None, data["anchor"]
            continue
        assert link["href"] == f"/reports/{report['id']}/similar/{data['anchor']}"
        assert link.get_text(" ", strip=True).startswith("Similar sections")
        # Screen readers hear which section the link is about, not ten identical links.
        assert (data["heading"] or "Introduction") in link.find("span", class_="sr").get_text()
        assert heading.find("a", class_="anchor")["href"] == f"#{data['anchor']}"


def test_similar_page_lists_sections_of_other_reports(client):
    data = get_json(client, "/api/reports/dm-status-202001-txt/similar/risk-management")
    page = soup(client.get(data["html_url"]))
    assert page.find("h1").get_text() == "Sections like “Risk Management”"
    crumbs = [a["href"] for a in page.select("nav.crumbs a")]
    assert crumbs == ["/reports", "/reports/dm-status-202001-txt",
                      "/reports/dm-status-202001-txt#risk-management"]
    hits = page.select("section.similar li.hit")
    assert len(hits) == len(data["hits"]) > 0
    for li, hit in zip(hits, data["hits"]):
        assert li.find("h3").find("a")["href"] == hit["html_url"]
        assert hit["section"] in li.find("span", class_="section").get_text()
        more = li.find("a", class_="similar-link")["href"]
        assert more == f"/reports/{hit['report_id']}/similar/{hit['anchor']}"
    assert "risk" in page.find("details", class_="source-text").get_text().lower()


def test_similar_page_of_a_bare_heading_explains_itself(client):
    response = client.get(
        "/reports/dm-status-202001-txt/similar/detailed-project-progress-and-status")
    assert response.status_code == 200
    page = soup(response)
    assert page.select("li.hit") == [] and page.find("details") is None
    assert "only a heading" in page.find("p", class_="empty-state").get_text()


def test_similar_page_of_an_unknown_section_is_a_404_that_says_where_to_look(client):
    response = client.get("/reports/dm-status-202001-txt/similar/nope")
    assert response.status_code == 404
    message = soup(response).find(class_="error-msg").get_text()
    assert message == ("Report 'dm-status-202001-txt' has no section 'nope'. Its sections are "
                       "listed at /reports/dm-status-202001-txt.")


def _card(client, url: str):
    return soup(client.get(url)).find("section", class_="entity-card")


def test_entity_card_for_a_query_that_is_an_entity(client):
    qserv = get_json(client, "/api/entities/system/Qserv")
    card = _card(client, "/?q=qserv")
    assert card.find("a", class_="ename")["href"] == "/entities/system/Qserv"
    assert card.find(class_="badge").get_text() == "system"
    meta = card.find("p", class_="meta").get_text(" ", strip=True)
    assert f"{qserv['mentions']} mentions in {qserv['reports']} reports" in meta
    assert "first seen January 2020" in meta and "last seen February 2021" in meta
    assert card.find("a", class_="outbound") is None  # the config has no page for Qserv
    # IDs in another case, aliases and quoted names are the entity too; other words are not.
    ticket = _card(client, "/?q=dm-26348")
    assert ticket.find("a", class_="ename")["href"] == "/entities/ticket/DM-26348"
    assert ticket.find("a", class_="outbound")["href"].endswith("/browse/DM-26348")
    assert _card(client, "/?q=%22Joint+Status+Review%22").find("a", class_="ename")[
        "href"] == "/entities/meeting/JSR"
    assert _card(client, "/?q=qserv+ingest") is None and _card(client, "/?q=data") is None


def test_entity_card_for_the_entity_filter_wins_over_the_query(client):
    card = _card(client, "/?q=qserv&entity=dc2")
    assert card.find("a", class_="ename")["href"] == "/entities/dataset/DC2"
    assert soup(client.get("/?q=zyxwvut&entity=DC2")).select("li.hit") == []
    assert _card(client, "/?q=zyxwvut&entity=DC2") is not None  # context even with no hits


def test_entity_card_is_html_only(client, web_archive):
    from search import Index, SearchRequest

    _, index_dir = web_archive
    api = get_json(client, "/api/search?q=qserv&entity=DC2")
    direct = Index(index_dir).search(SearchRequest(q="qserv", entity="DC2")).to_dict()
    assert list(api) == list(direct) and "card" not in api

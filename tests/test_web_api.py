"""The JSON API: twins of the pages, one error shape, and the OpenAPI document that describes it."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from cli.main import main as cli_main
from search import Index, SearchRequest
from web.openapi import document
from web_fixtures import app, client, get_json, web_archive, xss_report_id  # noqa: F401

#: The conformance suite: every test here runs once per search engine (see conftest).
pytestmark = pytest.mark.usefixtures("search_engine")


def _without_timing(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "took_ms"}


def test_api_search_is_exactly_the_search_response_and_the_cli_json(client, web_archive):
    _, index_dir = web_archive
    api = get_json(client, "/api/search?q=qserv&sort=newest&per_page=5&year=2020")
    direct = Index(index_dir).search(SearchRequest.from_params(
        {"q": "qserv", "sort": "newest", "per_page": "5", "year": "2020"})).to_dict()
    assert list(api) == list(direct)
    assert _without_timing(api) == _without_timing(direct)
    result = CliRunner().invoke(cli_main, ["search", "qserv", "--sort", "newest", "--limit", "5",
                                           "--json", "--index", str(index_dir)])
    assert result.exit_code == 0, result.output
    cli = json.loads(result.output)
    # The CLI has no --year option, so compare it on the query without the year filter.
    api_all = get_json(client, "/api/search?q=qserv&sort=newest&per_page=5")
    assert _without_timing(cli) == _without_timing(api_all)


def test_api_twins_carry_links_that_resolve(client):
    reports = get_json(client, "/api/reports")
    first = reports["reports"][0]
    assert client.get(first["html_url"]).status_code == 200
    report = get_json(client, first["url"])
    assert report["id"] == first["id"] and report["sections"]
    assert client.get(report["sections"][0]["html_url"].split("#")[0]).status_code == 200
    assert report["previous"] is None and report["next"]["id"] == reports["reports"][1]["id"]
    entity = report["entities"][0]
    detail = get_json(client, entity["url"])
    assert (detail["type"], detail["name"]) == (entity["type"], entity["name"])
    assert client.get(detail["html_url"]).status_code == 200
    for co in detail["co_mentions"]:
        assert get_json(client, co["url"])["name"] == co["name"]
    listing = get_json(client, "/api/entities?type=ticket")
    assert listing["type"] == "ticket" and {e["type"] for e in listing["entities"]} == {"ticket"}
    assert sum(t["count"] for t in listing["types"]) == get_json(client, "/api/entities")["total"]
    stats = get_json(client, "/api/stats")
    assert stats["reports"] == reports["total"] and stats["html_url"] == "/about"


def test_api_report_text_is_data_not_markup(client):
    report = get_json(client, f"/api/reports/{xss_report_id(client)}")
    text = " ".join(s["text"] for s in report["sections"])
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(1)>" in text


@pytest.mark.parametrize("url, status, message", [
    ("/api/search?q=qserv&page=abc", 400, "Bad value for 'page': 'abc'. Use a whole number."),
    ("/api/search?q=qserv&per_page=1000", 400, "Use a whole number from 1 to 100."),
    ("/api/search?q=qserv&from=2021-13", 400, "Write a month as YYYY-MM"),
    ("/api/search?q=qserv&sort=best", 400, "Use one of: relevance, newest, oldest."),
    ("/api/search?type=person", 400, "Bad value for 'type'"),
    ("/api/entities?type=person", 400, "use one of document, milestone"),
    ("/api/reports/no-such-report", 404, "No report with id 'no-such-report'"),
    ("/api/entities/system/No%20Such%20System", 404, "No system named 'No Such System'"),
    ("/api/entities/person/Ada", 404, "Unknown entity type 'person'"),
    ("/api/reports/no-such-report/similar/summary", 404, "No report with id 'no-such-report'"),
    ("/api/reports/dm-status-202001-txt/similar/no-such-section", 404,
     "Report 'dm-status-202001-txt' has no section 'no-such-section'. Its sections are listed "
     "at /reports/dm-status-202001-txt."),
    ("/api/nothing-here", 404, "There is no page at /api/nothing-here. Start from /api/"),
])
def test_api_errors_have_one_shape_and_say_how_to_fix(client, url, status, message):
    body = get_json(client, url, status)
    assert body["ok"] is False and body["status"] == status
    assert message in body["error"]
    Draft202012Validator(_schema("Error")).validate(body)


@pytest.mark.parametrize("q", ['"', "(", ")", "*", "~", "entity:", "period:2021-99", "a AND",
                               "NOT", "\\", "[x TO", "<script>", "%", "title:(", "qserv~5"])
def test_odd_queries_never_cause_a_500(client, q):
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code in (200, 400), (q, response.get_data()[:200])
    page = client.get("/", query_string={"q": q})
    assert page.status_code == response.status_code


def test_writes_are_refused_in_the_error_shape(client):
    for method in ("post", "put", "delete", "patch", "options"):
        response = getattr(client, method)("/api/search")
        assert response.status_code == 405, method
        assert response.get_json()["error"].endswith("this service is read-only, use GET.")
        assert response.headers["Allow"] == "GET, HEAD"
    assert client.post("/reports").status_code == 405
    assert client.head("/api/stats").status_code == 200


# -- OpenAPI ---------------------------------------------------------------------------------

def _schema(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}", "components": document()["components"]}


def test_openapi_document_is_valid_and_served(client):
    doc = get_json(client, "/api/openapi.json")
    assert doc == document()
    validate(doc)


def test_openapi_describes_every_api_route(app):
    described = set(document()["paths"])
    routes = {r.rule.replace("<report_id>", "{report_id}").replace("<entity_type>", "{type}")
              .replace("<path:name>", "{name}").replace("<anchor>", "{anchor}")
              for r in app.url_map.iter_rules()
              if r.rule.startswith("/api") or r.rule.endswith(".atom")}  # and the feeds
    assert routes - {"/api/"} == described  # "/api/" is the same view as "/api"


def test_real_responses_match_their_schemas(client):
    report_id = xss_report_id(client)
    checks = {
        "/api": "ApiRoot",
        "/api/search?q=qserv": "SearchResponse",
        "/api/search?q=zyxwvut": "SearchResponse",
        "/api/search?entity=DC2&sort=oldest&per_page=2&page=2": "SearchResponse",
        "/api/reports": "ReportList",
        f"/api/reports/{report_id}": "Report",
        "/api/entities": "EntityList",
        "/api/entities?type=system&q=qs": "EntityList",
        "/api/entities/system/Qserv": "EntityDetail",
        "/api/entities/ticket/DM-26348": "EntityDetail",
        "/api/stats": "Stats",
        f"/api/reports/{report_id}/similar/summary": "SimilarSections",
        "/api/reports/dm-status-202001-txt/similar/detailed-project-progress-and-status":
            "SimilarSections",
    }
    for url, name in checks.items():
        Draft202012Validator(_schema(name)).validate(get_json(client, url))
    for summary in get_json(client, "/api/reports")["reports"]:
        Draft202012Validator(_schema("Report")).validate(get_json(client, summary["url"]))


def test_similar_sections_are_other_reports_with_links_that_resolve(client, web_archive):
    _, index_dir = web_archive
    report = get_json(client, "/api/reports/dm-status-202001-txt")
    anchor = next(s["anchor"] for s in report["sections"] if s["heading"] == "Risk Management")
    data = get_json(client, f"/api/reports/{report['id']}/similar/{anchor}")
    assert list(data) == ["report_id", "anchor", "section", "hits", "url", "html_url"]
    assert (data["report_id"], data["anchor"], data["section"]) == (
        report["id"], anchor, "Risk Management")
    assert data["url"] == f"/api/reports/{report['id']}/similar/{anchor}"
    assert data["html_url"] == f"/reports/{report['id']}/similar/{anchor}"
    direct = [h.to_dict() for h in Index(index_dir).more_like_this(report["id"], anchor)]
    assert direct and [{k: h[k] for k in direct[0]} for h in data["hits"]] == direct
    assert all(h["report_id"] != report["id"] for h in data["hits"])
    # Risk sections resemble risk sections: the best match has the same heading.
    assert data["hits"][0]["section"] == "Risk Management"
    for hit in data["hits"]:
        assert hit["html_url"] == f"/reports/{hit['report_id']}#{hit['anchor']}"
        target = get_json(client, hit["url"])
        assert hit["anchor"] in {s["anchor"] for s in target["sections"]}
        assert get_json(client, hit["similar_url"])["anchor"] == hit["anchor"]


def test_a_heading_without_text_has_no_similar_sections_and_no_error(client):
    # The sample report's "Detailed Project Progress and Status" is a bare heading whose
    # text sits in its subsections; the search backend cannot compare empty text.
    url = "/api/reports/dm-status-202001-txt/similar/detailed-project-progress-and-status"
    data = get_json(client, url)
    assert data["section"] == "Detailed Project Progress and Status" and data["hits"] == []

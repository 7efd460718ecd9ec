"""Safe by construction: escaping of document text, security headers, no paths from requests."""

from __future__ import annotations

from pathlib import Path

import pytest

from web import create_app
from web.security import CSP
from web_fixtures import (XSS_IMG, XSS_SCRIPT, app, client, get_json, soup,  # noqa: F401
                          web_archive, xss_report_id)

#: The conformance suite: every test here runs once per search engine (see conftest).
pytestmark = pytest.mark.usefixtures("search_engine")

EXPECTED_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


def _no_active_markup(page) -> None:
    assert page.find("script") is None
    assert page.find("img") is None
    assert not [tag for tag in page.find_all(True) if any(a.startswith("on") for a in tag.attrs)]
    assert not page.find_all(style=True), "inline styles are blocked by our own CSP"


def test_hostile_report_text_shows_as_text_everywhere(client):
    rid = xss_report_id(client)
    pages = [f"/reports/{rid}", "/?q=pasted", "/?q=onerror", "/?q=script+alert",
             "/entities/ticket/DM-26348", "/entities/system/Qserv", "/reports"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        page = soup(response)
        _no_active_markup(page)
    report_text = soup(client.get(f"/reports/{rid}")).find("article").get_text()
    assert XSS_SCRIPT in report_text and XSS_IMG in report_text
    hits = soup(client.get("/?q=pasted")).select("li.hit p.snippet")
    assert any("<script>" in hit.get_text() for hit in hits)


def test_a_query_with_markup_is_echoed_as_text(client):
    page = soup(client.get("/", query_string={"q": '"><script>alert(1)</script>'}))
    _no_active_markup(page)
    assert page.find("input", id="q")["value"] == '"><script>alert(1)</script>'


def test_security_headers_on_pages_api_errors_and_static(client):
    assert CSP == EXPECTED_CSP
    for url in ("/", "/?q=qserv", "/reports", "/api/search?q=x", "/api/reports/nope",
                "/nope", "/static/style.css", "/?page=abc"):
        response = client.get(url)
        assert response.headers["Content-Security-Policy"] == EXPECTED_CSP, url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        response.close()


def test_pages_load_only_our_own_assets(client):
    page = soup(client.get("/?q=qserv"))
    # rel=alternate (the page's feed) is a link for feed readers; the browser loads nothing.
    refs = [t.get("href") or t.get("src") for t in page.find_all(["link", "script", "img"])
            if "alternate" not in (t.get("rel") or [])]
    assert refs and all(r.startswith("/static/") for r in refs)
    with client.get("/static/style.css") as css:
        assert b"@import" not in css.data and b"url(" not in css.data


def test_source_file_is_never_a_path_from_the_request(client):
    for url in ("/reports/..%2F..%2Fetc%2Fpasswd/source", "/reports/%2Fetc%2Fpasswd/source",
                "/reports/../../etc/passwd/source", "/reports/passwd/source?path=/etc/passwd"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"root:" not in response.data


def test_source_outside_the_archive_roots_is_refused(web_archive, tmp_path):
    _, index_dir = web_archive
    other = tmp_path / "elsewhere"
    other.mkdir()
    app = create_app({"INDEX_PATH": str(index_dir), "ARCHIVE_ROOTS": [str(other)]})
    client = app.test_client()
    rid = xss_report_id(client)
    assert get_json(client, f"/api/reports/{rid}")["source_url"] is None
    assert soup(client.get(f"/reports/{rid}")).find("a", string="Original file") is None
    response = client.get(f"/reports/{rid}/source")
    assert response.status_code == 404
    assert "not inside an archive root" in soup(response).find(class_="error-msg").get_text()


def test_without_configured_roots_the_index_records_the_archive(web_archive):
    archive, index_dir = web_archive
    client = create_app({"INDEX_PATH": str(index_dir)}).test_client()
    stats = get_json(client, "/api/stats")
    assert stats["roots"] and all(Path(root).is_dir() for root in stats["roots"])
    rid = xss_report_id(client)
    with client.get(f"/reports/{rid}/source") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/plain"  # never rendered as HTML in our origin
        assert b"<script>alert(1)</script>" in response.get_data()


@pytest.mark.parametrize("q, says", [
    ("x" * 100_000, "Query too long: 100,000 characters"),
    # long enough to hit the length bound first; the depth and operator bounds hold on
    # short queries too (tests/test_search_relevance.py)
    ("(" * 1000 + "qserv" + ")" * 1000, "Query too long: 2,005 characters"),
    ("NOT " * 1000 + "qserv", "Query too long: 4,005 characters"),
    (" OR ".join(["qserv"] * 10_000), "Query too long: 89,996 characters"),
    ("(" * 40 + "qserv" + ")" * 40, "Query too complex: 40 levels of parentheses"),
    ("NOT " * 100 + "qserv", "Query too complex: 100 operators"),
    ("rucio~9", "Fuzzy distance 9"),
    ("qserv " * 20_000, "Query too long"),
])
def test_the_costly_query_reproducers_get_a_400_that_says_the_limit(client, q, says):
    # each was a 500, a multi-second search or an out-of-memory kill before the query
    # tree bounded what a query may cost; now it is refused before any index work
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code == 400
    body = response.get_json()
    assert body["ok"] is False and says in body["error"]
    page = client.get("/", query_string={"q": q})
    assert page.status_code == 400 and says in soup(page).find("div", class_="alert").get_text()

"""Walk the site like a crawler: every internal link resolves, every page has a JSON twin.

Starting from the pages in the main navigation, follow every internal link found in the
HTML (BeautifulSoup), check its status, check that ``#anchor`` targets exist, and fetch the
JSON twin of each page. Search pages are many (every facet combination), so links found on
the search pages in START are checked but not crawled further, and other search pages
(``/?entity=...`` from entity pages) only for their status and twin; everything else is
crawled fully.
"""

from __future__ import annotations

from collections import deque
from urllib.parse import urlsplit

from web_fixtures import app, client, soup, web_archive  # noqa: F401
import pytest

#: The conformance suite: every test here runs once per search engine (see conftest).
pytestmark = pytest.mark.usefixtures("search_engine")

START = ["/", "/?q=qserv", "/?q=data&per_page=3", "/reports", "/entities", "/about"]
MAX_PAGES = 600  # a bound, far above what the sample archive needs (asserted below)


def twin_of(path: str) -> str | None:
    """The JSON URL of an HTML page URL, or None for non-page URLs."""
    parts = urlsplit(path)
    query = f"?{parts.query}" if parts.query else ""
    if parts.path in ("/", "/search"):
        return "/api/search" + query
    if parts.path == "/about":
        return "/api/stats"
    if parts.path.endswith("/source") or parts.path.startswith(("/static/", "/api")):
        return None
    return "/api" + parts.path + query


def test_every_internal_link_resolves_and_every_page_has_a_json_twin(client):
    seen: set[str] = set()
    queue = deque(START)
    anchors: list[tuple[str, str, str]] = []  # (page, target, fragment)
    pages: dict[str, object] = {}  # parsed HTML by URL, for the anchor checks
    statuses: set[str] = set()  # URLs only checked for their status (from search pages)
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        assert len(seen) <= MAX_PAGES, "link walk did not converge"
        with client.get(url) as response:
            if response.status_code in (301, 302):
                queue.append(response.headers["Location"])
                continue
            assert response.status_code == 200, (url, response.status_code)
            if response.mimetype != "text/html":
                continue
            page = pages[url] = soup(response)
        twin = twin_of(url)
        if twin:
            json_response = client.get(twin)
            assert json_response.status_code == 200, (twin, json_response.get_data()[:200])
            assert json_response.mimetype == "application/json"
        is_search = urlsplit(url).path in ("/", "/search")
        if is_search and url not in START:
            continue
        checked: set[str] = set()
        for tag in page.find_all(["a", "link", "form"]):
            href = tag.get("href") or tag.get("action")
            assert href, f"empty link on {url}: {tag}"
            if href.startswith(("http://", "https://")):
                continue
            assert href.startswith(("/", "#")), (url, href)
            target, _, fragment = href.partition("#")
            target = target or url
            if fragment:
                anchors.append((url, target, fragment))
            if target not in seen and (not is_search or target.startswith("/static/")):
                queue.append(target)
            elif target not in seen and target not in checked:
                checked.add(target)
                statuses.add(target)
                # Checked, not crawled: facet combinations of search pages multiply fast.
                with client.get(target) as response:
                    assert response.status_code == 200, (url, target, response.status_code)
    for page_url, target, fragment in set(anchors):
        if target not in pages:
            pages[target] = soup(client.get(target))
        assert pages[target].find(id=fragment) is not None, (page_url, target, fragment)
    print(f"walked {len(seen)} URLs")
    reached = seen | statuses
    # The downloads and feeds are linked and answer (non-HTML: status checked, not parsed).
    assert any(u.startswith("/api/search.csv?q=qserv") for u in reached)
    assert any(u.startswith("/api/search.jsonl?") for u in reached)
    assert any(u.startswith("/search.atom?q=") for u in reached)
    assert sum(1 for u in seen if u.startswith("/entities/") and u.endswith(".atom")) > 20
    # The batch page (main navigation), its example batch, and that batch's CSV download.
    assert "/batch" in seen and any(u.startswith("/batch?terms=") for u in seen)
    assert any(u.startswith("/api/batch.csv?terms=") for u in seen)
    kinds = {urlsplit(u).path.split("/")[1] for u in seen}
    assert {"", "reports", "entities", "about", "static"} <= kinds
    assert any(u.endswith("/source") for u in seen)
    assert sum(1 for u in seen if u.startswith("/entities/")) > 20
    similar = [u for u in seen if "/similar/" in u]
    print(f"{len(similar)} similar-sections pages")
    assert len(similar) > 50  # every section with text links one; their twins were fetched

"""Atom feeds of searches and entities: valid Atom, newest first, ids stable across ingests."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import feedparser

from search import ingest_paths
from web_fixtures import app, client, soup, web_archive  # noqa: F401
import pytest

#: The conformance suite: every test here runs once per search engine (see conftest).
pytestmark = pytest.mark.usefixtures("search_engine")

ATOM = "{http://www.w3.org/2005/Atom}"


def atom(response) -> tuple[feedparser.FeedParserDict, ET.Element]:
    """The feed parsed by a feed reader's parser (no complaints allowed) and as strict XML,
    checked for what RFC 4287 requires of a feed and of each entry."""
    assert response.status_code == 200, response.get_data()[:300]
    assert response.mimetype == "application/atom+xml"
    body = response.get_data()
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    root = ET.fromstring(body)
    assert root.tag == f"{ATOM}feed"
    for element in [root, *root.findall(f"{ATOM}entry")]:
        for required in ("id", "title", "updated"):
            assert len(element.findall(f"{ATOM}{required}")) == 1, (element.tag, required)
        assert element.find(f"{ATOM}link[@rel='alternate']").get("href").startswith("http")
    assert root.find(f"{ATOM}author/{ATOM}name").text  # entries inherit the feed's author
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    return parsed, root


def test_search_feed_is_valid_atom_newest_first_with_escaped_snippets(client):
    parsed, root = atom(client.get("/search.atom?q=qserv&sort=oldest&page=2"))
    entries = parsed.entries
    assert len(entries) > 5
    periods = [e.updated[:7] for e in entries]
    assert periods == sorted(periods, reverse=True)  # newest first, whatever sort was asked
    assert all(e.id.startswith("urn:uuid:") for e in entries)
    assert len({e.id for e in entries}) == len(entries)
    # type="html": the summary's text is HTML (feedparser's sanitiser drops <mark> itself).
    summary = root.find(f"{ATOM}entry/{ATOM}summary")
    assert summary.get("type") == "html" and "<mark>Qserv</mark>" in summary.text
    first = entries[0].link.removeprefix("http://localhost")
    path, _, anchor = first.partition("#")
    assert soup(client.get(path)).find(id=anchor) is not None
    assert parsed.feed.title == "Report archive: qserv"


def test_hostile_text_stays_text_in_a_feed(client):
    _, root = atom(client.get("/search.atom?q=meeting+notes"))
    summaries = [e.find(f"{ATOM}summary").text for e in root.findall(f"{ATOM}entry")]
    hostile = next(s for s in summaries if "alert(1)" in s)
    # The summary is HTML as text: the pasted tags arrive escaped once more inside it.
    assert "&lt;script&gt;" in hostile and "<script>" not in hostile


def test_entity_feed_lists_its_mentions_and_aliases_redirect(client):
    parsed, _ = atom(client.get("/entities/system/Qserv.atom"))
    detail = client.get("/api/entities/system/Qserv").get_json()
    assert len(parsed.entries) == min(50, len(detail["occurrences"]))
    assert parsed.feed.link.endswith("/entities/system/Qserv")
    other_case = client.get("/entities/system/qserv.atom")
    assert other_case.status_code == 302
    assert other_case.headers["Location"] == "/entities/system/Qserv.atom"
    missing = client.get("/entities/system/No%20Such.atom")
    assert missing.status_code == 404
    assert "No system named 'No Such' in the index." in soup(missing).get_text()
    assert client.get("/search.atom?q=%22open").status_code == 400


def test_pages_announce_their_feed(client):
    for page_url, feed_url in [("/?q=qserv&year=2020", "/search.atom?q=qserv&year=2020"),
                               ("/entities/system/Qserv", "/entities/system/Qserv.atom")]:
        page = soup(client.get(page_url))
        link = page.find("link", rel="alternate", type="application/atom+xml")
        assert link["href"] == feed_url
        assert page.find("a", class_="feed")["href"] == feed_url
        atom(client.get(feed_url))


def test_entry_ids_survive_a_reingest_so_only_new_mentions_are_new(tmp_path):
    from web import create_app

    archive = tmp_path / "archive"
    archive.mkdir()
    body = ("DM Status Report for {month} 2021\n\n1. Summary\n\nQserv work went on in {month}.\n\n"
            "2. Risks\n\nNothing new about Qserv.\n")
    for month in ("January", "February"):
        (archive / f"dm-status-2021-{month.lower()}.txt").write_text(body.format(month=month))
    index_dir = tmp_path / "index"
    ingest_paths([archive], index_dir, jobs=1)
    client = create_app({"INDEX_PATH": str(index_dir)}).test_client()
    feeds = ("/search.atom?q=qserv", "/entities/system/Qserv.atom")
    before = {url: [e.id for e in atom(client.get(url))[0].entries] for url in feeds}
    assert all(len(ids) == 4 for ids in before.values())

    (archive / "dm-status-2021-march.txt").write_text(body.format(month="March"))
    (archive / "dm-status-2021-january.txt").write_text(
        body.format(month="January") + "\n3. Late note\n\nA correction about Qserv.\n")
    ingest_paths([archive], index_dir, jobs=1)  # one added, one replaced
    for url in feeds:
        after = [e.id for e in atom(client.get(url))[0].entries]
        new = [i for i in after if i not in before[url]]
        assert set(before[url]) <= set(after), url  # the replaced report's sections kept ids
        assert len(new) == 3, url  # March's two sections and January's new one

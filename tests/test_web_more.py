"""Lists that are cut say so: "and N more", linking to where the rest is."""

from __future__ import annotations

import pytest

from web_fixtures import soup


@pytest.fixture(scope="module")
def sample_client(sample_index):
    """The app over the whole sample archive (a report there names more than 40 entities)."""
    from web import create_app

    return create_app({"INDEX_PATH": str(sample_index.path)}).test_client()


def test_report_entities_beyond_forty_are_one_click_away(sample_client):
    reports = sample_client.get("/api/reports").get_json()["reports"]
    big = max(reports, key=lambda r: r["entities"])
    assert big["entities"] > 40
    page = soup(sample_client.get(big["html_url"]))
    chips = page.select("nav.toc p.chips a.chip")
    more = page.select_one("nav.toc a.more")
    assert len(chips) == 40 and more.get_text() == f"and {big['entities'] - 40} more"
    assert more["href"] == f"/reports/{big['id']}?entities=all#entities"
    full = soup(sample_client.get(more["href"].split("#")[0]))
    assert len(full.select("nav.toc p.chips a.chip")) == big["entities"]
    assert full.find(id="entities") is not None and full.select_one("nav.toc a.more") is None


def test_search_hits_and_co_mentions_say_how_many_more(sample_client):
    data = sample_client.get("/api/search?q=qserv&per_page=50").get_json()
    crowded = [h for h in data["hits"] if len(h["entities"]) > 8]
    assert crowded
    page = soup(sample_client.get("/?q=qserv&per_page=50"))
    links = {a["href"]: a.get_text() for a in page.select("li.hit p.chips a.more")}
    for hit in crowded:
        assert links[f"/reports/{hit['report_id']}#{hit['anchor']}"] == \
            f"and {len(hit['entities']) - 8} more"

    detail = sample_client.get("/api/entities/system/Qserv").get_json()
    assert detail["co_mentions_total"] > len(detail["co_mentions"]) == 15
    page = soup(sample_client.get("/entities/system/Qserv"))
    more = page.select_one("aside.co a.more")
    assert more.get_text() == f"and {detail['co_mentions_total'] - 15} more"
    assert more["href"] == "/entities/system/Qserv?co=all#co"
    full = soup(sample_client.get("/entities/system/Qserv?co=all"))
    assert len(full.select("aside.co a.chip")) == detail["co_mentions_total"]
    assert sample_client.get("/api/entities/system/Qserv?co=all").get_json()[
        "co_mentions_total"] == detail["co_mentions_total"]


def test_home_page_lists_say_how_many_more(sample_client):
    stats = sample_client.get("/api/stats").get_json()
    page = soup(sample_client.get("/"))
    latest = page.find("h2", string="Latest reports").find_parent("section")
    shown = len(latest.select("ul li"))
    assert latest.find("a", href="/reports").get_text() == \
        f"and {stats['reports'] - shown} more: all reports →"
    for link in page.select("a.more"):
        etype = link["href"].split("type=")[1]
        chips = link.find_parent("p").select("a.chip")
        assert link.get_text() == f"and {stats['entities_by_type'][etype] - len(chips)} more"

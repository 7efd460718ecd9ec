"""The HTML builders on their own: the SVG chart, linked section text, the snippet filter."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from flask import Flask

from ingest.model import Mention, Section
from web.chart import month_bars
from web.filters import period_label, snippet, when
from web.markup import section_html

#: The conformance suite: every test here runs once per search engine (see conftest).
pytestmark = pytest.mark.usefixtures("search_engine")


def months(*counts: int, start_year: int = 2020) -> list[tuple[str, int]]:
    return [(f"{start_year + i // 12}-{i % 12 + 1:02d}", c) for i, c in enumerate(counts)]


def test_chart_has_one_bar_per_month_year_ticks_and_an_accessible_title():
    svg = BeautifulSoup(str(month_bars(months(*([0] * 11 + [3, 5, 0])), "Qserv")), "html.parser")
    root = svg.find("svg")
    assert root["role"] == "img"
    labelled = root["aria-labelledby"].split()
    assert [svg.find(id=i).name for i in labelled] == ["title", "desc"]
    assert svg.find("title").get_text() == "Mentions of Qserv per month, 2020-01 to 2021-02"
    assert "8 mentions in 14 months; peak 5 in 2021-01" in svg.find("desc").get_text()
    bars = svg.find_all("rect", class_="bar")
    assert len(bars) == 14
    assert bars[12].find("title").get_text() == "2021-01: 5 mentions"
    # The peak fills the plot; a zero month has no height; 3 is 3/5 of the peak.
    heights = [float(b["height"]) for b in bars]
    assert heights[13] == 0 and heights[11] == pytest.approx(heights[12] * 3 / 5)
    assert [t.get_text() for t in svg.find_all("text") if t.get_text() in ("2020", "2021")] == [
        "2020", "2021"]


def test_chart_escapes_the_subject_and_says_so_when_empty():
    svg = str(month_bars(months(1), "<script>x</script>"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "No dated mentions" in str(month_bars([], "Qserv"))


def test_long_spans_label_every_other_year():
    svg = BeautifulSoup(str(month_bars(months(*([1] * 12 * 14)), "X")), "html.parser")
    years = [t.get_text() for t in svg.find_all("text") if len(t.get_text()) == 4]
    assert years == [str(y) for y in range(2020, 2034, 2)]


TEXT = "Qserv <b>moved</b> to NCSA.\n\n- DM-26348 closed\n- <script>x</script> pasted"


def _section(*mentions: Mention) -> Section:
    return Section("Data Access", 1, "data-access", TEXT, None, mentions)


def test_section_html_links_mentions_and_escapes_every_text_piece():
    app = Flask("t")
    app.add_url_rule("/entities/<entity_type>/<path:name>", "entities.show")
    qserv = Mention("system", "Qserv", 0, 5, "Qserv")
    ncsa = Mention("organization", "NCSA", TEXT.index("NCSA"), TEXT.index("NCSA") + 4, "NCSA")
    ticket = Mention("ticket", "DM-26348", TEXT.index("DM-"), TEXT.index("DM-") + 8, "DM-26348")
    with app.test_request_context():
        html = str(section_html(_section(ticket, qserv, ncsa)))
    doc = BeautifulSoup(html, "html.parser")
    links = [(a.get_text(), a["href"]) for a in doc.find_all("a", class_="mention")]
    assert links == [("Qserv", "/entities/system/Qserv"), ("NCSA", "/entities/organization/NCSA"),
                     ("DM-26348", "/entities/ticket/DM-26348")]
    assert doc.find("b") is None and doc.find("script") is None
    assert "<b>moved</b>" in doc.get_text() and "<script>x</script> pasted" in doc.get_text()
    assert [li.get_text() for li in doc.find_all("li")] == ["DM-26348 closed",
                                                            "<script>x</script> pasted"]


def test_section_html_skips_overlapping_and_out_of_range_mentions():
    app = Flask("t")
    app.add_url_rule("/entities/<entity_type>/<path:name>", "entities.show")
    good = Mention("system", "Qserv", 0, 5, "Qserv")
    overlapping = Mention("system", "Qs", 2, 7, "serv ")
    outside = Mention("system", "Far", 500, 510, "")
    with app.test_request_context():
        doc = BeautifulSoup(str(section_html(_section(good, overlapping, outside))), "html.parser")
    assert [a.get_text() for a in doc.find_all("a")] == ["Qserv"]
    assert doc.get_text().replace("\n", "").startswith("Qserv <b>moved</b> to NCSA.")


def test_snippet_lets_only_mark_through():
    assert str(snippet("a <mark>b</mark> &lt;c&gt;")) == "a <mark>b</mark> &lt;c&gt;"
    assert str(snippet('<mark onclick="x">b</mark>')) == "&lt;mark onclick=&#34;x&#34;&gt;b&lt;/mark&gt;"
    assert str(snippet("<script>x</script>")) == "&lt;script&gt;x&lt;/script&gt;"


def test_period_label():
    assert period_label("2021-03") == "March 2021"
    assert period_label("2021") == "2021"
    assert period_label(None) == "undated"


def test_when_formats_the_index_timestamp():
    assert when("2026-11-25T13:31:22Z") == "25 Nov 2026, 13:31 UTC"
    assert when(None) == "never"
    assert when("yesterday") == "yesterday"

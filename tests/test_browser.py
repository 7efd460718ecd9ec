"""End to end in a real browser: `report-archive serve` (waitress) driven by headless Chromium.

Uses Debian's chromium (never `playwright install`) through Playwright's sync API. The server
is a subprocess of the real CLI on a free port (``--port 0``; the URL is read from its first
line). Screenshots go to ``test-artifacts/`` (gitignored) for a person to look at.
"""

from __future__ import annotations

import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from web_fixtures import web_archive  # noqa: F401

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def served(web_archive):
    """The base URL of `report-archive serve` over the session's index; stopped afterwards."""
    archive, index_dir = web_archive
    command = [str(Path(sys.executable).with_name("report-archive")), "serve",
               "--index", str(index_dir), "--archive-root", str(archive),
               "--host", "127.0.0.1", "--port", "0", "--threads", "2"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout],
                              daemon=True)
    reader.start()
    try:
        first = lines.get(timeout=30)
        match = re.search(r"http://127\.0\.0\.1:\d+/", first)
        assert match, f"serve printed no URL: {first!r}"
        yield match.group(0).rstrip("/")
    finally:
        process.send_signal(signal.SIGINT)  # waitress stops on Ctrl-C; our handler closes it
        try:
            assert process.wait(timeout=15) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            reader.join(timeout=5)
            process.stdout.close()


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium through Playwright, shared by this module's tests."""
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium package is required (apt-get install chromium)"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def test_search_highlight_entity_chart_in_chromium(served, browser):
    problems: list[str] = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(served + "/")
        page.fill("#q", "Qserv")
        page.press("#q", "Enter")
        page.wait_for_selector("li.hit mark")
        assert page.locator("li.hit mark").first.inner_text().lower() == "qserv"
        assert re.search(r"\d+ sections in \d+ reports · \d+ ms",
                         page.locator("p.count").inner_text())
        assert page.locator("section.entity-card a.ename").inner_text() == "Qserv"
        page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)

        page.locator("li.hit a.chip", has_text="Qserv").first.click()
        page.wait_for_url(re.compile(r"/entities/system/Qserv$"))
        bars = page.locator("svg.chart rect.bar")
        assert bars.count() > 3
        assert page.locator("svg.chart title").first.text_content().startswith("Mentions of Qserv")
        page.screenshot(path=str(ARTIFACTS / "entity.png"), full_page=True)

        page.locator("section.occurrences li.hit h3 a").first.click()
        page.wait_for_selector("a.mention")
        assert page.locator("section.rsec:target").count() == 1
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=False)

        page.locator("section.rsec:target a.similar-link").click()
        page.wait_for_url(re.compile(r"/reports/[\w.-]+/similar/[\w.-]+$"))
        assert page.locator("section.similar li.hit").count() > 0
        page.screenshot(path=str(ARTIFACTS / "similar.png"), full_page=True)

        phone.goto(served + "/?q=DC2")
        phone.wait_for_selector("li.hit mark")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"page scrolls sideways on a phone ({width}px)"
        phone.screenshot(path=str(ARTIFACTS / "search-phone.png"), full_page=False)
    finally:
        page.close()
        phone.close()
    assert problems == [], problems


# -- keyboard and contrast -------------------------------------------------------------------

#: WCAG 2.x contrast of two CSS colours, computed in the page (rgb()/rgba() strings).
CONTRAST_JS = """
window.__contrast = (a, b) => {
  const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = c.map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const [x, y] = [lum(rgb(a)), lum(rgb(b))].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
};
window.__background = el => {  // the first opaque background behind an element
  for (; el; el = el.parentElement) {
    const bg = getComputedStyle(el).backgroundColor;
    if (bg && !bg.startsWith("rgba(0, 0, 0, 0)") && bg !== "transparent") return bg;
  }
  return "rgb(255, 255, 255)";
};
"""

FOCUSED_JS = """() => {
  const el = document.activeElement, s = getComputedStyle(el);
  return {tag: el.tagName, id: el.id, href: el.getAttribute("href") || "",
          inFacets: !!el.closest("aside.facets"), inPager: !!el.closest("nav.pager"),
          style: s.outlineStyle, width: parseFloat(s.outlineWidth),
          contrast: window.__contrast(s.outlineColor, window.__background(el.parentElement))};
}"""


def _low_contrast(page) -> list:
    """[text, contrast] of each chip, badge or mention under 4.5:1.

    Opacity on the element or an ancestor blends the text colour into its background,
    which is how the type labels of chips once fell to 2.7:1.
    """
    return page.evaluate("""() => [...document.querySelectorAll(
          ".chip, .chip-n, .chip-type, .badge, a.mention, .entity-card .meta")].map(el => {
        let alpha = 1;
        for (let e = el; e; e = e.parentElement) alpha *= parseFloat(getComputedStyle(e).opacity);
        const nums = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
        const bg = window.__background(el);
        const [f, b] = [nums(getComputedStyle(el).color), nums(bg)];
        const seen = `rgb(${f.map((v, i) => alpha * v + (1 - alpha) * b[i]).join(", ")})`;
        return [el.textContent.trim().slice(0, 30), window.__contrast(seen, bg)];
      }).filter(([, c]) => c < 4.5)""")


def test_keyboard_focus_is_visible_and_chips_are_readable(served, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(served + "/?q=qserv&per_page=3")
        page.evaluate(CONTRAST_JS)
        stops = []
        for _ in range(120):  # the page has ~90 tab stops; the pager comes before the facets
            page.keyboard.press("Tab")
            stops.append(page.evaluate(FOCUSED_JS))
            if stops[-1]["inFacets"] and any(s["inPager"] for s in stops):
                break
        query = next(s for s in stops if s["id"] == "q")
        pager = next(s for s in stops if s["inPager"])
        facet = stops[-1]
        assert facet["inFacets"], "tabbing never reached the facet links"
        for stop in (query, pager, facet):
            # A focus ring needs 3:1 against what is behind it (WCAG 1.4.11).
            assert stop["style"] != "none" and stop["width"] >= 2, stop
            assert stop["contrast"] >= 3, stop
        assert all(s["style"] != "none" for s in stops), [s for s in stops if s["style"] == "none"]

        # Chip, badge and mention text is small: 4.5:1 on its own tinted background.
        assert _low_contrast(page) == []
        page.goto(served + "/reports/" + page.locator("li.hit h2 a").first.get_attribute(
            "href").split("/reports/")[1].split("#")[0])
        page.evaluate(CONTRAST_JS)
        assert page.locator("nav.toc .chip-type").count() > 0
        assert _low_contrast(page) == []

        page.goto(served + "/entities/system/Qserv")
        chart = page.get_by_role("img", name=re.compile(r"^Mentions of Qserv per month"))
        assert chart.count() == 1
    finally:
        page.close()


def test_export_download_and_feed_link_in_chromium(served, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    try:
        page.goto(served + "/?q=qserv&sort=newest")
        with page.expect_download() as info:
            page.locator("p.tools a.export", has_text="CSV").click()
        download = info.value
        assert download.suggested_filename == "search-qserv.csv"
        lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
        assert lines[0] == "report_id,title,period,section,page,url,snippet,entities"
        total = re.search(r"Export all (\d+) sections", page.locator("p.tools").inner_text())
        assert total and len(lines) == 1 + int(total.group(1))
        page.screenshot(path=str(ARTIFACTS / "search-tools.png"), full_page=False)

        feed = page.locator("link[rel=alternate][type='application/atom+xml']")
        response = page.request.get(served + feed.get_attribute("href"))
        assert response.ok and response.headers["content-type"].startswith("application/atom+xml")
        assert "<feed xmlns=\"http://www.w3.org/2005/Atom\">" in response.text()
    finally:
        page.close()


def test_batch_search_form_in_chromium(served, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    try:
        page.goto(served + "/")
        page.locator("nav.bar a", has_text="Batch").click()
        page.wait_for_url(re.compile(r"/batch$"))
        page.fill("#terms", 'Qserv\n"open quote\nDC2')
        page.fill("#b-from", "2020-06")
        page.locator("form.batch button", has_text="Search all").click()
        page.wait_for_selector("table.batch-results tbody tr")
        rows = page.locator("table.batch-results tbody tr")
        assert rows.count() == 3
        assert "Unbalanced quote" in rows.nth(1).inner_text()
        assert re.search(r"Qserv\s+\d+\s+\d+\s+\w+ 2020", rows.nth(0).inner_text())
        page.screenshot(path=str(ARTIFACTS / "batch.png"), full_page=True)
        with page.expect_download() as info:
            page.locator("form.batch button", has_text="Download CSV").click()
        lines = Path(info.value.path()).read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("line,term,sections,reports") and len(lines) == 4
        rows.nth(0).locator("ol.tops a").first.click()
        page.wait_for_selector("section.rsec:target")
    finally:
        page.close()

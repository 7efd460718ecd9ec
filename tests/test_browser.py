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


@pytest.fixture()
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


def test_search_highlight_entity_chart_in_chromium(served):
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium package is required (apt-get install chromium)"
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(served + "/")
            page.fill("#q", "Qserv")
            page.press("#q", "Enter")
            page.wait_for_selector("li.hit mark")
            assert page.locator("li.hit mark").first.inner_text().lower() == "qserv"
            assert re.search(r"\d+ sections in \d+ reports · \d+ ms",
                             page.locator("p.count").inner_text())
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

            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.goto(served + "/?q=DC2")
            phone.wait_for_selector("li.hit mark")
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"page scrolls sideways on a phone ({width}px)"
            phone.screenshot(path=str(ARTIFACTS / "search-phone.png"), full_page=False)
        finally:
            browser.close()
    assert problems == [], problems

"""Fixtures for the web tests: a real index built from real sample files in a temp dir.

The archive is a copy of some files from ``sample_reports/`` (text, Markdown, HTML and one
PDF, so page numbers show) plus one hostile report written here: its text contains a
``<script>`` element and an ``onerror=`` attribute *as text*, which every page must show
as text. The index is built once per test session with `search.ingest_paths` (the same
call the CLI makes) because ingesting is the slow part; tests only read it.

Import the fixtures into a test module with ``from tests.web_fixtures import *``-style
explicit names (pytest finds fixtures imported into a module).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from search import ingest_paths

SAMPLES = Path(__file__).resolve().parent.parent / "sample_reports"
#: A spread of formats and years; small enough to ingest in a second or two.
SAMPLE_FILES = (
    "dm-status-202001.txt",
    "2020-03-dm-notes.md",
    "dm-status-202004.txt",
    "DM_Monthly_Report_2020-05.pdf",
    "DM_Status_June.html",
    "dm-status-202009.txt",
    "dm-monthly-status-2020-10.html",
    "2020-12-dm-notes.md",
    "2021-01-dm-monthly-status.html",
)
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_FILE = "dm-status-202102.txt"
XSS_REPORT = f"""Subject: DM Status Report for February 2021

Summary
=======

The Qserv team closed DM-26348 this month and the Butler registry moved to the new
database at NCSA. Someone pasted {XSS_SCRIPT} into the meeting notes, and a
broken image tag {XSS_IMG} came along with it; both must show as plain text.

Data Access
===========

Qserv ingest of the DC2 catalog finished at NCSA ahead of the Joint Status Review.
"""


def build_archive(root: Path) -> Path:
    """Copy the sample files and write the hostile report into ``root/archive``."""
    archive = root / "archive"
    archive.mkdir(parents=True)
    for name in SAMPLE_FILES:
        shutil.copy2(SAMPLES / name, archive / name)
    (archive / XSS_FILE).write_text(XSS_REPORT, encoding="utf-8")
    return archive


@pytest.fixture(scope="session")
def web_archive(request, tmp_path_factory, search_engine) -> tuple[Path, Path]:
    """(archive dir, index location): a real index of real files, built once per session and
    engine."""
    from conftest import session_location

    root = tmp_path_factory.mktemp(f"web-{search_engine}")
    archive = build_archive(root)
    index_dir = session_location(request, "web-index")
    summary = ingest_paths([archive], index_dir, engine=search_engine)
    assert not summary.failed, summary.failed
    assert summary.added == len(SAMPLE_FILES) + 1
    return archive, index_dir


@pytest.fixture()
def app(web_archive):
    """The app over the session's index, allowed to serve files of the archive."""
    from web import create_app

    archive, index_dir = web_archive
    return create_app({"INDEX_PATH": str(index_dir), "ARCHIVE_ROOTS": [str(archive)],
                       "TESTING": True})


@pytest.fixture()
def client(app):
    """A Flask test client of `app`."""
    return app.test_client()


def soup(response) -> BeautifulSoup:
    """Parse an HTML response (asserting it is HTML)."""
    assert response.mimetype == "text/html", response.mimetype
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def get_json(client, url: str, status: int = 200) -> dict:
    """GET `url`, assert the status and JSON type, return the body."""
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.get_data()[:300])
    assert response.mimetype == "application/json"
    return response.get_json()


def xss_report_id(client) -> str:
    """The id the hostile report got."""
    reports = get_json(client, "/api/reports")["reports"]
    return next(r["id"] for r in reports if r["source"].endswith(XSS_FILE))

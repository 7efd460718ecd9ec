"""`create_app`: where the index path comes from, and an empty index served gracefully."""

from __future__ import annotations

from cli.main import main as cli_main
from web import create_app
from web_fixtures import get_json, soup
import pytest

#: The conformance suite: every test here runs once per search engine (see conftest).
pytestmark = pytest.mark.usefixtures("search_engine")


def test_index_path_defaults_to_the_environment_read_at_call_time(monkeypatch, tmp_path):
    monkeypatch.setenv("REPORT_ARCHIVE_INDEX", str(tmp_path / "from-env"))
    assert create_app().config["INDEX_PATH"] == str(tmp_path / "from-env")
    assert create_app({"INDEX_PATH": str(tmp_path / "given")}).config["INDEX_PATH"] == str(
        tmp_path / "given")


def test_a_missing_index_serves_empty_pages_not_errors(tmp_path):
    client = create_app({"INDEX_PATH": str(tmp_path / "none-yet")}).test_client()
    home = soup(client.get("/"))
    lede = home.find("p", class_="lede").get_text()
    # The command named must be one the CLI has: an empty index sends people to it.
    assert "The index is empty" in lede and "report-archive ingest DIR" in lede
    assert "ingest" in cli_main.commands
    reports_page = soup(client.get("/reports")).find("p", class_="empty-state").get_text()
    assert "report-archive ingest DIR" in reports_page
    assert "Nothing matches" in soup(client.get("/?q=qserv")).get_text()
    assert get_json(client, "/api/reports")["total"] == 0
    assert get_json(client, "/api/stats")["reports"] == 0
    assert get_json(client, "/api/entities")["entities"] == []
    assert client.get("/reports").status_code == 200
    assert client.get("/entities").status_code == 200
    assert client.get("/about").status_code == 200
    assert get_json(client, "/api/entities/system/Qserv", 404)["status"] == 404


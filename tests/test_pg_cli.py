"""The commands and the web app given a PostgreSQL URL (a real server, tests/pg_server.py):
search and stats through `--index URL` and $REPORT_ARCHIVE_INDEX, the --entities aliases
stored in the database, directory-only commands refused with what to do instead, and a
server that is down as one clear error (CLI) or a 503 (web)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from pg_server import free_port

from cli.main import main
from search import Index, SearchRequest, ingest_paths

ENTITIES = '''
[[name]]
type = "system"
name = "Widgetron"
aliases = ["the widget service"]
'''


@pytest.fixture
def archive(tmp_path):
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "status-2023-04.txt").write_text(
        "Status report 2023-04\n\n1. Summary\n\nThe widget service went live on Qserv.\n",
        encoding="utf-8")
    (folder / "status-2023-05.txt").write_text(
        "Status report 2023-05\n\n1. Summary\n\nRucio transfers doubled.\n", encoding="utf-8")
    extra = tmp_path / "extra.toml"
    extra.write_text(ENTITIES, encoding="utf-8")
    return folder, extra


def test_search_and_stats_through_the_url(pg_url, archive, monkeypatch):
    folder, extra = archive
    runner = CliRunner()
    done = runner.invoke(main, ["ingest", str(folder), "--index", pg_url, "--entities",
                                str(extra), "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["added"] == 2
    found = runner.invoke(main, ["search", "rucio", "--index", pg_url, "--json"])
    assert found.exit_code == 0, found.output
    assert [h["period"] for h in json.loads(found.output)["hits"]] == ["2023-05"]
    monkeypatch.setenv("REPORT_ARCHIVE_INDEX", pg_url)
    stats = runner.invoke(main, ["stats", "--json"])
    assert stats.exit_code == 0, stats.output
    data = json.loads(stats.output)
    assert data["reports"] == 2 and data["index_path"] == pg_url


def test_aliases_of_the_ingest_entities_file_resolve_on_any_machine(pg_url, archive):
    folder, extra = archive
    ingest_paths([folder], pg_url, entities_file=extra, jobs=1)
    index = Index(pg_url)  # a reader that was never given the file
    try:
        hits = index.search(SearchRequest(q='entity:"the widget service"')).hits
        assert [h.period for h in hits] == ["2023-04"]
        assert index.entity("system", "the widget service").name == "Widgetron"
    finally:
        index.close()


@pytest.mark.parametrize("args, words", [
    (["check"], "keeps its tables whole"), (["rebuild"], "ingest PATH... --index URL again"),
    (["ingest", "--watch", "."], "from cron"),
])
def test_directory_only_commands_say_what_to_do_instead(pg_url, args, words):
    done = CliRunner().invoke(main, [*args, "--index", pg_url])
    assert done.exit_code == 2
    assert "works on an index directory, not on the PostgreSQL index" in done.output
    assert words in done.output


def test_a_server_that_is_down_is_one_line_and_a_503(tmp_path):
    from web import create_app

    url = f"postgresql://postgres:secret@127.0.0.1:{free_port()}/gone"
    for args in (["search", "rucio"], ["stats"], ["ingest", str(tmp_path)]):
        done = CliRunner().invoke(main, [*args, "--index", url])
        assert done.exit_code == 1, (args, done.output)
        assert done.output.startswith("Error: Cannot reach the PostgreSQL index at "
                                      "postgresql://postgres@127.0.0.1"), done.output
        assert "secret" not in done.output and "Traceback" not in done.output
    client = create_app({"INDEX_PATH": url, "TESTING": False}).test_client()
    response = client.get("/api/search?q=rucio")
    assert response.status_code == 503
    assert "Cannot reach the PostgreSQL index" in response.get_json()["error"]
    assert response.headers["Retry-After"] == "5"

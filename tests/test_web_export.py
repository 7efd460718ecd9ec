"""Exports (CSV, JSON Lines) of whole result sets, on the web and the CLI, over a real index."""

from __future__ import annotations

import csv
import io
import json
import shlex

from click.testing import CliRunner
from jsonschema import Draft202012Validator

from cli.main import main as cli_main
from search import EXPORT_MAX, Index, SearchRequest
from search._export import CHUNK
from web.export import COLUMNS, NOTE_ID
from web.openapi import document
from web_fixtures import app, client, soup, web_archive  # noqa: F401
import pytest

#: The conformance suite: every test here runs once per search engine (see conftest).
pytestmark = pytest.mark.usefixtures("search_engine")


def _all_pages(index_dir, **params) -> list:
    """Every hit of a search, page by page through the ordinary search (the reference)."""
    hits, page = [], 1
    while True:
        response = Index(index_dir).search(SearchRequest.from_params(
            {**params, "per_page": "100", "page": str(page)}))
        hits += response.hits
        if page >= response.pages:
            return hits
        page += 1


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_csv_export_holds_every_hit_in_order_with_working_links(sample_index):
    # The whole sample archive: more sections than one page (100) and one export chunk.
    from web import create_app

    index_dir = sample_index.path
    client = create_app({"INDEX_PATH": str(index_dir)}).test_client()
    expected = _all_pages(index_dir, sort="oldest")  # no query: every section
    assert len(expected) > 3 * CHUNK
    response = client.get("/api/search.csv?sort=oldest&page=3&per_page=2")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed
    assert response.headers["Content-Disposition"] == 'attachment; filename="search-all.csv"'
    assert response.headers["X-Total-Count"] == str(len(expected))
    rows = _csv(response)
    assert rows[0] == list(COLUMNS)
    body = [dict(zip(COLUMNS, r)) for r in rows[1:]]
    assert [(r["report_id"], r["section"]) for r in body] == \
        [(h.report_id, h.section) for h in expected]  # page/per_page ignored: all of it
    first = body[0]
    assert first["url"] == f"http://localhost/reports/{expected[0].report_id}#{expected[0].anchor}"
    path, _, anchor = first["url"].removeprefix("http://localhost").partition("#")
    assert soup(client.get(path)).find(id=anchor) is not None
    assert "<mark>" not in response.get_data(as_text=True)
    with_entities = next(r for r, h in zip(body, expected) if h.entities)
    assert with_entities["entities"].split("; ")[0].count(":") >= 1


def test_jsonl_export_rows_match_the_documented_schema(client):
    response = client.get("/api/search.jsonl?q=qserv&collapse=1")
    assert response.status_code == 200 and response.mimetype == "application/jsonl"
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert len(lines) == int(response.headers["X-Total-Count"]) > 3
    assert len({r["report_id"] for r in lines}) == len(lines)  # collapse: one per report
    schema = {"$ref": "#/components/schemas/ExportRow",
              "components": document()["components"]}
    # The CSV's columns are the documented row's properties, in order.
    assert list(document()["components"]["schemas"]["ExportRow"]["properties"]) == list(COLUMNS)
    for line in lines:
        assert list(line) == list(COLUMNS)
        Draft202012Validator(schema).validate(line)


def test_a_cut_export_ends_with_a_note_and_bad_parameters_are_json_errors(client):
    rows = _csv(client.get("/api/search.csv?q=qserv&max_rows=3"))
    assert len(rows) == 1 + 3 + 1 and rows[-1][0] == NOTE_ID
    assert rows[-1][1].startswith("Cut at 3 of ") and "max_rows" in rows[-1][1]
    last = client.get("/api/search.jsonl?q=qserv&max_rows=2").get_data(as_text=True)
    note = json.loads(last.splitlines()[-1])
    assert note["exported"] == 2 and note["total"] > 2 and note["note"].startswith("Cut at 2")
    whole = _csv(client.get("/api/search.csv?q=qserv"))
    assert all(r[0] != NOTE_ID for r in whole)  # nothing cut: no note
    for url, message in [
            (f"/api/search.csv?q=qserv&max_rows={EXPORT_MAX + 1}",
             f"Bad value for 'max_rows': '{EXPORT_MAX + 1}'. Use a whole number from 1 to "
             f"{EXPORT_MAX}."),
            ("/api/search.jsonl?q=%22qserv", "Unbalanced quote"),
            ("/api/search.csv?q=qserv&from=2021-13", "Write a month as YYYY-MM")]:
        response = client.get(url)
        assert response.status_code == 400 and response.mimetype == "application/json", url
        assert message in response.get_json()["error"]


def test_a_streamed_export_gives_its_slot_back(web_archive):
    # One request at a time, no waiting: if a stream kept its slot, the next would get 503.
    from web import create_app

    _, index_dir = web_archive
    app = create_app({"INDEX_PATH": str(index_dir), "INDEX_CONCURRENCY": 1,
                      "INDEX_WAIT_SECONDS": 0.01})
    client = app.test_client()
    for _ in range(3):
        assert client.get("/api/search.csv?q=data").status_code == 200
        assert client.get("/api/search?q=data").status_code == 200


def test_search_page_links_both_exports_with_its_filters(client):
    page = soup(client.get("/?q=qserv&sort=newest&year=2020&page=2"))
    links = {a.get_text(strip=True): a["href"] for a in page.select("p.tools a.export")}
    assert links == {"CSV": "/api/search.csv?q=qserv&year=2020&sort=newest",
                     "JSON Lines": "/api/search.jsonl?q=qserv&year=2020&sort=newest"}
    assert "Export all" in page.select_one("p.tools").get_text()
    assert client.get(links["CSV"]).status_code == 200


def test_cli_export_is_the_web_file_and_json_is_an_alias(client, web_archive):
    _, index_dir = web_archive
    runner = CliRunner()
    for fmt in ("csv", "jsonl"):
        result = runner.invoke(cli_main, ["search", "qserv", "--sort", "newest", "--format", fmt,
                                          "--base-url", "http://localhost",
                                          "--index", str(index_dir)])
        assert result.exit_code == 0, result.output
        web = client.get(f"/api/search.{fmt}?q=qserv&sort=newest").get_data(as_text=True)
        assert result.stdout_bytes.decode() == web  # (.output folds CRLF)
    alias = runner.invoke(cli_main, ["search", "qserv", "--json", "--index", str(index_dir)])
    long = runner.invoke(cli_main, ["search", "qserv", "--format", "json",
                                    "--index", str(index_dir)])
    drop = lambda out: {k: v for k, v in json.loads(out).items() if k != "took_ms"}  # noqa: E731
    assert drop(alias.output) == drop(long.output)
    bad = runner.invoke(cli_main, ["search", "(", "--format", "csv", "--index", str(index_dir)])
    assert bad.exit_code == 2 and bad.output.startswith("Error: ") and "report_id" not in bad.output


def test_cli_search_prints_the_command_for_the_next_page(web_archive):
    _, index_dir = web_archive
    runner = CliRunner()
    args = ["search", "data access", "--limit", "3", "--from", "2020", "--collapse",
            "--index", str(index_dir)]
    first = runner.invoke(cli_main, args)
    assert first.exit_code == 0, first.output
    line = first.output.strip().splitlines()[-1]
    assert line == (f"Next page: report-archive search 'data access' --limit 3 --page 2 "
                    f"--from 2020 --collapse --index {index_dir}")
    command = shlex.split(line.removeprefix("Next page: "))[1:]  # drop the program name
    second = runner.invoke(cli_main, command + ["--json"])
    assert json.loads(second.output)["page"] == 2
    direct = runner.invoke(cli_main, args + ["--page", "2", "--json"])
    assert json.loads(second.output)["hits"] == json.loads(direct.output)["hits"]
    pages = json.loads(direct.output)["pages"]
    last = runner.invoke(cli_main, args + ["--page", str(pages)])
    assert "Next page:" not in last.output and f"(page {pages} of {pages}," in last.output

"""Batch search: the /batch page, its JSON twin and CSV, and `report-archive batch`."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner
from jsonschema import Draft202012Validator

from cli.main import main as cli_main
from search import Index, SearchRequest
from web.batch import CSV_COLUMNS, MAX_BATCH_BYTES, MAX_TERMS
from web.openapi import document
from web_fixtures import app, client, get_json, soup, web_archive  # noqa: F401
import pytest

#: The conformance suite: every test here runs once per search engine (see conftest).
pytestmark = pytest.mark.usefixtures("search_engine")

TERMS = 'Qserv\n\n# a comment line\n"unclosed phrase\nDM-26348\nzyxwvut\n'


def _schema(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}", "components": document()["components"]}


def test_each_term_gets_counts_span_and_top_hits_and_a_bad_line_its_error(client, web_archive):
    _, index_dir = web_archive
    data = get_json(client, "/api/batch?" + "&".join(
        ["terms=" + TERMS.replace("\n", "%0A").replace('"', "%22").replace("#", "%23"),
         "from=2020-03"]))
    Draft202012Validator(_schema("BatchResponse")).validate(data)
    assert [(r["line"], r["term"]) for r in data["results"]] == [
        (1, "Qserv"), (4, '"unclosed phrase'), (5, "DM-26348"), (6, "zyxwvut")]
    qserv, bad, ticket, nothing = data["results"]
    index = Index(index_dir)
    direct = index.search(SearchRequest(q="Qserv", period_from="2020-03"))
    reports = index.search(SearchRequest(q="Qserv", period_from="2020-03", collapse=True))
    oldest = index.search(SearchRequest(q="Qserv", period_from="2020-03", sort="oldest"))
    newest = index.search(SearchRequest(q="Qserv", period_from="2020-03", sort="newest"))
    assert (qserv["total"], qserv["reports"]) == (direct.total, reports.total)
    assert (qserv["first_period"], qserv["last_period"]) == (oldest.hits[0].period,
                                                             newest.hits[0].period)
    assert [h["anchor"] for h in qserv["hits"]] == [h.anchor for h in direct.hits[:3]]
    assert qserv["search_url"] == "http://localhost/?q=Qserv&from=2020-03"
    for hit in qserv["hits"]:
        path, _, anchor = hit["html_url"].removeprefix("http://localhost").partition("#")
        assert soup(client.get(path)).find(id=anchor) is not None
    assert bad["error"].startswith("Unbalanced quote in query") and bad["total"] is None
    assert ticket["total"] >= 1 and ticket["error"] is None
    assert (nothing["total"], nothing["reports"], nothing["hits"]) == (0, 0, [])
    assert nothing["first_period"] is None and nothing["error"] is None


def test_the_form_posts_and_shows_a_table_with_a_csv_download(client):
    empty = soup(client.get("/batch"))
    form = empty.find("form", class_="batch")
    assert form["method"] == "post" and form["action"] == "/batch"
    example = empty.select_one("p.hint a")["href"]
    assert soup(client.get(example)).select("table.batch-results tbody tr")
    page = soup(client.post("/batch", data={"terms": TERMS}))
    rows = page.select("table.batch-results tbody tr")
    assert len(rows) == 4
    assert "bad" in rows[1]["class"] and "Unbalanced quote" in rows[1].get_text()
    assert page.find("textarea", id="terms").get_text() == TERMS
    link = page.select_one("p.count a.export")["href"]
    table = list(csv.reader(io.StringIO(client.get(link).get_data(as_text=True))))
    assert table[0] == list(CSV_COLUMNS) and [r[1] for r in table[1:]] == [
        "Qserv", '"unclosed phrase', "DM-26348", "zyxwvut"]
    posted = client.post("/api/batch.csv", data={"terms": TERMS})
    assert posted.mimetype == "text/csv" and posted.get_data(as_text=True) == \
        client.get(link).get_data(as_text=True)
    assert posted.headers["Content-Disposition"] == 'attachment; filename="batch-search.csv"'


def test_a_batch_is_capped_and_a_bad_filter_fails_the_whole_request(client):
    many = client.post("/api/batch", data={"terms": "\n".join(f"w{i}" for i in range(101))})
    assert many.status_code == 400
    assert many.get_json()["error"] == (
        f"The batch has 101 terms; one request may have at most {MAX_TERMS}. Split the "
        "list, or use `report-archive batch FILE`.")
    big = client.post("/api/batch", data={"terms": "x" * (MAX_BATCH_BYTES + 1)})
    assert big.status_code == 413 and "larger than 20,000 bytes" in big.get_json()["error"]
    long_line = get_json(client, "/api/batch?terms=" + "a" * 301)["results"][0]
    assert long_line["error"].startswith("This line is 301 characters long")
    bad = client.get("/api/batch?terms=qserv&from=2021-13")
    assert bad.status_code == 400 and "Bad value for 'from'" in bad.get_json()["error"]
    put = client.put("/api/batch")
    assert put.status_code == 405 and put.headers["Allow"] == "GET, HEAD, POST"
    assert "use GET or POST" in put.get_json()["error"]
    post = client.post("/api/search")  # POST is for batches only
    assert post.status_code == 405 and post.headers["Allow"] == "GET, HEAD"


def test_cli_batch_prints_rows_csv_and_the_api_json(client, web_archive, tmp_path):
    _, index_dir = web_archive
    terms = tmp_path / "terms.txt"
    terms.write_text(TERMS, encoding="utf-8")
    runner = CliRunner()
    base = ["batch", str(terms), "--index", str(index_dir), "--base-url", "http://localhost"]
    text = runner.invoke(cli_main, base)
    assert text.exit_code == 1  # one line failed; the others ran
    lines = text.stdout.splitlines()
    assert lines[0].startswith("   1  Qserv: ") and " sections in " in lines[0]
    assert any(line.startswith('   4  "unclosed phrase: Unbalanced quote') for line in lines)
    assert any(line == "   6  zyxwvut: 0 sections in 0 reports" for line in lines)
    assert text.stderr.strip() == "1 line could not be run (line 4); the other terms ran."
    as_csv = runner.invoke(cli_main, base + ["--format", "csv"])
    web_csv = client.post("/api/batch.csv", data={"terms": TERMS}).get_data(as_text=True)
    assert as_csv.stdout_bytes.decode() == web_csv
    as_json = runner.invoke(cli_main, base + ["--format", "json"])
    assert json.loads(as_json.stdout) == get_json(client, "/api/batch?terms=" + TERMS.replace(
        "\n", "%0A").replace('"', "%22").replace("#", "%23"))
    ok = tmp_path / "ok.txt"
    ok.write_text("Qserv\nrucio\n", encoding="utf-8")
    assert runner.invoke(cli_main, ["batch", str(ok), "--index", str(index_dir)]).exit_code == 0

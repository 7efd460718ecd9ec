"""Another organisation's archive: the fictional Pebblestack project in examples/pebblestack.

Seven monthly reports written by us (web pages, two list-archive pages, a plain-text mail,
a text rendering of an archive page, a wiki page in Markdown) and the project's example
configuration. The expectations below were written with the reports, before the rules
that meet them; they are the answer key of the README's walk-through.

The reports live outside sample_reports/ on purpose: `report-archive ingest sample_reports`
(the README's first command) indexes the DM sample archive only, and its counts stay put.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main
from ingest.entities import load_matcher
from ingest.extract import extract_report, iter_report_files

#: The conformance suite: every test here runs once per search engine (see conftest).
pytestmark = pytest.mark.usefixtures("search_engine")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "pebblestack"
REPORTS = EXAMPLE / "reports"
CONFIG = EXAMPLE / "pebblestack.toml"

GH = "https://github.com/pebblestack/{}/issues/{}"
MR = "https://gitlab.com/pebblestack-pkg/debian/-/merge_requests/{}"
GL_ISSUE = "https://gitlab.com/pebblestack-pkg/debian/-/issues/{}"

# file -> (title, period, outline [(heading, level)], tickets, milestones, documents)
EXPECTED = {
    "2021-11-pebblestack-monthly.html": (
        "Pebblestack monthly report: November 2021", "2021-11",
        [("", 0), ("Highlights", 2), ("Engineering", 2), ("Pebble Server", 3),
         ("Client libraries", 3), ("Community", 2), ("Next month", 2)],
        {"pebblestack/pebble#212", "pebblestack/tilecutter#31", "pebblestack/pebble#219",
         "pebblestack/pebble#224", "pebblestack/pebble-py#58"},
        {"Sprint 4", "Sprint 5", "Sprint 6"}, {"PTS-001"},
    ),
    "pebblestack-news-may.html": (
        "What happened in May 2022", "2022-05",
        [("", 0), ("Releases", 2), ("Packaging", 2), ("Testing", 2),
         ("People and partners", 2), ("Coming up", 2)],
        {"pebblestack/pebble#402", "pebblestack/pebble#377", "pebblestack-pkg/debian!45",
         "pebblestack-pkg/debian!47", "pebblestack-pkg/debian#12"},
        {"Sprint 17", "Sprint 18"}, {"PTS-007", "PTS-002", "PTS-003"},
    ),
    "000231.html": (
        "Monthly report", "2023-09",
        [("", 0), ("Summary", 2), ("Engineering", 2), ("Testing", 2), ("Events", 2)],
        {"pebblestack/pebble#655", "pebblestack/pebble#661", "pebblestack/pebble#664",
         "pebblestack/tilecutter#118"},
        {"Sprint 37", "Sprint 38"}, {"PTS-011"},
    ),
    "pebblestack-dev-february-report.html": (
        "February 2024 report", "2024-02",
        [("", 0), ("Releases", 2), ("Packaging", 2), ("Community", 2)],
        {"pebblestack/pebble#811", "pebblestack/tilecutter#140", "pebblestack-pkg/debian!61",
         "pebblestack-pkg/debian#19"},
        {"Sprint 48", "Sprint 49"}, set(),
    ),
    "pebblestack-update-2024-05-02.eml": (
        "Pebblestack monthly update", "2024-04",
        [("April 2024 report", 1), ("Summary", 2), ("Merged this month", 2),
         ("Test specifications", 2), ("Community", 2)],
        {"pebblestack/pebble#902", "pebblestack/pebble#907", "pebblestack/tilecutter#151",
         "pebblestack-pkg/debian!66"},
        {"Sprint 52", "Sprint 53"}, {"PTS-014", "PTS-015"},
    ),
    "pebblestack-dev-2024-07.txt": (
        "Monthly report, June 2024", "2024-06",
        [("", 0), ("Conference", 2), ("Engineering", 2), ("Packaging", 2)],
        {"pebblestack/tilecutter#163", "pebblestack/pebble#951", "pebblestack/pebble#958",
         "pebblestack-pkg/debian!70", "pebblestack-pkg/debian#23"},
        {"Sprint 55", "Sprint 56", "Sprint 57"}, {"PTS-017"},
    ),
    "2022-11-pebblestack-wiki.md": (
        "Pebblestack monthly report, November 2022", "2022-11",
        [("", 0), ("Highlights", 2), ("Engineering", 2), ("Documentation", 2), ("Community", 2)],
        {"pebblestack/pebble#517", "pebblestack/tilecutter#96", "pebblestack/pebble#522",
         "pebblestack/pebble#530", "pebblestack/pebble-docs#44"},
        # "Sprints 29 and 30" names two sprints the pattern does not take (a plural and a
        # bare number); only "Sprint 31" is written in the pattern's form.
        {"Sprint 31"}, set(),
    ),
}

# Names of the example configuration, by report: (type, canonical name).
NAMES = {
    "2021-11-pebblestack-monthly.html": {
        ("system", "Pebble Server"), ("system", "Pebble Studio"), ("system", "Tilecutter"),
        ("system", "pebble-py"), ("organization", "Northgate University"),
        ("organization", "Open Mapping Collective"), ("meeting", "Contributor Summit")},
    "pebblestack-news-may.html": {
        ("system", "Pebble Server"), ("organization", "Harbourline"),
        ("organization", "Northgate University"), ("meeting", "PebbleConf")},
    "000231.html": {
        ("system", "Pebble Server"), ("system", "Tilecutter"),
        ("organization", "Open Mapping Collective"), ("meeting", "Contributor Summit")},
    "pebblestack-dev-february-report.html": {
        ("system", "Pebble Server"), ("system", "Tilecutter"), ("organization", "Harbourline"),
        ("organization", "Northgate University"), ("meeting", "PebbleConf")},
    "pebblestack-update-2024-05-02.eml": {
        ("system", "Pebble Server"), ("system", "Pebble Studio"),
        ("organization", "Open Mapping Collective"), ("meeting", "PebbleConf")},
    "pebblestack-dev-2024-07.txt": {
        ("system", "Pebble Server"), ("system", "Tilecutter"), ("organization", "Harbourline"),
        ("organization", "Northgate University"), ("meeting", "PebbleConf")},
    "2022-11-pebblestack-wiki.md": {
        ("system", "Pebble Server"), ("system", "Tilecutter"), ("meeting", "PebbleConf"),
        ("organization", "PSC")},
}

# Words of list-archive chrome and mail footers that must not reach any section.
CHROME = ("Previous message", "Next message", "Messages sorted by", "mailing list",
          "listinfo", "Tue Oct", "Wed Jul", "Sent: 2024", "ada at pebblestack.org",
          "tomas at pebblestack.org", "Posted by", "minute read", "Edit this page")


@pytest.fixture(scope="module")
def matcher():
    return load_matcher(CONFIG)


@pytest.fixture(scope="module")
def reports(matcher):
    return {name: extract_report(REPORTS / name, matcher) for name in EXPECTED}


def _mentions(report, type_):
    return {m.name for s in report.sections for m in s.mentions if m.type == type_}


def test_the_example_archive_is_the_seven_reports_and_not_part_of_the_sample_archive():
    assert sorted(p.name for p in iter_report_files([REPORTS])) == sorted(EXPECTED)
    sample = list(iter_report_files([ROOT / "sample_reports"]))
    assert sample and not any("pebblestack" in p.read_bytes().decode("utf-8", "replace").lower()
                              for p in sample)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_title_period_and_sections(reports, name):
    title, period, outline, *_ = EXPECTED[name]
    report = reports[name]
    assert report.title == title
    assert report.period == period
    assert [(s.heading, s.level) for s in report.sections] == outline


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_archive_chrome_or_list_footer_in_the_text(reports, name):
    text = "\n".join(s.heading + "\n" + s.text for s in reports[name].sections)
    for words in CHROME:
        assert words not in text, words


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_tickets_sprints_and_test_specifications(reports, name):
    *_, tickets, sprints, documents = EXPECTED[name]
    report = reports[name]
    assert _mentions(report, "ticket") == tickets
    assert _mentions(report, "milestone") == sprints
    assert _mentions(report, "document") == documents


@pytest.mark.parametrize("name", sorted(NAMES))
def test_names_of_the_example_configuration(reports, name):
    found = {(m.type, m.name) for s in reports[name].sections for m in s.mentions}
    assert NAMES[name] <= found, NAMES[name] - found


def test_ticket_links_go_to_their_pages(matcher):
    assert matcher.link_for("ticket", "pebblestack/pebble#212") == GH.format("pebble", 212)
    assert matcher.link_for("ticket", "pebblestack/tilecutter#31") == GH.format("tilecutter", 31)
    assert matcher.link_for("ticket", "pebblestack-pkg/debian!45") == MR.format(45)
    # The packaging group's issues live on GitLab: the example configuration says so.
    assert matcher.link_for("ticket", "pebblestack-pkg/debian#12") == GL_ISSUE.format(12)
    assert matcher.link_for("milestone", "Sprint 12") is None
    assert matcher.link_for("document", "PTS-011") == \
        "https://docs.pebblestack.org/specs/pts-011/"


def test_a_reference_in_a_link_keeps_its_surface_and_offsets(reports):
    report = reports["000231.html"]
    for section in report.sections:
        for m in section.mentions:
            assert section.text[m.start:m.end] == m.surface
    urls = [m for s in report.sections for m in s.mentions if m.surface.startswith("https://")]
    assert {m.name for m in urls} == {"pebblestack/pebble#661", "pebblestack/tilecutter#118"}


def test_ingest_and_look_up_a_ticket_through_the_cli(tmp_path, index_location):
    index = str(index_location(tmp_path))
    runner = CliRunner()
    result = runner.invoke(main, ["ingest", str(REPORTS), "--index", index,
                                  "--entities", str(CONFIG)])
    assert result.exit_code == 0, result.output
    assert "7 added" in result.output
    result = runner.invoke(main, ["search", "--entity", "Pebblestack/Pebble#655", "--index", index,
                                  "--json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)["hits"]
    assert [(h["period"], h["section"]) for h in hits] == [("2023-09", "Engineering")]


def test_the_readme_walk_through_configuration_is_valid_and_does_what_it_says(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Your own organisation's reports", 1)[1].split("\n## ", 1)[0]
    toml = section.split("```toml", 1)[1].split("```", 1)[0]
    path = tmp_path / "mine.toml"
    path.write_text("\n".join(line[3:] if line.startswith("   ") else line
                              for line in toml.splitlines()), encoding="utf-8")
    m = load_matcher(path)
    text = "sprint-12 and PTS-7 on Pebble Server; DMTN-208 and DM-12345; octo/app#3"
    assert [(x.type, x.name) for x in m.find(text)] == [
        ("milestone", "Sprint 12"), ("document", "PTS-007"), ("system", "Pebble Server"),
        ("ticket", "octo/app#3")]


def test_the_web_entity_page_links_a_ticket_to_its_forge(tmp_path, index_location):
    from web import create_app

    index = index_location(tmp_path)
    result = CliRunner().invoke(main, ["ingest", str(REPORTS), "--index", str(index),
                                       "--entities", str(CONFIG)])
    assert result.exit_code == 0, result.output
    client = create_app({"INDEX_PATH": str(index), "ENTITIES_FILE": str(CONFIG),
                         "TESTING": True}).test_client()
    page = client.get("/api/entities/ticket/pebblestack-pkg/debian%2312").get_json()
    assert (page["name"], page["link"]) == ("pebblestack-pkg/debian#12", GL_ISSUE.format(12))
    report = client.get("/reports/000231-html").get_data(as_text=True)
    assert 'href="/entities/ticket/pebblestack/pebble%23655"' in report


@pytest.mark.engine_only("whoosh")  # the curation commands rewrite Whoosh indexes only
def test_glossary_import_and_the_curation_loop_on_the_example(tmp_path):
    """The README's steps 4 and 5: the acronym list gives the PSC and TCS entries of the
    example configuration; `entities candidates` lists what the rules found, and once the
    configuration curates it (reject arm64, accept GitLab), `entities reannotate` applies
    it and nothing is left to review."""
    runner = CliRunner()
    out = tmp_path / "glossary.toml"
    result = runner.invoke(main, ["entities", "import-glossary", str(EXAMPLE / "glossary.csv"),
                                  "--out", str(out)])
    assert result.exit_code == 0, result.output
    imported = {(n["type"], n["name"], tuple(n["aliases"]))
                for n in tomllib.loads(out.read_text(encoding="utf-8"))["name"]}
    assert imported == {("organization", "PSC", ("Pebblestack Steering Council",)),
                        ("system", "TCS", ("Tile Cache Service",))}
    configured = {(n["type"], n["name"]) for n in tomllib.loads(CONFIG.read_text("utf-8"))["name"]}
    assert {(t, n) for t, n, _ in imported} <= configured

    uncurated = tmp_path / "uncurated.toml"
    uncurated.write_text(CONFIG.read_text("utf-8").replace('reject = ["arm64"]', "")
                         .replace('[[name]]\ntype = "system"\nname = "GitLab"\n', ""), "utf-8")
    index = str(tmp_path / "index")
    assert runner.invoke(main, ["ingest", str(REPORTS), "--index", index,
                                "--entities", str(uncurated)]).exit_code == 0


    def candidates():
        result = runner.invoke(main, ["entities", "candidates", "--index", index, "--json"])
        assert result.exit_code == 0, result.output
        return {c["name"] for c in json.loads(result.stdout)["candidates"]}

    assert {"arm64", "GitLab"} <= candidates()
    result = runner.invoke(main, ["entities", "reannotate", "--index", index, "--entities", str(CONFIG)])
    assert result.exit_code == 0, result.output
    assert candidates().isdisjoint({"arm64", "GitLab"})

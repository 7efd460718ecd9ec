"""The curation loop on a real index: `entities candidates` lists what rules found, a curated
TOML accepts, retypes, merges or rejects, `entities reannotate` applies it to the stored text;
`entities import-glossary` turns an acronym list into gazetteer entries; the entity page says
how an entity was found."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from cli.main import main
from ingest.entity_config import load_config
from ingest.glossary import infer_type, read_glossary
from search import Index, ingest_paths

REPORTS = {
    "2024-01-report.txt": "Tools\n\nNightjar, the new camera-diagnostics dashboard, was installed. "
                          "The Skyviewer app shipped. Transfers use Quokka, our replacement for the "
                          "old scripts, and h5py.\n",
    "2024-02-report.txt": "Tools\n\nNightjar ran every night. The Skyviewer app passed 1,000 users. "
                          "Quokka moved 2 PB to the USDF.\n",
    "2024-03-report.txt": "Tools\n\nThe Data Rights Board approved the embargo policy; Nightjar "
                          "gained a dark mode.\n",
}


def run(*args, ok=True):
    result = CliRunner().invoke(main, list(args))
    assert (result.exit_code == 0) == ok, result.output
    return result


@pytest.fixture()
def archive_index(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    for name, text in REPORTS.items():
        (archive / name).write_text(text, encoding="utf-8")
    index_dir = tmp_path / "index"
    assert not ingest_paths([archive], index_dir, jobs=1).failed
    return archive, index_dir


def test_candidates_lists_rule_found_names_best_first_with_contexts(archive_index):
    _, index_dir = archive_index
    data = json.loads(run("entities", "candidates", "--json", "--index", str(index_dir)).output)
    names = [(c["type"], c["name"], c["reports"]) for c in data["candidates"]]
    assert names[0] == ("system", "Nightjar", 3)  # most reports first
    assert ("system", "Quokka", 2) in names and ("organization", "Data Rights Board", 1) in names
    assert ("organization", "USDF", 1) not in names  # configured names are not candidates
    nightjar = data["candidates"][0]
    assert nightjar["first_seen"] == "2024-01" and nightjar["last_seen"] == "2024-03"
    assert len(nightjar["contexts"]) == 2 and "Nightjar" in nightjar["contexts"][0]["text"]
    assert "rule:context" in nightjar["via"]
    # --min-reports filters; the plain listing prints contexts under each name
    data = json.loads(run("entities", "candidates", "--min-reports", "3", "--json", "--index",
                          str(index_dir)).output)
    assert [c["name"] for c in data["candidates"]] == ["Nightjar"]
    text = run("entities", "candidates", "--index", str(index_dir)).output
    assert text.splitlines()[0].startswith("system       Nightjar") and "2024-01-report-txt: …" in text


def test_curated_file_accepts_retypes_merges_and_rejects_via_reannotate(archive_index, tmp_path):
    archive, index_dir = archive_index
    curated = tmp_path / "curated.toml"
    curated.write_text('''
reject = ["Skyviewer"]                 # not an entity

[[name]]                               # accept, with a retype: the board is a meeting here
type = "meeting"
name = "Data Rights Board"

[[name]]                               # merge: Quokka is an alias of Rucio
type = "system"
name = "Rucio"
aliases = ["Quokka"]
''', encoding="utf-8")
    out = run("entities", "reannotate", "--entities", str(curated), "--index", str(index_dir)).output
    assert out.strip() == "3 reports re-annotated"
    index = Index(index_dir)
    listed = {(e.type, e.name): e for e in index.entities()}
    assert not any(name == "Skyviewer" for _, name in listed)
    assert ("organization", "Data Rights Board") not in listed
    assert listed[("meeting", "Data Rights Board")].reports == 1
    assert ("system", "Quokka") not in listed and listed[("system", "Rucio")].reports == 2
    rucio = index.entity("system", "Rucio")
    assert rucio.via == ("gazetteer",) and not rucio.curatable
    # what no one curated is left as it was; the candidates list shrinks
    assert listed[("system", "Nightjar")].reports == 3
    data = json.loads(run("entities", "candidates", "--json", "--index", str(index_dir)).output)
    assert {c["name"] for c in data["candidates"]} == {"Nightjar", "h5py"}
    # the index remembers the curated file: a later ingest applies it to new reports
    (archive / "2024-04-report.txt").write_text("Tools\n\nQuokka and the Skyviewer app.\n", encoding="utf-8")
    assert ingest_paths([archive], index_dir, entities_file=curated, jobs=1).added == 1
    april = Index(index_dir).report("2024-04-report-txt")
    assert [(m.name, m.via) for m in april.sections[0].mentions] == [("Rucio", "gazetteer")]


def test_reannotate_errors_name_what_to_fix(tmp_path):
    for command in ("reannotate", "candidates"):
        result = run("entities", command, "--index", str(tmp_path / "nothing"), ok=False)
        assert result.exit_code == 2 and "no index at" in result.output
        assert "run report-archive ingest" in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text("reject = 'Quokka'\n", encoding="utf-8")
    assert "'reject' must be a list of names" in str(pytest.raises(Exception, load_config, bad).value)


def test_the_plain_listing_still_works_with_its_options(archive_index):
    _, index_dir = archive_index
    data = json.loads(run("entities", "--type", "organization", "--json", "--index", str(index_dir)).output)
    assert {e["name"] for e in data["entities"]} == {"USDF", "Data Rights Board"}
    assert "Nightjar" in run("entities", "--index", str(index_dir)).output


GLOSSARY = """\ufeffTerm,Description,Subsystem Tags,Documentation Tags,Associated Acronyms and Alternative Terms,Type
1D,One-dimensional,Gen,,,A
CCD,Charge-Coupled Device,Gen,,,A
ABOD,AURA Board of Directors,Gen,,,A
AC,Alternating Current,Gen,,,A
CRS,Community Relations Service,Gen,,,A
CRS,Cosmic Ray Survey,Sci,,,A
PDR,Preliminary Design Review,Gen,,,A
SSES,Solar System Ephemeris Service,DM,,,A
WDR,Wide Data Release,DM,,,A
XYZU,Xylophone University,Gen,,,A
Butler,A middleware component for persisting and retrieving datasets,DM,,,G
AP,Alert Production,DM,,,A
GREB,Guider Readout Electronics Board,CAM,,,A
"""


def test_import_glossary_writes_typed_entries_and_lists_what_it_left_out(tmp_path):
    source = tmp_path / "glossary.csv"
    source.write_text(GLOSSARY, encoding="utf-8")
    out = tmp_path / "my.toml"
    result = CliRunner().invoke(main, ["entities", "import-glossary", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    config = load_config(out)
    imported = {(n.type, n.name): n.aliases for n in config.names if n.source == str(out)}
    assert imported == {
        ("organization", "ABOD"): ("ABOD", "AURA Board of Directors"),
        ("meeting", "PDR"): ("PDR", "Preliminary Design Review"),
        ("system", "SSES"): ("SSES", "Solar System Ephemeris Service"),
        ("dataset", "WDR"): ("WDR", "Wide Data Release"),
        ("organization", "XYZU"): ("XYZU", "Xylophone University"),
    }
    left_out = result.stderr if hasattr(result, "stderr") else result.output
    for line in ("left out: 1D: a generic acronym", "left out: CCD: a generic acronym",
                 "left out: AC: a generic acronym",
                 "left out: CRS: several expansions of different types", "left out: Butler: a glossary definition",
                 "left out: AP: already in the shipped configuration",
                 "left out: GREB: no clear type", "5 entries written"):
        assert line in left_out
    # and the matcher uses them
    from ingest.entities import load_matcher

    found = [(m.type, m.name, m.via) for m in load_matcher(out).find("The Wide Data Release and WDR.")]
    assert found == [("dataset", "WDR", "gazetteer"), ("dataset", "WDR", "gazetteer")]


def test_import_glossary_on_the_project_glossary(tmp_path):
    from pathlib import Path

    # the project's real glossary (lsst-texmf etc/glossarydefs.csv, 1,855 rows, with a BOM)
    real = Path(__file__).parent / "fixtures" / "entities" / "glossarydefs.csv"
    result = read_glossary(real)
    types = {t for t, *_ in result.entries}
    assert types == {"organization", "meeting", "system", "dataset"}
    terms = {term for _, term, *_ in result.entries}
    assert {"1D", "2D", "CCD", "A2"}.isdisjoint(terms)  # generic acronyms and people stay out
    assert 150 <= len(result.entries) <= 600 and len(result.skipped) > len(result.entries)


@pytest.mark.parametrize(("expansion", "expected"), [
    ("Joint Status Review", "meeting"), ("Prompt Products Database", "system"),
    ("Science Advisory Committee", "organization"), ("University of Edinburgh", "organization"),
    ("Legacy Survey Data Release", "dataset"), ("Charge-Coupled Device", None),
    ("One-dimensional", None), ("Working Group", None), ("a lower-case definition of a system", None),
])
def test_types_come_from_the_expansion_head(expansion, expected):
    assert infer_type(expansion) == expected


def test_entity_page_says_how_an_entity_was_found(archive_index):
    from web import create_app

    archive, index_dir = archive_index
    client = create_app({"INDEX_PATH": str(index_dir), "ARCHIVE_ROOTS": [str(archive)],
                         "TESTING": True}).test_client()
    page = BeautifulSoup(client.get("/entities/system/Nightjar").get_data(as_text=True), "html.parser")
    note = page.select_one("p.found-by")
    assert note["data-curatable"] == "yes"
    text = " ".join(note.get_text().split())
    assert "the context rule" in text and "can be curated" in text
    data = client.get("/api/entities/system/Nightjar").get_json()
    assert data["curatable"] is True and "rule:context" in data["via"]
    usdf = BeautifulSoup(client.get("/entities/organization/USDF").get_data(as_text=True), "html.parser")
    assert usdf.select_one("p.found-by")["data-curatable"] == "no"
    assert "the gazetteer" in usdf.select_one("p.found-by").get_text()

"""`report-archive extract` through click's CliRunner: outline, JSON shape, bad input."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main

FIXTURES = Path(__file__).parent / "fixtures"
EMAIL = FIXTURES / "text" / "email-cp1252.txt"


def run(*args):
    return CliRunner().invoke(main, ["extract", *map(str, args)])


def test_json_has_the_documented_shape():
    result = run(EMAIL, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"id", "title", "period", "source", "format", "sha256", "pages", "sections",
            "entities"} <= data.keys()
    assert data["id"] == "email-cp1252-txt"
    assert data["period"] == "2021-11"
    assert data["format"] == "text"
    assert data["pages"] is None
    assert len(data["sha256"]) == 64
    section = data["sections"][0]
    assert {"anchor", "heading", "level", "page", "text", "mentions"} <= section.keys()
    assert section["anchor"] == "project-status"
    for mention in section["mentions"]:
        assert {"type", "name", "start", "end"} <= mention.keys()
    entities = {(e["type"], e["name"]) for e in data["entities"]}
    assert ("ticket", "DM-32011") in entities
    assert ("milestone", "LDM-503-EFDb") in entities
    assert ("system", "EFD") in entities  # "Engineering Facilities Database"
    assert ("system", "LSSTComCam") in entities  # "ComCam"
    assert ("organization", "Summit") in entities  # "Cerro Pachón"


def test_mention_offsets_point_into_the_section_text():
    data = json.loads(run(EMAIL, "--json").output)
    for section in data["sections"]:
        for mention in section["mentions"]:
            surface = section["text"][mention["start"]:mention["end"]]
            assert surface, mention
    detailed = data["sections"][2]
    tickets = [m for m in detailed["mentions"] if m["type"] == "ticket"]
    assert [detailed["text"][m["start"]:m["end"]] for m in tickets] == ["DM-32011"]


def test_same_file_gets_the_same_id_twice():
    first = json.loads(run(EMAIL, "--json").output)
    second = json.loads(run(EMAIL, "--json").output)
    assert first["id"] == second["id"] and first["sha256"] == second["sha256"]


def test_outline_is_readable():
    result = run(FIXTURES / "html" / "forum-post.html")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "DM Monthly Status Report for October 2021"
    assert "period 2021-10" in lines[1]
    assert any(line.strip().startswith("Technical Progress  #technical-progress") for line in lines)
    assert any(line.strip().startswith("document") and "DMTN-208" in line for line in lines)


def test_user_entities_file_extends_the_gazetteer(tmp_path):
    extra = tmp_path / "extra.toml"
    extra.write_text('[[name]]\ntype = "system"\nname = "Widgetron"\naliases = ["the widget"]\n')
    report = tmp_path / "r.txt"
    report.write_text("Widgetron report for May 2024\n\nStatus\nThe widget and Qserv ran.\n")
    data = json.loads(run(report, "--json", "--entities", extra).output)
    names = {(e["type"], e["name"]) for e in data["entities"]}
    assert {("system", "Widgetron"), ("system", "Qserv")} <= names


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("empty.txt", b"", "the file is empty; there is nothing to ingest"),
        ("empty.html", b"  \n", "the file is empty; there is nothing to ingest"),
        ("junk.txt", bytes(range(256)) * 4,
         "does not look like a text file (it contains binary data); "
         "check that the file is what its extension says"),
        ("junk.html", b"\x00\x01\x02" * 100,
         "does not look like an HTML file (it contains binary data); "
         "check that the file is what its extension says"),
        ("report.docx", b"PK\x03\x04",
         "unsupported file type ('.docx'); supported extensions are "
         ".pdf, .html, .htm, .xhtml, .txt, .text, .eml, .md, .markdown"),
    ],
)
def test_bad_input_is_one_clear_line(tmp_path, name, content, problem):
    path = tmp_path / name
    path.write_bytes(content)
    result = run(path)
    assert result.exit_code == 1
    assert result.output == f"Error: {path}: {problem}\n"


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.pdf"
    result = run(path)
    assert result.exit_code == 1
    assert result.output == f"Error: {path}: no such file; check the path\n"


PDF_FIXTURES = FIXTURES / "pdf"
READ_HINT = "check the file is complete, e.g. download it again"


def test_truncated_pdf(tmp_path):
    path = tmp_path / "cut.pdf"
    path.write_bytes((PDF_FIXTURES / "latex_outline.pdf").read_bytes()[:3000])
    result = run(path)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}: not a readable PDF (the file ends early, no %%EOF marker); {READ_HINT}\n"
    )


def test_corrupt_pdf_is_one_line_not_a_traceback(tmp_path):
    path = tmp_path / "corrupt.pdf"
    # A header and an end marker around junk: what a failed download or disk error leaves.
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\ntrailer\n%%EOF\n")
    result = run(path)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}: not a readable PDF (PDFNoValidXRef: Unexpected EOF - file corrupted); "
        f"{READ_HINT}\n"
    )


def test_encrypted_pdf():
    path = PDF_FIXTURES / "encrypted.pdf"
    result = run(path)
    assert result.exit_code == 1
    assert result.output == f"Error: {path}: is encrypted; save an unencrypted copy and ingest that\n"


def test_pdf_without_text():
    path = PDF_FIXTURES / "image_only.pdf"
    result = run(path)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}: has no extractable text (its pages are scanned images); run OCR on it, "
        "e.g. `ocrmypdf in.pdf out.pdf`, and ingest the result\n"
    )


def test_every_sample_report_extracts_with_a_period_and_sections():
    archive = Path(__file__).parent.parent / "sample_reports"
    from ingest import iter_report_files

    files = list(iter_report_files([archive]))
    assert len(files) >= 36
    for path in files:
        result = run(path, "--json")
        assert result.exit_code == 0, result.output
        data = json.loads(result.output)
        assert data["period"] is not None, path
        assert data["sections"], path
        assert not data["title"].lower().startswith("microsoft word"), path

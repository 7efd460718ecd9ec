"""The plain-text reader on real files: headings told from the text, encodings, lists."""

from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.readers.text import read_text

FIXTURES = Path(__file__).parent / "fixtures" / "text"


def read(name: str):
    path = FIXTURES / name
    return read_text(path, path.read_bytes())


def outline(doc):
    return [(s.heading, s.level) for s in doc.sections]


def test_headings_directly_under_paragraphs_as_pasted_from_a_forum():
    doc = read("pasted-forum.txt")
    assert doc.title == "DM Monthly Status Report for March 2021"
    assert outline(doc) == [
        ("", 0),
        ("Community Interactions, Meetings and Workshops", 1),
        ("Technical Progress", 1),
    ]
    assert doc.sections[2].text.startswith("A first draft of DMTN-199")
    assert doc.sections[2].text.endswith("registry work finishes.")


def test_mail_header_gives_title_and_date_and_cp1252_is_decoded():
    doc = read("email-cp1252.txt")
    assert doc.title == "DM Status Report for November"  # "Re:" taken off
    assert doc.date_hint == "2021-12"
    assert outline(doc) == [
        ("Project Status", 1),
        ("Risk Management", 2),
        ("Detailed Project Progress and Status", 2),
    ]
    assert "Cerro Pachón" in doc.sections[0].text
    assert "\u201cnew\u201d" in doc.sections[0].text
    assert "From:" not in " ".join(s.text for s in doc.sections)


def test_bullets_are_items_and_wrapped_lines_rejoined():
    doc = read("email-cp1252.txt")
    assert doc.sections[1].text == (
        "- Vendor delays for the summit storage could push LDM-503-EFDb.\n"
        "- Staffing at IN2P3 remains a concern."
    )
    assert doc.sections[0].text.startswith(
        "The Summit network at Cerro Pachón was upgraded this month; the \u201cnew\u201d links to the Base"
    )


def test_bom_numbered_headings_and_hyphen_at_line_end():
    doc = read("bom-numbered.txt")
    assert doc.title is None  # the text opens with its first section
    assert outline(doc) == [
        ("Project Status", 1),
        ("Technical Progress", 1),
        ("Middleware", 2),
        ("Data Access", 2),
        ("Next steps", 1),
    ]
    first = doc.sections[0].text
    assert "\ufeff" not in first
    assert "long-term data release plan (DMTN-199) was reviewed" in first
    assert "\n" not in first
    assert doc.sections[2].text.splitlines() == [
        "- Gen3 middleware: the Execution Butler is in testing",
        "- BPS ran a 10,000 job workflow on the interim data facility",
        "- PanDA evaluation started",
    ]
    # A numbered list after a colon stays a list, not two headings.
    assert doc.sections[3].text.endswith("1. finish the schema review\n2. migrate the registry")


@pytest.mark.parametrize(
    ("content", "headings"),
    [
        ("Title\n\nSummary\n-------\nAll good.\n", ["Summary"]),
        ("Title\n\n## Alert Production\nWork went on.\n", ["Alert Production"]),
        ("Title\n\n##Alert Production\nWork went on.\n", ["Alert Production"]),
        # A short sentence with a period is prose, not a heading.
        ("Title\n\nAll went well.\nNothing else to report.\n", []),
        # Greeting and sign-off lines are not headings.
        ("Title\n\nHi all,\n\nThe report is out.\n\nCheers\nPat\n", []),
        # The first line of a hard-wrapped paragraph is not a heading.
        ("Title\n\nThe processing campaign on the interim facility ran for\n"
         "three weeks and finished on time.\n", []),
    ],
)
def test_heading_rules(tmp_path, content, headings):
    path = tmp_path / "r.txt"
    path.write_text(content, encoding="utf-8")
    doc = read_text(path, path.read_bytes())
    assert [s.heading for s in doc.sections if s.heading] == headings


def test_binary_junk_named_txt_is_refused(tmp_path):
    path = tmp_path / "junk.txt"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(IngestError) as caught:
        read_text(path, path.read_bytes())
    assert str(caught.value) == (
        f"{path}: does not look like a text file (it contains binary data); "
        "check that the file is what its extension says"
    )


def test_whitespace_only_file_is_empty(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_bytes(b"\xef\xbb\xbf \n\n  \n")
    with pytest.raises(IngestError, match="the file is empty; there is nothing to ingest"):
        read_text(path, path.read_bytes())


def test_a_run_of_short_handle_lines_is_a_list_not_headings():
    doc = read("handle-lists.txt")
    assert outline(doc) == [("Summary", 1), ("Reviews", 1), ("Teams and their leads", 1),
                            ("Next steps", 1)]
    assert doc.sections[0].text.endswith(
        "New technotes this month:\n\n"
        "- DMTN-214 Registry schema migration plan\n"
        "- DMTN-215 Alert packet versioning\n"
        "- SQR-062 Notebook image retention")
    # one per line with blank lines between: still a list, still body text
    assert "- RFC-812 Retire the old ingest script" in doc.sections[1].text
    assert "- LCR-2401 Update the network baseline" in doc.sections[1].text
    # names and a dash, right under their heading
    assert doc.sections[2].text.splitlines() == [
        "- Middleware - Registry and data access",
        "- Pipelines - Calibration products",
        "- Data Access - Portal and notebooks",
    ]
    # a hard-wrapped paragraph whose lines start with handles stays one paragraph
    assert doc.sections[3].text == (
        "DMTN-214 goes to the project office for sign-off in March, and the "
        "DMTN-215 draft opens for comments once the schema freezes.")


def test_handles_in_list_lines_are_found_by_the_matcher():
    from ingest.extract import extract_report

    report = extract_report(FIXTURES / "handle-lists.txt")
    names = {m.name for s in report.sections for m in s.mentions}
    assert {"DMTN-214", "DMTN-215", "SQR-062", "RFC-812", "RFC-815", "LCR-2401"} <= names


def test_emphasis_wrapped_headings_and_list_archive_chrome():
    doc = read("list-archive.txt")
    assert doc.title == "Progress notes"  # the list's [tag] taken off
    assert doc.date_hint == "2024-04"  # the archive's posting date, kept as a hint
    assert outline(doc) == [("", 0), ("Done", 2), ("In progress", 2), ("Not started", 2)]
    assert doc.sections[0].text == "Hello,\n\nthis is the status summary for March 2024."
    # "*Note*" alone is emphasis, not a heading; the list footer is gone
    assert doc.sections[3].text == (
        "Localisation of the error messages.\n\n*Note* that the next notes will come a week late.")
    everything = " ".join(s.heading + " " + s.text for s in doc.sections)
    for chrome in ("Pat Example", "Mon Apr", "Previous message", "Next message",
                   "Messages sorted by", "mailing list", "listinfo", "_____"):
        assert chrome not in everything


def test_the_reports_own_month_beats_the_posting_date_and_a_mail_without_one_takes_it():
    from ingest.extract import extract_report

    assert extract_report(FIXTURES / "list-archive.txt").period == "2024-03"
    undated = extract_report(FIXTURES / "undated-mail.txt")
    assert (undated.title, undated.period) == ("Widget progress", "2024-07")


@pytest.mark.parametrize(("line", "heading"), [
    ("*## Summary*", ("Summary", 2)),
    ("**## Summary**", ("Summary", 2)),
    ("*### Data Access*", ("Data Access", 3)),
    ("**Technical Progress**", ("Technical Progress", 2)),
    ("__Technical Progress:__", ("Technical Progress", 2)),
    ("*Summary*", None),
    ("**The service is down.**", None),
    ("**bold** and more", None),
])
def test_emphasis_heading_forms(line, heading):
    from ingest.readers.mail import emphasis_heading

    assert emphasis_heading(line) == heading

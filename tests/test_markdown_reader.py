"""The Markdown reader: headings, lists, links reduced to their text, tables as rows."""

from pathlib import Path

from ingest.readers.markdown import read_markdown

NOTE = Path(__file__).parent / "fixtures" / "markdown" / "note.md"


def test_markdown_note():
    doc = read_markdown(NOTE, NOTE.read_bytes())
    assert doc.format == "markdown"
    assert doc.title == "DM Status Report for July 2022"
    assert [(s.heading, s.level) for s in doc.sections] == [
        ("DM Status Report for July 2022", 1), ("Summary", 2), ("Technical Progress", 2),
    ]
    assert doc.sections[0].text == "A short note for July; the full report is in DocuShare."
    assert doc.sections[1].text == (
        "- The Sasquatch deployment at the Summit is complete.\n- rc2_subset processing runs nightly."
    )
    progress = doc.sections[2].text
    assert "See DMTN-234 for details." in progress
    assert "](" not in progress and "**" not in progress
    assert "Qserv | green" in progress


def test_bold_lines_are_headings_and_issue_links_keep_their_target():
    path = Path(__file__).parent / "fixtures" / "markdown" / "bold-headings.md"
    doc = read_markdown(path, path.read_bytes())
    assert [(s.heading, s.level) for s in doc.sections] == [("", 0), ("Done", 2), ("Next", 2)]
    assert doc.sections[1].text == (
        "- The parser handles nested blocks (#41 (https://github.com/widgets/core/issues/41)).")


def test_emphasis_wrapped_heading_forms_in_markdown(tmp_path):
    path = tmp_path / "forms.md"
    path.write_text("Notes\n\n*## Summary*\n\nAll done.\n\n__Plans__\n\nMore.\n\n**Risks**\n\nNone.\n",
                    encoding="utf-8")
    doc = read_markdown(path, path.read_bytes())
    assert [(s.heading, s.level, s.text) for s in doc.sections] == [
        ("", 0, "Notes"), ("Summary", 2, "All done."), ("Plans", 2, "More."), ("Risks", 2, "None.")]


def test_a_note_nested_past_the_parsers_limit_is_read_as_text(tmp_path):
    # markdown-it drops what is nested past 20 levels; a note of nothing else is not lost
    path = tmp_path / "deep.md"
    path.write_text(">" * 1000 + " deep quote\n", encoding="utf-8")
    doc = read_markdown(path, path.read_bytes())
    assert [s.text for s in doc.sections] == ["deep quote"]


def test_a_block_nested_past_the_limit_loses_neither_its_text_nor_what_follows(tmp_path):
    # a list nested 30 deep made markdown-it stop reading: "## Next" and its text were lost
    path = tmp_path / "deep-list.md"
    items = "".join("  " * i + f"- item{i}\n" for i in range(30))
    quote = "> " * 30 + "deep text DMTN-999\n"
    path.write_text(f"# Status\n\nIntro.\n\n{items}\n{quote}\n## Next\n\nAfter text Rucio.\n",
                    encoding="utf-8")
    doc = read_markdown(path, path.read_bytes())
    assert [s.heading for s in doc.sections] == ["Status", "Next"]
    status, after = (s.text for s in doc.sections)
    assert "item0" in status and "item29" in status and "deep text DMTN-999" in status
    assert ">" not in status and after == "After text Rucio."


def test_link_reference_definitions_and_rules_do_not_look_like_lost_text(tmp_path):
    path = tmp_path / "refs.md"
    path.write_text("# Notes\n\nSee [the plan][p].\n\n***\n\n[p]: https://example.org/plan\n",
                    encoding="utf-8")
    doc = read_markdown(path, path.read_bytes())
    assert [(s.heading, s.text) for s in doc.sections] == [("Notes", "See the plan.")]

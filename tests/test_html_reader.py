"""The HTML reader on a saved forum page: only the post's own text, forum headings."""

from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.readers.html import read_html

FORUM_POST = Path(__file__).parent / "fixtures" / "html" / "forum-post.html"


@pytest.fixture(scope="module")
def doc():
    return read_html(FORUM_POST, FORUM_POST.read_bytes())


def test_title_without_site_suffix_and_post_date(doc):
    assert doc.title == "DM Monthly Status Report for October 2021"
    assert doc.date_hint == "2021-11"


def test_headings_from_h_tags_bold_paragraphs_and_hash_lines(doc):
    assert [(s.heading, s.level) for s in doc.sections] == [
        ("", 0),  # the opener; the topic title sits outside the post body
        ("Community Interactions, Meetings and Workshops", 2),
        ("Technical Progress", 2),
        ("Data Facilities", 3),
    ]
    assert doc.sections[2].text == "DMTN-208 was published. The Butler now caches remote files."


def test_list_items_and_nested_items(doc):
    lines = doc.sections[3].text.split("\n\n")[0].splitlines()
    assert lines == [
        "- Rucio transfers to SLAC continued",
        "- FrDF at CC-IN2P3 joined the tests",
        "- first 10 TB moved",
    ]


def test_chrome_scripts_and_styles_are_dropped(doc):
    everything = " ".join(s.heading + " " + s.text for s in doc.sections)
    for chrome in ("DM-99999", "Kubernetes", "Sasquatch", "Firefly", "Qserv topics", "pat_office",
                   "dm-status", "Reply", "Back to top", "Powered by", "Latest"):
        assert chrome not in everything


def test_escaped_markup_in_the_post_stays_text(doc):
    assert "<script>alert(1)</script> stays text." in doc.sections[3].text


def test_binary_junk_named_html_is_refused(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(0, 32)) * 40)
    with pytest.raises(IngestError) as caught:
        read_html(path, path.read_bytes())
    assert str(caught.value) == (
        f"{path}: does not look like an HTML file (it contains binary data); "
        "check that the file is what its extension says"
    )


HTML_FIXTURES = FORUM_POST.parent


def read_fixture(name):
    path = HTML_FIXTURES / name
    return read_html(path, path.read_bytes())


def test_html_without_a_closing_head_keeps_its_body():
    doc = read_fixture("no-head-end.html")
    assert doc.title == "Status notes for June 2023"
    assert [(s.heading, s.text) for s in doc.sections] == [
        ("Summary", "The body of a page whose head is never closed."),
        ("Plans", "More text that must not be lost."),
    ]


@pytest.mark.parametrize("depth", [1_000, 5_000])
def test_deeply_nested_html_is_read_without_recursion(tmp_path, depth):
    path = tmp_path / "deep.html"
    lists = "<ul><li>item" * depth + "</li></ul>" * depth
    path.write_text("<html><body><h2>Deep</h2>" + "<div>" * depth + "<p>inside</p>"
                    + "</div>" * depth + lists + "<p>after</p></body></html>", encoding="utf-8")
    doc = read_html(path, path.read_bytes())
    assert [s.heading for s in doc.sections] == ["Deep"]
    blocks = doc.sections[0].text.split("\n\n")
    assert blocks[0] == "inside" and blocks[-1] == "after"
    assert blocks[1].count("- item") == depth


def test_a_pipermail_page_is_read_as_the_mail_it_holds():
    doc = read_fixture("pipermail.html")
    assert doc.title == "Status summary"
    assert doc.date_hint == "2024-02"  # the archive's date line: when it was sent
    assert [(s.heading, s.level) for s in doc.sections] == [("", 0), ("Done", 2), ("Next", 2)]
    assert doc.sections[0].text == (
        "Hello,\n\nthe parser is done and the installer is half way; see "
        "https://github.com/widgets/installer/issues/14.")
    everything = " ".join(s.heading + " " + s.text for s in doc.sections)
    for chrome in ("Pat Example", "Fri Feb", "Previous message", "Messages sorted by",
                   "mailing list", "listinfo", "Widget-users]"):
        assert chrome not in everything


def test_tracker_links_keep_their_target_and_emphasis_lines_are_headings():
    doc = read_fixture("tracker-links.html")
    assert [(s.heading, s.level) for s in doc.sections] == [("Fixed", 2), ("Still open", 2)]
    assert doc.sections[0].text == (
        "The crash on start-up (#88 (https://github.com/widgets/core/pull/88)) and the "
        "packaging fix (https://gitlab.example.org/widgets/packaging/-/merge_requests/7); "
        "widgets/core#90 is a duplicate, and the news file has the rest.")
    assert doc.sections[1].text == "The installer."  # the "Previous message" line is chrome


def test_tracker_link_targets_are_tickets():
    from ingest.extract import extract_report

    report = extract_report(HTML_FIXTURES / "tracker-links.html")
    assert [m.name for m in report.sections[0].mentions] == [
        "widgets/core#88", "widgets/packaging!7", "widgets/core#90"]

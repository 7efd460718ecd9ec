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

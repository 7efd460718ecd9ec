"""The shipped defaults split in two: generic forge references and the project's own entries.

GitHub and GitLab issue, pull and merge request references are tickets out of the box, in
short form and as URLs, canonicalised to the short form and linked to their page; other
URLs stay ignored. A user file drops only the project's entries with one line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.entities import load_matcher
from ingest.errors import EntityConfigError
from ingest.model import found_by_rule


@pytest.fixture(scope="module")
def matcher():
    return load_matcher()


def found(matcher, text):
    return [(m.type, m.name, m.surface) for m in matcher.find(text)]


@pytest.mark.parametrize(("text", "name"), [
    ("fixed in octo-org/tile.server#123 today", "octo-org/tile.server#123"),
    ("see https://github.com/Octo-Org/Widgets/issues/77", "octo-org/widgets#77"),
    ("(https://github.com/octo-org/widgets/pull/78/files)", "octo-org/widgets#78"),
    ("https://www.github.com/octo-org/widgets/pull/79#issuecomment-12", "octo-org/widgets#79"),
    ("merged as group/project!45.", "group/project!45"),
    ("https://gitlab.com/group/project/-/merge_requests/45", "group/project!45"),
    ("https://gitlab.example.org/group/sub/project/-/issues/12", "group/sub/project#12"),
    ("tracked in group/sub/project#12", "group/sub/project#12"),
])
def test_forge_references_are_tickets_in_short_form(matcher, text, name):
    assert [(t, n) for t, n, _ in found(matcher, text)] == [("ticket", name)]


@pytest.mark.parametrize(("name", "url"), [
    ("octo-org/widgets#77", "https://github.com/octo-org/widgets/issues/77"),
    ("group/project!45", "https://gitlab.com/group/project/-/merge_requests/45"),
    ("group/sub/project#12", "https://gitlab.com/group/sub/project/-/issues/12"),
    ("group/sub/project!3", "https://gitlab.com/group/sub/project/-/merge_requests/3"),
])
def test_forge_references_link_to_their_page(matcher, name, url):
    assert matcher.link_for("ticket", name) == url
    assert matcher.canonical(name) == ("ticket", name)


@pytest.mark.parametrize("text", [
    "https://github.com/octo-org/widgets/blob/main/README.md#L12",
    "https://github.com/octo-org/widgets/releases/tag/v1.2",
    "https://example.org/docs/page#12",
    "https://example.org/octo-org/widgets/issues/12",  # not a forge: only a path
    "TCP/IP #1 is prose, a/b/c/d and 50/50#",
    "the #12 bus and issue #13",  # no owner/repo: unknown which repository
])
def test_other_urls_and_bare_numbers_stay_ignored(matcher, text):
    assert [m for m in found(matcher, text) if m[0] == "ticket"] == []


def test_the_surface_of_a_url_mention_is_the_url_up_to_its_number(matcher):
    text = "see https://github.com/octo-org/widgets/issues/77#issuecomment-9 and DM-12345."
    mentions = matcher.find(text)
    assert [(m.name, m.surface) for m in mentions] == [
        ("octo-org/widgets#77", "https://github.com/octo-org/widgets/issues/77"),
        ("DM-12345", "DM-12345"),
    ]


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "org.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_defaults_generic_drops_the_project_entries_and_keeps_forge_references(tmp_path):
    path = write(tmp_path, 'defaults = "generic"\n\n[[name]]\ntype = "system"\nname = "Widgetron"\n')
    m = load_matcher(path)
    text = "DM-12345, DMTN-208, the Butler and Widgetron; octo-org/widgets#7"
    # what the configuration finds (the rules may still type "Butler", listed with a system)
    assert [(x.type, x.name) for x in m.find(text) if not found_by_rule(x.via)] == [
        ("system", "Widgetron"), ("ticket", "octo-org/widgets#7")]
    assert "DM-12345" not in {x.surface for x in m.find(text)}  # an ID no pattern knows
    assert m.link_for("ticket", "DM-12345") is None  # the project's Jira link went too
    assert found(load_matcher(), "DM-12345")[0][:2] == ("ticket", "DM-12345")


def test_defaults_project_drops_the_forge_references_and_keeps_the_project(tmp_path):
    m = load_matcher(write(tmp_path, 'defaults = "project"\n'))
    assert [(t, n) for t, n, _ in found(m, "DM-12345 and octo-org/widgets#7")] == [
        ("ticket", "DM-12345")]


def test_replace_drops_both_shipped_files(tmp_path):
    m = load_matcher(write(tmp_path, 'replace = true\n[[name]]\ntype = "system"\nname = "Widgetron"\n'))
    assert found(m, "octo-org/widgets#7 Widgetron DM-1") == [("system", "Widgetron", "Widgetron")]


@pytest.mark.parametrize(("body", "message"), [
    ('defaults = "mine"\n', "defaults = 'mine' is not one of 'all', 'generic', 'project' or 'none'"),
    ('replace = true\ndefaults = "generic"\n', "keep one of the two lines"),
    ('[[pattern]]\ntype = "ticket"\nregex = "X-\\\\d+"\nurl = "yes"\n', "'url' must be true or false"),
])
def test_bad_defaults_lines_say_what_to_do(tmp_path, body, message):
    path = write(tmp_path, body)
    with pytest.raises(EntityConfigError) as err:
        load_matcher(path)
    assert str(err.value).startswith(f"{path}: ")
    assert message in str(err.value)


def test_a_canonical_template_keeps_its_spaces_and_a_line_break_is_dropped(tmp_path):
    m = load_matcher(write(tmp_path, '''defaults = "generic"
[[pattern]]
type = "milestone"
regex = 'Sprint[ -]?(?P<num>\\d{1,3})'
canonical = "Sprint {num}"
ignore_case = true

[[pattern]]
type = "document"
regex = 'ABC-\\d+'
'''))
    text = "sprint 12, Sprint-13, SPRINT14 and ABC-\n42"
    assert [(t, n) for t, n, _ in found(m, text)] == [
        ("milestone", "Sprint 12"), ("milestone", "Sprint 13"), ("milestone", "Sprint 14"),
        ("document", "ABC-42")]
    assert m.canonical("sprint 7") == ("milestone", "Sprint 7")


def test_a_pattern_link_may_use_its_groups(tmp_path):
    m = load_matcher(write(tmp_path, '''
[[pattern]]
type = "ticket"
regex = '(?<![/\\w])(?P<path>acme-pkg/[\\w.-]*\\w)#(?P<num>\\d+)'
canonical = "{path!l}#{num}"
link = "https://gitlab.acme.test/{path}/-/issues/{num}"
'''))
    assert m.link_for("ticket", "acme-pkg/deb#4") == "https://gitlab.acme.test/acme-pkg/deb/-/issues/4"
    # other owners keep the generic GitHub link
    assert m.link_for("ticket", "acme/deb#4") == "https://github.com/acme/deb/issues/4"


def test_a_requires_gate_only_skips_texts_without_it(tmp_path):
    m = load_matcher(write(tmp_path, 'defaults = "generic"\n[[pattern]]\ntype = "ticket"\n'
                                     "regex = '[a-z]+~\\d+'\nrequires = '~'\n"))
    assert [(t, n) for t, n, _ in found(m, "see abc~12 and o/r#4")] == [
        ("ticket", "abc~12"), ("ticket", "o/r#4")]
    assert found(m, "nothing here") == []


def test_a_bad_requires_gate_is_named(tmp_path):
    path = write(tmp_path, '[[pattern]]\ntype = "ticket"\nregex = "X-\\\\d+"\nrequires = "("\n')
    with pytest.raises(EntityConfigError, match="bad regex in 'requires'"):
        load_matcher(path)

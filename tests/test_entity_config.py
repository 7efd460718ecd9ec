"""User entity configuration: extending and replacing the default, and fixable errors."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from ingest.entities import DEFAULT_CONFIG_PATH, load_matcher
from ingest.entity_config import (
    GENERIC_CONFIG_PATH,
    default_case_sensitive,
    load_config,
    merge,
    parse_file,
)
from ingest.errors import EntityConfigError


def write(tmp_path: Path, text: str, name: str = "user.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def names(matcher, text: str) -> list[tuple[str, str]]:
    return [(m.type, m.name) for m in matcher.find(text)]


def test_user_file_extends_the_default(tmp_path):
    path = write(tmp_path, """
[[pattern]]
type = "ticket"
regex = 'OPSIM-\\d+'

[[name]]
type = "system"
name = "rubin_sim"
aliases = ["Rubin sim"]

[[name]]
type = "system"
name = "Butler"
aliases = ["the middleware butler"]
""")
    m = load_matcher(path)
    text = "OPSIM-12 uses rubin_sim; the middleware butler and the Execution Butler; DM-1234"
    assert names(m, text) == [
        ("ticket", "OPSIM-12"), ("system", "rubin_sim"), ("system", "Butler"),
        ("system", "Execution Butler"), ("ticket", "DM-1234"),
    ]
    # the default entry kept its own aliases next to the added one
    assert m.canonical("Data Butler") == ("system", "Butler")
    assert m.link_for("ticket", "OPSIM-12") == "https://rubinobs.atlassian.net/browse/OPSIM-12"


def test_user_entries_win_a_shared_alias(tmp_path):
    path = write(tmp_path, """
[[name]]
type = "organization"
name = "UK consortium"
aliases = ["UK"]
""")
    assert names(load_matcher(path), "the UK ran it") == [("organization", "UK consortium")]
    assert names(load_matcher(), "the UK ran it") == [("organization", "UKDF")]


def test_user_links_override_default_links(tmp_path):
    path = write(tmp_path, """
[links]
ticket = "https://jira.example.org/browse/{name}"
""")
    assert load_matcher(path).link_for("ticket", "DM-1") == "https://jira.example.org/browse/DM-1"


def test_replace_drops_the_default(tmp_path):
    path = write(tmp_path, """
replace = true

[links]
meeting = "https://example.org/meetings/{lower}"

[[name]]
type = "meeting"
name = "Town Hall"
aliases = ["town-hall"]
""")
    m = load_matcher(path)
    assert names(m, "DMTN-208, Butler and the Town Hall, the town-hall") == [("meeting", "Town Hall")] * 2
    assert m.types == ("meeting",)
    assert m.link_for("meeting", "Town Hall") == "https://example.org/meetings/town%20hall"


def test_context_rules_from_a_user_file(tmp_path):
    path = write(tmp_path, """
replace = true

[[name]]
type = "system"
name = "Vera"
require_before = 'the\\s+$'
reject_after = '\\s+Rubin'
""")
    assert names(load_matcher(path), "Vera said; the Vera system; the Vera Rubin") == [("system", "Vera")]


def test_default_file_parses_and_has_no_duplicate_aliases():
    parsed = parse_file(DEFAULT_CONFIG_PATH)
    assert not parsed.replace
    assert len(parsed.config.names) > 150
    # the project's file first, then the generic patterns (tests/test_entity_defaults.py)
    generic = parse_file(GENERIC_CONFIG_PATH).config
    assert load_config() == merge(generic, parsed.config)


@pytest.mark.parametrize(("alias", "sensitive"), [
    ("Butler", True), ("base", True), ("DM CCB", True), ("HSC RC2", True),
    ("Joint Status Review", False), ("image cutout service", False), ("Gen 3", False),
])
def test_default_case_rule(alias, sensitive):
    assert default_case_sensitive(alias) is sensitive


def test_missing_file(tmp_path):
    path = tmp_path / "nope.toml"
    with pytest.raises(EntityConfigError) as err:
        load_matcher(path)
    assert str(err.value) == f"{path}: file not found; pass the path of an existing TOML file"


ERRORS = [
    ('[[name]]\ntype = "system"\nname = \n',
     "invalid TOML: Invalid value (at line 3, column 8)"),
    ('[[name]]\ntype = "gadget"\nname = "X"\n',
     "name #1 ('X'): unknown entity type 'gadget'; use one of 'document', 'milestone', 'ticket', "
     "'system', 'dataset', 'organization' or 'meeting'"),
    ('[[pattern]]\ntype = "document"\nregex = "DMTN-("\n',
     "pattern #1 (regex 'DMTN-('): bad regex: missing ), unterminated subpattern at position 5; "
     "fix the 'regex' value"),
    ('[[pattern]]\ntype = "document"\n',
     "pattern #1: missing 'regex'; add regex = \"...\""),
    ('[[pattern]]\ntype = "document"\nregex = "X-\\\\d+"\ncanonical = "{series}-{num}"\n',
     "pattern #1 (regex 'X-\\d+'): 'canonical' uses {series} but the regex has no group "
     "(?P<series>...); name the group or change the template"),
    ('[[pattern]]\ntype = "document"\nregex = "X-\\\\d+"\ncase = "shout"\n',
     "pattern #1 (regex 'X-\\d+'): case = 'shout' is not one of 'upper', 'lower', 'title' or 'keep'"),
    ('[[pattern]]\ntype = "ticket"\nregex = "X-\\\\d+"\nlink = "https://x.org/{id}"\n',
     "pattern #1 (regex 'X-\\d+'): URL template uses {id}; only {name}, {lower} and {upper} are known"),
    ('[[name]]\ntype = "system"\nname = "X"\nalias = ["Y"]\n',
     "name #1 ('X'): unknown key 'alias'; expected 'type', 'name', 'aliases', 'case_sensitive', "
     "'link', 'require_before', 'reject_before', 'require_after' or 'reject_after'"),
    ('[[name]]\ntype = "system"\nname = "X"\naliases = "Y"\n',
     "name #1 ('X'): 'aliases' must be a list of non-empty strings"),
    ('[[name]]\ntype = "system"\nname = "X"\nreject_before = "("\n',
     "name #1 ('X'): bad regex in 'reject_before': missing ), unterminated subpattern at position 0"),
    ('[[pattern]]\ntype = "ticket"\nregex = "X-\\\\d+"\nrequire_after = "["\n',
     "pattern #1 (regex 'X-\\d+'): bad regex in 'require_after': unterminated character set at position 0"),
    ('[[pattern]]\ntype = "ticket"\nregex = "X-\\\\d+"\nbefore = "x"\n',
     "pattern #1 (regex 'X-\\d+'): unknown key 'before'; expected 'type', 'regex', 'canonical', 'case', "
     "'ignore_case', 'link', 'url', 'requires', 'require_before', 'reject_before', "
     "'require_after' or 'reject_after'"),
    ('[[name]]\ntype = "system"\nname = "X"\n[[name]]\ntype = "dataset"\nname = "Y"\naliases = ["X"]\n',
     "alias 'X' is given for both 'X' (system) and 'Y' (dataset); keep it under one entry"),
    ('names = []\n',
     "unknown top-level key 'names'; expected 'replace', 'defaults', 'links', 'pattern', 'name' or 'reject'"),
    ('replace = "yes"\n', "'replace' must be true or false"),
    ('[pattern]\ntype = "ticket"\n',
     "'pattern' must be an array of tables: write each entry under [[pattern]]"),
    ('[links]\ngadget = "https://x.org/{name}"\n',
     "[links] key 'gadget': unknown entity type 'gadget'; use one of 'document', 'milestone', "
     "'ticket', 'system', 'dataset', 'organization' or 'meeting'"),
]


@pytest.mark.parametrize(("content", "problem"), ERRORS)
def test_bad_files_say_what_is_wrong(tmp_path, content, problem):
    path = write(tmp_path, content)
    with pytest.raises(EntityConfigError) as err:
        load_matcher(path)
    assert str(err.value) == f"{path}: {problem}"


def test_non_utf8_file(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('[[name]]\ntype = "organization"\nname = "Cerro Pach\u00f3n"\n'.encode("latin-1"))
    with pytest.raises(EntityConfigError) as err:
        load_matcher(path)
    assert str(err.value) == f"{path}: not UTF-8 text; save the file as UTF-8"


def test_pattern_with_named_backreference_still_works(tmp_path):
    # the union prefilter cannot take it; the pattern then scans on its own
    path = write(tmp_path, """
replace = true

[[pattern]]
type = "ticket"
regex = '(?P<p>[A-Z]{2})-(?P=p)-\\d+'
""")
    assert names(load_matcher(path), "see AB-AB-12 and AB-CD-12") == [("ticket", "AB-AB-12")]


def test_pattern_context_rules(tmp_path):
    # an ID family that only counts after a keyword, like the "503-14" milestone shorthand
    path = write(tmp_path, """
replace = true

[[pattern]]
type = "ticket"
regex = 'Q-\\d+'
require_before = '(?i:ticket)\\s+$'
reject_after = '\\s+draft'
""")
    m = load_matcher(path)
    assert names(m, "ticket Q-12, Q-13 and ticket Q-14 draft") == [("ticket", "Q-12")]
    # alone it names nothing: a look-up without the context is not a mention
    assert m.canonical("Q-12") is None


def test_the_default_toml_is_valid_toml_with_documented_keys():
    data = tomllib.loads(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    assert set(data) <= {"replace", "links", "pattern", "name"}
    for entry in data["pattern"]:
        re.compile(entry["regex"])

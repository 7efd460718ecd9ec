"""``rule:version`` and ``rule:code`` (`ingest.entity_code`) through the real matcher: a word
written with a version number, the installer and packages of an install command and the
command of a shell line in backticks are systems; document numbering, quantities,
programming languages and English prose stay out. Sentences written for these tests, with
made-up names."""

from __future__ import annotations

import pytest

from ingest.entities import load_matcher


@pytest.fixture(scope="module")
def matcher():
    return load_matcher()


def found(matcher, text, via):
    return [(m.type, m.name, m.surface) for m in matcher.find(text) if m.via == via]


@pytest.mark.parametrize(("text", "expected"), [
    # a capitalised word at the start of a sentence, which the cue rule leaves alone
    ("The hosts were rebuilt. Scaffold 2.16 manages their configuration.",
     [("system", "Scaffold", "Scaffold")]),
    # everyday English words need no rarity here: the version says it
    ("Chat moved. Lattice 1.30 fronts the web pages now.", [("system", "Lattice", "Lattice")]),
    # lower-case packages: two pins side by side, a verb of pinning, a version no
    # measurement has
    ("The release pins tabby 8.1 and sparrow 2.32 after a change upstream.",
     [("system", "tabby", "tabby"), ("system", "sparrow", "sparrow")]),
    ("The release pinned marble 4.2 for the summer.", [("system", "marble", "marble")]),
    ("The checks call frobnik v3 first.", [("system", "frobnik", "frobnik")]),
    ("Chat moved. Lattice 1.30 but not the bridge was kept.", [("system", "Lattice", "Lattice")]),
    ("Linting moved to quell\n0.1.5 this month.", [("system", "quell", "quell")]),
])
def test_names_with_versions_are_systems(matcher, text, expected):
    assert found(matcher, text, "rule:version") == expected


@pytest.mark.parametrize("text", [
    "Table 2.1 of the plan lists the others. Phase 1.5 ends in June.",
    "About 2.5 TB were copied. Roughly 1.5 hours were lost.",
    "Galaxies at redshift 0.5 and redshift 1.2 were selected with seeing 0.7 arcsec.",
    "The move to Python 3.12 waits for a fix.",  # a programming language
    "The figure fell to 0.7 and rose to 1.2 in May.",
    "Throughput reached 1.5x the old rate; the median is 3.5 and the mean 4.1.",
    "The release pinned down 2.5 days for testing.",  # an everyday word after the verb
    "The sensors of Raft 2.2 and Detector 1.4 were swapped.",  # hardware numbering
])
def test_numbers_that_are_no_versions_type_nothing(matcher, text):
    assert found(matcher, text, "rule:version") == []


@pytest.mark.parametrize(("text", "expected"), [
    ("Users can run brew install pint in a terminal.",
     [("system", "brew", "brew"), ("system", "pint", "pint")]),
    ("The guide shows mambo install -c forge widgetry==1.2 flumox for the others.",
     [("system", "mambo", "mambo"), ("system", "widgetry", "widgetry"), ("system", "flumox", "flumox")]),
    ("A fresh checkout needs only `quv sync` before the tests run.", [("system", "quv", "quv")]),
    ("It is called as `schemazz --strict` from the job.", [("system", "schemazz", "schemazz")]),
])
def test_install_commands_and_shell_lines_name_software(matcher, text, expected):
    assert found(matcher, text, "rule:code") == expected


@pytest.mark.parametrize("text", [
    "We install the new racks in May, and engineers install the cables after.",
    "Then install the new version from the portal.",
    "Run `cd build` first, then `echo done`.",
    "The variable `visit_id` holds the number.",  # one token: no command line
])
def test_prose_about_installing_types_nothing(matcher, text):
    assert found(matcher, text, "rule:code") == []

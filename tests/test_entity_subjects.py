"""``rule:subject`` (`ingest.entity_subjects`) through the real matcher: the subject of a
machine's verb is a system when the word is one English does not use, or a pair holding a
word that stands alone; people, ordinary words at the start of a sentence, headings and
parts of longer phrases stay out. Sentences written for these tests."""

from __future__ import annotations

import pytest

from ingest.entities import load_matcher


@pytest.fixture(scope="module")
def matcher():
    return load_matcher()


def subjects(matcher, text):
    return [(m.type, m.name, m.surface) for m in matcher.find(text) if m.via == "rule:subject"]


@pytest.mark.parametrize(("text", "expected"), [
    ("Vexlor scans every image before it is pushed.", [("system", "Vexlor", "Vexlor")]),
    ("Each night Tarvelo now backs up the cluster state.", [("system", "Tarvelo", "Tarvelo")]),
    ("Storage\nWendrix caches the thumbnails of the portal.", [("system", "Wendrix", "Wendrix")]),
    ("Inference at the data facility: XQ Runner serves the models.", [("system", "XQ Runner", "XQ Runner")]),
    # a word English knows a little, after "now" with a verb only machines do
    ("Monitoring\nLoom now stores the service logs.", [("system", "Loom", "Loom")]),
    # "which" stands for a thing: the word before its comma is the subject
    ("Its rules sit next to those of Quillet, which rejects pods without limits.",
     [("system", "Quillet", "Quillet")]),
    # with a verb only machines do, no "now" is needed
    ("Storage\nWharf mirrors the public images at the site.", [("system", "Wharf", "Wharf")]),
    # a word English knows a little, before what machines act on
    ("Security\nFalcon watches the system calls on the login nodes.", [("system", "Falcon", "Falcon")]),
    ("Auth\nDexa now issues the tokens for the dashboards.", [("system", "Dexa", "Dexa")]),
    ("The racks are full, and Rook now manages its daemons.", [("system", "Rook", "Rook")]),
    # a lower-case word English does not use, with a verb only machines do
    ("The notebooks run, and zorrp stores the intermediate cubes.", [("system", "zorrp", "zorrp")]),
])
def test_subjects_of_machine_verbs_are_systems(matcher, text, expected):
    assert subjects(matcher, text) == expected


@pytest.mark.parametrize("text", [
    "Traffic routes through the old proxy until autumn.",  # an ordinary word, sentence-initial
    "Harbor now stores every image.",  # a common English word needs other evidence
    "Ade Oyelaran joined in May. Oyelaran runs the calibration sprints.",  # a surname alone
    "Sarah Quinn runs the test with the full schema.",  # a person's name
    "The Pellworm stores are full.",  # after a determiner: part of a phrase
    "Python runs the checks; Rust streams the alerts.",  # programming languages
    "Lindqvist chairs the board and leads the review.",  # people's verbs
    "Moreno now runs the weekly call.",  # a surname: "now" needs a verb only machines do
    "Replication mirrors the archive to the second site.",  # an abstract noun
    "The plan, which runs to June, is fine; Replication, which stores more, waits.",  # no name before "which"
    "The wharf is old. Wharf mirrors the images.",  # the text writes the English word
    "Ade Oyelaran joined in May. Oyelaran checks the logs every morning.",  # a surname alone
    "Moreno keeps the minutes and Lindqvist reads the notes.",  # people's verbs, people's objects
    "Monitoring collects the logs; Security checks the images.",  # common English words
    "Marlow now holds the record for the longest run.",  # a verb people do, no machine object
    "The zorrp stores the cubes; old shelving stores the tapes.",  # a modifier, an English word
])
def test_people_and_ordinary_words_are_not_subjects(matcher, text):
    assert subjects(matcher, text) == []

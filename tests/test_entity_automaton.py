"""`NameFinder` finds what a trie regex of the same names finds, on real texts.

The archive pass applies every learned name to every text of an ingest with it
(`ingest.entity_consistency.Spreader`); the finder replaced a `trie_regex(...).finditer`
scan, so these tests compare the two on the sample archive's texts and the evaluation
passages, with names the archive really learns and with awkward sets of names.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from ingest.entities import load_matcher
from ingest.entity_automaton import NameFinder, WordStarts, _word_char
from ingest.entity_consistency import spread_map
from ingest.entity_regex import TYPOGRAPHIC, lower, trie_regex, word_starts
from ingest.extract import extract_report, iter_report_files

ROOT = Path(__file__).resolve().parent.parent
ODD = ["a\u00a0b\u2003c\x1cd e", "   x", "x   ", "", "\n\n", "Foo \r Bar", "Foo\x0b Bar",
       "the  Rubin\tData \n Team", "Qserv-based Qservs Qserv_x xQserv Qserv.", "AP team, the AP  team",
       "Ünïcode Straße ΣΑΣ café-bar naïve", "DM DM-SST DMs", "C++ and C# and .NET",
       "LDM-503 Summit, LDM-503\nSummit, LDM-5030 Summit, LDM-503  Summits, LDM -503", "Rubin Data-Team x",
       "Rubin ", "Rubin \n", "Rubin Data  Team.", "Rubin\u2003Data Team"]


@pytest.fixture(scope="module")
def reports():
    matcher = load_matcher()
    return [extract_report(p, matcher) for p in iter_report_files([ROOT / "sample_reports"])]


@pytest.fixture(scope="module")
def texts(reports) -> list[str]:
    out = []
    for r in reports:
        out.append(r.title)
        for s in r.sections:
            out += [s.heading, s.text]
    for name in ("eval.toml", "eval_open.toml", "eval_heldout.toml"):
        data = tomllib.loads((ROOT / "tests" / "fixtures" / "entities" / name).read_text(encoding="utf-8"))
        out += [p["text"] for p in data["passage"]]
    return [t.translate(TYPOGRAPHIC) for t in out if t] + ODD


def _same(keys, texts) -> int:
    finder, regex = NameFinder(keys), trie_regex(keys)
    total = 0
    for text in texts:
        found = finder.spans(text)
        assert found == [m.span() for m in regex.finditer(text)], (sorted(keys)[:5], text[:80])
        total += len(found)
    return total


def test_the_archive_s_names_are_found_where_the_regex_finds_them(reports, texts):
    # (the sample archive learns few names across reports: every name it mentions, as a
    # spread map of them, stands for a large archive's learned names)
    surfaces = {" ".join(m.surface.translate(TYPOGRAPHIC).split()): (m.type, m.name)
                for r in reports for m in r.mentions}
    learned = spread_map(surfaces)
    assert len(learned) > 300
    assert _same(learned, texts) > 2000


def test_awkward_names_are_found_where_the_regex_finds_them(texts):
    words = sorted({w for t in texts[:300] for w in re.findall(r"[A-Z][\w-]+", t)})[:400]
    keys = set(words)
    # names that share a leading word, are prefixes of one another, hold spaces or
    # punctuation, or start no word at all
    keys |= {f"{a} {b}" for a, b in zip(words, words[1:])}
    keys |= {"Rubin", "Rubin Data", "Rubin Data Team", "Data Team", "AP team", "DM-SST", "DM", "DMs",
             "Qserv", "Qserv.", "C++", "café-bar", "Straße", "ΣΑΣ", "x", "the Rubin",
             "LDM-503 Summit", "LDM-503", "LDM", "Rubin Data-Team", "Rubin  Data", "Rubin "}
    assert _same(keys, texts) > 200
    # a name that starts with a non-word character can match inside a word: the plain regex
    assert _same(keys | {".NET", "#dm"}, texts) > 200


def test_no_names_find_nothing():
    assert NameFinder([]).spans("Qserv and Rubin") == []


def test_word_characters_are_what_the_regex_calls_word_characters():
    word = re.compile(r"\w")
    assert all(bool(word.match(c)) == _word_char(c) for c in map(chr, range(0x30000)))


def test_word_starts_by_automaton_are_the_word_starts_of_every_text(texts):
    """`WordStarts` (the matcher's one pass over a text's words) gives what
    `entity_regex.word_starts` gives, on the sample archive's texts, the awkward ones
    (non-ASCII words fall back), and words next to digits, underscores and hyphens."""
    vocabulary = load_matcher()._words
    starts = WordStarts(vocabulary)
    odd = ODD + ["the the the", "the_the the-the the9 9the", "other the\tthe\nthe", "théâtre the café the"]
    checked = found = 0
    for text in texts + odd:
        lowered = lower(text.translate(TYPOGRAPHIC))
        expected = word_starts(lowered, vocabulary)
        assert starts(lowered) == expected, text[:80]
        checked, found = checked + 1, found + len(expected)
    assert checked > 100 and found > 1000
    assert [p for p, _ in starts("the_the the-the the9 the")] == [8, 12, 21]

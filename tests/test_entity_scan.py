"""The matcher's faster scans find what the plain regex scans find.

`EntityMatcher.find` makes one pass over the words of a text (`entity_regex.word_starts`)
and tries the gazetteer's and the rules' trie regexes only at the words that can start
them, and some rule regexes are written to start with a rare character. These tests run
both forms over the sample archive's texts and the evaluation passages and compare every
match, so a word list or a regex that breaks the equivalence fails here, not as a missed
mention somewhere.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from ingest import entity_cues, entity_heads, entity_repeats, entity_rules, entity_shapes, entity_walk
from ingest.entities import load_matcher
from ingest.entity_regex import (AT, CUE, HEAD, LOWER, NAME_ANY_CASE, NAME_CASED, SOFTWARE, TYPOGRAPHIC,
                                 UNIVERSITY, matches_at, name_matches, scan_at, word_starts)
from ingest.extract import extract_report, iter_report_files

ROOT = Path(__file__).resolve().parent.parent
ENTITY_SETS = ("eval.toml", "eval_open.toml", "eval_heldout.toml")


@pytest.fixture(scope="module")
def matcher():
    return load_matcher()


@pytest.fixture(scope="module")
def texts(matcher) -> list[tuple[str, str]]:
    """(text, lowered) of every title, heading and section of the sample archive and every
    evaluation passage, typographically folded as `find` folds them."""
    out = []
    for path in iter_report_files([ROOT / "sample_reports"]):
        report = extract_report(path, matcher)
        out.append(report.title)
        for s in report.sections:
            out += [s.heading, s.text]
    for name in ENTITY_SETS:
        data = tomllib.loads((ROOT / "tests" / "fixtures" / "entities" / name).read_text(encoding="utf-8"))
        out += [p["text"] for p in data["passage"]]
    folded = [t.translate(TYPOGRAPHIC) for t in out if t]
    assert len(folded) > 600
    return [(t, t.translate(LOWER)) for t in folded]


def spans(matches) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in matches]


def test_names_at_word_starts_are_the_names_a_scan_finds(matcher, texts):
    assert matcher._by_words
    total = 0
    for text, lowered in texts:
        starts = word_starts(lowered, matcher._words)
        for regex, scanned, flag in ((matcher._cs_regex, text, NAME_CASED), (matcher._ci_regex, lowered, NAME_ANY_CASE)):
            found = spans(matches_at(regex, scanned, starts, flag))
            assert found == spans(name_matches(regex, scanned)), text[:80]
            total += len(found)
    assert total > 1000


@pytest.mark.parametrize(("regex", "flag", "lowered_text"), [
    (entity_heads.HEAD_RE, HEAD, False), (entity_heads.SOFTWARE_RE, SOFTWARE, False),
    (entity_cues._CUE_WORDS, CUE, True), (entity_rules._UNIVERSITY, UNIVERSITY, False),
    (entity_shapes._AT_ACRONYM, AT, False)], ids=["heads", "software", "cue-words", "universities", "at-acronym"])
def test_rule_words_at_word_starts_are_what_a_scan_finds(matcher, texts, regex, flag, lowered_text):
    total = 0
    for text, lowered in texts:
        scanned = lowered if lowered_text else text
        found = spans(scan_at(regex, scanned, word_starts(lowered, matcher._words), flag))
        assert found == spans(regex.finditer(scanned)), text[:80]
        total += len(found)
    assert total > 5


# The plain forms the rewritten regexes replace (same matches, slower to scan).
_PLAIN_FEATURE = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]|[A-Za-z]\d|\d[A-Za-z]|[a-z0-9]_[a-z0-9]|py"
                            r"|-(?:server|client|operator|proxy|cli|api|daemon|plugin|exporter|sdk|tools|utils)(?!\w)")


def test_shape_feature_scan_finds_the_same_tokens(texts):
    def tokens(feature, text):
        found, pos = [], 0
        while (hit := feature.search(text, pos)) is not None:
            start, end = hit.start(), hit.end()
            while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_-"):
                start -= 1
            while end < len(text) and (text[end].isalnum() or text[end] in "_-"):
                end += 1
            found.append((start, end))
            pos = end
        return found

    extra = ["DataLoader SQLAlchemy h5py 1Password pipe_graph pytest numpy siav2-proxy butler-server x-tools",
             "a_ _b __ aB AB Ab ABc 9a a9 -cli -clix py- ²a ٣b É9 éB"]
    total = 0
    for text in [t for t, _ in texts] + extra:
        found = tokens(entity_shapes._FEATURE, text)
        assert found == tokens(_PLAIN_FEATURE, text), text[:80]
        total += len(found)
    assert total > 500


def test_version_scan_finds_the_same_numbers(texts):
    extra = "v2.3 24.1 1.2.3 x1.2 .1.2 -1.2 v.1 vv1.2 v1 1. ٣.٤ a v10.20 (3.1) 2021-05.4 v3.1.2 1..2 9.v1"
    total = 0
    for _, lowered in texts + [(extra, extra)] + [(t, t) for t in ODD]:
        found = list(entity_cues.version_starts(lowered))
        assert found == [m.start() for m in entity_cues._VERSION.finditer(lowered)], lowered[:80]
        total += len(found)
    assert total > 20


def test_alias_that_starts_with_a_non_word_character(tmp_path):
    # such an alias can match inside a word, so the name regexes scan the whole text
    path = tmp_path / "user.toml"
    path.write_text('[[name]]\ntype = "system"\nname = ".NET"\naliases = [".NET", "dotnet"]\n', encoding="utf-8")
    matcher = load_matcher(path)
    assert not matcher._by_words
    found = matcher.find("We ported the service to .NET and ASP.NET last month, with dotnet tools and Qserv.")
    assert [(m.name, m.surface, m.start) for m in found] == [
        (".NET", ".NET", 25), (".NET", ".NET", 37), (".NET", "dotnet", 59), ("Qserv", "Qserv", 76)]


ODD = ["a\u00a0b\u2003c\x1cd e", "   x", "x   ", "", "\n\n", "Foo \r Bar", "Foo\x0b Bar", "Team " + " " * 80,
       "x" * 100 + " Data", "the  Rubin\tData \n Team"]


def test_tokens_walked_back_are_the_white_space_separated_tokens(texts):
    for text in [t for t, _ in texts] + ODD:
        for offset in (0, 7):
            walked = list(entity_walk.tokens_backwards(text, offset))
            plain = [(offset + m.start(), offset + m.end(), m.group()) for m in re.finditer(r"\S+", text)]
            assert walked == plain[::-1], text[:80]


def test_word_before_a_head_is_the_word_a_walk_back_finds(texts):
    def plain(text, pos):
        i = pos - 1
        while i >= 0 and text[i] in " \t\n":
            i -= 1
        j = i
        while j >= 0 and not text[j].isspace():
            j -= 1
        word = text[j + 1:i + 1]
        return bool(word) and (word[0].isupper() or word[0].isdigit()
                               or any(c.isdigit() or c == "_" or c.isupper() for c in word))

    checked = 0
    for text in [t for t, _ in texts[:300]] + ODD:
        for pos in range(len(text) + 1):
            assert entity_walk.name_before(text, pos) == plain(text, pos), (text[:80], pos)
            checked += 1
    assert checked > 10_000


def test_subjects_are_searched_where_they_can_be(texts):
    # `_trailing` searches for the subject only in the last token before the cue word
    for text in [t for t, _ in texts] + ODD + ["flake8 and      isort", "Bokeh,\tor\t\tHoloViews", "x and"]:
        for start in range(len(text) + 1):
            plain = entity_cues._SUBJ.search(text, max(0, start - 60), start)
            narrow = entity_cues._subject_before(text, start)
            assert (narrow and narrow.span()) == (plain and plain.span()), (text[:80], start)


def test_repeat_scans_find_what_a_boundary_in_front_finds(texts):
    surfaces = ["Qserv", "DataLoader", "h5py", "Rubin Science Platform", "AP team", "Data\nRelease",
                "x", "-", "C++", "AuxTel", "Prompt Processing", "DM-SST"]
    for text, _ in texts[:400]:
        surfaces.extend(w for w in re.findall(r"[A-Z]\w+(?: [A-Z]\w+)?", text)[:3])
    checked = 0
    for surface in dict.fromkeys(surfaces):
        plain = re.compile(r"(?<![\w-])" + re.escape(surface).replace(r"\ ", r"\s+") + r"(?![\w-])")
        fast = entity_repeats._surface_regex(surface)
        for text, _ in texts[:200]:
            found = spans(fast.finditer(text))
            assert found == spans(plain.finditer(text)), (surface, text[:80])
            checked += len(found)
    assert checked > 50

"""Where a set of names is written in a text, found by an Aho-Corasick automaton.

`NameFinder(keys).spans(text)` gives the spans that ``trie_regex(keys).finditer(text)``
gives (`ingest.entity_regex`: the longest key at a word start, a space in a key matching
any run of white space, matches that do not overlap, leftmost first), for a fraction of
the cost. `re` tries a trie of a thousand names at every position of a text, and a letter
can start a name almost everywhere: on a generated 10k-section archive, applying its
1,630 learned names to every text (`ingest.entity_consistency.Spreader`) spent 0.45 s in
such scans, about 40 % of what the archive-wide entity pass added to an ingest.

A trie key that starts with a word character can only match at a word start whose run of
word characters is the key's leading run (`entity_regex.word_starts` says why). So the
automaton (`ahocorasick_rs`, compiled code) looks for the keys' leading words only, and a
place counts where one is a whole word of the text; there the keys that begin with that
word are tried by a small trie regex of their own (compiled the first time the word is
met), or, for a word that is a key and begins no longer one, taken as it is. Keys that start
with another character can match inside a word: a finder of such keys falls back to the
plain trie regex.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

import ahocorasick_rs

from ingest.entity_regex import WORD, trie_regex, word_starts


def _word_char(c: str) -> bool:
    # what `re`'s \w matches in a str pattern (checked on every code point by the tests)
    return c.isalnum() or c == "_"


class NameFinder:
    """The spans of `keys` in a text, as a `trie_regex` of them finds them (see the module)."""

    def __init__(self, keys: Iterable[str]) -> None:
        keys = [k for k in dict.fromkeys(keys) if k]
        by_word: dict[str, list[str]] = defaultdict(list)
        for key in keys:
            m = WORD.match(key)
            if m is None:  # this key can match inside a word: no word-start shortcut
                self._regex = trie_regex(keys)
                self._automaton = None
                return
            by_word[m.group()].append(key)
        self._regex = None
        # the keys that start with each leading word, unless that is the word alone
        self._keys_of = {w: ks for w, ks in by_word.items() if ks != [w]}
        self._compiled: dict[str, re.Pattern] = {}
        # what can follow such a word in one of its longer keys (`_may_go_on`)
        self._next = {w: _continuations(w, ks) for w, ks in self._keys_of.items()}
        self._automaton = ahocorasick_rs.AhoCorasick(
            sorted(by_word), matchkind=ahocorasick_rs.MatchKind.LeftmostLongest) if by_word else None

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every name in `text`, in order (see the module docs)."""
        if self._automaton is None:
            return [m.span() for m in self._regex.finditer(text)] if self._regex is not None else []
        out: list[tuple[int, int]] = []
        end, n = 0, len(text)
        # The automaton's leftmost-longest matches lie inside one run of word characters
        # each (its patterns are such runs), so it reports every whole word that is one.
        for _, start, stop in self._automaton.find_matches_as_indexes(text):
            if start < end or (start and _word_char(text[start - 1])) or \
                    (stop < n and _word_char(text[stop])):
                continue  # inside the last name, or not a whole word
            word = text[start:stop]
            keys = self._keys_of.get(word)
            if keys is None:  # the word is a key and starts no other
                out.append((start, stop))
                end = stop
                continue
            if not self._may_go_on(text, stop, self._next[word]):
                # no longer key can match here: the word itself, if it is a key
                if word in keys:
                    out.append((start, stop))
                    end = stop
                continue
            regex = self._compiled.get(word)
            if regex is None:
                regex = self._compiled[word] = trie_regex(keys)
            m = regex.match(text, start)
            if m is not None:
                out.append(m.span())
                end = m.end()
        return out

    @staticmethod
    def _may_go_on(text: str, stop: int, following: tuple[tuple[str, ...], tuple[str, ...]]) -> bool:
        """Can a longer key of the word that ends at `stop` match on from there? False only
        when none can, a look at the next characters instead of the keys' regex, which
        nearly always fails there (on a generated 10k-section archive 19,512 times of
        19,512: "Rubin", "Science", "Work" begin learned names of several words)."""
        spaced, glued = following
        c = text[stop:stop + 1]
        if c == " ":
            d = text[stop + 1:stop + 2]
            if not d or d.isspace():
                return bool(spaced)  # the text's end or a run of white space: the regex says
            return text.startswith(spaced, stop + 1)
        if not c:
            return False
        if c.isspace():
            return bool(spaced)
        return text.startswith(glued, stop)


def _continuations(word: str, keys: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What the longer `keys` of `word` write next: the characters after its space up to
    their next space, for keys that go on with a space (which matches any run of white
    space), and the characters up to their next space for the others ("-503" of
    "LDM-503 Summit")."""
    spaced, glued = set(), set()
    for key in keys:
        rest = key[len(word):]
        if rest.startswith(" "):
            spaced.add(rest[1:].split(" ", 1)[0])
        elif rest:
            glued.add(rest.split(" ", 1)[0])
    return tuple(sorted(spaced)), tuple(sorted(glued))

# ASCII bytes with every non-word character (what \w does not match) as a space.
_SPACED = bytes(c if chr(c).isalnum() or c == 0x5F else 0x20 for c in range(128)) + b" " * 128


class WordStarts:
    """`entity_regex.word_starts(lowered, vocabulary)` for one vocabulary, by an automaton.

    On ASCII text (nearly every report) the words are the runs of [a-z0-9_] between other
    characters: with those turned into spaces (a byte-table translation, done in C) a
    vocabulary word is a whole word exactly where " word " occurs, and an automaton of
    these finds them all in one pass, instead of a Python step and a dictionary look-up
    for every word of the text (the matcher's vocabulary flags about a third of them).
    Other text takes `word_starts` itself.
    """

    def __init__(self, vocabulary: dict[str, int]) -> None:
        self._vocabulary = vocabulary
        words = [w for w, f in vocabulary.items() if f and w.isascii()]
        self._flags = [vocabulary[w] for w in words]
        # overlapping matches: " the the " holds two, which share their middle space
        self._automaton = ahocorasick_rs.BytesAhoCorasick(
            [b" " + w.encode("ascii") + b" " for w in words]) if words else None

    def __call__(self, lowered: str) -> list[tuple[int, int]]:
        """(start, flags) of each word of `lowered` the vocabulary flags, in order."""
        if self._automaton is None or not lowered.isascii():
            return word_starts(lowered, self._vocabulary)
        spaced = b" " + lowered.encode("ascii").translate(_SPACED) + b" "
        flags = self._flags
        # a match starts at the space before its word: at the word's own offset in `lowered`
        # (one space was put in front); whole words never nest, so the order is the text's
        return [(start, flags[i]) for i, start, _ in
                self._automaton.find_matches_as_indexes(spaced, overlapping=True)]

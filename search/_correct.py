"""Typo correction on the query tree, the same for every engine.

A word is corrected when the index does not know it, or knows it in at most `RARE` sections
while a word one edit away is in `RARER_BY` times as many (a typo that made it into one
report must not hide the right spelling). Corrections come from the index's own vocabulary
and entity names (the engine's `Vocabulary`: ``candidates(word)`` and ``frequency(word)``).

Never corrected: question and stop words ("when did the" stays as typed), words with digits
(IDs and version names: DMTN-208 is never "corrected" into DMTN-203), phrases, fields,
patterns, and words shorter than `MIN_LENGTH` or longer than `MAX_LENGTH` (a long word
costs edits in proportion to its length; nobody mistypes a 40-letter word).
"""

from __future__ import annotations

import re

from search import _qtree as qt
from search._relevance import QUESTION_WORDS

MIN_LENGTH = 4
MAX_LENGTH = 30
RARE = 2
RARER_BY = 20
# Quoted phrases and field:value pairs are left alone; only plain words are corrected.
_TOKEN = re.compile(r'"[^"]*"|[A-Za-z_]+:\S*|[^\s()"]+')


def corrections(tree, vocabulary, is_stop_word) -> dict[str, tuple[str, bool]]:
    """{word as typed: (correction, whether the word was unknown)} for the tree's words."""
    found: dict[str, tuple[str, bool]] = {}
    for leaf in qt.leaves(tree):
        if not isinstance(leaf, qt.Word) or leaf.field is not None or leaf.text in found:
            continue
        word = leaf.text
        lower = word.lower()
        if not word.isalpha() or not MIN_LENGTH <= len(word) <= MAX_LENGTH \
                or lower in QUESTION_WORDS or is_stop_word(lower):
            continue
        known = vocabulary.frequency(lower)
        if known > RARE:
            continue
        best = vocabulary.best(lower, at_least=max(1, known * RARER_BY) if known else 1)
        if best is not None and best != lower:
            found[word] = (_same_case(word, best), known == 0)
    return found


def _same_case(typed: str, word: str) -> str:
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def apply(text: str, fixes: dict[str, tuple[str, bool]]) -> str:
    """`text` with each corrected word replaced (phrases and fields untouched)."""
    def swap(m: re.Match) -> str:
        token = m.group(0)
        core = token.lstrip("+")
        if core in fixes:
            return token[:len(token) - len(core)] + fixes[core][0]
        return token
    return _TOKEN.sub(swap, text)

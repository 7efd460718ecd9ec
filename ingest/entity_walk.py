"""Walking the words around a place in a text, for the open-class rules: the tokens before
it, whether the line before is a heading, whether the word before could end a name, where
a sentence starts."""

from __future__ import annotations

import re
from collections.abc import Iterator


def tokens_backwards(window: str, offset: int) -> Iterator[tuple[int, int, str]]:
    """(start, end, token) of the whitespace-separated tokens of `window` (``\\S+``), last
    first, offsets plus `offset`. A walk back usually stops after a few tokens, so each
    token's place is found only when it is reached: the rightmost copy of a token that
    ends before the token after it is that token (what lies between them is white space,
    which no token holds)."""
    pos = len(window)
    for word in reversed(window.split()):
        pos = window.rfind(word, 0, pos)
        yield offset + pos, offset + pos + len(word), word


def line_is_heading(text: str, start: int) -> bool:
    """Whether the line ending just before `start` is a heading-like short line (no final
    punctuation): a name does not run from a heading into the next line."""
    prev_end = start - 1
    prev_start = text.rfind("\n", 0, prev_end) + 1
    line = text[prev_start:prev_end].strip()
    return bool(line) and len(line.split()) <= 6 and line[-1] not in ",;:"


def name_before(text: str, pos: int) -> bool:
    """Whether the word before `pos` could end a name (capitalised, digits, underscore)."""
    # The word is the run of non-space characters before the spaces, tabs and line breaks
    # that end text[:pos]; looked for in a window, widened when the window does not hold
    # all of it.
    lo = pos
    while True:
        lo = max(0, lo - 64)
        window = text[lo:pos].rstrip(" \t\n")
        if window and window[-1].isspace():
            word = ""  # another kind of white space right before: no word
            break
        word = window.rsplit(None, 1)[-1] if window else ""
        if lo == 0 or window and len(word) < len(window):
            break
    return bool(word) and (word[0].isupper() or word[0].isdigit()
                           or any(c.isdigit() or c == "_" or c.isupper() for c in word))


def sentence_start(text: str, pos: int) -> int:
    """`pos` if the word at `pos` starts a sentence or a line, else -1."""
    before = text[max(0, pos - 3):pos]
    if pos == 0 or before.endswith("\n") or re.search(r"[.!?:;]\s+$|^\s*$", before):
        return pos
    return -1


def opens_sentence(text: str, pos: int) -> bool:
    """Whether the word at `pos` opens a sentence: after a sentence's end, or at the start
    of a line after a heading or a finished sentence, not where a paragraph wraps ("moved
    from the" / "Scheduler group")."""
    if sentence_start(text, pos) != pos:
        return False
    if pos == 0 or text[pos - 1] != "\n":
        return True
    line = text[text.rfind("\n", 0, pos - 1) + 1:pos - 1].strip()
    return not line or line[-1] in ".!?:;" or line_is_heading(text, pos)


def end_of(text: str, start: int, words: list[str]) -> int:
    """Where the run of `words`, read from `start` in `text` (any white space between), ends."""
    pos = start
    for w in words:
        pos = text.index(w, pos) + len(w)
    return pos

"""A name typed once in a text is the same entity wherever its surface recurs there
(``rule:repeat``): the matcher spreads what the rules found to the other uses."""

from __future__ import annotations

import re
from functools import lru_cache

Candidate = tuple[int, int, str, str, str]  # start, end, type, name, via


@lru_cache(maxsize=4096)
def _surface_regex(surface: str) -> re.Pattern:
    """``(?<![\\w-])SURFACE(?![\\w-])`` (a space matching any white space), written so that
    `re` searches for the surface's own text first: the boundary before it is checked
    behind it (over the surface and the character before it), or behind its first
    character when white space makes the width vary. A look-behind in front would make
    `re` try every position of the text, once per surface."""
    if " " not in surface:
        body = re.escape(surface)
        return re.compile(body + r"(?<![\w-]" + body + r")(?![\w-])")
    rest = re.escape(surface[1:]).replace(r"\ ", r"\s+")
    return re.compile(re.escape(surface[0]) + r"(?<![\w-][\s\S])" + rest + r"(?![\w-])")


def repeats(text: str, found: list[tuple[str, str, str]], taken: bytearray) -> list[Candidate]:
    """Other uses, in `text`, of the surfaces rules found (type, name, surface): a name
    typed once in a text is the same entity wherever the same word recurs there."""
    out: list[Candidate] = []
    seen = set()
    for type_, name, surface in found:
        if surface in seen or " " in surface and len(surface) > 60:
            continue
        seen.add(surface)
        for m in _surface_regex(surface).finditer(text):
            if taken.find(1, m.start(), m.end()) == -1:
                out.append((m.start(), m.end(), type_, name, "rule:repeat"))
    return out

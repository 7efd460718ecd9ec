"""Text and regex machinery behind `ingest.entities`: typographic folding, URL spans,
trie-shaped name regexes and the lower-cased prefilter for ID patterns.

Kept apart from the matcher so each module stays small; nothing here knows about the
configuration format.
"""

from __future__ import annotations

import re

# One-for-one character replacements (so offsets stay valid): dash and space variants,
# curly quotes. Applied to a working copy of the text; mentions keep the original surface.
TYPOGRAPHIC = str.maketrans({
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2212": "-", "\ufe63": "-",
    "\uff0d": "-", "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u202f": " ", "\u2002": " ",
    "\u2003": " ", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
})

# Lower-casing that keeps every offset (str.lower() can change the length, e.g. "İ"): the
# case-insensitive names are matched case-sensitively in this copy, which is much faster.
LOWER = str.maketrans({c: c.lower() for c in map(chr, range(0x250))
                        if c.lower() != c and len(c.lower()) == 1})


def lower(text: str) -> str:
    """`text` lower-cased by `LOWER` (offset for offset): str.lower() when the text is
    ASCII, where the two agree and lower() is about ten times faster."""
    return text.lower() if text.isascii() else text.translate(LOWER)

_URL_END = r"""[^\s<>"'()\[\]{}]*"""
# URLs with a scheme or www., found by their literal start.
_SCHEMED = re.compile(rf"(?:https?|ftp)://{_URL_END}|www\.{_URL_END}")
# Bare hosts ("dmtn-208.lsst.io", "ls.st/LDM-503", "someone@lsst.org") are found by their
# top-level domain and widened to the whole token and any path after it.
_TLD = re.compile(r"\.(?:io|org|com|net|edu|gov|st|cloud|dev|fr|uk|cl|app)(?![\w-])")
_HOST_LEFT = re.compile(r"[\w.@+-]+\Z")
_PATH = re.compile(rf"/{_URL_END}")


def prefilter(regexes: list[str], before: str = "") -> tuple[re.Pattern | None, frozenset[int]]:
    """The lower-cased union of the ID patterns, for scanning lower-cased text, and the
    indexes of the patterns left out of it (those `_lowered_source` cannot rewrite).

    `before` is a look-behind every pattern starts with (the matcher's ID boundary): put
    in front of the union it rejects most positions (those inside a word) before the
    alternatives are tried, about 5x faster on report text, and finds the same starts."""
    parts, left_out = [], set()
    for i, source in enumerate(regexes):
        lowered = _lowered_source(source)
        if lowered is None:
            left_out.add(i)
        else:
            parts.append(f"(?:{lowered})")
    if not parts:
        return None, frozenset(left_out)
    try:
        return re.compile(before + "(?:" + "|".join(parts) + ")"), frozenset(left_out)
    except re.error:
        return None, frozenset(range(len(regexes)))


_NAMED_GROUP = re.compile(r"(?<!\\)\(\?P<\w+>")
# Regex syntax whose meaning lower-casing could change: character escapes by code or name
# (\x41 is "A"), back-references, inline flags and other (?...) extensions.
_NOT_LOWERABLE = re.compile(r"\\[xuUN0-9]|\(\?(?![:=!]|<[=!])")


def _lowered_source(source: str) -> str | None:
    """`source` with named groups unnamed and literal letters lower-cased (escapes such as
    \\d, \\S kept), or None when that might not match a superset on lower-cased text."""
    source = _NAMED_GROUP.sub("(?:", source)
    if _NOT_LOWERABLE.search(source):
        return None
    out, i = [], 0
    while i < len(source):
        if source[i] == "\\":
            out.append(source[i:i + 2])
            i += 2
        else:
            out.append(source[i].lower())
            i += 1
    return "".join(out)


def url_spans(text: str):
    """(start, end) of each URL, e-mail address and bare host/path token in `text`."""
    if "://" in text or "www." in text:  # what every scheme-or-www URL has
        for m in _SCHEMED.finditer(text):
            yield m.span()
    for m in _TLD.finditer(text):
        start = m.start()
        if start == 0 or not (text[start - 1].isalnum() or text[start - 1] in "_-"):
            continue
        left = _HOST_LEFT.search(text, max(0, start - 256), start)
        path = _PATH.match(text, m.end())
        yield left.start(), path.end() if path else m.end()


def name_matches(regex: re.Pattern, text: str):
    """The longest name starting at each word start, including names that start inside
    another match (so "DOE/NSF Joint Status Review" yields the long name and the inner
    ones, and overlap resolution can pick). `finditer` alone would skip those.

    (`matches_at` finds the same matches faster when every name starts with a word
    character.)"""
    for m in regex.finditer(text):
        yield m
        for inner in _WORD_START.finditer(text, m.start() + 1, m.end()):
            again = regex.match(text, inner.start())
            if again:
                yield again


_WORD_START = re.compile(r"(?<!\w)\w")
WORD = re.compile(r"\w+")


# Flags of `word_starts` vocabularies: which trie regex may match at a word. One pass over
# the words of a text serves the gazetteer and the open-class rules' word lists.
NAME_CASED, NAME_ANY_CASE, HEAD, SOFTWARE, CUE, UNIVERSITY, AT = 1, 2, 4, 8, 16, 32, 64


def leading_words(keys) -> frozenset[str] | None:
    """The leading run of word characters of each key, or None if a key starts with
    another character (a `trie_regex` of such keys can match inside a word)."""
    out = set()
    for key in keys:
        m = WORD.match(key)
        if m is None:
            return None
        out.add(m.group())
    return frozenset(out)


def vocabulary(keys, flag: int, cased: bool) -> dict[str, int] | None:
    """The `word_starts` vocabulary of a `trie_regex` of `keys`: the lower-cased (`LOWER`)
    leading word of each key, mapped to `flag`; `cased` when the regex scans the text as
    written (its keys in any case), not the lower-cased copy. None when a key starts with
    a non-word character."""
    words = leading_words(keys)
    if words is None:
        return None
    return {(w.translate(LOWER) if cased else w): flag for w in words}


def merge(*vocabularies: dict[str, int]) -> dict[str, int]:
    """One vocabulary with the flags of all of `vocabularies`."""
    out: dict[str, int] = {}
    for v in vocabularies:
        for word, flag in v.items():
            out[word] = out.get(word, 0) | flag
    return out


def word_starts(lowered: str, vocabulary: dict[str, int]) -> list[tuple[int, int]]:
    """(start, flags) of each word of `lowered` (a maximal run of word characters of the
    `LOWER`ed text) that `vocabulary` maps to non-zero flags.

    A `trie_regex` of keys that start with word characters can only match at a word
    start whose run of word characters is some key's leading run: it matches those
    characters literally, and what follows them in a key is a non-word character or the
    key's end (where the regex wants no word character). So one pass over the words with
    a dictionary finds where each of several such regexes can match, and each is tried
    there alone (`matches_at`, `scan_at`), for the cost of one tokenisation instead of one
    regex scan per word list. `LOWER` keeps offsets and word characters, so the starts hold
    for the text as written too."""
    get = vocabulary.get
    return [(m.start(), f) for m in WORD.finditer(lowered) if (f := get(m.group()))]


def matches_at(regex: re.Pattern, text: str, starts: list[tuple[int, int]], flag: int) -> list[re.Match]:
    """What `name_matches(regex, text)` gives (a match at every word start), for a regex
    of keys whose `vocabulary` gave `flag` to `starts`."""
    return [m for p, f in starts if f & flag and (m := regex.match(text, p))]


def scan_at(regex: re.Pattern, text: str, starts: list[tuple[int, int]], flag: int):
    """What `regex.finditer(text)` gives (matches that do not overlap, leftmost first),
    for a regex of keys whose `vocabulary` gave `flag` to `starts`."""
    end = 0
    for p, f in starts:
        if f & flag and p >= end:
            m = regex.match(text, p)
            if m is not None:
                end = m.end()
                yield m


def trie_regex(keys) -> re.Pattern | None:
    """One regex matching the longest of `keys` that starts at a word start.

    The alternatives form a trie (shared prefixes written once) so the engine's work per
    position does not grow with the number of names, and the pattern starts with a plain
    character set, which lets `re` skip quickly to positions where some name can begin.
    """
    if not keys:
        return None
    root: dict = {}
    for key in keys:
        node = root
        for token in key:
            node = node.setdefault(token, {})
        node[""] = {}
    return re.compile(_emit(root, None))


def _emit(node: dict, previous: str | None) -> str:
    alternatives = []
    for token in sorted(t for t in node if t):
        if token == " ":
            piece = r"\s+"
        else:
            piece = re.escape(token)
            if previous is None and _is_word(token):
                # after the first character, so the pattern still starts with a literal:
                # "the character before this one is not a word character"
                piece += r"(?<!\w\w)"
        alternatives.append(piece + _emit(node[token], token))
    if "" in node:
        # the end of a name: on a word boundary if the name ends in a word character
        alternatives.append(r"(?!\w)" if _is_word(previous) else "")
    if len(alternatives) == 1:
        return alternatives[0]
    return "(?:" + "|".join(alternatives) + ")"


def _is_word(token: str | None) -> bool:
    return token is not None and (token.isalnum() or token == "_")

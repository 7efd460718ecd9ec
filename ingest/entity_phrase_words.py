"""Words and text tests shared by the phrase rules (`ingest.entity_phrases`,
`ingest.entity_rare`): the nouns that type a name beside them, the words no rule takes as a
name, name tokens, and cheap tests of the text around a position (a sentence start, a
capital before or after, a heading line), written with string methods rather than backward
regexes because they run at every candidate."""

from __future__ import annotations

import re
from functools import lru_cache

from ingest.entity_freq import zipf_of as zipf  # one frequency table per process
from ingest.entity_words import GENERIC_UNITS, HOSTS, LANGUAGES, MONTHS, STOP

Candidate = tuple[int, int, str, str, str]  # start, end, type, name, via

# Nouns that say what the name beside them is (singular; a plural "s" is stripped).
_KINDS: dict[str, str] = {}
for _type, _words in (
        ("system", "tool library package module service server app application viewer renderer "
                   "matcher fitter solver scheduler loader operator broker wrapper plugin hook "
                   "script dashboard framework engine client daemon monitor machine computer "
                   "supercomputer instrument camera spectrograph photometer telescope database "
                   "store queue frontend backend bot utility parser generator linter formatter "
                   "editor browser portal exporter agent controller page website program "
                   "replacement successor prototype classifier simulator emulator pipeline proxy fork "
                   "runtime orchestrator registry bridge checker"),
        ("dataset", "table catalog catalogue dataset run simulation sample release reprocessing "
                    "mock product collection set"),
        ("meeting", "workshop conference meeting review hackathon bootcamp"),
        ("organization", "institute lab laboratory university company vendor consortium")):
    for _w in _words.split():
        _KINDS[_w] = _type

# Words no rule here takes as a name.
NOT_NAME = frozenset(STOP) | frozenset(MONTHS) | HOSTS | LANGUAGES | GENERIC_UNITS | frozenset(
    "It Its Them They We Us He She His Her Our Their You I Dr Mr Ms Mrs Prof".split())
DETERMINERS = frozenset("a an the its our their this that these those new another one two three "
                         "four five several some each every".split())

# A name token: a word with inner dots, hyphens, underscores, @ or + ("baseline_v5.1",
# "ingress-nginx", "LSST@Europe7"); a final period is the sentence's.
TOKEN = r"[A-Za-z0-9](?:[\w@+]|[.-](?=\w))*"
_CAP_RUN = r"[A-Z](?:[\w@+]|[.-](?=\w))*(?:[ \t]+[A-Z](?:[\w@+]|[.-](?=\w))*){0,2}"
NAME = rf"(?:{_CAP_RUN}|{TOKEN})"


# ------------------------------------------------------------------ word tests
# A lower-case word these rules take must be one English does not use at all (Zipf below
# 1: "mypy", "towncrier"); rare English words ("checksums" 1.7, "docents" 1.8, "matcher"
# 1.7) are jargon far more often than products.
_UNSEEN = 1.0


@lru_cache(maxsize=65_536)  # a pure function of the word, asked again in every text
def lower_name(word: str) -> bool:
    """A lower-case word can be a name when English does not use it or it is shaped like a
    package (snake_case, digits, a hyphen with an unseen part)."""
    if "_" in word or any(c.isdigit() for c in word):
        return sum(c.isalpha() for c in word) >= 3  # "h5py", not "w.2022.04"
    return any(zipf(part) < _UNSEEN for part in word.split("-"))


# A survey release written like an ID ("Gaia-DR3", "SDSS-V") is no mention (§6), and an ID
# no pattern knows ("DM-12345" in another organisation's reports) is no name.
RELEASE_ID = re.compile(r"[A-Za-z]+-(?:DR\d+|[IVX]+|\d+[A-Za-z]?)\Z")


def plausible(name: str, shaped_ok: bool = False) -> bool:
    """Whether `name` (one token or a short run of capitalised words) could be a name."""
    words = name.split()
    if not words or words[0] in NOT_NAME or words[-1] in NOT_NAME or RELEASE_ID.match(name):
        return False
    if len(words) == 1:
        word = words[0]
        if word[0].islower():
            return (shaped_ok and ("-" in word or "_" in word)) or lower_name(word)
        return len(word) > 1
    return all(w[0].isupper() or w[0].isdigit() for w in words)


def person_like(words: list[str]) -> bool:
    """Two or three plain capitalised words ("Petra Novak"): read as a person's name."""
    return 2 <= len(words) <= 3 and all(w[:1].isupper() and w[1:].islower() and w.isalpha() for w in words)


def heading_line(text: str, pos: int) -> bool:
    """Whether the line holding `pos` is a short line without closing punctuation."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start:end if end >= 0 else len(text)].strip()
    return bool(line) and len(line.split()) <= 6 and line[-1] not in ".,;:!?)"


def kind(words: list[str]) -> str | None:
    """The type the noun phrase `words` gives: its last word, or the word before "of"."""
    if not words:
        return None
    if "of" in words:
        i = words.index("of")
        words = words[:i]
    return kind_of(words[-1]) if words else None


KIND_FORMS = frozenset(f for w in _KINDS for f in (w, w + "s", w + "es", w.capitalize(), w.capitalize() + "s"))


def kind_of(word: str) -> str | None:
    word = word.lower()
    found = _KINDS.get(word)
    if found is None and word.endswith("s"):
        found = _KINDS.get(word[:-1]) or (_KINDS.get(word[:-2]) if word.endswith("es") else None)
    return found


TOKEN_FULL = re.compile(rf"{TOKEN}\Z")


def tail_words(text: str, pos: int, limit: int, span: int = 90) -> list[tuple[int, str]]:
    """The last `limit` words (split at white space) before `pos`, in the same paragraph,
    as (start, word), nearest last; found with string methods, not a backward regex."""
    lo = max(0, pos - span)
    chunk = text[lo:pos]
    cut = chunk.rfind("\n\n")
    if cut >= 0:
        lo, chunk = lo + cut + 2, chunk[cut + 2:]
    words = chunk.split()
    out: list[tuple[int, str]] = []
    end = len(chunk)
    for word in reversed(words[-limit:] if limit < len(words) else words):
        start = chunk.rfind(word, 0, end)
        if start == 0 and lo > 0 and not text[lo - 1].isspace():
            break  # a word cut by the window
        out.append((lo + start, word))
        end = start
    out.reverse()
    return out


_SENTENCE_END = re.compile(r"(?:^|[.!?:;]\s+|\n\s*(?:[-*\u2022]\s+)?)\Z")


def sentence_start(text: str, start: int) -> bool:
    return _SENTENCE_END.search(text, max(0, start - 4), start) is not None


def word_before(text: str, pos: int) -> tuple[int, str] | None:
    """(start, word) of the name token that ends exactly at `pos`, or None."""
    start = pos
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_@+.-"):
        start -= 1
    while start < pos and text[start] in ".-":
        start += 1
    word = text[start:pos]
    return (start, word) if word and TOKEN_FULL.match(word) else None


def starts_word(text: str, start: int) -> bool:
    return start == 0 or not (text[start - 1].isalnum() or text[start - 1] in "_.@+-")


PLURAL = re.compile(r"[^sui]s\Z")


_LONE_BREAK = re.compile(r"(?<!\n)\n(?!\n|[ \t]*[-*\u2022][ \t])")


def wrapped(text: str) -> str:
    """`text` with the line breaks inside its paragraphs as spaces (offsets kept): rules
    that read a phrase read it across the wrap of a line ("drawn with Bokeh and" /
    "Altair"); paragraph breaks and list items stay breaks."""
    if "\n" not in text:
        return text
    if "\n\n" not in text and "\n-" not in text and "\n*" not in text and "\n\u2022" not in text \
            and "\n " not in text and "\n\t" not in text:
        return text.replace("\n", " ")  # (most texts: one paragraph, no list)
    return _LONE_BREAK.sub(" ", text)


def LOWER_FORM(word: str) -> re.Pattern:
    return re.compile(r"(?<![\w-])" + re.escape(word[0].lower() + word[1:]) + r"(?![\w-])")


def written_lower(text: str, word: str) -> bool:
    """Whether `text` writes `word` with a lower-case initial (`LOWER_FORM`) somewhere: a
    string search first, as most texts do not hold the lower-case form at all."""
    return word[0].lower() + word[1:] in text and LOWER_FORM(word).search(text) is not None


# Frequencies (wordfreq's, a share of all words) below which a word's Zipf value is under
# `_UNSEEN` (1.0) and under the cue rule's RARE (2.5): compared without a logarithm.
F_UNSEEN = 10 ** (_UNSEEN - 9)
F_RARE = 10 ** (2.5 - 9)
_FREQ: dict[str, float] = {}


def frequencies() -> dict[str, float]:
    if not _FREQ:
        _FREQ.update(_known_words())
    return _FREQ


def plain_capital(word: str) -> bool:
    """A capitalised word not shaped like a name already (no digits, one capital)."""
    core = word.replace("-", "").replace("_", "")
    return not any(c.isdigit() for c in core) and sum(c.isupper() for c in core) < 2


def _known_words() -> dict[str, float]:
    from ingest.entity_freq import _frequencies

    return _frequencies()


@lru_cache(maxsize=65_536)  # a pure function of the word: a coined name recurs all through a text
def english_compound(word: str) -> bool:
    """Whether `word` is made of English words, as coined product names are ("Mattermost",
    "Opsgenie", "Nightbook", "Quasarwatch"): two common words, or a common word of four
    letters or more after three letters or more. Given names and surnames of other languages
    that English has never seen ("Oyelaran", "Dagmara") are not."""
    low = word.lower()
    for i in range(3, len(low) - 2):
        head, tail = low[:i], low[i:]
        if zipf(tail) >= 3.0 and (zipf(head) >= 3.0 or len(tail) >= 4 and zipf(tail) >= 3.5):
            return True
    return False


def next_is_capital(text: str, end: int) -> bool:
    """Whether the next word (same line) is capitalised: "Hiroshi Tanaka"."""
    i = end
    while i < len(text) and text[i] in " \t":
        i += 1
    return i > end and i < len(text) and text[i].isupper()


def capital_before(text: str, start: int) -> bool:
    """Whether the word before (same line) is capitalised and not a stop word."""
    i = start - 1
    if i < 0 or text[i] not in " \t":
        return False
    while i >= 0 and text[i] in " \t":
        i -= 1
    j = i
    while j >= 0 and not text[j].isspace():
        j -= 1
    word = text[j + 1:i + 1]
    # ("Nextcloud. Mattermost was tried": a sentence ends between them)
    return bool(word) and word[0].isupper() and word not in NOT_NAME and word[-1] not in ".,;:!?)"


def determiner_before(text: str, start: int) -> bool:
    m = re.search(r"(?<![\w-])([A-Za-z]+)[ \t]+\Z", text[max(0, start - 16):start])
    return m is not None and m.group(1).lower() in DETERMINERS


# ------------------------------------------------------------------ compounds, agents
TITLE = re.compile(r"[ \t]+(?P<w>[A-Z](?:[\w+]|[.-](?=\w))*)(?![\w@+-]|\.\w)")
LOWER_NEXT = re.compile(r"[ \t]+[a-z]")


def prev_word_capital(text: str, end: int) -> bool:
    """Whether the word ending at `end` (after a space, on the same line) starts with a
    capital."""
    start = text.rfind(" ", max(0, end - 40), end) + 1
    if start == 0:
        start = max(0, end - 40)
    nl = text.rfind("\n", start, end)
    if nl >= 0:
        start = nl + 1
    return start < end and text[start].isupper()


def extends(word: str, stop_heads: frozenset[str]) -> bool:
    if word in NOT_NAME and word not in _PRODUCT_UNITS:
        return False
    return word not in stop_heads and not word.isdigit()


# Generic units that do end a product's name ("GitLab CI"); "API", "UI" describe one.
_PRODUCT_UNITS = GENERIC_UNITS - frozenset("API UI UX Science Software Engineering".split())

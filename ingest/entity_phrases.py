"""Open-class rules over the phrase a name sits in, and over words English does not know.

`ingest.entity_rules` finds names by their head noun, their shape and the cue words next to
them; these rules add what the phrase around a name says (conventions §6 types):

- ``rule:apposition``: a name set off by commas after a noun that says what it is, or a
  noun phrase after a name: "a faster spatial matcher, Kestrel," / "its new machine,
  Aurora." / "A smaller run, twilight_neo_v2," (a data set) / "baseline_v5.1, the new
  survey simulation," / "two more brokers, Starling and Quasarwatch,";
- ``rule:compound``: a product name of several capitalised words, one of them a software
  name already (configured or shaped like software): "Grafana Tempo", "GitLab CI",
  "PyTorch Lightning", "OpenSearch Dashboards" (the whole name, not the name inside it);
- ``rule:agent``: a capitalised phrase after an article whose last word names a machine by
  what it does ("the Collimated Beam Projector", "the Central Output Writer"); people's
  roles ("the Project Manager") are not machines;
- ``rule:rare``: a word that English does not use (by `wordfreq`), where software is
  written: after "with", "by", "via", "using", "through" ("tested with nbmake", "pages the
  engineer through Opsgenie"), before "was adopted", "was switched off"; a capitalised
  word English has never seen but made of English words ("Mattermost", "Opsgenie") needs no
  context at all, unless it stands next to another capitalised word (a person: "Ingrid
  Solheim"); names of other languages English has never seen ("Oyelaran") are not taken;
- ``rule:list`` (after the other rules have settled): the other members of a list that
  holds a system or a data set ("healpy, fitsio and treecorr", "polars instead of
  pandas"), when each member could be a name on its own.

Hard negatives stay out: stop words, months, the ubiquitous hosts, programming languages and
generic units never make a name; a word next to another capitalised word after "by" or
"to" is a person's name; a lower-case word must be rare in English (or shaped like a
package: ``cbp-plot``, ``twilight_neo_v2``); heading lines never start a phrase.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.entity_cues import _zipf as zipf  # one frequency table per process
from ingest.entity_cues import word_bonus
from ingest.entity_regex import LOWER, word_starts
from ingest.entity_words import GENERIC_UNITS, HOSTS, LANGUAGES, MONTHS, STOP
from ingest.model import Mention

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
                   "replacement successor prototype classifier simulator emulator pipeline"),
        ("dataset", "table catalog catalogue dataset run simulation sample release reprocessing "
                    "mock product collection set"),
        ("meeting", "workshop conference meeting review hackathon bootcamp"),
        ("organization", "institute lab laboratory university company vendor consortium")):
    for _w in _words.split():
        _KINDS[_w] = _type

# Words no rule here takes as a name.
_NOT_NAME = frozenset(STOP) | frozenset(MONTHS) | HOSTS | LANGUAGES | GENERIC_UNITS | frozenset(
    "It Its Them They We Us He She His Her Our Their You I Dr Mr Ms Mrs Prof".split())
_DETERMINERS = frozenset("a an the its our their this that these those new another one two three "
                         "four five several some each every".split())

# A name token: a word with inner dots, hyphens, underscores, @ or + ("baseline_v5.1",
# "ingress-nginx", "LSST@Europe7"); a final period is the sentence's.
_TOKEN = r"[A-Za-z0-9](?:[\w@+]|[.-](?=\w))*"
_CAP_RUN = rf"[A-Z](?:[\w@+]|[.-](?=\w))*(?:[ \t]+[A-Z](?:[\w@+]|[.-](?=\w))*){{0,2}}"
_NAME = rf"(?:{_CAP_RUN}|{_TOKEN})"


# ------------------------------------------------------------------ word tests
# A lower-case word these rules take must be one English does not use at all (Zipf below
# 1: "mypy", "towncrier"); rare English words ("checksums" 1.7, "docents" 1.8, "matcher"
# 1.7) are jargon far more often than products.
_UNSEEN = 1.0


def _lower_name(word: str) -> bool:
    """A lower-case word can be a name when English does not use it or it is shaped like a
    package (snake_case, digits, a hyphen with an unseen part)."""
    if "_" in word or any(c.isdigit() for c in word):
        return sum(c.isalpha() for c in word) >= 3  # "h5py", not "w.2022.04"
    return any(zipf(part) < _UNSEEN for part in word.split("-"))


# A survey release written like an ID ("Gaia-DR3", "SDSS-V") is no mention (§6), and an ID
# no pattern knows ("DM-12345" in another organisation's reports) is no name.
_RELEASE_ID = re.compile(r"[A-Za-z]+-(?:DR\d+|[IVX]+|\d+[A-Za-z]?)\Z")


def _plausible(name: str, shaped_ok: bool = False) -> bool:
    """Whether `name` (one token or a short run of capitalised words) could be a name."""
    words = name.split()
    if not words or words[0] in _NOT_NAME or words[-1] in _NOT_NAME or _RELEASE_ID.match(name):
        return False
    if len(words) == 1:
        word = words[0]
        if word[0].islower():
            return (shaped_ok and ("-" in word or "_" in word)) or _lower_name(word)
        return len(word) > 1
    return all(w[0].isupper() or w[0].isdigit() for w in words)


def _person_like(words: list[str]) -> bool:
    """Two or three plain capitalised words ("Petra Novak"): read as a person's name."""
    return 2 <= len(words) <= 3 and all(w[:1].isupper() and w[1:].islower() and w.isalpha() for w in words)


def _heading_line(text: str, pos: int) -> bool:
    """Whether the line holding `pos` is a short line without closing punctuation."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start:end if end >= 0 else len(text)].strip()
    return bool(line) and len(line.split()) <= 6 and line[-1] not in ".,;:!?)"


def _kind(words: list[str]) -> str | None:
    """The type the noun phrase `words` gives: its last word, or the word before "of"."""
    if not words:
        return None
    if "of" in words:
        i = words.index("of")
        words = words[:i]
    return _kind_of(words[-1]) if words else None


_KIND_FORMS = frozenset(f for w in _KINDS for f in (w, w + "s", w + "es", w.capitalize(), w.capitalize() + "s"))


def _kind_of(word: str) -> str | None:
    word = word.lower()
    found = _KINDS.get(word)
    if found is None and word.endswith("s"):
        found = _KINDS.get(word[:-1]) or (_KINDS.get(word[:-2]) if word.endswith("es") else None)
    return found


# ------------------------------------------------------------------ appositions
_APPO_AFTER = re.compile(
    rf",\s+(?P<names>{_NAME}(?:,\s+{_NAME})*(?:,?\s+and\s+{_NAME})?)"
    r"(?=[,.;:)]|[ \t]+(?:which|that|is|was|were|are|now|has|had|will|written|built|made|runs|"
    r"copies|makes|keeps|tells|draws|picks|reads|holds)\b)")
_APPO_BEFORE = re.compile(
    r",[ \t]+(?P<det>a|an|the|our|its|their)[ \t]+(?P<np>(?:[\w-]+[ \t]+){0,3}?[a-z][a-z-]+)"
    r"(?=[,.;:]|[ \t]+(?:that|which|for|built|written|used|from|of|with)\b)")
_COMMA = re.compile(r",\s")


def _last_words(text: str, separator: str) -> set[str]:
    """The word before each `separator` in `text`."""
    return {w[-1] for chunk in text.split(separator)[:-1] if (w := chunk[-30:].split())}
_APPO_LEAD = re.compile(r", (?:a|an|the|our|its|their) ")
_SPLIT_NAMES = re.compile(rf",\s+|,?\s+and\s+")


_TOKEN_FULL = re.compile(rf"{_TOKEN}\Z")


def _tail_words(text: str, pos: int, limit: int, span: int = 90) -> list[tuple[int, str]]:
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


def _noun_phrase(text: str, comma: int) -> str | None:
    """The type the noun phrase ending at `comma` gives, when it starts with a determiner
    ("a faster spatial matcher", "A reprocessing of the COSMOS field")."""
    words = _tail_words(text, comma, 7)
    if not words:
        return None
    plain = [w for _, w in words]
    if _kind_of(plain[-1]) is None and "of" not in plain:
        return None  # most commas: decided without looking further back
    for i in range(len(plain) - 2, -1, -1):
        word = plain[i]
        if word[-1] in ".,;:!?)(":
            return None
        if word.lower() in _DETERMINERS:
            return _kind(plain[i + 1:])
    return None


def _name_before(text: str, comma: int) -> tuple[int, str] | None:
    """The name just before `comma`: one token, or up to three capitalised words on one line
    after any stop word ("The Nightly Health Report" -> "Nightly Health Report")."""
    words = _tail_words(text, comma, 3)
    if not words or words[-1][0] + len(words[-1][1]) != comma or not _TOKEN_FULL.match(words[-1][1]):
        return None
    start, name = words[-1]
    if name[0].isupper():
        for prev_start, prev in reversed(words[:-1]):
            if not prev[0].isupper() or prev in _NOT_NAME or not _TOKEN_FULL.match(prev) \
                    or "\n" in text[prev_start:start]:
                break
            start, name = prev_start, text[prev_start:comma]
    return start, " ".join(name.split())


def appositions(text: str) -> Iterator[Candidate]:
    """Names set off by commas next to a noun that types them (``rule:apposition``)."""
    # the noun before the comma (or before "of") types the names after it: without one of
    # the lexicon's nouns there, no comma needs a look
    forward = not _KIND_FORMS.isdisjoint(_last_words(text, ", ")) or ",\n" in text and \
        not _KIND_FORMS.isdisjoint(_last_words(text, ",\n")) or \
        " of " in text and not _KIND_FORMS.isdisjoint(_last_words(text, " of "))
    for comma in (_COMMA.finditer(text) if forward else ()):
        at = comma.start()
        # the noun before the comma types the names after it: most commas stop here
        before = text[max(0, at - 60):at]
        word = before[max(before.rfind(" "), before.rfind("\n")) + 1:]
        if _kind_of(word) is None and " of " not in before:
            continue
        m = _APPO_AFTER.match(text, at)
        if m is None:
            continue
        type_ = _noun_phrase(text, at)
        if type_ is None:
            continue
        names = m.group("names")
        base = m.start("names")
        for part in _split(names, base):
            start, end, name = part
            words = name.split()
            if type_ in ("organization", "meeting") and len(words) > 1:
                continue  # "the new group, Maya Lindqvist and ...": people
            if _plausible(name, shaped_ok=True):
                yield start, end, type_, name, "rule:apposition"
    for lead in _APPO_LEAD.finditer(text):
        # ", the new survey simulation," : a noun of the lexicon within four words
        if not any(_kind_of(w.strip(",.;:")) for w in text[lead.end():lead.end() + 50].split()[:4]):
            continue
        m = _APPO_BEFORE.match(text, lead.start())
        if m is None:
            continue
        type_ = _kind(m.group("np").split())
        if type_ is None:
            continue
        before = _name_before(text, m.start())
        if before is None:
            continue
        start, name = before
        if name[0].isupper() and " " not in name and _sentence_start(text, start):
            continue  # "Overall, the ...": a sentence-initial word
        if _plausible(name, shaped_ok=True):
            yield start, m.start(), type_, name, "rule:apposition"


def _split(names: str, base: int) -> Iterator[tuple[int, int, str]]:
    pos = 0
    for sep in _SPLIT_NAMES.finditer(names):
        yield base + pos, base + sep.start(), names[pos:sep.start()]
        pos = sep.end()
    yield base + pos, base + len(names), names[pos:]


_SENTENCE_END = re.compile(r"(?:^|[.!?:;]\s+|\n\s*(?:[-*\u2022]\s+)?)\Z")


def _sentence_start(text: str, start: int) -> bool:
    return _SENTENCE_END.search(text, max(0, start - 4), start) is not None


# ------------------------------------------------------------------ rare words in context
# The prepositions, participles and data nouns these rules start from are found by the
# matcher's one pass over the words of a text (`entity_regex.word_starts`, `PHRASE_WORDS`),
# and each regex is tried only there, not scanned over the text.
_PARTICIPLES = ("adopted deployed installed upgraded retired tried configured patched switched turned "
                "enabled disabled containerised containerized pinned vendored forked packaged evaluated "
                "benchmarked dropped deprecated").split()
# What may stand between the subject and the participle ("Dependabot was switched off").
_AUXILIARIES = tuple(f" {aux} {adv}" for aux in ("is", "was", "were", "are", "has been", "have been", "will be")
                     for adv in ("", "now ", "also ", "then ", "first "))
_PARTICLE_AFTER = {"switched": (" off", " on"), "turned": (" off",)}
_DATA_WORDS = ("table", "tables", "images", "coadds", "mosaics", "light", "spectra")
_DATA_NOUN = re.compile(r"(?:tables?|images|coadds|mosaics|light +curves|spectra)(?![\w-])")
# Flags of `PHRASE_WORDS` (bits above those of `entity_regex`, which uses 1..64).
PASSIVE, DATA = 1 << 13, 1 << 14
#: The words where a phrase rule starts, for `entity_regex.word_starts`.
# (Not the prepositions: words as frequent as "with" and "by" would lengthen every rule's
# list of starts; they are found by a scan of their own, `_PREP_SCAN`.)
PHRASE_WORDS: dict[str, int] = {**{w: PASSIVE for w in _PARTICIPLES}, **{w: DATA for w in _DATA_WORDS}}
_PREP_SCAN = re.compile(rf" (?:[Ww]ith|by|via|using|through) +({_TOKEN})(?![\w@+-])")
_SEEN_WORDS: set[str] = set()  # words after a preposition that English uses: never again
_CAP_WORD = re.compile(r"[A-Z][a-z]{3,}(?![\w@+-]|\.\w)")  # (an apostrophe may follow)


def _passive_subject(text: str, pos: int) -> tuple[int, str] | None:
    """The subject of the participle at `pos` ("hipscat" in "hipscat was adopted"), or None
    when no auxiliary stands before it."""
    word = text[pos:pos + 16].split(" ", 1)[0].lower()
    particle = _PARTICLE_AFTER.get(word)
    if particle is not None and not text.startswith(particle, pos + len(word)):
        return None
    lo = max(0, pos - 20)
    for aux in _AUXILIARIES:
        if text.endswith(aux, lo, pos):
            return _word_before(text, pos - len(aux))
    return None


def _word_before(text: str, pos: int) -> tuple[int, str] | None:
    """(start, word) of the name token that ends exactly at `pos`, or None."""
    start = pos
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_@+.-"):
        start -= 1
    while start < pos and text[start] in ".-":
        start += 1
    word = text[start:pos]
    return (start, word) if word and _TOKEN_FULL.match(word) else None


def _starts_word(text: str, start: int) -> bool:
    return start == 0 or not (text[start - 1].isalnum() or text[start - 1] in "_.@+-")


_PLURAL = re.compile(r"[^sui]s\Z")


def _LOWER_FORM(word: str) -> re.Pattern:
    return re.compile(r"(?<![\w-])" + re.escape(word[0].lower() + word[1:]) + r"(?![\w-])")


def rare_words(text: str, starts: list[tuple[int, int]] = (),
               known: dict[tuple[int, int], str] | None = None) -> Iterator[Candidate]:
    """Words English does not use, where software is written, and coined words made of
    English ones (``rule:rare``); capitalised machines named by what they do after an
    article (``rule:agent``, found in the same pass over the capitalised words). `starts`:
    the `entity_regex.word_starts` of the text for a vocabulary that includes
    `PHRASE_WORDS`; `known`: the spans the configuration names (never coined names)."""
    freq = _table()
    rare = set()
    flat = text.replace("\n", " ") if "\n" in text else text  # same offsets, one kind of space
    for word in set(_PREP_SCAN.findall(flat)) - _SEEN_WORDS:
        f = freq.get(word.lower(), 0.0)
        if word[0].islower() and (f < _F_UNSEEN or not word.isalpha()) and _lower_name(word) \
                or word[0].isupper() and f < _F_RARE and _plain_capital(word):
            rare.add(word)
        elif len(_SEEN_WORDS) < 50_000:
            _SEEN_WORDS.add(word)
    for m in (_PREP_SCAN.finditer(flat) if rare else ()):
        word = m.group(1)
        if word not in rare or word[0].isupper() and m.group()[1:3].lower() in ("wi", "by"):
            continue  # "with Fischer", "chaired by Tanaka": people are worked with, led by
        if word in _NOT_NAME or word.isupper() or not word[0].isalpha() or _next_is_capital(text, m.end()):
            continue  # ("with 320 nodes")
        yield m.start(1), m.end(1), "system", word, "rule:rare"
    for pos, flags in starts:
        if flags & PASSIVE:
            found = _passive_subject(text, pos)
            if found is None:
                continue
            start, word = found
            if word in _NOT_NAME or word.isupper() or _determiner_before(text, start):
                continue
            least = 1 if _sentence_start(text, start) else 0  # "Authentication was enabled"
            if not (_lower_name(word) if word[0].islower() else (word_bonus(word) or 0) >= least):
                continue
            if word[0].isupper() and _capital_before(text, start):
                continue
            yield start, start + len(word), "system", word, "rule:rare"
    capitals = set()
    fresh = set(_CAP_WORD.findall(text)) - _SEEN_CAPITALS
    if fresh and known:
        fresh -= {text[a:b] for a, b in known}
    for word in fresh:
        if word not in _NOT_NAME and (word.endswith(("er", "or")) and word not in _NOT_AGENT
                                      or word.lower() not in freq):
            capitals.add(word)
        elif len(_SEEN_CAPITALS) < 50_000:
            _SEEN_CAPITALS.add(word)  # an English word, neither agent nor coined: never again
    if not capitals:
        return
    for m in _CAP_WORD.finditer(text):
        word = m.group()
        if word not in capitals:
            continue
        if word.endswith(("er", "or")) and word not in _NOT_AGENT and m.start() > 2 \
                and text[m.start() - 1] == " " and _prev_word_capital(text, m.start() - 1):
            agent = _agent(text, m.start(), m.end())
            if agent is not None:
                yield agent
                continue
        if word.lower() in freq or not _starts_word(text, m.start()) or word in _NOT_NAME \
                or _PLURAL.search(word) or not _english_compound(word):
            continue  # a plural ("Technotes") is a common noun of some jargon
        if _sentence_start(text, m.start()) and _LOWER_FORM(word).search(text):
            continue  # "Pyarrow ..." where the text writes pyarrow: a re-cased name
        if _next_is_capital(text, m.end()) or _capital_before(text, m.start()) or _heading_line(text, m.start()):
            continue
        yield m.start(), m.end(), "system", word, "rule:rare"


# Frequencies (wordfreq's, a share of all words) below which a word's Zipf value is under
# `_UNSEEN` (1.0) and under the cue rule's RARE (2.5): compared without a logarithm.
_F_UNSEEN = 10 ** (_UNSEEN - 9)
_F_RARE = 10 ** (2.5 - 9)
_FREQ: dict[str, float] = {}


_SEEN_CAPITALS: set[str] = set()  # capitalised English words met so far, neither agent nor coined


def _table() -> dict[str, float]:
    if not _FREQ:
        _FREQ.update(_known_words())
    return _FREQ


def _plain_capital(word: str) -> bool:
    """A capitalised word not shaped like a name already (no digits, one capital)."""
    core = word.replace("-", "").replace("_", "")
    return not any(c.isdigit() for c in core) and sum(c.isupper() for c in core) < 2


def _known_words() -> dict[str, float]:
    from ingest.entity_cues import _frequencies

    return _frequencies()


def _english_compound(word: str) -> bool:
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


def _next_is_capital(text: str, end: int) -> bool:
    """Whether the next word (same line) is capitalised: "Hiroshi Tanaka"."""
    i = end
    while i < len(text) and text[i] in " \t":
        i += 1
    return i > end and i < len(text) and text[i].isupper()


def _capital_before(text: str, start: int) -> bool:
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
    return bool(word) and word[0].isupper() and word not in _NOT_NAME and word[-1] not in ".,;:!?)"


def _determiner_before(text: str, start: int) -> bool:
    m = re.search(r"(?<![\w-])([A-Za-z]+)[ \t]+\Z", text[max(0, start - 16):start])
    return m is not None and m.group(1).lower() in _DETERMINERS


# ------------------------------------------------------------------ compounds, agents
_TITLE = re.compile(r"[ \t]+(?P<w>[A-Z](?:[\w+]|[.-](?=\w))*)(?![\w@+-]|\.\w)")
_LOWER_NEXT = re.compile(r"[ \t]+[a-z]")


def compounds(text: str, anchors: list[tuple[int, int]], known: dict[tuple[int, int], str],
              stop_heads: frozenset[str]) -> Iterator[Candidate]:
    """Product names of capitalised words after a software name (``rule:compound``): "Grafana
    Tempo", "GitLab CI", "PyData Sphinx Theme".

    `anchors` are spans of system names (configured or shaped like software), `known` every
    configured span, `stop_heads` the head nouns other rules type ("Team", "Service")."""
    starts: set[int] | None = None
    anchor_set: set[tuple[int, int]] = set()
    n = len(text)
    for a, b in anchors:
        # a capitalised word right after, on the same line (the cheap test first)
        if b + 1 >= n or text[b] != " " or not text[b + 1].isupper() or _heading_line(text, a):
            continue  # (phrase_candidates passes only anchors that pass it)
        if starts is None:  # built once, for the first anchor that needs them
            starts, anchor_set = {k[0] for k in known}, set(anchors)
        end, words = b, 0
        while words < 2:
            m = _TITLE.match(text, end)
            if m is None or not _extends(m.group("w"), stop_heads) or \
                    (m.start("w") in starts and (m.start("w"), m.end("w")) not in anchor_set):
                break
            if m.group("w").isupper() and _LOWER_NEXT.match(text, m.end("w")):
                break  # "Piff PSF models": an acronym that modifies the noun after it
            end, words = m.end("w"), words + 1
        if words:
            name = " ".join(text[a:end].split())
            parts = name.split()
            if _person_like(parts) and zipf(parts[-1]) > 0 and ((a, b) not in known or zipf(parts[0]) >= 2.5):
                continue  # "written by Petra Novak", "Jenkins Smith": a person, not a product
            if sum(1 for k in known if a <= k[0] and k[1] <= end) > 1:
                continue  # two configured names side by side stay two
            yield a, end, "system", name, "rule:compound"


def _prev_word_capital(text: str, end: int) -> bool:
    """Whether the word ending at `end` (after a space, on the same line) starts with a
    capital."""
    start = text.rfind(" ", max(0, end - 40), end) + 1
    if start == 0:
        start = max(0, end - 40)
    nl = text.rfind("\n", start, end)
    if nl >= 0:
        start = nl + 1
    return start < end and text[start].isupper()


def _extends(word: str, stop_heads: frozenset[str]) -> bool:
    if word in _NOT_NAME and word not in _PRODUCT_UNITS:
        return False
    return word not in stop_heads and not word.isdigit()


# Generic units that do end a product's name ("GitLab CI"); "API", "UI" describe one.
_PRODUCT_UNITS = GENERIC_UNITS - frozenset("API UI UX Science Software Engineering".split())


_AGENT_DETERMINERS = frozenset("the a an its our their this new".split())
# -er/-or words that name people, roles or ordinary things, not machines.
_NOT_AGENT = frozenset(
    "Manager Director Engineer Developer Officer Leader Member Owner Coordinator Speaker Reviewer "
    "Professor Lecturer Editor Advisor Adviser Supervisor Observer Founder Teacher Volunteer Partner "
    "Customer Worker Player Writer User Designer Programmer Researcher Astronomer Administrator "
    "Ambassador Mentor Author Investigator Contributor Maintainer Commissioner Minister Governor "
    "Senator Scholar Instructor Counselor Counsellor Inspector Auditor Consumer Provider Chancellor "
    "Controller Operator Doctor Actor Mayor Tutor Ranger Lawyer Farmer Officer Pioneer Engineer "
    "Center Number Paper Water Winter Summer Letter Order Error Floor Door Chamber Corner Power "
    "Tower Layer Header Matter Quarter Master Poster Character Register Folder Cover Border Factor "
    "Sector Mirror Vendor Major Minor Junior Senior Interior Exterior Other Either Rather Further "
    "Together Whether Under Over After Never Ever Corridor Honor Labor Weather Daughter Brother "
    "Mother Father Sister Monster Theater Dinner Silver River Finger Hunter Wonder Thunder Timber "
    "Cancer Super Offer Answer Transfer Barrier Carrier Banner Manner Career Meter Liter Litre "
    "Centre Semester Trimester Cluster Computer Color Colour Favor Favour Harbor Harbour Vapor "
    "Sponsor Donor Visitor Competitor Successor Predecessor Ancestor Neighbor Neighbour Traitor "
    "Creator Narrator Curator Translator Inventor Elevator Calculator Indicator Factor Anchor "
    "Organiser Organizer Convener Convenor Moderator Facilitator Presenter Trainer Planner Treasurer "
    "Helper Interviewer Examiner Commander Lecturer Supporter Subscriber Reader Viewer Listener".split())


def agent_noun(word: str) -> bool:
    """Whether `word` names a machine by what it does ("Writer", "Projector", "Autoscaler"):
    an -er/-or noun that is not a person's role or an ordinary thing."""
    return len(word) > 4 and word[0].isupper() and word.endswith(("er", "or")) and word not in _NOT_AGENT


def _agent(text: str, start: int, end: int) -> Candidate | None:
    """"the Collimated Beam Projector": a machine named by what it does (``rule:agent``), for
    the -er/-or word at [start, end)."""
    if _next_is_capital(text, end) or text[end:end + 1] == "-" or not _starts_word(text, start):
        return None
    before = _tail_words(text, start, 4, span=60)
    run: list[tuple[int, str]] = []
    for at, word in reversed(before):
        if word.lower() in _AGENT_DETERMINERS and run:
            break
        if not word[0].isupper() or len(run) == 3 or word in _NOT_NAME or "\n" in text[at:start]:
            return None
        run.append((at, word))
    else:
        return None  # no article before the run
    run.reverse()
    words = [w for _, w in run] + [text[start:end]]
    if any(not _TOKEN_FULL.match(w) for w in words) or _heading_line(text, run[0][0]):
        return None
    return run[0][0], end, "system", " ".join(words), "rule:agent"


# ------------------------------------------------------------------ lists
_SEP_AFTER = re.compile(
    rf"(?:,[ \t]+|,?[ \t]+(?:and|or|instead[ \t]+of|rather[ \t]+than|in[ \t]+favou?r[ \t]+of)[ \t]+)"
    rf"(?:the[ \t]+)?(?P<name>{_TOKEN})(?![\w@+-]|\.\w)")
_SEP_BEFORE = re.compile(
    rf"(?<![\w.@+-])(?P<name>{_TOKEN})(?:,[ \t]+|,?[ \t]+(?:and|or)[ \t]+)(?:the[ \t]+)?\Z")
_LISTED_TYPES = ("system", "dataset")
_LEFT_SEPARATORS = (", ", " and ", " or ", " and the ", " or the ", ", the ")
_RIGHT_SEPARATORS = (" and ", " or ", " instead of ", " rather than ", " in favour of ", " in favor of ")


def listed(text: str, mentions: list[Mention], taken: bytearray,
           rejected: frozenset[str] = frozenset()) -> list[Candidate]:
    """Members of a list that holds a system or a data set (``rule:list``): each member that
    could be a name on its own gets the listed member's type. `mentions` are the mentions
    settled so far; `taken` marks the characters they cover;
    `rejected` holds the (lower-cased) names a curator said are not entities.

    A lower-case member needs a real list: "X and y", "X instead of y", or three members
    or more ("healpy, fitsio and treecorr"); after a comma alone a lower-case word is more
    often an apposition or the end of a clause ("a faster matcher, KDMatch,")."""
    out: list[Candidate] = []
    if ", " not in text and " and " not in text and " or " not in text and " of " not in text:
        return out
    for mention in mentions:
        type_ = mention.type
        if type_ not in _LISTED_TYPES:
            continue
        start, end = mention.start, mention.end
        # most mentions stand in no list: two cheap tests before any regex
        if text[end:end + 1] != "," and not text.startswith(_RIGHT_SEPARATORS, end) \
                and not text.endswith(_LEFT_SEPARATORS, max(0, start - 9), start):
            continue
        members: list[tuple[int, int, str, bool]] = []  # start, end, name, joined by a word
        pos = end
        for _ in range(6):  # to the right, member after member
            if text[pos:pos + 1] not in (",", " "):
                break
            m = _SEP_AFTER.match(text, pos)
            if m is None:
                break
            a, b = m.span("name")
            if taken.find(1, a, b) != -1:
                members.append((a, b, "", True))
                pos = _mention_end(taken, a)
                continue
            if not _member(text, m.group("name"), a, b) or m.group("name").lower() in rejected:
                break
            members.append((a, b, m.group("name"), "," not in m.group()[:2] or m.group().strip(", ") != ""))
            pos = b
        pos = start
        for _ in range(6):  # to the left
            if not text.endswith(_LEFT_SEPARATORS, max(0, pos - 9), pos):
                break
            m = _SEP_BEFORE.search(text, max(0, pos - 60), pos)
            if m is None:
                break
            a, b = m.span("name")
            if taken.find(1, a, b) != -1 or not _member(text, m.group("name"), a, b) \
                    or m.group("name").lower() in rejected:
                break
            members.append((a, b, m.group("name"), True))
            pos = a
        long_list = len(members) >= 2
        last = max([end] + [b for _a, b, _n, _j in members])
        if members and _SHARED_NOUN.match(text, last):
            continue  # "the Notebook and Portal aspects": the list modifies a noun
        for a, b, name, _joined in members:
            if not name:
                continue
            if name[0].islower() and not long_list and not _WORD_JOIN.search(text, max(0, a - 30), a) \
                    and not _WORD_JOIN_AFTER.match(text, b):
                continue
            out.append((a, b, type_, name, "rule:list"))
    return out


# A plural noun right after a list: its members are modifiers ("Notebook and Portal aspects");
# a plural list takes a plural verb, so a word in -s there is a noun (is, was, has aside).
_SHARED_NOUN = re.compile(r"[ \t]+(?!(?:is|was|has|does)\b)[a-z]+[^s\W]s\b")
# A list joined by a word right before or after the member: "X and y", "y or X".
_WORD_JOIN = re.compile(r"(?<!,)[ \t]+(?:and|or|of|than)[ \t]+(?:the[ \t]+)?\Z")
_WORD_JOIN_AFTER = re.compile(r"[ \t]+(?:and|or)[ \t]+")


def _mention_end(taken: bytearray, pos: int) -> int:
    while pos < len(taken) and taken[pos]:
        pos += 1
    return pos


_VERB_AFTER = re.compile(r"[ \t]+(?:the|a|an|its|their|our|it|them|to)\b")


def _member(text: str, name: str, a: int, b: int) -> bool:
    """Whether a listed word could be a name of the list's type: capitalised (not at a
    sentence start, not half of a person's name) or a rare lower-case word (not a verb:
    "Rucio and retries the failed ones")."""
    if name in _NOT_NAME or name.isdigit() or _RELEASE_ID.match(name):
        return False
    if name[0].isupper():
        # an everyday word ("Qserv, Security and Networking") is no name by being listed
        return not _next_is_capital(text, b) and not _sentence_start(text, a) and len(name) > 1 \
            and (word_bonus(name) or 0) >= 0
    return _lower_name(name) and _VERB_AFTER.match(text, b) is None




def data_products(text: str, known: dict[tuple[int, int], str],
                  starts: list[tuple[int, int]] = ()) -> Iterator[Candidate]:
    """A name shaped like a product before a noun of data ("the MatchedVisitSource table",
    "OpenUniverse2024 images") is a data set (``rule:context``)."""
    for pos, flags in starts:
        if not flags & DATA or pos == 0 or text[pos - 1] != " " or _DATA_NOUN.match(text, pos) is None:
            continue
        found = _word_before(text, pos - 1)
        if found is None:
            continue
        word = found[1]
        span = (found[0], found[0] + len(word))
        if span in known or word in _NOT_NAME or not _shaped(word):
            continue
        yield span[0], span[1], "dataset", word, "rule:context"


def _shaped(word: str) -> bool:
    core = word.replace("-", "").replace("_", "")
    return ("_" in word or any(c.isdigit() for c in core) and sum(c.isalpha() for c in core) >= 3
            or sum(c.isupper() for c in core) >= 2 and any(c.islower() for c in core))


def without_people(text: str, candidates: list[Candidate]) -> list[Candidate]:
    """`candidates` less the plain capitalised words that a second one follows ("written by
    Petra Novak"): a cue before a person says nothing about software."""
    out = []
    for c in candidates:
        word = text[c[0]:c[1]]
        if word[:1].isupper() and word[1:].islower() and word.isalpha():
            m = _TITLE.match(text, c[1])
            if m is not None and _person_like([word, m.group("w")]) and zipf(m.group("w")) > 0:
                continue
        out.append(c)
    return out


def recased(text: str, mentions: list[Mention], taken: bytearray) -> list[Candidate]:
    """A lower-case name capitalised at a sentence start ("Pyarrow is ..." in a text that
    writes pyarrow): the same entity (``rule:repeat``). `mentions`: the settled mentions."""
    out: list[Candidate] = []
    seen = set()
    for mention in mentions:
        start = mention.start
        if not text[start].islower():
            continue
        end, type_, name = mention.end, mention.type, mention.name
        surface = text[start:end]
        if not surface[:1].islower() or surface in seen or " " in surface or zipf(surface) >= 2.0:
            continue  # ("registry" opening a sentence is the English word, "Registry" a name)
        seen.add(surface)
        title = surface[0].upper() + surface[1:]
        if title not in text:
            continue  # (most are not: a scan for each would cost a pass over the text)
        for m in re.finditer(r"(?<![\w.@+-])" + re.escape(title) + r"(?![\w@+-])", text):
            if taken.find(1, m.start(), m.end()) == -1 and _sentence_start(text, m.start()):
                out.append((m.start(), m.end(), type_, name, "rule:repeat"))
    return out


def phrase_candidates(text: str, known: dict[tuple[int, int], str], prior: list[Candidate],
                      stop_heads: frozenset[str], starts: list[tuple[int, int]] | None = None) -> list[Candidate]:
    """Every candidate of the phrase rules in `text`; `known` maps configured spans to their
    types, `prior` holds the other rules' candidates (their software names anchor
    compounds), `stop_heads` the head nouns `ingest.entity_rules` types; `starts` the
    text's `entity_regex.word_starts` for a vocabulary that includes `PHRASE_WORDS` (found
    here when None)."""
    out: list[Candidate] = []
    if "\n" not in text and text.count(" ") < 6:
        return out  # a heading or a title: the phrase rules read sentences
    # the anchors of compounds: system names with a capitalised word right after them
    n = len(text)
    anchors = [span for span, type_ in known.items()
               if type_ == "system" and span[1] + 1 < n and text[span[1]] == " " and text[span[1] + 1].isupper()]
    anchors.extend((c[0], c[1]) for c in prior if c[2] == "system" and c[4] in _ANCHOR_RULES
                   and c[1] + 1 < n and text[c[1]] == " " and text[c[1] + 1].isupper())
    if anchors:
        out.extend(compounds(text, anchors, known, stop_heads))
    if starts is None:
        starts = word_starts(text.translate(LOWER), PHRASE_WORDS)
    if "," in text:
        out.extend(appositions(text))
    out.extend(rare_words(text, starts, known))
    if any(f & DATA for _p, f in starts):
        out.extend(data_products(text, known, starts))
    return out


_MINE = PASSIVE | DATA
_ANCHOR_RULES = frozenset(["rule:shape", "rule:cue"])

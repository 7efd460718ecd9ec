"""Open-class entity rules: names that no configuration file lists, typed from evidence in
the text itself (conventions §6 types).

Each rule yields candidates ``(start, end, type, name, via)`` where ``via`` names the rule;
`ingest.entities.EntityMatcher` settles them against the gazetteer and ID patterns
(longest span first, then gazetteer before rules) and then spreads what the rules found to
the other uses of the same name in the text (``rule:repeat``, `ingest.entity_repeats`). The
rules (the word walks they share are in `ingest.entity_walk`):

- ``rule:acronym``: an acronym defined in the text, "Solar System Ephemeris Service (SSES)":
  the expansion and the acronym are both mentions of the acronym, typed by the expansion's
  head noun;
- ``rule:head-noun``: a proper-noun phrase ending in a head noun that gives the type
  ("Data Rights Board", "Crowded Fields workshop", "Twilight Flats Data Release"), or a
  university-shaped name ("University of Edinburgh", "Universidad de Chile"). The head is
  part of the name unless the word before it stands on its own (an acronym, a token with
  digits or inner capitals: "COSMOS2020 catalog" -> COSMOS2020);
- ``rule:context``: one capitalised word in a context that says it is software ("the
  Skyviewer app", "a browser called Tabulator", "Hyrax, the tool that ...");
- ``rule:shape``: tokens shaped like software (``DataLoader``, ``h5py``, ``pipe_graph``,
  ``siav2-proxy``);
- ``rule:version`` and ``rule:code`` (`ingest.entity_code`): names written the way software
  is written, with a version number ("Ansible 2.16 manages"), in an install command ("pip
  install skyplotkit") or as the command of a shell line in backticks ("`uv sync`").

Hard negatives stay out by construction: sentence-initial function words, months and week
days cut a phrase; programming languages and the ubiquitous hosts ("DM", "LSST", "Rubin
Observatory", "the Project") never form a name alone; plural heads ("Data Facilities" as a
heading) are not names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.entity_code import code_candidates
from ingest.entity_cues import CUE_WORDS, cue_candidates
from ingest.entity_heads import (HEAD_RE, HEAD_TYPE, HEADS, LOW_HEADS, MEETING_KEEP, ORG_CAP, SOFTWARE_LOW,
                                 SOFTWARE_RE, STOP_HEADS)
from ingest.entity_phrases import phrase_candidates, without_people
from ingest.entity_rare import PHRASE_WORDS, agent_noun
from ingest.entity_regex import HEAD, SOFTWARE, UNIVERSITY, lower, merge, scan_at, trie_regex, vocabulary, word_starts
from ingest.entity_subjects import SUBJECT_WORDS, VERB, subjects
from ingest.entity_shapes import (AT_WORDS, KIND, KIND_WORDS, PACKAGE_HEADS, VERSIONISH, contexts, data_releases,
                                  kinds, lower_package, shapes)
from ingest.entity_walk import end_of, line_is_heading, name_before, opens_sentence, tokens_backwards
from ingest.entity_words import (CONNECTORS, GENERIC_UNITS, HOSTS, LANGUAGES, STOP,
                                 standalone)

Candidate = tuple[int, int, str, str, str]  # start, end, type, name, via

# A token that can be part of a name: capitalised, or standing on its own (digits, inner
# capitals, snake_case); hyphenated compounds allowed ("Pan-STARRS1", "DM-SST").
_NAME_TOKEN = re.compile(r"(?:[A-Z0-9][\w.]*[\w]|[A-Z]|[a-z]+\d\w*|[a-z]+_\w+|[a-z]+[A-Z]\w*)(?:-\w+)*\Z")
# Adjectives made from a name are not names ("a Phalanx-based deployment").
_ADJECTIVE = re.compile(r".+-(?:based|like|style|driven|enabled|powered|aware|compatible|specific"
                        r"|wide|only|related|ready|native|friendly)\Z")
# Common phrases that end in a head noun but name nothing.
_NOT_NAMES = frozenset(["Solar System", "Operating System", "Global Positioning System",
                        "International System"])
_TOKEN = re.compile(r"\S+")
_UNIVERSITY = re.compile(
    r"(?<![\w-])(?P<head>University|Universidad|Università|Universität|Université|Universidade"
    r"|Institute|Instituto|Istituto|Institut|Observatory|Observatorio|Osservatorio|Department|Ministry"
    r"|Ministerio|Office|Academy)\s+(?:of|de|di|do|da|del)\s+(?P<rest>[A-Z][\w]+(?:[ \t]+(?:(?:de|di|do|da|del)[ \t]+)?[A-Z][\w]+)*)")
_UNIVERSITY_WORDS = frozenset("University Universidad Università Universität Université "
                              "Universidade".split())
# Where `_UNIVERSITY` can start, for `entity_regex.word_starts`.
_UNIVERSITY_HEADS = vocabulary(sorted(_UNIVERSITY_WORDS) + ["Institute", "Instituto", "Istituto", "Institut",
                                                            "Observatory", "Observatorio", "Osservatorio",
                                                            "Department", "Ministry", "Ministerio", "Office", "Academy"],
                               UNIVERSITY, True)
# ("... for Particle Astrophysics and Cosmology": one "and", before the last word)
_TAIL = re.compile(r"\s+(?:of|for)\s+(?P<rest>[A-Z][a-z]\w*(?:[ \t]+[A-Z][a-z]\w*)*"
                   r"(?:[ \t]+and[ \t]+[A-Z][a-z]\w*(?![ \t]+[A-Z]))?)")

#: The words where a rule's regex may start, for `entity_regex.word_starts` (the matcher
#: adds its names' words and makes one pass for all).
RULE_WORDS = merge(vocabulary(HEADS, HEAD, True), vocabulary(SOFTWARE_LOW, SOFTWARE, True), CUE_WORDS,
                   _UNIVERSITY_HEADS, AT_WORDS, PHRASE_WORDS, SUBJECT_WORDS, KIND_WORDS)

_RELEASE_NUMBER = re.compile(r"[ \t]+\d{1,2}(?:\.\d)?(?![\w.-]|\.\d)")
_ACRONYM_DEF = re.compile(r"\((?P<acr>[A-Z][A-Za-z0-9]{1,9})\)")


def open_class(text: str, known: dict[tuple[int, int], str], rejected: frozenset[str],
               lowered: str | None = None, starts: list[tuple[int, int]] | None = None) -> list[Candidate]:
    """Rule candidates in `text` (a typographically folded working copy).

    `known` maps the spans the gazetteer and ID patterns matched to their types, so a rule
    does not re-type a configured name ("the DMLT meeting" is no meeting); `rejected` holds
    names and surfaces a curator said are not entities (lower-cased); `lowered` is the
    text lower-cased offset for offset (`entity_regex.LOWER`), and `starts` its
    `entity_regex.word_starts` for a vocabulary that includes `RULE_WORDS`, if the caller
    has them.
    """
    if lowered is None:
        lowered = lower(text)
    if starts is None:
        starts = word_starts(lowered, RULE_WORDS)
    flags = 0  # which word lists the text has words of: a rule without any is skipped
    for _, f in starts:
        flags |= f
    out: list[Candidate] = list(_acronyms(text, known)) if "(" in text else []
    if flags & (HEAD | SOFTWARE):
        out.extend(_head_nouns(text, known, starts))
    if flags & UNIVERSITY:
        out.extend(_universities(text, starts))
    out.extend(contexts(text, starts))
    if flags & KIND:
        out.extend(kinds(text, starts, known))
    if "DR" in text:
        out.extend(data_releases(text, known))
    # before the shapes: on the same span a context's type wins ("Registration for PyHEP")
    cued = cue_candidates(text, known, lowered, starts)
    if cued:
        cued = without_people(text, cued)
    out.extend(cued)
    shaped = list(shapes(text))
    # before the shapes too: a phrase's type wins on the same span ("A smaller run, x_v2,")
    out.extend(phrase_candidates(text, known, cued + shaped, STOP_HEADS, starts))
    out.extend(shaped)
    if flags & VERB:
        out.extend(subjects(text, known, starts))
    out.extend(code_candidates(text, known))
    if rejected:
        out = [c for c in out if c[3].lower() not in rejected and text[c[0]:c[1]].lower() not in rejected]
    return out


# ------------------------------------------------------------------ acronym definitions
def _acronyms(text: str, known: dict[tuple[int, int], str]) -> Iterator[Candidate]:
    for m in _ACRONYM_DEF.finditer(text):
        acr = m.group("acr")
        if sum(c.isupper() for c in acr) < 2 or (m.start("acr"), m.end("acr")) in known:
            continue
        tokens = _tokens_before(text, m.start(), allow_low_head=True)
        found = _expansion(tokens, acr)
        if found is None:
            continue
        start, end, words = found
        type_ = _type_of_words(words)
        if type_ is None:
            continue
        yield start, end, type_, acr, "rule:acronym"
        yield m.start("acr"), m.end("acr"), type_, acr, "rule:acronym"


def _expansion(tokens: list[tuple[int, int, str]], acr: str):
    """The longest run of name words ending at the parenthesis whose initials spell `acr`."""
    letters = acr.lower()
    for i in range(len(tokens)):
        words = [t[2] for t in tokens[i:]]
        if words[0][0].lower() != letters[0] or words[0] in CONNECTORS:
            continue
        if _spells(letters, [w for w in words if w not in CONNECTORS and w not in LOW_HEADS]):
            return tokens[i][0], tokens[-1][1], words
    return None


def _spells(letters: str, words: list[str]) -> bool:
    """Whether `letters` can be read off `words` in order, each word giving its first letter
    and maybe more of its own letters (ConsDB from "Consolidated Database")."""
    def walk(li: int, wi: int, skips: int = 0) -> bool:
        if li == len(letters):
            return len(words) - wi + skips <= 2
        if wi == len(words):
            return False
        word = words[wi].lower()
        if word[0] != letters[li]:
            # a word that gives no letter ("Science" in "... Stars Science Collaboration (TVS)")
            return wi > 0 and skips < 2 and walk(li, wi + 1, skips + 1)
        # take 1..k letters from this word, as a subsequence of it starting at its head
        pos, k = 1, li + 1
        if walk(k, wi + 1, skips):
            return True
        while k < len(letters):
            pos = word.find(letters[k], pos)
            if pos < 0:
                break
            k, pos = k + 1, pos + 1
            if walk(k, wi + 1, skips):
                return True
        return wi > 0 and skips < 2 and walk(li, wi + 1, skips + 1)
    return len(words) <= len(letters) + 2 and walk(0, 0)


def _type_of_words(words: list[str]) -> str | None:
    """The type a name's head noun gives ("... Service" -> system), or None."""
    for n in (2, 1):
        if len(words) >= n:
            head = " ".join(words[-n:])
            if head in HEAD_TYPE and head not in SOFTWARE_LOW:
                return HEAD_TYPE[head]
    if words and agent_noun(words[-1]):
        return "system"  # "Central Output Writer (COW)": a machine named by what it does
    return None


# ------------------------------------------------------------------ head nouns
def _tokens_before(text: str, end: int, allow_low_head: bool = False) -> list[tuple[int, int, str]]:
    """The run of name tokens that ends just before `end` (a head noun or a parenthesis),
    walking back over capitalised words and connectors; cut at a stop word, a punctuation
    mark, a paragraph break or a lower-case word."""
    window_start = max(0, end - 160)
    window = text[window_start:end]
    cut = window.rfind("\n\n")
    if cut >= 0:
        window_start, window = window_start + cut + 2, window[cut + 2:]
    run: list[tuple[int, int, str]] = []
    for start, stop, word in tokens_backwards(window, window_start):
        if word in STOP or word in LANGUAGES and not run:
            break
        if word in CONNECTORS:
            if not run:
                break
            run.append((start, stop, word))
            continue
        if allow_low_head and not run and word in LOW_HEADS:
            run.append((start, stop, word))
            continue
        if not _NAME_TOKEN.match(word) or _ADJECTIVE.match(word):
            break
        if run and run[-1][2] in CONNECTORS and (standalone(word) or standalone(run[-2][2])):
            run.pop()  # a connector between an acronym and a name joins two names
            break
        run.append((start, stop, word))
        # a line break before this token: a heading line ends there unless it wraps a name
        if start > 0 and text[start - 1] == "\n" and line_is_heading(text, start):
            break
    while run and run[-1][2] in CONNECTORS:
        run.pop()
    run.reverse()
    return run


def _head_nouns(text: str, known: dict[tuple[int, int], str], starts: list[tuple[int, int]]) -> Iterator[Candidate]:
    for m in scan_at(HEAD_RE, text, starts, HEAD):
        if not name_before(text, m.start()):
            continue  # "the team", "a new service": most heads follow a plain word
        if m.end() < len(text) and text[m.end()] == "-":
            continue  # "team-based"
        head = " ".join(m.group().split())
        low = head[0].islower()
        mods = _tokens_before(text, m.start())
        while mods and _NUMBERING.match(mods[0][2]):
            mods = mods[1:]  # "3.1 Summit and Commissioning": a section's number is no name
        if not mods:
            continue
        if "\n" in text[mods[-1][1]:m.start()] and line_is_heading(text, m.start()):
            continue  # "Observability" / "Service logs ...": a heading, then the body
        type_ = HEAD_TYPE[head]
        words = [w for _, _, w in mods]
        if all(w in _HOST_WORDS for w in words) and type_ == "organization":
            continue
        if all(w in LANGUAGES for w in words) or head == "School" and words[-1] in _SEASONS:
            continue  # (a summer school is a training, neither a meeting nor a school)
        span = (mods[0][0], mods[-1][1])
        end = m.end()
        if type_ == "organization" and all(w in _HOST_WORDS | GENERIC_UNITS for w in words) \
                and (len(words) == 1 or all(w in _HOST_WORDS for w in words)):
            continue  # "the IT team", "the Data Management group"; not "the Data Engineering group"
        if low and (_covered(mods, known) or _names_type(mods, known, type_)):
            # "the DECam HiTS data set", "the SPIE Astronomical Telescopes + Instrumentation
            # conference": configured names with a generic noun
            continue
        if head in MEETING_KEEP:
            pass  # "DAX F2F": a meeting, though DAX alone is a configured team
        elif low and (standalone(words[-1]) or words[-1] in ORG_CAP or words[0] in _UNIVERSITY_WORDS):
            # "COSMOS2020 catalog", "Euclid Q1 release", "SQuaRE team", "the Universidad de
            # Chile group": the head is generic, the name stands alone
            if span in known or len(words) == 1 and VERSIONISH.match(words[0]) and head == "release":
                continue
            if words[-1] in ORG_CAP or words[0] in _UNIVERSITY_WORDS:
                type_ = "organization"
            yield span[0], span[1], type_, " ".join(text[span[0]:span[1]].split()), "rule:head-noun"
            continue
        elif low and span in known:
            continue  # "the DMLT meeting": a configured name with a generic noun
        if low and head in ("release", "reanalysis", "meeting", "review"):
            continue  # too generic after plain capitalised words ("Spring release")
        if low and len(mods) == 1 and opens_sentence(text, mods[0][0]):
            continue  # "Planning group met", "Was team ...": a sentence-initial common word
        tail = _TAIL.match(text, end) if head in _TAIL_HEADS else None
        if tail:
            words = tail.group("rest").split()
            kept = len(words)
            for i, w in enumerate(words):
                if w in STOP:  # "... Council for Rubin September 23": the date is no name
                    kept = i
                    break
            end = end_of(text, tail.start("rest"), words[:kept]) if kept else end
        if head in ("Data Release", "Release") and (number := _RELEASE_NUMBER.match(text, end)):
            end = number.end()  # "... Data Release 2"
        name = " ".join(text[span[0]:end].split())
        if name in _NOT_NAMES or _ends_known(span[0], end, known, m.span()):
            continue
        yield span[0], end, type_, name, "rule:head-noun"
    for m in scan_at(SOFTWARE_RE, text, starts, SOFTWARE):
        if m.group() in PACKAGE_HEADS and (low := lower_package(text, m.start())) is not None:
            yield low
            continue
        mods = _tokens_before(text, m.start())
        if not mods:
            # one lower-case word between ("the Kueue batch scheduler")
            gap = _GAP_WORD.search(text, max(0, m.start() - 30), m.start())
            if gap:
                mods = _tokens_before(text, gap.start())
        if len(mods) != 1:
            continue
        start, stop, word = mods[0]
        if (start, stop) in known or word in LANGUAGES or word in HOSTS or word in GENERIC_UNITS \
                or not word[0].isupper() and not standalone(word):
            continue
        if opens_sentence(text, start) and not standalone(word):
            continue
        yield start, stop, "system", word, "rule:context"


_NUMBERING = re.compile(r"\d+(?:\.\d+)*\.?\Z")
# The hosts of §6 as the words of a team's name: "the Operations team" is a team of the
# operations project, named as the "Middleware team" is ("the DM team" names no one).
_HOST_WORDS = HOSTS - {"Operations"}
_SEASONS = frozenset("Summer Winter Spring Autumn Fall".split())
# Heads a name may go on after, "of/for" and capitalised words ("Ministry of Science").
_TAIL_HEADS = frozenset("Board Council Committee Institution Institute Society Foundation Academy Office "
                        "Department Division Directorate Commission Ministry School".split())
_GAP_WORD = re.compile(r"(?<=[ \t])[a-z]{3,}[ \t]+\Z")


def _ends_known(start: int, end: int, known: dict[tuple[int, int], str], head: tuple[int, int]) -> bool:
    """Whether a configured name ends where the phrase ends and starts inside it: the words
    before it are not part of it ("Chiostio LSST Data Facility", "the new Joint Technical
    Meeting"); only a head beyond a configured name makes a new name ("AURA Board"). A head
    that is configured alone is a word of the phrase, not a name in it ("the Summit" is the
    site, the "Time-Domain Summit" a meeting)."""
    return any(b == end and start < a and (a, b) != head for a, b in known)


def _covered(mods: list[tuple[int, int, str]], known: dict[tuple[int, int], str]) -> bool:
    """Whether every token of `mods` lies inside a configured name."""
    return all(any(a <= start and stop <= b for a, b in known) for start, stop, _ in mods)


def _names_type(mods: list[tuple[int, int, str]], known: dict[tuple[int, int], str], type_: str) -> bool:
    """Whether a configured name of the head's own type is among `mods`."""
    first, last = mods[0][0], mods[-1][1]
    return any(first <= a and b <= last and t == type_ for (a, b), t in known.items())


def _universities(text: str, starts: list[tuple[int, int]]) -> Iterator[Candidate]:
    for m in scan_at(_UNIVERSITY, text, starts, UNIVERSITY):
        rest = m.group("rest").split()
        kept = []
        for w in rest:
            if w in STOP:
                break
            kept.append(w)
        if not kept:
            continue
        end = m.start("rest") + len(" ".join(kept)) if "\n" not in m.group("rest") else end_of(text, m.start("rest"), kept)
        yield m.start(), end, "organization", " ".join(text[m.start():end].split()), "rule:head-noun"

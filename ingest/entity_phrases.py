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

`ingest.entity_rare` holds ``rule:rare`` and ``rule:agent`` (and the data nouns of
``rule:context``), `ingest.entity_phrase_words` the word tests they share.

Hard negatives stay out: stop words, months, the ubiquitous hosts, programming languages and
generic units never make a name; a word next to another capitalised word after "by" or
"to" is a person's name; a lower-case word must be rare in English (or shaped like a
package: ``cbp-plot``, ``twilight_neo_v2``); heading lines never start a phrase.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.entity_freq import zipf_of as zipf  # one frequency table per process
from ingest.entity_freq import word_bonus
from ingest.entity_phrase_words import (
    Candidate, DETERMINERS, KIND_FORMS, LOWER_NEXT, NAME, NOT_NAME, RELEASE_ID, TITLE,
    TOKEN, TOKEN_FULL, extends, heading_line, kind, kind_of, lower_name, next_is_capital,
    person_like, plausible, sentence_start, tail_words, wrapped)
from ingest.entity_rare import DATA, PASSIVE, PHRASE_WORDS, data_products, rare_words
from ingest.entity_regex import LOWER, word_starts
from ingest.model import Mention

# ------------------------------------------------------------------ appositions
_APPO_AFTER = re.compile(
    rf",\s+(?P<names>{NAME}(?:,\s+{NAME})*(?:,?\s+and\s+{NAME})?)"
    r"(?=[,.;:)]|[ \t]+(?:which|that|is|was|were|are|now|has|had|will|written|built|made|runs|"
    r"copies|makes|keeps|tells|draws|picks|reads|holds)\b)")
_APPO_BEFORE = re.compile(
    r",[ \t]+(?P<det>a|an|the|our|its|their)[ \t]+(?P<np>(?:[\w-]+[ \t]+){0,3}?[a-z][a-z-]+"
    r"(?:[ \t]+of[ \t]+[A-Z][\w-]*(?=,))?)"
    r"(?P<close>(?=[,.;:]|[ \t]+(?:that|which|for|built|written|used|from|of|with)\b))")
# After the apposition of a sentence's first word, the sentence goes on with its verb:
# "Garage, a small object store, holds ..." ("Overall, the new service is ...": no comma)
_VERB_NEXT = re.compile(r",[ \t]+(?:is|was|are|were|has|had|will|now|also|still|then|[a-z]+s|[a-z]+ed)\b")
_COMMA = re.compile(r",\s")


def _last_words(text: str, separator: str) -> set[str]:
    """The word before each `separator` in `text`."""
    return {w[-1] for chunk in text.split(separator)[:-1] if (w := chunk[-30:].split())}
_APPO_LEAD = re.compile(r", (?:a|an|the|our|its|their) ")
_SPLIT_NAMES = re.compile(r",\s+|,?\s+and\s+")


def _noun_phrase(text: str, comma: int) -> str | None:
    """The type the noun phrase ending at `comma` gives, when it starts with a determiner
    ("a faster spatial matcher", "A reprocessing of the COSMOS field")."""
    words = tail_words(text, comma, 7)
    if not words:
        return None
    plain = [w for _, w in words]
    if kind_of(plain[-1]) is None and "of" not in plain:
        return None  # most commas: decided without looking further back
    for i in range(len(plain) - 2, -1, -1):
        word = plain[i]
        if word[-1] in ".,;:!?)(":
            return None
        if word.lower() in DETERMINERS:
            found = kind(plain[i + 1:])
            if found is None and i > 0 and plain[i - 1] == "of":
                continue  # "A reprocessing of the COSMOS field": the noun before "of" types it
            return found
    return None


def _name_before(text: str, comma: int) -> tuple[int, str] | None:
    """The name just before `comma`: one token, or up to three capitalised words on one line
    after any stop word ("The Nightly Health Report" -> "Nightly Health Report")."""
    words = tail_words(text, comma, 3)
    if not words or words[-1][0] + len(words[-1][1]) != comma or not TOKEN_FULL.match(words[-1][1]):
        return None
    start, name = words[-1]
    if name[0].isupper():
        for prev_start, prev in reversed(words[:-1]):
            if not prev[0].isupper() or prev in NOT_NAME or not TOKEN_FULL.match(prev) \
                    or "\n" in text[prev_start:start]:
                break
            start, name = prev_start, text[prev_start:comma]
    return start, " ".join(name.split())


def appositions(text: str) -> Iterator[Candidate]:
    """Names set off by commas next to a noun that types them (``rule:apposition``)."""
    # the noun before the comma (or before "of") types the names after it: without one of
    # the lexicon's nouns there, no comma needs a look
    forward = not KIND_FORMS.isdisjoint(_last_words(text, ", ")) or ",\n" in text and \
        not KIND_FORMS.isdisjoint(_last_words(text, ",\n")) or \
        " of " in text and not KIND_FORMS.isdisjoint(_last_words(text, " of "))
    for comma in (_COMMA.finditer(text) if forward else ()):
        at = comma.start()
        # the noun before the comma types the names after it: most commas stop here
        before = text[max(0, at - 60):at]
        word = before[max(before.rfind(" "), before.rfind("\n")) + 1:]
        if kind_of(word) is None and " of " not in before:
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
            if plausible(name, shaped_ok=True):
                yield start, end, type_, name, "rule:apposition"
    for lead in _APPO_LEAD.finditer(text):
        # ", the new survey simulation," : a noun of the lexicon within four words
        if not any(kind_of(w.strip(",.;:")) for w in text[lead.end():lead.end() + 50].split()[:4]):
            continue
        m = _APPO_BEFORE.match(text, lead.start())
        if m is None:
            continue
        type_ = kind(m.group("np").split())
        if type_ is None:
            continue
        before = _name_before(text, m.start())
        if before is None:
            continue
        start, name = before
        if name[0].isupper() and " " not in name and sentence_start(text, start) \
                and not _initial_subject(text, name, m.end()):
            continue  # "Overall, the ...": a sentence-initial word
        if plausible(name, shaped_ok=True):
            yield start, m.start(), type_, name, "rule:apposition"


def _initial_subject(text: str, name: str, end: int) -> bool:
    """Whether a sentence-initial `name` with an apposition ending at `end` is the subject
    of the sentence: the apposition closes with a comma and a verb follows, and the word is
    no adverb ("Overall", "Finally") nor one of English's everyday words."""
    return _VERB_NEXT.match(text, end) is not None and not name.endswith("ly") \
        and zipf(name) < 5.0 and name not in NOT_NAME


def _split(names: str, base: int) -> Iterator[tuple[int, int, str]]:
    pos = 0
    for sep in _SPLIT_NAMES.finditer(names):
        yield base + pos, base + sep.start(), names[pos:sep.start()]
        pos = sep.end()
    yield base + pos, base + len(names), names[pos:]


def compounds(text: str, anchors: list[tuple[int, int]], known: dict[tuple[int, int], str],
              stop_heads: frozenset[str]) -> Iterator[Candidate]:
    """Product names of capitalised words after a software name (``rule:compound``): "Grafana
    Tempo", "GitLab CI", "PyData Sphinx Theme".

    `anchors` are spans of system names (configured or shaped like software), `known` every
    configured span, `stop_heads` the head nouns other rules type ("Team", "Service")."""
    starts: set[int] | None = None
    anchor_set: set[tuple[int, int]] = set()
    n = len(text)
    lines = text
    text = wrapped(text)  # a name may wrap to the next line ("OpenID" / "Connect"), offsets kept
    for a, b in anchors:
        # a capitalised word right after (the cheap test first), not on a heading line
        if b + 1 >= n or text[b] != " " or not text[b + 1].isupper() or heading_line(lines, a) \
                or lines[b] == "\n" and heading_line(lines, b + 1):
            continue  # (phrase_candidates passes only anchors that pass it)
        if starts is None:  # built once, for the first anchor that needs them
            starts, anchor_set = {k[0] for k in known}, set(anchors)
        end, words = b, 0
        while words < 2:
            m = TITLE.match(text, end)
            if m is None or not extends(m.group("w"), stop_heads) or \
                    (m.start("w") in starts and (m.start("w"), m.end("w")) not in anchor_set):
                break
            if m.group("w").isupper() and LOWER_NEXT.match(text, m.end("w")):
                break  # "Piff PSF models": an acronym that modifies the noun after it
            end, words = m.end("w"), words + 1
        if words:
            name = " ".join(text[a:end].split())
            parts = name.split()
            if person_like(parts) and zipf(parts[-1]) > 0 and ((a, b) not in known or zipf(parts[0]) >= 2.5):
                continue  # "written by Petra Novak", "Jenkins Smith": a person, not a product
            if sum(1 for k in known if a <= k[0] and k[1] <= end) > 1:
                continue  # two configured names side by side stay two
            yield a, end, "system", name, "rule:compound"


# ------------------------------------------------------------------ lists
_SEP_AFTER = re.compile(
    rf"(?:,[ \t]+|,?[ \t]+(?:and|or|instead[ \t]+of|rather[ \t]+than|in[ \t]+favou?r[ \t]+of)[ \t]+)"
    rf"(?:the[ \t]+)?(?P<name>{TOKEN})(?![\w@+-]|\.\w)")
_SEP_BEFORE = re.compile(
    rf"(?<![\w.@+-])(?P<name>{TOKEN})(?:,[ \t]+|,?[ \t]+(?:and|or)[ \t]+)(?:the[ \t]+)?\Z")
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
    text = wrapped(text)  # (same offsets)
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
    sentence start, not half of a person's name) or a lower-case word English does not use
    or uses very little ("flake8 and isort"; not a verb: "Rucio and retries the failed
    ones"). (This rule took over the cue rule's lists, which typed the same words.)"""
    if name in NOT_NAME or name.isdigit() or RELEASE_ID.match(name):
        return False
    if name[0].isupper():
        # an everyday word ("Qserv, Security and Networking") is no name by being listed
        return not next_is_capital(text, b) and not sentence_start(text, a) and len(name) > 1 \
            and (word_bonus(name) or 0) >= 0
    return (lower_name(name) or word_bonus(name) == 1) and _VERB_AFTER.match(text, b) is None


def without_people(text: str, candidates: list[Candidate]) -> list[Candidate]:
    """`candidates` less the plain capitalised words that a second one follows ("written by
    Petra Novak"): a cue before a person says nothing about software."""
    out = []
    for c in candidates:
        word = text[c[0]:c[1]]
        if word[:1].isupper() and word[1:].islower() and word.isalpha():
            m = TITLE.match(text, c[1])
            if m is not None and person_like([word, m.group("w")]) and zipf(m.group("w")) > 0:
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
            if taken.find(1, m.start(), m.end()) == -1 and sentence_start(text, m.start()):
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
               if type_ == "system" and span[1] + 1 < n and text[span[1]] in " \n" and text[span[1] + 1].isupper()]
    anchors.extend((c[0], c[1]) for c in prior if c[2] == "system" and c[4] in _ANCHOR_RULES
                   and c[1] + 1 < n and text[c[1]] in " \n" and text[c[1] + 1].isupper())
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

"""A name that does what machines do (``rule:subject``): the subject of a verb in the present
tense that software does and people seldom do in a status report, "Trivy scans every
image", "Velero now backs up the cluster state", "ONNX Runtime serves the models".

The verb is the evidence, and what it acts on is more: before a machine's object (logs,
tokens, images, daemons, "the system calls") a word English knows a little is a name too
("Falco watches the system calls", "Dex now issues the tokens"), also after a verb people
do as well ("holds", "keeps", "reads"), which alone types nothing. The word is weighed as the cue rules weigh theirs
(`ingest.entity_freq`): a single plain capitalised word must be rare in English (Zipf below
2.5: a coined product name, seldom a person or an ordinary word at the start of a
sentence), and a pair of capitalised words must hold a word that stands on its own (an
acronym, digits, inner capitals) or the pair reads as a person's name ("Sarah Quinn runs").
Hard negatives stay out: a word after another capitalised word or a determiner is part of a
longer phrase, a word that the text also writes after another capitalised word is a
surname ("Ade Oyelaran ... Oyelaran checks"), stop words, months, hosts and languages are
never subjects, and words shaped like software are left to ``rule:shape``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.entity_freq import word_bonus
from ingest.entity_phrase_words import (NOT_NAME, PLURAL, TOKEN_FULL, capital_before,
                                        determiner_before, heading_line, plain_capital, written_lower)
from ingest.entity_rare import ABSTRACT as _ABSTRACT
from ingest.entity_words import HOSTS, LANGUAGES, STOP, standalone

Candidate = tuple[int, int, str, str, str]  # start, end, type, name, via

# Flag of `SUBJECT_WORDS` (above the bits of `entity_regex` and `entity_rare`).
VERB = 1 << 15
# Present-tense verbs of machines. Not the verbs people do as often (leads, chairs, joins,
# manages, replaces, supports, plans, says, holds, keeps, sends, signs, hosts, pages): a
# name before those may be anyone's.
_VERBS = ("runs stores scans serves ships renders routes caches indexes collects exports queues "
          "schedules renews proxies mirrors computes batches publishes pulls pushes validates "
          "parses emits streams syncs replicates backs restarts crashes forwards ingests archives "
          "compresses encrypts authenticates polls probes scrapes exposes fronts rejects guards throttles "
          "provisions autoscales deduplicates manages issues watches handles").split()
# Verbs people do as often, which type their subject only with a machine's object after
# them ("Dex now issues the tokens", "Zotero keeps the shared bibliography" is not enough,
# "Harbor now holds every container image" is).
_OBJECT_VERBS = "holds keeps checks reads builds draws sends pools signs generates tracks".split()
#: The words where the rule starts, for `entity_regex.word_starts`.
SUBJECT_WORDS: dict[str, int] = {w: VERB for w in _VERBS + _OBJECT_VERBS}
# What machines act on: the object of the verb, after a determiner and at most two other
# words ("watches the system calls", "collects the logs from", "holds every container image").
_MACHINE_OBJECT = re.compile(
    r"[a-z]+(?:[ \t]+up)?[ \t]+(?:the|every|each|all|its|their|our|incoming|outgoing)[ \t]+"
    r"(?:[\w-]+[ \t]+){0,2}?(?:logs?|metrics|traces|tokens?|images?|containers?|pods?|nodes|daemons?"
    r"|pipelines?|jobs?|calls|sensors?|requests?|alerts?|services?|clusters?|quer(?:y|ies)|packages?"
    r"|secrets?|certificates?|credentials|files?|builds?|backups?|connections?|events|messages"
    r"|records|rows|manifests?|deployments?|workflows?|hosts?|disks?|volumes?|snapshots?|thumbnails"
    r"|cutouts|endpoints?|checks|probes|repositories|commits|artifacts|artefacts|wheels|binaries"
    r"|servers?|machines?|switch(?:es)?|dashboards?|bibliography|sessions?)(?![\w-])")
_ADVERBS = frozenset("now also still then already only automatically again usually".split())
# Verbs that only machines do: after "now" they type a word English knows a little
# (Zipf 2.5-4) too, "Loki now stores the service logs".
_ONLY_MACHINES = ("stores ", "scans ", "caches ", "indexes ", "renders ", "serves ", "proxies ",
                  "mirrors ", "replicates ", "backs up ", "ingests ", "scrapes ", "compresses ", "fronts ",
                  "rejects ", "throttles ", "provisions ", "autoscales ", "deduplicates ")
_WORD_BEFORE = re.compile(r"(?<![\w@+.-])([\w][\w@+.-]*[\w]|\w)[ \t]+\Z")
_THING_BEFORE = re.compile(r"(?<![\w@+.-])([A-Za-z][\w+-]*[A-Za-z0-9]),\Z")
_NEVER = frozenset(STOP) | HOSTS | LANGUAGES


def _before(text: str, pos: int) -> tuple[int, str] | None:
    """(start, word) of the word that ends at the spaces before `pos`, on the same line."""
    m = _WORD_BEFORE.search(text, max(0, pos - 48), pos)
    return (m.start(1), m.group(1)) if m else None


def subjects(text: str, known: dict[tuple[int, int], str], starts: list[tuple[int, int]]) -> Iterator[Candidate]:
    """Subjects of machine verbs in `text` (``rule:subject``); `known`: the spans the
    configuration names; `starts`: the text's `entity_regex.word_starts` for a vocabulary
    that includes `SUBJECT_WORDS`."""
    for pos, flags in starts:
        if not flags & VERB or not text[pos].islower():
            continue
        found = _before(text, pos)
        adverb = found is not None and found[1] in _ADVERBS
        if adverb:
            found = _before(text, found[0])
        if found is not None and found[1] == "which" and text[found[0] - 2:found[0]] == ", ":
            # "Kyverno, which rejects pods": "which" stands for a thing, never a person
            thing = _THING_BEFORE.search(text, max(0, found[0] - 50), found[0] - 1)
            if thing is not None:
                word = thing.group(1)
                if plain_capital(word) and word[0].isupper() and (word_bonus(word) or 0) >= 0 \
                        and _plain_name(text, word) and word not in _NEVER and word not in NOT_NAME \
                        and not capital_before(text, thing.start(1)) and not determiner_before(text, thing.start(1)) \
                        and not any(a < thing.end(1) and thing.start(1) < b for a, b in known):
                    yield thing.start(1), thing.end(1), "system", word, "rule:subject"
            continue
        if found is None:
            continue
        start, word = found
        end = start + len(word)
        if word[0].islower() and _coined_subject(text, pos, start, word, known):
            yield start, end, "system", word, "rule:subject"  # "zarr stores the cubes"
            continue
        if not word[0].isupper() or word in _NEVER or word in NOT_NAME or not TOKEN_FULL.match(word):
            continue
        first = _before(text, start)
        if first is not None and first[1][0].isupper() and first[1] not in _NEVER and TOKEN_FULL.match(first[1]):
            # a pair of capitalised words: a product only when one word stands alone
            if not (standalone(word) or standalone(first[1])) or capital_before(text, first[0]) \
                    or determiner_before(text, first[0]):
                continue
            start = first[0]
        elif standalone(word) or not plain_capital(word) or word.isupper():
            continue  # shaped like software already (``rule:shape``), or an acronym
        elif (word_bonus(word) or 0) < _needed(text, pos, word, adverb) \
                or determiner_before(text, start) or _surname(text, word):
            continue  # ("Loki now stores the logs": a word English knows, after "now", with a verb
            # only machines do)
        if any(a < end and start < b for a, b in known):
            continue
        yield start, end, "system", " ".join(text[start:end].split()), "rule:subject"


def _coined_subject(text: str, pos: int, start: int, word: str, known: dict[tuple[int, int], str]) -> bool:
    """Whether a lower-case subject of the verb at `pos` is a package's name: a word English
    does not use (`entity_freq.word_bonus` 1, not shaped like software already), with no
    determiner or capitalised word before it (then it is a modifier: "the zarr stores"), and
    a verb only machines do or a machine's object after the verb."""
    if word_bonus(word) != 1 or not word.isalpha() or PLURAL.search(word) or word in NOT_NAME:
        return False
    if determiner_before(text, start) or capital_before(text, start):
        return False
    if not (text.startswith(_ONLY_MACHINES, pos) or _MACHINE_OBJECT.match(text, pos)):
        return False
    return not any(a < start + len(word) and start < b for a, b in known)


def _needed(text: str, pos: int, word: str, adverb: bool) -> int:
    """The word bonus (`entity_freq.word_bonus`) a single capitalised subject of the verb at
    `pos` needs: 0 (a word English knows a little) after a verb only machines do with an
    adverb before it, or before a machine's object ("Dex now issues the tokens", "Falco
    watches the system calls"); 1 (a word English does not use) else, and never for a verb
    people do as often without such an object (2)."""
    machine_object = _MACHINE_OBJECT.match(text, pos) is not None
    if text.startswith(_ONLY_MACHINES, pos) and (adverb or _plain_name(text, word)) \
            or machine_object and _plain_name(text, word):
        return 0
    if not machine_object and text.startswith(_PEOPLE_TOO, pos):
        return 2
    return 1


_PEOPLE_TOO = tuple(f"{v} " for v in _OBJECT_VERBS)


def _plain_name(text: str, word: str) -> bool:
    """Whether a word English knows a little reads as a name as the subject of a verb only
    machines do ("Quay mirrors the images"): not an abstract noun by its ending
    ("Replication mirrors ..."), not a plural, not written in lower case in the text."""
    return not _ABSTRACT.search(word) and not PLURAL.search(word) and not written_lower(text, word)


def _surname(text: str, word: str) -> bool:
    """Whether `text` also writes `word` after another capitalised word ("Ade Oyelaran"),
    on its line or at the end of the line before (a heading line before it says nothing)."""
    for m in re.finditer(rf"[A-Z][a-z]+(?P<gap>[ \t]*\n[ \t]*|[ \t]+){re.escape(word)}(?![\w-])", text):
        if "\n" not in m.group("gap") or not heading_line(text, m.start()):
            return True
    return False

"""Typing a name by the contexts it is written in (``rule:cue``), in one text and across the
archive.

A product, a partner or a conference is often written bare: "deployed Keycloak", "built
with Streamlit", "the datalinker service", "upgraded Tekton to 0.50", "Registration for
PyHEP". Each such context is a *cue*: a weighted piece of evidence that the word next to it
is a name of some type (`cue_hits`). Evidence adds up per surface and type:

- in one text, a surface whose cues weigh `THRESHOLD` or more is a mention there
  (`cue_candidates`, used by `ingest.entity_rules.open_class`), and its other uses in the
  text follow (``rule:repeat``);
- across the archive, the cues of every section are summed (`ArchiveEvidence`, fed by the
  archive pass after an ingest): a name that recurs in system contexts in several reports
  ("we use Slack" in one month, "Slack bot" in another) is typed although no single text
  says enough, and every use of it in the archive becomes a mention (``archive``).

How much a cue weighs also depends on the word (`ingest.entity_freq`): a word rare in English
(by `wordfreq`'s frequencies: "Keycloak", "sqlfluff") is more likely a coined product name than a person or
a common word, and a lower-case word must be rare to be a name at all ("use cases" is no
package); a common English word ("Black", "Stage") needs more evidence.

Hard negatives stay out: months, stop words, programming languages, the ubiquitous hosts
and generic units never take a cue; cues are words around a name, so a sentence-initial
capital is never typed by its position; words that number parts of a document ("Table
2.1") are not products with versions.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator

# _frequencies: search._workers loads the table from here before it forks its workers
from ingest.entity_freq import _frequencies, word_bonus  # noqa: F401 (_frequencies)
from ingest.entity_regex import CUE, lower, scan_at, trie_regex, vocabulary, word_starts
from ingest.entity_words import GENERIC_UNITS, HOSTS, LANGUAGES, NUMBERING, STOP

Candidate = tuple[int, int, str, str, str]  # start, end, type, name, via
Hit = tuple[int, int, str, int]  # start, end, type, weight

#: Evidence a surface needs, in one text or summed over the archive, to be a name.
THRESHOLD = 2

# A name a cue can type: a capitalised word (inner capitals and digits allowed), an
# acronym, or a lower-case word (rare ones only, checked later); hyphenated parts allowed.
_TOK = r"(?:[A-Z][A-Za-z0-9]*|[a-z][a-z0-9]+)(?:[_-][A-Za-z0-9]+)*"
_ART = r"(?:(?:the|a|an|our|its|their|new|old)\s+)?"
# A run of capitalised words after an organisation cue ("students from the Pontificia
# Universidad Católica").
_CAPS = r"[A-Z][\w]+(?:[ \t]+(?:de|del|di|of|for)?[ \t]*[A-Z][\w]+){0,4}"

# Verbs that take software as their object: weight 2 ("deployed Keycloak") or 1 ("use
# Slack": people and places are used and run too, but rarely).
_STRONG_VERBS = (r"rolled\s+out|deploy(?:s|ed|ing)?|install(?:s|ed|ing)?|upgrad(?:e|es|ed|ing)"
                 r"|adopt(?:s|ed|ing)?|built\s+(?:on|with)|(?:written|generated|checked|scanned"
                 r"|managed|monitored|profiled|profiling|tested|validated|packaged|orchestrated"
                 r"|scheduled|rendered|plotted|served|indexed|linted|formatted|benchmarked"
                 r"|containeri[sz]ed|automated|shipped|caught|enforced|routed|cached|compiled"
                 r"|counted|collected|triggered|proxied|mirrored|backed\s+up|bundled|provisioned)\s+(?:with|by|through)"
                 r"|wrap(?:s|ped|ping)?(?!\s+up\b)|(?:configured|driven|handled|tracked|replicated|exported|queried|visuali[sz]ed|made"
                 r"|load-tested|stress-tested)\s+(?:with|through|using)"
                 r"|(?:runs?|running|ran|hosted|deploy(?:s|ed|ing)?|install(?:s|ed|ing)?)\s+on"
                 r"|powered\s+by")
_WEAK_VERBS = (r"us(?:e|es|ed|ing)|run(?:s|ning)?|ran|via|replac(?:e|es|ed|ing)|retir(?:e|es|ed|ing)"
               r"|pilot\s+of|port\s+of|ported\s+to|integrat(?:e|es|ed|ing)\s+with")
# A move from one product to another: "moved from Buildkite to Tekton", "switched the login
# flow from the old portal to Keycloak" (weight 1 each side).
_MOVES = r"moved|migrated|switched|migrating|switching|moving|transitioned|ported"
# Nouns after a name that make it software (weight 2): "the datalinker service".
_SYSTEM_NOUNS = (r"servers?|instances?|clusters?|plugins?|plug-ins?|dashboards?|API|APIs|operator"
                 r"|client|SDK|charts?|backend|frontend|front\s+end|CLI|daemon|containers?"
                 r"|deployment|logs|database|workflows?|port|overlay|integration|plots|widgets?"
                 r"|module|package|library|tool|tools|app|service|bot|agent|exporter|endpoints?"
                 r"|broker|wrapper|bindings|configuration|repository|repo|job|jobs|queue|pods?"
                 r"|executors?|controllers?|index|runners?|extensions?|drivers?|adapters?|connectors?"
                 r"|classes|apps|hooks|release\s+v?\d|version\s+v?\d")
# "adopted Kafka as the message broker", "a pilot of Ruff as the single linter".
_AS_NOUNS = (r"tool|linter|formatter|scheduler|broker|database|backend|front\s+end|library|service"
             r"|server|store|registry|cache|queue|framework|platform|replacement|default|viewer"
             r"|dashboard|pipeline|engine|orchestrator|manager|monitor")
# Appositions: "a new table, DiaSourceHistory," (dataset), "a small wrapper, lsst-build-tools,".
_APPOSED = {"table": "dataset", "catalog": "dataset", "catalogue": "dataset", "data set": "dataset",
            "dataset": "dataset", "data product": "dataset", "tool": "system", "wrapper": "system",
            "package": "system", "library": "system", "service": "system", "script": "system",
            "dashboard": "system", "app": "system", "plugin": "system", "workshop": "meeting",
            "conference": "meeting"}
_APPOSED_RE = "|".join(k.replace(" ", r"[ \t]+") for k in _APPOSED)
# Conference contexts (weight 2 / 1).
_MEETING_BEFORE = (r"registration\s+for|(?:attended|attending|at)\s+(?:the\s+)?(?=\S+\s+20\d\d\b)"
                   r"|presented\s+at|talks?\s+at|posters?\s+at|papers?\s+(?:to|at)|abstracts?\s+(?:to|for)"
                   r"|keynote\s+at|proceedings\s+of")
# People from an institution: "colleagues at Fermilab", "students from the ...".
_ORG_BEFORE = (r"(?:colleagues|partners|staff|students|researchers|scientists|engineers|visitors"
               r"|people|members|collaborators|group|groups|team|teams)\s+(?:at|from)")

# Cues before a name. Each alternative starts with its cue word (no look-behind first), so
# `re` skips fast to where a cue can start; the word boundary before it is checked after.
_CUES = re.compile(
    rf"(?i:{_MOVES})\s+(?:(?i:from)\s+(?i:{_ART})(?P<src>{_TOK})\s+)?"
    rf"(?:[\w-]+\s+){{0,5}}?(?i:to)\s+(?i:{_ART})(?P<dst>{_TOK})(?![\w-])"
    rf"|(?i:(?P<strong>{_STRONG_VERBS})|(?P<weak>{_WEAK_VERBS}))\s+(?i:{_ART})(?P<obj>{_TOK})(?![\w-])"
    rf"|(?i:(?P<apposed>{_APPOSED_RE})),[ \t]+(?P<appo>{_TOK}),"
    rf"|(?i:(?P<meet>{_MEETING_BEFORE}))\s+(?i:{_ART})(?P<mobj>{_TOK})(?![\w-])"
    rf"|(?i:{_ORG_BEFORE})\s+(?i:{_ART})(?P<org>{_CAPS})(?![\w-])")
# Cues after a name ("the datalinker service", "Keycloak 24.1", "Ruff as the linter"),
# found by their own words; the name is the word before.
_TRAIL = re.compile(
    rf"(?P<noun>{_SYSTEM_NOUNS})(?![\w-])|(?P<ver>v?\d+\.\d+(?:\.\d+)*)(?![\w.-])"
    rf"|as\s+(?:the|a|an|our)\s+(?:[\w-]+\s+)?(?:{_AS_NOUNS})(?![\w-])")
_SUBJ = re.compile(rf"(?<![\w.-])(?P<subj>{_TOK})\s+\Z")
# The case of names matters: only the cue words are matched in any case (``(?i:...)``).
# Words a cue may see that never name anything on their own.
_NEVER = frozenset(STOP) | HOSTS | GENERIC_UNITS | LANGUAGES | frozenset(
    "It Them Us Me Him Her Python3 Docs Data Code Tests Test Jobs Job Images Image Files File "
    "Tools Tool Users User Staff People Work Time Plans Plan Mondays Tuesdays Wednesdays Thursdays "
    "Fridays Saturdays Sundays Weekdays Weekends".split())


def _weights_of(m: re.Match) -> list[tuple[str, str, int, int, int]]:
    """(group, type, weight, start, end) of each name a cue match types."""
    if m.group("dst"):
        return [(g, "system", 1, m.start(g), m.end(g)) for g in ("src", "dst") if m.group(g)]
    if m.group("obj"):
        return [("obj", "system", 2 if m.group("strong") else 1, m.start("obj"), m.end("obj"))]
    if m.group("appo"):
        return [("appo", _APPOSED[" ".join(m.group("apposed").lower().split())], 2, m.start("appo"), m.end("appo"))]
    if m.group("mobj"):
        weight = 2 if m.group("meet").lower().startswith(("registration", "proceedings")) else 1
        return [("mobj", "meeting", weight, m.start("mobj"), m.end("mobj"))]
    if m.group("org"):
        # a run of capitalised words is a proper name; one word may be a city
        weight = 2 if " " in m.group("org") else 1
        return [("org", "organization", weight, m.start("org"), m.end("org"))]
    return []


def cue_hits(text: str, lowered: str | None = None,
             starts: list[tuple[int, int]] | None = None) -> tuple[tuple[int, int, str, str, int], ...]:
    """(start, end, type, surface, weight) for every name a cue types in `text` (before the
    word's own frequency is weighed in); `lowered` is `text` lower-cased by
    `entity_regex.LOWER` and `starts` its `entity_regex.word_starts` for a vocabulary that
    includes `CUE_WORDS`, if the caller has them.

    Each text is scanned twice as a report is built: by the matcher (`cue_candidates`) and
    for the report's archive evidence (`ArchiveEvidence.add`, `ingest.entity_evidence`),
    a few sections apart. The hits depend on the text alone, so the last few hundred texts'
    hits are kept and the second scan is a look-up (a text held by the report anyway; its
    hash is computed once per string)."""
    hits = _HITS.get(text)
    if hits is None:
        if len(_HITS) >= _HITS_KEPT:
            _HITS.clear()
        hits = _HITS[text] = tuple(_hits(text, lowered, starts))
    return hits


# text -> its cue hits, for the texts scanned last (see `cue_hits`); more sections than a
# report has, few enough that the texts it holds weigh little
_HITS: dict[str, tuple[tuple[int, int, str, str, int], ...]] = {}
_HITS_KEPT = 512


def _hits(text: str, lowered: str | None,
          starts: list[tuple[int, int]] | None) -> Iterator[tuple[int, int, str, str, int]]:
    for group, type_, weight, start, end in _raw_hits(text, lowered, starts):
        surface = " ".join(text[start:end].split())
        first = surface.split()[0]
        if surface in _NEVER or first in _NEVER and group != "org":
            continue
        if _ADJECTIVE.search(surface):
            continue  # "a Phalanx-based deployment": an adjective made from a name
        if group == "ver" and (surface in NUMBERING or surface[0].islower()):
            continue
        if group == "initial" and " " not in surface and word_bonus(surface.lower()) is None:
            continue  # a common word capitalised by its place
        if surface[0].islower() and _ENGLISH_SUFFIX.search(surface):
            continue  # "containerised deployment": an English adjective or participle
        if weight < 2 and surface[0].islower() and _ARTICLE_BEFORE.search(text, max(0, start - 8), start):
            continue  # "a port of the astrometric fitter": an English adjective
        if group == "org" and (" " not in surface and surface.isupper()):
            continue  # acronyms after "at"/"from" are the context rule's (`entity_shapes`)
        yield start, end, type_, surface, weight


def _raw_hits(text: str, lowered: str | None,
              starts: list[tuple[int, int]] | None) -> Iterator[tuple[str, str, int, int, int]]:
    if lowered is None:
        lowered = lower(text)
    if starts is None:
        starts = word_starts(lowered, CUE_WORDS)
    # The cue words are found first, by one trie of literal words on the lower-cased text
    # (tried only at the words that can start one); the full cue is then tried only where
    # one is. Every cue word is tried, also inside another cue's match: the words after a
    # cue word may start another cue ("a small wrapper, lsst-build-tools,").
    for hit in scan_at(_CUE_WORDS, lowered, starts, CUE):
        word = hit.group()
        if word in _LEAD:
            m = _CUES.match(text, hit.start())
            if m is not None:
                yield from _weights_of(m)
        if word in _TRAILING:
            yield from _trailing(text, hit.start())
    for start in version_starts(lowered):
        yield from _trailing(text, start)


def _trailing(text: str, at: int) -> Iterator[tuple[str, str, int, int, int]]:
    """The name before a cue that follows it ("the datalinker service", "Keycloak 24.1")."""
    if not at or not text[at - 1].isspace():
        return
    m = _TRAIL.match(text, at)
    if m is None:
        return
    before = _subject_before(text, at)
    if before is None:
        return
    group = "ver" if m.group("ver") else "subj"
    start, end = before.span("subj")
    if text[start].islower() and m.group("noun") and m.group("noun").lower() not in _PRODUCT_NOUNS:
        return  # "the deblender configuration", "a commandline tool": a modifier
    if m.group("noun") == "classes" and text[start].isupper():
        return  # "the attrs classes"; a capitalised word's classes are a model's ("Gaussian classes")
    if text[start].isupper() and _at_sentence_start(text, start):
        group = "initial"  # "Validation plots were ...": the capital says nothing
    yield group, "system", 2, start, end


def _subject_before(text: str, at: int) -> re.Match | None:
    """`_SUBJ` searched in the 60 characters before `at`. The subject ends where the white
    space before `at` starts, so it starts inside the last run of non-space characters:
    the search starts there (the same match, a shorter search)."""
    lo = max(0, at - 60)
    window = text[lo:at].rstrip()
    last = window.rsplit(None, 1)[-1] if window else ""
    return _SUBJ.search(text, lo + len(window) - len(last), at)


# Nouns after which a lower-case word is a product, not a modifier ("the datalinker
# service" but "the deblender configuration", "a commandline tool").
_PRODUCT_NOUNS = frozenset("service server servers package library plugin plugins plug-in module "
                           "operator client daemon exporter bindings cli api sdk app bot executor "
                           "controller index runner extension driver adapter connector classes hooks".split())
_ENGLISH_SUFFIX = re.compile(r"(?:ed|ing|i[sz]ed?|al|ive|ous|able|ible|ful|less|ic|ary|ly|ment|ness)\Z")
_SENTENCE_END = re.compile(r"(?:^|[.!?:;]\s+|\n\s*(?:[-*\u2022]\s+)?|^\s*[-*\u2022]\s+)\Z")


def _at_sentence_start(text: str, start: int) -> bool:
    """Whether the word at `start` opens a sentence, a line or a list item."""
    return _SENTENCE_END.search(text, max(0, start - 4), start) is not None


# The first word of every cue, lower case (see `_CUES`, `_TRAIL`): before a name, after it.
_LEAD = frozenset(
    "moved migrated switched migrating switching moving transitioned ported rolled deploy deploys "
    "deployed deploying install installs installed installing upgrade upgrades upgraded upgrading "
    "adopt adopts adopted adopting built written generated checked scanned managed monitored "
    "profiled profiling tested validated packaged orchestrated scheduled rendered plotted served "
    "indexed linted formatted benchmarked containerised containerized automated powered use uses "
    "shipped caught enforced routed cached compiled counted collected triggered proxied "
    "mirrored backed bundled provisioned configured driven handled tracked replicated exported queried "
    "visualised visualized made load-tested stress-tested hosted wrap wraps wrapped wrapping "
    "used using run runs running ran via replace replaces replaced replacing retire retires "
    "retired retiring pilot port integrate integrates integrated integrating table catalog "
    "catalogue data dataset tool wrapper package library service script dashboard app plugin "
    "workshop conference registration attended attending at presented talk talks poster posters "
    "paper papers abstract abstracts keynote proceedings colleagues partners staff students "
    "researchers scientists engineers visitors people members collaborators group groups team "
    "teams".split())
_TRAILING = frozenset(["as"] + (
    "server servers instance instances cluster clusters plugin plugins plug-in plug-ins dashboard "
    "dashboards api apis operator client sdk chart charts backend frontend front cli daemon "
    "container containers deployment logs database workflow workflows port overlay integration "
    "plots widget widgets module package library tool tools app service bot agent exporter "
    "endpoint endpoints broker wrapper bindings configuration repository repo job jobs queue pod "
    "pods release version executor executors controller controllers index runner runners extension "
    "extensions driver drivers adapter adapters connector connectors classes apps hooks").split())
_CUE_WORDS = trie_regex(_LEAD | _TRAILING)
#: Where a cue word may start, for `entity_regex.word_starts`.
CUE_WORDS = vocabulary(_LEAD | _TRAILING, CUE, False)
# A version number ("v2.3", "24.1") not inside a word or a longer number.
_VERSION = re.compile(r"(?<![\w.-])v?\d+\.\d")
_DOT_DIGIT = re.compile(r"\.\d")


def version_starts(lowered: str) -> Iterator[int]:
    """Where each match of `_VERSION` starts, in order. Every version has a dot followed by
    a digit, found by a fast literal search (most texts have none); the digits before the
    dot, and a "v" before them, give the only place a version can start there, which the
    regex then checks. (Matches cannot overlap: inside one, every position follows a
    word character or a dot.)"""
    for dot in _DOT_DIGIT.finditer(lowered):
        start = dot.start()
        while start and lowered[start - 1].isdecimal():  # what \d matches in a str pattern
            start -= 1
        if start == dot.start():
            continue  # no digit before the dot
        if start and lowered[start - 1] == "v":
            start -= 1
        if _VERSION.match(lowered, start):
            yield start


_ADJECTIVE = re.compile(r"-(?:based|like|style|driven|enabled|powered|aware|compatible|specific"
                        r"|wide|only|related|ready|native|friendly|side|level|time|scale)\Z")
_ARTICLE_BEFORE = re.compile(r"(?<![\w-])(?:the|a|an|our|its|their|new|old)\s+\Z")


def cue_candidates(text: str, known: dict[tuple[int, int], str], lowered: str | None = None,
                   starts: list[tuple[int, int]] | None = None) -> list[Candidate]:
    """The names whose cues in `text` reach `THRESHOLD`, at every cued place (``rule:cue``);
    spans the gazetteer or an ID pattern matched are left to them (`lowered`, `starts`: as
    for `cue_hits`)."""
    evidence: dict[tuple[str, str], int] = defaultdict(int)
    places: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for start, end, type_, surface, weight in cue_hits(text, lowered, starts):
        if (start, end) in known:
            continue
        evidence[type_, surface] += weight
        places[type_, surface].append((start, end))
    out: list[Candidate] = []
    for (type_, surface), weight in evidence.items():
        bonus = word_bonus(surface)
        if bonus is not None and weight + bonus >= THRESHOLD:
            out.extend((start, end, type_, surface, "rule:cue") for start, end in places[type_, surface])
    return out


class ArchiveEvidence:
    """Cues summed over many texts: what the archive says about each surface.

    `add(text)` scans one text; `learned()` gives the (type, name) of every surface whose
    summed cues reach `THRESHOLD`, written in at least two places (one place is what the
    text's own rule already decided)."""

    def __init__(self) -> None:
        self._weight: dict[tuple[str, str], int] = defaultdict(int)
        self._places: dict[tuple[str, str], int] = defaultdict(int)

    def add(self, text: str, covered: Iterable[tuple[int, int]] = ()) -> None:
        """Count the cues of one text; `covered` are the spans of its mentions: a word inside
        a mention is part of that name ("Processing" in "the Prompt Processing service"),
        read only when the text has a cue (most texts have none: a generator costs nothing
        then)."""
        hits = cue_hits(text)
        if not hits:
            return
        taken = None
        for start, end in covered:
            if taken is None:
                taken = bytearray(len(text))
            taken[start:end] = b"\x01" * (end - start)
        for start, end, type_, surface, weight in hits:
            if taken is not None and taken.find(1, start, end) != -1:
                continue
            self._weight[type_, surface] += weight
            self._places[type_, surface] += 1

    def counts(self) -> Iterator[tuple[str, str, int, int]]:
        """(type, surface, summed weight, places) of every cued surface so far."""
        for key, weight in self._weight.items():
            yield key[0], key[1], weight, self._places[key]

    def add_counts(self, type_: str, surface: str, weight: int, places: int) -> None:
        """Add (or, negative, take back) counts that `counts` gave for other texts."""
        key = (type_, surface)
        self._weight[key] += weight
        self._places[key] += places
        if not self._places[key]:
            del self._weight[key], self._places[key]

    def learned(self) -> dict[str, tuple[str, str]]:
        """surface -> (type, canonical name) for the surfaces the archive's cues type."""
        best: dict[str, tuple[int, str]] = {}
        for (type_, surface), weight in self._weight.items():
            if self._places[type_, surface] < 2:
                continue
            bonus = word_bonus(surface)
            if bonus is None or weight + bonus < THRESHOLD:
                continue
            if surface not in best or (weight, type_) > best[surface]:
                best[surface] = (weight, type_)
        return {surface: (type_, surface) for surface, (_w, type_) in best.items()}


def texts_evidence(texts: Iterable[str]) -> dict[str, tuple[str, str]]:
    """`ArchiveEvidence` over `texts` at once: surface -> (type, name)."""
    archive = ArchiveEvidence()
    for text in texts:
        archive.add(text)
    return archive.learned()

"""Open-class rules that look at one token: software-shaped tokens (``rule:shape``) and
single names in a context that says what they are (``rule:context``). See
`ingest.entity_rules` for the phrase rules and how candidates are settled."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.entity_freq import zipf_of
from ingest.entity_regex import AT, lower, scan_at, vocabulary, word_starts
from ingest.entity_words import GENERIC_UNITS, HOSTS, LANGUAGES, STOP

Candidate = tuple[int, int, str, str, str]  # start, end, type, name, via

# ------------------------------------------------------------------ shapes
_SHAPE = re.compile(
    r"(?<![\w.\-/@])(?:"
    r"(?P<camel>[A-Z]*[a-z0-9]+[A-Z][A-Za-z0-9]*|[A-Z]{2,}[a-z][A-Za-z0-9]*)"  # DataLoader, SQLAlchemy
    r"|(?P<digit>[A-Za-z][A-Za-z]*\d+[A-Za-z][\w]*|[a-z]{2,}\d+|[A-Za-z]{3,}\d+|\d[A-Z][a-z]\w*)"  # h5py, flake8, ERA5, 1Password
    r"|(?P<snake>[a-z][a-z0-9]*(?:_[a-z0-9]+)+)"                   # pipe_graph
    r"|(?P<py>py[a-z]{3,}|[a-z]{3,}py)"                             # pytest, pyarrow, numpy
    r"|(?P<kebab>[a-z][a-z0-9]*(?:-[a-z0-9]+)+)"                   # siav2-proxy, butler-server
    r")(?![\w\-]|\.\w)")
_SURNAME_PREFIX = re.compile(r"(?:Mc|Mac|De|Di|Da|Du|Le|La|Van|Von|Del|Des|O)[A-Z][a-z]+\Z")
# (CPU architectures such as arm64 are left to curation: reject = ["arm64"].)
_NOT_SHAPED = frozenset("PhD MSc BSc GeV TeV MeV keV kHz MHz GHz iOS vF2F F2F YouTube".split())
# A conference written as one word: "PebbleConf", "PyCon", "KubeCon", "HackWeek".
_EVENT_WORD = re.compile(r"[A-Z]\w*(?:Conf|Con|Fest|Camp|Week|Summit)\Z")
_PLURAL_ACRONYM = re.compile(r"[A-Z]+s\Z")  # IDs, PRs, CPUs
_PY_WORDS = frozenset("python pythonic pyramid pyre pyrex pyjamas pylon pylons pyrite pyres "
                      "copy happy sloppy choppy floppy canopy nappy soppy poppy puppy entropy "
                      "therapy spy".split())
VERSIONISH = re.compile(r"(?:v|V|DR|Q|FY|S|F|Gen|gen|rc|RC|py|w)\d")

# ------------------------------------------------------------------ contexts
_CALLED = re.compile(r"\b(?:called|named|dubbed)\s+(?P<name>[A-Z][\w]*(?:-\w+)*)")
_APPOSITIVE = re.compile(
    r"(?P<name>[A-Z][a-z]\w+),\s+(?:the|our|a|an)\s+(?:new\s+|first\s+|open-source\s+)?(?:[\w-]+\s+)?"
    r"(?:tool|dashboard|service|app|library|package|replacement|prototype|server|system|pipeline"
    r"|framework|viewer|scheduler|portal|database|broker|linter|formatter|orchestrator|engine|generator"
    r"|runner|proxy|gateway|cache|exporter|plugin|extension|bot|platform|backend|frontend|bundler"
    r"|compiler|profiler|registry|checker|validator|tracker|emulator|simulator|renderer|parser"
    r"|scanner)\b")

# ------------------------------------------------------------------ contexts and shapes
_AT_ACRONYM = re.compile(r"(?:a(?<!\wa)t|f(?<!\wf)rom)\s+(?:the\s+)?(?P<name>[A-Z]{3,6})(?![\w-]|\s+[A-Z])")
#: Where `_AT_ACRONYM` can start, for `entity_regex.word_starts`.
AT_WORDS = vocabulary(["at", "from"], AT, True)
# A name after the noun of its kind: "the static site generator Hugo", "the linter Ruff",
# "the reference catalog Gaia" (``rule:context``); the kind's nouns start the rule.
_KIND_NOUNS = {**{w: "system" for w in (
    "linter formatter orchestrator scheduler broker database framework library package tool engine "
    "generator runner viewer proxy gateway cache queue dashboard monitor exporter plugin "
    "extension bot server app platform backend frontend bundler compiler debugger profiler "
    "registry checker validator tracker emulator simulator renderer parser loader crawler scanner").split()},
    "catalog": "dataset", "catalogue": "dataset"}
#: Flag of `KIND_WORDS` (above the bits of `entity_regex`, `entity_rare` and `entity_subjects`).
KIND = 1 << 16
#: Where the kind rule starts, for `entity_regex.word_starts`.
KIND_WORDS: dict[str, int] = {w: KIND for w in _KIND_NOUNS}
_KIND_NAME = re.compile(r"[a-z]+[ \t]+(?P<name>[A-Z][a-z][\w]*(?:[-.][\w]+)*)(?![\w-]|\.\w|[ \t]+[A-Z]|')")
# A determiner, then at most two words of the kind ("the static site generator").
_KIND_BEFORE = re.compile(r"(?<![\w-])(?:[Tt]he|[Aa]n?|[Oo]ur|[Ii]ts|[Tt]heir|[Tt]his)[ \t]+(?:[a-z][\w-]*[ \t]+){0,2}\Z")


def kinds(text: str, starts: list[tuple[int, int]], known: dict[tuple[int, int], str]) -> Iterator[Candidate]:
    """Names after the noun of their kind, "the workflow engine Airflow" (``rule:context``);
    `starts`: the text's `entity_regex.word_starts` for a vocabulary that holds `KIND_WORDS`."""
    for pos, flags in starts:
        if not flags & KIND or not text[pos].islower():
            continue
        m = _KIND_NAME.match(text, pos)
        if m is None or text[pos:m.start("name")].split()[0] not in _KIND_NOUNS:
            continue
        word = m.group("name")
        if word in STOP or word in HOSTS or word in LANGUAGES or word in GENERIC_UNITS \
                or (m.start("name"), m.end("name")) in known:
            continue
        if _KIND_BEFORE.search(text, max(0, pos - 40), pos) is None:
            continue  # a noun of a kind after a determiner ("the generator Hugo", not "generator Hugo")
        type_ = _KIND_NOUNS[text[pos:m.start("name")].split()[0]]
        yield m.start("name"), m.end("name"), type_, word, "rule:context"


# What every match of `_APPOSITIVE` has: texts without it skip that scan.
_APPOSITIVE_GATE = re.compile(r",\s+(?:the|our|a|an)\s")


def contexts(text: str, starts: list[tuple[int, int]] | None = None) -> Iterator[Candidate]:
    """Single names typed by their context: "at SURF" (a site), "called Tabulator", "Hyrax,
    the tool that ..." (software). `starts`: the `entity_regex.word_starts` of the text
    for a vocabulary that includes `AT_WORDS`, if the caller has them."""
    if starts is None:
        starts = word_starts(lower(text), AT_WORDS)
    for m in scan_at(_AT_ACRONYM, text, starts, AT):
        word = m.group("name")
        if word not in HOSTS and word not in GENERIC_UNITS and word not in LANGUAGES:
            yield m.start("name"), m.end("name"), "organization", word, "rule:context"
    for m in (_CALLED.finditer(text) if ("called" in text or "named" in text or "dubbed" in text) else ()):
        word = m.group("name")
        if word not in STOP and word not in LANGUAGES and word not in HOSTS:
            yield m.start("name"), m.end("name"), "system", word, "rule:context"
    for m in (_APPOSITIVE.finditer(text) if _APPOSITIVE_GATE.search(text) else ()):
        word = m.group("name")
        if word not in STOP and word not in LANGUAGES and word not in HOSTS:
            yield m.start("name"), m.end("name"), "system", word, "rule:context"


# Something only a shaped token has; scanning for it first skips the plain words (most of a
# text) without trying the full shape at every position. It is found by a character that
# is rare in prose (a capital, a digit, "_", "y" of "py", "-"), so `re` skips to those
# with its first-character set, and the feature is checked around it: a capital after a
# lower-case letter or before a capital and a lower-case letter ("DataLoader",
# "SQLAlchemy"), letters next to digits, "_" between letters or digits, "py", or a
# package suffix ("-server"). Every feature lies inside the token it marks, so each
# token is found as the earlier form of the scan (first character of the feature) found it.
_FEATURE = re.compile(r"[A-Z\d_y\-](?:(?<=[a-z][A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z]\d)|(?<=\d)(?=[A-Za-z])"
                      r"|(?<=[a-z0-9]_)(?=[a-z0-9])|(?<=py)"
                      r"|(?<=-)(?:server|client|operator|proxy|cli|api|daemon|plugin|exporter|sdk|tools|utils)(?!\w))")


def _shaped_tokens(text: str):
    """Full-token matches of `_SHAPE` around each `_FEATURE` hit, each token once."""
    pos, n = 0, len(text)
    while (hit := _FEATURE.search(text, pos)) is not None:
        start, end = hit.start(), hit.end()
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_-"):
            start -= 1
        while end < n and (text[end].isalnum() or text[end] in "_-"):
            end += 1
        pos = end
        m = _SHAPE.match(text, start)
        if m is not None and m.end() == end:
            yield m


def shapes(text: str) -> Iterator[Candidate]:
    """Tokens shaped like software: inner capitals, letters with digits, snake_case,
    py-names, hyphenated package names."""
    for m in _shaped_tokens(text):
        token = m.group()
        kind = m.lastgroup
        if token in _NOT_SHAPED or token in LANGUAGES:
            continue
        if kind == "camel":
            if len(token) < 4 or _SURNAME_PREFIX.match(token) or _PLURAL_ACRONYM.match(token):
                continue
            if token[0].isdigit() and not any(c.islower() for c in token):
                continue  # "100G", "4K": a number and its unit
        elif kind == "py":
            if token in _PY_WORDS:
                continue
        elif kind == "digit":
            if VERSIONISH.match(token) and sum(c.isalpha() for c in token) < 4 or sum(c.isalpha() for c in token) < 3:
                continue
        elif kind == "snake":
            if any(part.isdigit() for part in token.split("_")):
                continue
        elif kind == "kebab":
            parts = token.split("-")
            if not any(any(c.isdigit() for c in p) and any(c.isalpha() for c in p) for p in parts):
                if not any(p in _KEBAB_SOFTWARE for p in parts) and parts[0] != "py":
                    continue
        type_ = "meeting" if kind == "camel" and _EVENT_WORD.match(token) else "system"
        yield m.start(), m.end(), type_, token, "rule:shape"


# Words that make a lower-case hyphenated token a package name ("butler-server").
_KEBAB_SOFTWARE = frozenset("server client operator proxy cli api daemon plugin exporter sdk tools "
                            "utils".split())




# ------------------------------------------------------------------ lower-case packages
# "the pint library", "a tqdm plugin": a lower-case word English knows a little, between an
# article and a noun of packaged code, is the package's name (``rule:context``).
PACKAGE_HEADS = frozenset("library package module plugin plugins bindings extension".split())
_ARTICLE_WORD = re.compile(r"(?<![\w-])(?:[Tt]he|[Aa]n?|[Oo]ur|[Ii]ts|[Tt]heir|[Tt]his)[ \t\n]+(?P<w>[a-z][a-z0-9]*)[ \t\n]+\Z")
# Endings of English nouns and adjectives that modify a noun of code ("the plotting library",
# "a helper module", "the optional package"), and plurals.
_MODIFIER_END = re.compile(r"(?:ing|ion|ment|ness|ity|ance|ence|ism|ics|ogy|ure|ry|er|or|ed|al|ic|ive|ous"
                           r"|ful|less|able|ible|ary|ly|s)\Z")


def lower_package(text: str, head: int) -> Candidate | None:
    """The lower-case package name between an article and the noun of code at `head`, or None."""
    m = _ARTICLE_WORD.search(text, max(0, head - 40), head)
    if m is None:
        return None
    word = m.group("w")
    if len(word) < 2 or _MODIFIER_END.search(word) or word in _LOWER_LANGUAGES or zipf_of(word) >= 4.0:
        return None
    return m.start("w"), m.end("w"), "system", word, "rule:context"


_LOWER_LANGUAGES = frozenset(w.lower() for w in LANGUAGES)

# ------------------------------------------------------------------ data releases
# A survey's data release written with its number: "Gaia DR3", "SkyMapper DR4", "Legacy
# Survey DR10" (the whole name; conventions §6 count "Gaia-DR3" as a data set, not an ID).
_RELEASE = re.compile(r"(?<=[ \t\n])DR\d{1,2}(?:\.\d{1,2})?(?![\w.-]|\.\d)")
_RELEASE_WORD = re.compile(r"[A-Z][\w]*(?:-[\w]+)*\Z")


def data_releases(text: str, known: dict[tuple[int, int], str]) -> Iterator[Candidate]:
    """Numbered data releases after the capitalised name of their survey (``rule:release``):
    up to three name words before "DR<n>", on its line or wrapped from the line before."""
    for m in _RELEASE.finditer(text):
        start, pos = m.start(), m.start()
        for _ in range(3):
            gap = pos
            while gap > 0 and text[gap - 1] in " \t\n":
                gap -= 1
            if "\n\n" in text[gap:pos] or gap == 0:
                break
            word_start = gap
            while word_start > 0 and not text[word_start - 1].isspace():
                word_start -= 1
            word = text[word_start:gap]
            if not _RELEASE_WORD.match(word) or word in STOP or word in LANGUAGES or word in GENERIC_UNITS:
                break
            if "\n" in text[gap:pos] and _heading_before(text, gap):
                break  # a heading line does not run into the next line's name
            start = pos = word_start
        if start == m.start() or any(a < m.end() and m.start() < b for a, b in known):
            continue  # no name before it, or the configuration knows the number already
        yield start, m.end(), "dataset", " ".join(text[start:m.end()].split()), "rule:release"


def _heading_before(text: str, end: int) -> bool:
    """Whether the line that ends at `end` is short and has no closing punctuation."""
    line = text[text.rfind("\n", 0, end) + 1:end].strip()
    return bool(line) and len(line.split()) <= 6 and line[-1] not in ".,;:!?)"

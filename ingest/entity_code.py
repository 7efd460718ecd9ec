"""Names that the text writes the way software is written: with a version number
(``rule:version``: "Traefik 3.1", "Ansible 2.16 manages ...", "pins click 8.1 and requests
2.32"), as the package of an install command (``rule:code``: "pip install skyplotkit",
"conda install zarr") or as the command of a shell line in backticks (``rule:code``:
"`uv sync`", "`schemalint --strict`").

The cue rule (`ingest.entity_cues`) already types a capitalised word before a version in
the middle of a sentence, weighed by how rare the word is; these rules take what it leaves:
a word at the start of a sentence, an everyday word ("Matrix 2.1"), a lower-case package
(only where the version cannot be a measurement: "v5", "0.1.5", two pins side by side, or a
verb of pinning or upgrading before it). Hard negatives stay out: words that number a
document or a plan ("Table 2.1", "Phase 1.5"), quantities ("about 2.5 TB", "redshift 0.5",
"seeing 0.7 arcsec": a number followed by a unit is no version), programming languages
("Python 3.12"), months, stop words and the ubiquitous hosts; an install or a command needs
its command word, so "we install the racks" types nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.entity_freq import zipf_of
from ingest.entity_words import GENERIC_UNITS, HOSTS, LANGUAGES, NUMBERING, STOP

Candidate = tuple[int, int, str, str, str]  # start, end, type, name, via

# ------------------------------------------------------------------ versions
# A version: "3.1", "1.30", "0.1.5", "v5", "v2.3"; not inside a word or a longer number,
# and not a decimal that a unit follows (checked after).
# (Found by the digits first, a character class `re` skips to fast; the boundaries are
# checked after, `_version_at`.)
# The first character is one set and the rest of each form follows a look-behind, so that
# `re` skips to a "v" or a digit in C (an alternation of two forms gets no such skip, and
# trying both at every character was a scan of ~30 us per section); the same matches.
_VERSION = re.compile(r"(?P<v>[v\d](?:(?<=v)\d+(?:\.\d+){0,3}|(?<=\d)\d*(?:\.\d+){1,3}))")
_AFTER = re.compile(r"[\w-]|\.\d")
# The name before it, one space (or a line break) between.
_WORD_BEFORE = re.compile(r"(?<![\w@+.-])(?P<w>[A-Za-z][\w+-]*[A-Za-z0-9]|[A-Za-z]{2})[ \n]\Z")
# Words that number the parts of a document or a plan (the cue rule's too), and, for
# these rules, more such words, quantities that take a number and words of measurement
# sentences: never names before a version.
_NUMBERED = frozenset(w.lower() for w in NUMBERING) | frozenset(w.lower() for w in (
    "Sect Pages Ver "
    "Month Quarter Line Lines Row Column Slide Box Option Rule Point Grade Class "
    "Category Type Model Mark Round Epoch Iteration Batch Wave Gen Generation Block Area Zone Region "
    "Field Tract Patch Visit Night Band Filter Order Factor Sigma Redshift Magnitude Mag Seeing "
    "Airmass Depth Size Radius Ratio Rate Score Threshold Index Slope Exponent Limit Mean Median "
    "Average Total Width Height Length Weight Scale Resolution Value Values Cost Speed Time Times "
    "Number Range Dose Temperature Pressure Voltage Frequency Bandwidth Latency Sec Min Max "
    "about around nearly roughly almost approximately over under only just some up down below "
    "above less more than least most to from by of at in on for with and or but is was are were "
    "be been has have had take took takes reached reach reaches fell rose grew dropped increased "
    "decreased went goes go got gets get per each every all within between plus minus times "
    "approx ca circa nearly exactly precisely typically z Raft Sensor Detector Chip Amp Amplifier Slot Rack "
    "Node Port Pier Bay Floor Room Building Site Camera Cell Channel Segment Sample Test Case Trial").split())
# What follows a measurement, not a version: units, counts, percentages.
_UNIT_AFTER = re.compile(
    r"[ \t]*(?:%|[xX×](?![\w])|(?:per|percent|million|billion|thousand|hundred|dozen"
    r"|hours?|hrs?|minutes?|mins?|seconds?|secs?|days?|weeks?|months?|years?|yrs?|nights?"
    r"|times|arcsec\w*|arcmin\w*|degrees?|deg|sigma|mag\w*|pixels?|pix|dex|kpc|Mpc|pc|au|AU"
    r"|microns?|nm|mm|cm|km|meters?|metres?|kg|FTEs?|sq|square|cubic|orders?|[A-Za-z]{1,3})(?![\w]))")
# Function words that may follow a version (the rest of the sentence), unlike a unit.
_SHORT_OK = frozenset("and or is was are to for in on as at by has had the now of its via but so if it "
                      "we yet nor not all can may did who".split())
# Verbs of pins and upgrades: a lower-case word before a plain "x.y" after them is a package.
_PIN_VERBS = frozenset("pin pins pinned pinning bump bumps bumped upgrade upgrades upgraded "
                       "update updates updated require requires required needs install installs "
                       "installed ships shipped release releases released".split())
_NEVER = frozenset(w.lower() for w in STOP) | {w.lower() for w in HOSTS | LANGUAGES | GENERIC_UNITS}
_SENTENCE_END = re.compile(r"(?:^|[.!?:;]\s+|\n\s*(?:[-*\u2022]\s+)?)\Z")


def _strong(version: str) -> bool:
    """A version no measurement is written as: "v5", "v2.3", "0.1.5"."""
    return version[0] == "v" or version.count(".") >= 2


def versions(text: str, known: dict[tuple[int, int], str]) -> Iterator[Candidate]:
    """Names written with a version number (``rule:version``)."""
    found = []
    for m in _VERSION.finditer(text):
        if m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "_.-") \
                or _AFTER.match(text, m.end()):
            continue  # inside a word or a longer number
        before = _WORD_BEFORE.search(text, max(0, m.start() - 40), m.start())
        if before is None:
            continue
        word = before.group("w")
        low = word.lower()
        if low in _NUMBERED or low in _NEVER or word in LANGUAGES or low.endswith("ly"):
            continue
        after = m.end()
        unit = _UNIT_AFTER.match(text, after)
        if unit is not None and unit.group().strip().lower() not in _SHORT_OK:
            continue  # "2.5 TB", "0.7 arcsec", "1.5x": a quantity
        found.append((before.start("w"), before.end("w"), word, m.group("v")))
    pairs = len(found) >= 2
    for start, end, word, version in found:
        if any(a < end and start < b for a, b in known):
            continue
        if word[0].islower():
            # a lower-case word before a plain decimal may be a quantity ("redshift 0.5"):
            # a package only with a version no measurement has, beside another pin, or
            # after a verb of pinning
            if not (_strong(version) or pairs):
                if not _pin_verb_before(text, start) or zipf_of(word) >= 5.0:
                    continue  # ("pinned down 2.5", "upgraded early 3.1": an everyday word)
        elif word.isupper() and len(word) <= 2:
            continue  # "DR 2.1", "Q 3.5"
        yield start, end, "system", word, "rule:version"


def _pin_verb_before(text: str, start: int) -> bool:
    words = text[max(0, start - 24):start].split()
    return bool(words) and words[-1].lower() in _PIN_VERBS


# ------------------------------------------------------------------ install commands
# "pip install skyplotkit", "conda install -c conda-forge zarr", "pip install x y".
_INSTALL = re.compile(
    r"(?<![\w@+./-])(?P<tool>[a-z][a-z0-9-]*[a-z0-9])[ \t]+install[ \t]+"
    r"(?P<args>(?:(?:--?[\w-]+(?:=\S+)?|[\w.-]+/[\w.-]+)[ \t]+)*(?:[A-Za-z0-9][\w.+-]*(?:\[[\w,]+\])?"
    r"(?:[=<>~!]=?[\w.*]+)?(?:[ \t]+|(?=[,.;:)`'\"\n]|\Z)))+)")
_PACKAGE = re.compile(r"(?P<p>[A-Za-z0-9][\w+-]*(?:\.[\w+-]+)*)(?:\[[\w,]+\])?(?:[=<>~!]=?[\w.*]+)?\Z")
# Words that stand before "install" in English prose, not as a command: pronouns, modals,
# adverbs ("we install", "to install", "then install").
_NOT_TOOLS = frozenset("to we you they i he she it who which that and or then also please not must should "
                       "could would will can may might did do does just first later now easily only "
                       "simply never still always cannot let lets help helps".split())


def installs(text: str, known: dict[tuple[int, int], str]) -> Iterator[Candidate]:
    """The installer and the packages of an install command (``rule:code``)."""
    for m in _INSTALL.finditer(text):
        tool = m.group("tool")
        if tool in _NOT_TOOLS or zipf_of(tool) >= 5.0 or tool.endswith("s") and zipf_of(tool[:-1]) >= 4.0:
            continue  # "engineers install": a plural noun, no command
        spans = [(m.start("tool"), m.end("tool"), tool)]
        pos = m.start("args")
        value = False  # the token after a one-letter option is its value ("-c forge")
        for token in m.group("args").split():
            at = text.index(token, pos)
            pos = at + len(token)
            if value or token.startswith("-") or "/" in token:
                value = len(token) == 2 and token[0] == "-" and token[1].isalpha()
                continue  # an option, its value, a channel
            p = _PACKAGE.match(token)
            if p is None or token.lower() in _NOT_TOOLS or token.lower() in _NEVER:
                break  # "pip install the new version": prose again
            spans.append((at, at + len(p.group("p")), p.group("p")))
        if len(spans) == 1:
            continue
        for start, end, name in spans:
            if not any(a < end and start < b for a, b in known):
                yield start, end, "system", name, "rule:code"


# ------------------------------------------------------------------ commands in backticks
# "`uv sync`", "`schemalint --strict`": the first word of a shell line with a sub-command
# or an option after it.
_COMMAND = re.compile(r"`(?P<cmd>[a-z][\w.-]*[a-z0-9])[ \t]+(?P<arg>--?[a-z][\w-]*|[a-z][\w-]*)[^`\n]*`")
# Shell built-ins and words of the shell itself name no product.
_SHELL = frozenset("cd ls echo export source set unset alias exit time type read eval exec test "
                   "true false if then else fi for do done while case esac function return sudo".split())


def commands(text: str, known: dict[tuple[int, int], str]) -> Iterator[Candidate]:
    """The command of a shell line in backticks (``rule:code``)."""
    for m in _COMMAND.finditer(text):
        cmd = m.group("cmd")
        if cmd in _SHELL or cmd in _NEVER or "/" in cmd:
            continue
        start, end = m.span("cmd")
        if not any(a < end and start < b for a, b in known):
            yield start, end, "system", cmd, "rule:code"


def code_candidates(text: str, known: dict[tuple[int, int], str]) -> list[Candidate]:
    """Every candidate of this module's rules in `text` (cheap literal gates first: most
    texts have no version, no install and no backtick)."""
    out: list[Candidate] = []
    if "." in text or " v" in text:
        out.extend(versions(text, known))
    if " install " in text:
        out.extend(installs(text, known))
    if "`" in text:
        out.extend(commands(text, known))
    return out

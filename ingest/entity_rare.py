"""Words English does not use, where software is written (``rule:rare``), machines named
by what they do (``rule:agent``) and data products before a noun of data (``rule:context``);
see `ingest.entity_phrases` for the phrase rules and how they are called."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.entity_freq import word_bonus
from ingest.entity_freq import zipf_of as zipf
from ingest.entity_phrase_words import (
    Candidate, F_RARE, F_UNSEEN, NOT_NAME, PLURAL, TOKEN, TOKEN_FULL,
    capital_before, determiner_before, english_compound, frequencies, heading_line,
    lower_name, next_is_capital, plain_capital, prev_word_capital, sentence_start,
    starts_word, tail_words, word_before, written_lower)

# ------------------------------------------------------------------ rare words in context
# The prepositions, participles and data nouns these rules start from are found by the
# matcher's one pass over the words of a text (`entity_regex.word_starts`, `PHRASE_WORDS`),
# and each regex is tried only there, not scanned over the text.
_PARTICIPLES = ("adopted deployed installed upgraded retired tried configured patched switched turned "
                "enabled disabled containerised containerized pinned vendored forked packaged evaluated "
                "benchmarked dropped deprecated considered removed replaced rejected introduced launched "
                "trialled trialed piloted decommissioned uninstalled reinstalled rebuilt restarted "
                "abandoned").split()
# What may stand between the subject and the participle ("Dependabot was switched off").
_AUXILIARIES = tuple(f" {aux} {adv}" for aux in ("is", "was", "were", "are", "has been", "have been", "will be")
                     for adv in ("", "now ", "also ", "then ", "first ", "never ", "finally ", "later ",
                                 "briefly ", "eventually ", "successfully "))
_PARTICLE_AFTER = {"switched": (" off", " on"), "turned": (" off",)}
_DATA_WORDS = ("table", "tables", "images", "coadds", "mosaics", "light", "spectra")
_DATA_NOUN = re.compile(r"(?:tables?|images|coadds|mosaics|light +curves|spectra)(?![\w-])")
# Flags of `PHRASE_WORDS` (bits above those of `entity_regex`, which uses 1..64).
PASSIVE, DATA = 1 << 13, 1 << 14
#: The words where a phrase rule starts, for `entity_regex.word_starts`.
# (Not the prepositions: words as frequent as "with" and "by" would lengthen every rule's
# list of starts; they are found by a scan of their own, `_PREP_SCAN`.)
PHRASE_WORDS: dict[str, int] = {**{w: PASSIVE for w in _PARTICIPLES}, **{w: DATA for w in _DATA_WORDS}}
_PREP_SCAN = re.compile(rf" (?:[Ww]ith|by|via|using|through) +({TOKEN})(?![\w@+-])")
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
            return word_before(text, pos - len(aux))
    return None


def rare_words(text: str, starts: list[tuple[int, int]] = (),
               known: dict[tuple[int, int], str] | None = None) -> Iterator[Candidate]:
    """Words English does not use, where software is written, and coined words made of
    English ones (``rule:rare``); capitalised machines named by what they do after an
    article (``rule:agent``, found in the same pass over the capitalised words). `starts`:
    the `entity_regex.word_starts` of the text for a vocabulary that includes
    `PHRASE_WORDS`; `known`: the spans the configuration names (never coined names)."""
    freq = frequencies()
    rare, seldom, made = set(), set(), set()
    flat = text.replace("\n", " ") if "\n" in text else text  # same offsets, one kind of space
    for word in set(_PREP_SCAN.findall(flat)) - _SEEN_WORDS:
        f = freq.get(word.lower(), 0.0)
        if word[0].islower() and (f < F_UNSEEN or not word.isalpha()) and lower_name(word) \
                or word[0].isupper() and f < F_RARE and plain_capital(word):
            rare.add(word)
        elif word[0].isupper() and f < F_COMMON and plain_capital(word) and word.isalpha() \
                and not ABSTRACT.search(word) and not _english_plural(word):
            # a capitalised word English knows a little ("Packer", "Rancher"): a name after
            # a participle of making ("built with Packer", "deployed with Rancher")
            rare.add(word)
            made.add(word)
        elif word[0].islower() and f < F_RARE and word.isalpha() and len(word) > 1 and not _NOUN_END.search(word):
            # a word English barely uses ("maturin", "jq", "tox"): a name where the phrase
            # ends with it ("built by maturin and ..."), not before a noun
            rare.add(word)
            seldom.add(word)
        elif len(_SEEN_WORDS) < 50_000:
            _SEEN_WORDS.add(word)
    for m in (_PREP_SCAN.finditer(flat) if rare else ()):
        word = m.group(1)
        if word in seldom and _PHRASE_END.match(flat, m.end()) is None:
            continue  # "through photometry", "with stellar ..."
        if word in made and not (m.group()[1:3].lower() == "wi" and _made_with(flat, m.start())):
            continue  # "with Parker", "by Hunter": only a participle of making says software
        if word not in rare or word[0].isupper() and (m.group()[1:3].lower() == "by" or m.group()[1:3].lower() == "wi"
                                                     and _with_person(text, m.start(), m.end())):
            continue  # "met with Fischer", "chaired by Tanaka": people are worked with, led by
        if word in NOT_NAME or word.isupper() or not word[0].isalpha() or next_is_capital(text, m.end()):
            continue  # ("with 320 nodes")
        yield m.start(1), m.end(1), "system", word, "rule:rare"
    for pos, flags in starts:
        if flags & PASSIVE:
            found = _passive_subject(flat, pos)  # ("Presto was" / "removed")
            if found is None:
                continue
            start, word = found
            if word in NOT_NAME or word.isupper() or determiner_before(text, start):
                continue
            if word[0].islower():
                if not lower_name(word):
                    continue
            elif not sentence_start(text, start):
                if (word_bonus(word) or 0) < 0:
                    continue
            elif (word_bonus(word) or 0) < 1 and not _initial_name(text, word):
                continue  # "Authentication was enabled", "Power was switched off"
            if word[0].isupper() and (capital_before(text, start) or _english_plural(word)):
                continue  # "Dashboards were rebuilt": a plural of an English noun
            yield start, start + len(word), "system", word, "rule:rare"
    fresh = set(_CAP_WORD.findall(text)) - _SEEN_CAPITALS
    if fresh and known:
        fresh -= {text[a:b] for a, b in known}
    capitals = fresh & _CAPITALS  # (decided in an earlier text)
    for word in fresh - capitals:
        if word not in NOT_NAME and (word.endswith(("er", "or")) and word not in _NOT_AGENT
                                      or word.lower() not in freq):
            capitals.add(word)
            if len(_CAPITALS) < 50_000:
                _CAPITALS.add(word)
        elif len(_SEEN_CAPITALS) < 50_000:
            _SEEN_CAPITALS.add(word)  # an English word, neither agent nor coined: never again
    if not capitals:
        return
    for m in _capital_matches(text, capitals):
        word = m.group()
        if word.endswith(("er", "or")) and word not in _NOT_AGENT and m.start() > 2 \
                and text[m.start() - 1] == " " and prev_word_capital(text, m.start() - 1):
            agent = _agent(text, m.start(), m.end())
            if agent is not None:
                yield agent
                continue
        if word.lower() in freq or not starts_word(text, m.start()) or word in NOT_NAME \
                or PLURAL.search(word) or not english_compound(word):
            continue  # a plural ("Technotes") is a common noun of some jargon
        if sentence_start(text, m.start()) and written_lower(text, word):
            continue  # "Pyarrow ..." where the text writes pyarrow: a re-cased name
        if next_is_capital(text, m.end()) or capital_before(text, m.start()) or heading_line(text, m.start()):
            continue
        yield m.start(), m.end(), "system", word, "rule:rare"


# Endings of English abstract nouns ("Caching", "Replication", "Telemetry", "Throughput"):
# a sentence-initial subject with them is the common noun, not a product.
ABSTRACT = re.compile(r"(?:ing|ion|ment|ness|ity|ance|ence|ism|ics|ogy|ure|ry|put|ship|hood|dom)\Z")


def _english_plural(word: str) -> bool:
    return PLURAL.search(word) is not None and zipf(word[:-1]) >= 3.0


def _initial_name(text: str, word: str) -> bool:
    """Whether a sentence-initial capitalised `word` that English knows a little (Zipf 2.5
    to 4: "Temporal", "Thanos", "Presto") reads as a name before a participle: not an
    abstract noun by its ending, not the plural of an English noun, and not written in lower case elsewhere in
    the text (where it is the English word)."""
    return (word_bonus(word) == 0 and not ABSTRACT.search(word) and not _english_plural(word)
            and not written_lower(text, word))


# Endings of English nouns and adjectives, and plurals: a rare word with one is jargon
# ("through photometry", "with deblending", "with coadds"), seldom a tool's name.
_NOUN_END = re.compile(r"(?:ing|ion|ment|ness|ity|ance|ence|ism|ics|ogy|ure|ry|ed|al|ic|ive|ous|ful|less|able"
                       r"|ible|ary|ly|s)\Z")
# What ends the phrase after such a word: punctuation, or a word that starts another.
_PHRASE_END = re.compile(r"(?:[,.;:)]|[ \t]+(?:in|for|and|or|to|on|before|after|at|from|which|that|so|but|as"
                         r"|when|instead|into|is|was|are|were|now)\b)")


# Participles of making and running things: "built with Packer", "deployed with Rancher".
_MADE = frozenset("built deployed managed written tested validated packaged orchestrated scheduled rendered "
                  "plotted drawn filtered checked parsed generated compiled monitored profiled scanned served "
                  "indexed linted formatted benchmarked containerised containerized automated configured "
                  "provisioned encrypted signed replaced installed upgraded hosted shipped bundled "
                  "documented typeset published visualised visualized analysed analyzed processed".split())
F_COMMON = 10 ** (4.0 - 9)  # a Zipf value of 4


def _made_with(text: str, at: int) -> bool:
    """Whether the word before " with" at `at` is a participle of making things."""
    before = text[max(0, at - 24):at].split()
    return bool(before) and before[-1].lower() in _MADE


# Words before "with" that take a person after it ("met with Fischer", "a call with Okafor").
_SOCIAL = frozenset(
    "met meet meets meeting meetings worked work works working spoke speak speaks speaking talked talk "
    "talks talking discussed discussion discussions chat chats chatted call calls collaborate "
    "collaborated collaborating collaboration collaborations coordinated coordinating coordination "
    "together along agreed agree synced sync visit visited visits interview interviews paired pairing "
    "partnered partnering contact touch conversation conversations session sessions lunch dinner "
    "coffee consulted liaising liaised liaise cooperation jointly alongside teamed shared sat "
    "onboarding onboarded mentoring mentored along".split())


def _with_person(text: str, start: int, end: int) -> bool:
    """Whether the capitalised word after "with" at `start` (ending at `end`) is someone
    worked with: a social word before "with", a possessive after the word, or a
    sentence that opens with "With"."""
    before = text[max(0, start - 24):start].split()
    return (not before or before[-1].lower().strip(",.;:") in _SOCIAL or before[-1][-1] in ".!?"
            or text.startswith("'s", end) or text[start + 1] == "W")


_SEEN_CAPITALS: set[str] = set()  # capitalised English words met so far, neither agent nor coined
_CAPITALS: set[str] = set()  # and those met that are agents or coined (the test is the word's alone)
_CAP_END = re.compile(r"(?![\w@+-]|\.\w)")  # where a `_CAP_WORD` match may end


def _capital_matches(text: str, words: set[str]) -> list[re.Match]:
    """The matches of `_CAP_WORD` in `text` that are one of `words`, in order: each word's
    places found by a string search (most capitalised words of a text are none of them).
    A match is a capital and its whole run of lower-case letters (`_CAP_END` after), and
    no match can start inside or right after another (a match ends before a non-word
    character), so each place of a word with `_CAP_END` after it is one."""
    found = []
    for word in words:
        n = len(word)
        at = text.find(word)
        while at >= 0:
            if _CAP_END.match(text, at + n):
                found.append(at)
            at = text.find(word, at + 1)
    found.sort()
    return [_CAP_WORD.match(text, at) for at in found]


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
    if next_is_capital(text, end) or text[end:end + 1] == "-" or not starts_word(text, start):
        return None
    before = tail_words(text, start, 4, span=60)
    run: list[tuple[int, str]] = []
    for at, word in reversed(before):
        if word.lower() in _AGENT_DETERMINERS and run:
            break
        if not word[0].isupper() or len(run) == 3 or word in NOT_NAME or "\n" in text[at:start]:
            return None
        run.append((at, word))
    else:
        return None  # no article before the run
    run.reverse()
    words = [w for _, w in run] + [text[start:end]]
    if any(not TOKEN_FULL.match(w) for w in words) or heading_line(text, run[0][0]):
        return None
    return run[0][0], end, "system", " ".join(words), "rule:agent"


def data_products(text: str, known: dict[tuple[int, int], str],
                  starts: list[tuple[int, int]] = ()) -> Iterator[Candidate]:
    """A name shaped like a product before a noun of data ("the MatchedVisitSource table",
    "OpenUniverse2024 images") is a data set (``rule:context``)."""
    for pos, flags in starts:
        if not flags & DATA or pos == 0 or text[pos - 1] != " " or _DATA_NOUN.match(text, pos) is None:
            continue
        found = word_before(text, pos - 1)
        if found is None:
            continue
        word = found[1]
        span = (found[0], found[0] + len(word))
        if span in known or word in NOT_NAME or not _shaped(word):
            continue
        yield span[0], span[1], "dataset", word, "rule:context"


def _shaped(word: str) -> bool:
    core = word.replace("-", "").replace("_", "")
    return ("_" in word or any(c.isdigit() for c in core) and sum(c.isalpha() for c in core) >= 3
            or sum(c.isupper() for c in core) >= 2 and any(c.islower() for c in core))

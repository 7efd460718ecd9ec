"""Consistency of rule-found names: a name typed with confidence somewhere is the same
entity (same canonical name, same type) everywhere it appears.

Rules see one text at a time; this module spreads what they learnt across texts:

- `learn(mentions)` votes, over rule-found mentions, one (type, canonical name) per surface:
  evidence from a defining rule (an acronym definition, a head noun, a context) outweighs a
  token shape, which outweighs a repeat;
- `Spreader(learned).apply(text, mentions)` adds the other uses of those surfaces in a text
  (``via`` as given: ``rule:repeat`` inside a report, ``archive`` across the archive) and
  re-types rule-found mentions that disagree with the vote. Configured names (gazetteer,
  patterns) are never touched.

`build_report` applies it within each report (title, headings, sections);
`search` applies it across the archive after an ingest.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from operator import attrgetter

from ingest.entity_automaton import NameFinder
from ingest.entity_freq import everyday_word
from ingest.entity_regex import TYPOGRAPHIC, url_spans
from ingest.model import Mention, found_by_rule

# How much one mention's evidence weighs in the vote for its surface's type.
_WEIGHT = {"rule:acronym": 4, "rule:head-noun": 3, "rule:context": 3, "rule:variant": 3, "rule:cue": 2,
           "rule:shape": 2, "rule:repeat": 1, "archive": 1}

Learned = dict[str, tuple[str, str]]  # surface -> (type, canonical name)


#: A surface spreads only on evidence of at least this weight: a defining rule or a token
#: shape somewhere, never repeats alone.
MIN_WEIGHT = 2


def learn(mentions: Iterable[Mention]) -> Learned:
    """One (type, name) per surface written by rule-found mentions, by weighted vote; only
    surfaces with a defining rule or a shape behind them (`MIN_WEIGHT`)."""
    return learned_of(votes_of(mentions))


Votes = dict[str, dict[tuple[str, str], int]]  # surface -> (type, name) -> summed weight


def votes_of(mentions: Iterable[Mention], votes: Votes | None = None) -> Votes:
    """The weighted votes of rule-found `mentions` (added to `votes` when given)."""
    if votes is None:
        votes = defaultdict(lambda: defaultdict(int))
    for m in mentions:
        if found_by_rule(m.via) and m.via != "rule:variant":
            surface = " ".join(m.surface.translate(TYPOGRAPHIC).split())
            votes[surface][(m.type, m.name)] += _WEIGHT.get(m.via, 1)
            if m.name != surface:
                # the canonical name written out is the same entity ("SSES" for its definition)
                votes[m.name][(m.type, m.name)] += _WEIGHT.get(m.via, 1)
    return votes


def learned_of(votes: Votes) -> Learned:
    """The vote's winner per surface, for surfaces whose winner weighs `MIN_WEIGHT`."""
    best = {surface: max(v.items(), key=lambda kv: (kv[1], kv[0])) for surface, v in votes.items() if v}
    return {surface: key for surface, (key, weight) in best.items() if weight >= MIN_WEIGHT}


def spread_map(learned: Learned) -> Learned:
    """What a `Spreader` of `learned` writes: every surface it adds or re-types -> (type,
    name); two learned maps with the same spread map change no text differently."""
    learned = {s: v for s, v in learned.items() if not everyday_word(s)}
    # a plural of a one-word name is that name ("DataLoaders", "ScarletLites")
    plurals = {s + "s": v for s, v in learned.items()
               if " " not in s and s[-1:].isalnum() and not s.endswith("s") and s + "s" not in learned}
    return {**plurals, **learned}


_VIA = attrgetter("via")  # (a text's mentions have few distinct vias: each is tested once)


class Spreader:
    """Applies learned names to texts: one automaton finds every learned surface
    (`ingest.entity_automaton.NameFinder`, what a trie regex of them finds)."""

    def __init__(self, learned: Learned, via: str = "rule:repeat") -> None:
        # An everyday English word ("Have" opening a sentence, "Team") that a rule typed is
        # not spread to every place it is written (`spread_map`): on a generated 30k-section
        # archive such words reached hundreds of reports each. The rule's own mention stays.
        self.learned = learned = spread_map(learned)
        self.via = via
        self._finder = NameFinder(learned) if learned else None

    def apply(self, text: str, mentions: tuple[Mention, ...]) -> tuple[Mention, ...]:
        """`mentions` of `text` made consistent with the learned names, plus the uses of
        learned surfaces that no mention covers yet; sorted by start."""
        if self._finder is None or not text:
            return mentions
        # (the folding maps non-ASCII characters only: most texts are their own fold)
        work = text if text.isascii() else text.translate(TYPOGRAPHIC)
        hits = self._finder.spans(work)
        if not hits and not any(map(found_by_rule, set(map(_VIA, mentions)))):
            return mentions  # the common case: nothing learned is written here
        out = []
        changed = False
        for m in mentions:
            want = self.learned.get(" ".join(m.surface.translate(TYPOGRAPHIC).split())) if found_by_rule(m.via) else None
            if want and want != (m.type, m.name):
                m = replace(m, type=want[0], name=want[1])
                changed = True
            out.append(m)
        if hits:
            taken = bytearray(len(work))
            for m in out:
                taken[m.start:m.end] = b"\x01" * (m.end - m.start)
            for start, end in url_spans(work):
                taken[start:end] = b"\x01" * (end - start)
            for start, end in hits:
                if taken.find(1, start, end) != -1 or _inside_word(work, start, end):
                    continue
                type_, name = self.learned[" ".join(work[start:end].split())]
                taken[start:end] = b"\x01" * (end - start)
                out.append(Mention(type=type_, name=name, start=start, end=end, surface=text[start:end],
                                   via=self.via))
                changed = True
        if not changed:
            return mentions
        return tuple(sorted(out, key=lambda m: m.start))


_WORDISH = re.compile(r"[\w-]")


def _inside_word(text: str, start: int, end: int) -> bool:
    """A learned surface glued to a hyphen ("Nightjar-based") is part of another word."""
    return (start > 0 and _WORDISH.match(text[start - 1]) is not None) or \
        (end < len(text) and _WORDISH.match(text[end]) is not None)

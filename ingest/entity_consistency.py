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


_START, _VIA = attrgetter("start"), attrgetter("via")
#: Joins the texts of one report for one search (`Spreader.apply_all`). No name holds
#: either character. A name's space matches a run of white space, and the NUL (neither
#: white space nor a word character) stops it; the line break ends every URL
#: (`entity_regex.url_spans`), which a NUL does not. Next to the joint a name or a URL
#: matches as at a text's start or end.
_JOIN = "\x00\n"

def _wordish(c: str) -> bool:
    """A character a learned surface may not touch: a word character (what ``\\w`` matches)
    or a hyphen."""
    return c.isalnum() or c in "_-"


Retyped = list[tuple[int, int, str, str]]  # (start, end, own type, own name) of re-typed mentions


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
        return self._spread([(text, mentions)], text)[0][0]

    def apply_all(self, items: list[tuple[str, tuple[Mention, ...]]]) -> list[tuple[tuple[Mention, ...], Retyped]]:
        """`apply` of every (text, mentions) of `items` (the texts of one report), with the
        mentions it re-typed: (start, end, their own type and name). The texts are searched
        joined (`_JOIN`), once: a report has some twenty texts, most of them short, and a
        search (and a look for URLs) per text cost more than the searching itself."""
        if self._finder is None:
            return [(mentions, []) for _, mentions in items]
        joined = _JOIN.join(text for text, _ in items)
        if joined.count("\x00") != len(items) - 1:  # a text holds a NUL itself: each alone
            return [self._spread([(text, mentions)], text)[0] for text, mentions in items]
        return self._spread(items, joined)

    def _spread(self, items, joined: str) -> list[tuple[tuple[Mention, ...], Retyped]]:
        # `joined`: the texts of `items` joined by `_JOIN`
        # (only a non-ASCII text can hold a character the folding maps)
        work = joined if joined.isascii() else _JOIN.join(
            text if text.isascii() else text.translate(TYPOGRAPHIC) for text, _ in items)
        hits = self._finder.spans(work)
        rule_vias = {v for v in {m.via for _, mentions in items for m in mentions} if found_by_rule(v)}
        if not hits and not rule_vias:
            return [(mentions, []) for _, mentions in items]
        learned, via = self.learned, self.via
        bases, base = [], 0
        for text, _ in items:
            bases.append(base)
            base += len(text) + len(_JOIN)
        added: defaultdict[int, list[Mention]] = defaultdict(list)
        if hits:
            taken = bytearray(len(work))
            for (_, mentions), base in zip(items, bases):
                for m in mentions:
                    taken[base + m.start:base + m.end] = b"\x01" * (m.end - m.start)
            for a, b in url_spans(work):
                taken[a:b] = b"\x01" * (b - a)
            part, last, size = 0, len(items) - 1, len(work)
            for start, end in hits:
                # (hits do not overlap one another: only mentions and URLs are in the way)
                if taken.find(1, start, end) != -1:
                    continue
                if (start and _wordish(work[start - 1])) or (end < size and _wordish(work[end])):
                    continue  # glued to a hyphen ("Nightjar-based"): part of another word
                while part < last and bases[part + 1] <= start:
                    part += 1
                type_, name = learned[" ".join(work[start:end].split())]
                base = bases[part]
                new = Mention(type_, name, start - base, end - base,
                              items[part][0][start - base:end - base], via)
                added[part].append(new)
        out = []
        for i, (text, mentions) in enumerate(items):
            new = added.get(i)
            retyped: Retyped = []
            if rule_vias and text and not rule_vias.isdisjoint(map(_VIA, mentions)):
                mentions, retyped = self._retyped(mentions)
            if new is None and not retyped:
                out.append((items[i][1], []))
                continue
            merged = list(mentions) + new if new else list(mentions)
            merged.sort(key=_START)
            out.append((tuple(merged), retyped))
        return out

    def _retyped(self, mentions):
        """`mentions` with the rule-found ones the learned names re-type re-typed, and
        (start, end, own type, own name) of each."""
        retyped: Retyped = []
        out = None
        for i, m in enumerate(mentions):
            if found_by_rule(m.via):
                want = self.learned.get(" ".join(m.surface.translate(TYPOGRAPHIC).split()))
                if want and want != (m.type, m.name):
                    if out is None:
                        out = list(mentions)
                    out[i] = replace(m, type=want[0], name=want[1])
                    retyped.append((m.start, m.end, m.type, m.name))
        return (mentions if out is None else tuple(out)), retyped

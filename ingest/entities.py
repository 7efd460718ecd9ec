"""Find entity mentions (documents, milestones, tickets, systems, ...) in report text.

What to find is data: `ingest/entities.toml` (ID patterns, a gazetteer of names and
aliases, URL templates), optionally extended or replaced by a user file; see
`ingest.entity_config` for the format. This module turns a checked configuration into an
`EntityMatcher` (its patterns and context rules compiled by `ingest.entity_compile`):

- ID patterns: one compiled regex per family (a dozen), each wrapped in boundaries so that
  an ID is not a piece of a longer token;
- names: all aliases compiled into two trie-shaped regexes (case-sensitive and
  case-insensitive), so one pass finds the longest alias starting at each word, whatever
  the size of the gazetteer;
- context rules (``require_before`` ...) for names that are ordinary words ("registry",
  "Object table") and for ID families that are IDs only in context ("503-14" after
  "milestone");
- overlaps are settled longest first ("Execution Butler" over "Butler", "LDM-503-EFDa" over
  "LDM-503"); on a tie, ID patterns beat names and earlier (user) entries beat later ones.

Text inside URLs and bare host/path tokens (``https://…``, ``dmtn-208.lsst.io``,
``ls.st/LDM-503``) is skipped on purpose: a URL is an address, not a mention, and it is
where the hard negatives live (``…/report-2045``). Typographic variants (non-breaking
hyphens, en-dashes, non-breaking spaces, curly quotes) are matched as their plain forms,
a space in an alias matches any run of white space, line breaks included, and an ID may
break across lines after a hyphen ("LDM-" / "503-2").
"""

from __future__ import annotations

import re
from operator import attrgetter
from pathlib import Path
from urllib.parse import quote

from ingest.entity_automaton import WordStarts
from ingest.entity_phrases import listed, recased
from ingest.entity_compile import ID_BEFORE, compile_name, compile_pattern, fits, union
from ingest.entity_config import (
    DEFAULT_CONFIG_PATH,
    EntityConfig,
    default_case_sensitive,
    load_config,
)
from ingest.entity_regex import (NAME_ANY_CASE, NAME_CASED, TYPOGRAPHIC, lower, matches_at, merge, name_matches,
                                 prefilter, trie_regex, url_spans, vocabulary)
from ingest.entity_repeats import repeats
from ingest.entity_rules import RULE_WORDS, open_class
from ingest.model import ENTITY_TYPES, VIA_GAZETTEER, VIA_PATTERN, Mention

__all__ = ["DEFAULT_CONFIG_PATH", "EntityMatcher", "load_matcher"]

_NEVER = "(?!)"  # a prefilter alternative that matches nothing
_START = attrgetter("start")

class EntityMatcher:
    """Finds mentions in text according to an `EntityConfig`.

    With `rules` (the default) the open-class rules of `ingest.entity_rules` add names that
    no configuration lists; every mention says how it was found (`Mention.via`).

    Cheap to pickle: it pickles as its configuration and rebuilds itself (a few ms), which
    is what worker processes get.
    """

    def __init__(self, config: EntityConfig, rules: bool = True) -> None:
        self._config = config
        self.rules = rules
        self._rejected = frozenset(r.lower() for r in config.rejects)
        self._patterns = tuple(compile_pattern(p) for p in config.patterns)
        self._names = tuple(compile_name(n) for n in config.names)
        self._links = dict(config.links)
        cs: dict[str, int] = {}
        ci: dict[str, int] = {}
        loose: dict[str, int] = {}
        for i, spec in enumerate(config.names):
            for alias in spec.aliases:
                sensitive = spec.case_sensitive
                if sensitive is None:
                    sensitive = default_case_sensitive(alias)
                # setdefault: the first entry (user entries come first) keeps a shared alias
                (cs if sensitive else ci).setdefault(alias if sensitive else alias.lower(), i)
                loose.setdefault(alias.lower(), i)
        self._cs_lookup, self._ci_lookup, self._loose_lookup = cs, ci, loose
        self._cs_regex = trie_regex(cs)
        self._ci_regex = trie_regex(ci)
        # Where a name or a rule's word can start, by one pass over the words of the
        # lower-cased text (`entity_regex.word_starts`) instead of one regex scan each.
        # When some alias starts with a non-word character, the name regexes scan instead.
        cs_words, ci_words = vocabulary(cs, NAME_CASED, True), vocabulary(ci, NAME_ANY_CASE, False)
        self._by_words = cs_words is not None and ci_words is not None
        self._words = merge(*((cs_words, ci_words) if self._by_words else ()),
                            *((RULE_WORDS,) if rules else ()))
        self._word_starts = WordStarts(self._words)  # (an automaton: see its docs)
        # Patterns with a `requires` gate stay out of the union (one that may start at any
        # word would slow every scan) and run only on texts that contain their gate.
        self._gates = {i: re.compile(p.spec.requires) for i, p in enumerate(self._patterns)
                       if p.spec.requires}
        self._prefilter, unfiltered = prefilter(
            [_NEVER if i in self._gates else p.source for i, p in enumerate(self._patterns)], ID_BEFORE)
        self._unfiltered = unfiltered | frozenset(self._gates)
        self._filtered = tuple((rank, p.regex) for rank, p in enumerate(self._patterns)
                               if rank not in self._unfiltered)
        self._any_gate = union(p.pattern for p in self._gates.values())
        self._by_name = {(n.type, n.name): n for n in config.names}
        self._url_ranks = frozenset(i for i, p in enumerate(self._patterns) if p.spec.url)
        self._name_info = tuple((n.contexts, n.spec.type, n.spec.name) for n in self._names)
        self._entry_cache: dict[int, dict[str, int]] = {NAME_CASED: {}, NAME_ANY_CASE: {}}
        self._canonical_cache: dict[tuple[int, str], str] = {}
        self._variant_cache: dict[str, int | bool] = {}
        present = {p.type for p in config.patterns} | {n.type for n in config.names}
        self.types: tuple[str, ...] = tuple(t for t in ENTITY_TYPES if t in present)

    def __reduce__(self):
        return (EntityMatcher, (self._config, self.rules))

    def find(self, text: str) -> list[Mention]:
        """All mentions in `text`, sorted by start, non-overlapping, with canonical names."""
        # ASCII text has no typographic variant to fold
        work = text if text.isascii() else text.translate(TYPOGRAPHIC)
        lowered = lower(work)
        candidates: list[tuple[int, int, int, str, str, str]] = []
        append = candidates.append
        url_ranks, has_url = self._url_ranks, False
        for rank, m in self._id_matches(work, lowered):
            pattern = self._patterns[rank]
            if pattern.contexts and not fits(pattern.contexts, work, m.start(), m.end()):
                continue
            # the canonical name depends only on the pattern and the matched text; the same
            # IDs recur all through an archive, and formatting one is the costly part
            key = (rank, m.group())
            name = self._canonical_cache.get(key)
            if name is None:
                if len(self._canonical_cache) > 20_000:
                    self._canonical_cache.clear()
                name = self._canonical_cache[key] = pattern.canonical(m)
            has_url = has_url or rank in url_ranks
            append((m.start(), m.end(), rank, pattern.spec.type, name, VIA_PATTERN))
        base = len(self._patterns)
        starts = self._word_starts(lowered)
        names = self._name_info
        for regex, lookup, scanned, flag in ((self._cs_regex, self._cs_lookup, work, NAME_CASED),
                                             (self._ci_regex, self._ci_lookup, lowered, NAME_ANY_CASE)):
            if regex is None:
                continue
            found = matches_at(regex, scanned, starts, flag) if self._by_words else name_matches(regex, scanned)
            # the entry of a matched text, by its words (white space as one space); the same
            # few hundred texts match all through an archive
            entry_of = self._entry_cache[flag]
            for m in found:
                written = m.group()
                index = entry_of.get(written)
                if index is None:
                    if len(entry_of) > 20_000:
                        entry_of.clear()
                    index = entry_of[written] = lookup[" ".join(written.split())]
                contexts, type_, name = names[index]
                start, end = m.span()
                if contexts and not fits(contexts, work, start, end):
                    continue
                append((start, end, base + index, type_, name, VIA_GAZETTEER))
        if self.rules:
            known = {(c[0], c[1]): c[3] for c in candidates}
            rank = base + len(self._names)
            for start, end, type_, name, via in open_class(work, known, self._rejected, lowered, starts):
                type_, name, via = self._variant(type_, name, via)
                append((start, end, rank, type_, name, via))
        if not candidates:
            return []
        taken = bytearray(len(work))
        chosen = []
        ordered = sorted(candidates, key=lambda c: (c[0] - c[1], c[2], c[0]))
        # Patterns that match URLs (a forge's issue URL) go first; then every other URL
        # and host token is blocked, so the rest of a URL never yields a mention.
        url_ranks = self._url_ranks
        for url_pass in (True, False):
            if url_pass and not has_url:
                continue
            if not url_pass:
                for start, end in url_spans(work):
                    taken[start:end] = b"\x01" * (end - start)
            for start, end, rank, type_, name, via in ordered:
                if (rank in url_ranks) == url_pass and taken.find(1, start, end) == -1:
                    taken[start:end] = b"\x01" * (end - start)
                    # (type, name, start, end, surface, via): positional arguments build a
                    # frozen dataclass in about two thirds of the time keywords take
                    chosen.append(Mention(type_, name, start, end, text[start:end], via))
        if self.rules:
            ruled = [(m.type, m.name, work[m.start:m.end]) for m in chosen if m.via.startswith("rule:")]
            if ruled:
                _take(chosen, taken, text, repeats(work, ruled, taken))
            # then the members of lists and re-cased names (`entity_phrases`), and their repeats
            settled = len(chosen)
            if chosen:
                _take(chosen, taken, text, listed(work, chosen, taken, self._rejected) + recased(work, chosen, taken))
            if len(chosen) > settled:
                _take(chosen, taken, text, repeats(work, [(m.type, m.name, work[m.start:m.end])
                                                          for m in chosen[settled:]], taken))
        chosen.sort(key=_START)
        return chosen

    def _variant(self, type_: str, name: str, via: str) -> tuple[str, str, str]:
        """A rule-found name that is a variant of a configured one (another case, a plural:
        "DIAObjects") is that entity (``rule:variant``)."""
        # the entry a name varies, by its text: the rules find the same names all through
        # an archive (False: none; bounded like the other caches)
        index = self._variant_cache.get(name)
        if index is None:
            lowered = name.lower()
            index = self._loose_lookup.get(lowered)
            if index is None and lowered.endswith("s"):
                index = self._loose_lookup.get(lowered[:-1])
            if len(self._variant_cache) > 20_000:
                self._variant_cache.clear()
            index = self._variant_cache[name] = False if index is None else index
        if index is False:
            return type_, name, via
        spec = self._names[index].spec
        return spec.type, spec.name, "rule:variant"

    def _id_matches(self, work: str, lowered: str):
        """(pattern rank, match) for every ID pattern match.

        One scan of the lower-cased text with the lower-cased union of the patterns finds
        the places where some ID may start (a superset); each pattern is then tried there
        with its real case rule and boundaries. Patterns the union cannot take are scanned
        on their own.
        """
        # one search for all the gates first: most texts have none of them
        gated = self._any_gate is None or self._any_gate.search(work) is not None
        for rank in self._unfiltered:
            gate = self._gates.get(rank)
            if gate is not None and (not gated or gate.search(work) is None):
                continue
            for m in self._patterns[rank].regex.finditer(work):
                yield rank, m
        if self._prefilter is None:
            return
        filtered = self._filtered
        pos = 0
        while (hit := self._prefilter.search(lowered, pos)) is not None:
            start = hit.start()
            for rank, regex in filtered:
                m = regex.match(work, start)
                if m:
                    yield rank, m
            pos = start + 1

    def canonical(self, text: str) -> tuple[str, str] | None:
        """The (type, canonical name) that `text` names as a whole, or None.

        Tries the text as it would be matched in a report first, then (for look-ups such as
        search queries) any case: ``"dmtn-208"`` -> ``("document", "DMTN-208")``.
        """
        work = " ".join(text.translate(TYPOGRAPHIC).split())
        if not work:
            return None
        found = self.find(work)
        if len(found) == 1 and (found[0].start, found[0].end) == (0, len(work)):
            return found[0].type, found[0].name
        for pattern in self._patterns:
            # a pattern that needs context ("503-14" after "milestone") names nothing alone
            m = None if pattern.contexts else pattern.loose.fullmatch(work)
            if m:
                return pattern.spec.type, pattern.canonical(m)
        index = self._loose_lookup.get(work.lower())
        if index is not None:
            spec = self._names[index].spec
            return spec.type, spec.name
        return None

    def configured(self, surface: str) -> bool:
        """Whether the configuration names `surface` (an alias in any case, an ID) or a
        curator rejected it: the archive's evidence never re-types such a name."""
        work = " ".join(surface.translate(TYPOGRAPHIC).split()).lower()
        if work in self._loose_lookup or work in self._rejected:
            return True
        return any(p.loose.fullmatch(work) for p in self._patterns)

    def link_for(self, type: str, name: str) -> str | None:  # noqa: A002 - the API's word
        """The canonical URL of an entity, from the configured templates, or None."""
        template, groups = None, {}
        spec = self._by_name.get((type, name))
        if spec is not None:
            template = spec.link or self._links.get(type)
        else:
            for pattern in self._patterns:
                m = pattern.loose.fullmatch(name) if pattern.spec.type == type else None
                if m:
                    template = pattern.spec.link or self._links.get(type)
                    # a pattern's link may use its groups ("{owner}/{repo}/issues/{num}")
                    groups = {k: quote(v or "", safe="-._~/") for k, v in m.groupdict().items()}
                    break
        if template is None:
            return None
        safe = quote(name, safe="-._~")
        return template.format(**{**groups, "name": safe, "lower": safe.lower(), "upper": safe.upper()})


def _take(chosen: list[Mention], taken: bytearray, text: str, candidates) -> None:
    """Add each rule candidate whose span is still free to `chosen`, marking it in `taken`."""
    for start, end, type_, name, via in candidates:
        if taken.find(1, start, end) == -1:
            taken[start:end] = b"\x01" * (end - start)
            chosen.append(Mention(type_, name, start, end, text[start:end], via))


def load_matcher(extra: Path | None = None, rules: bool = True) -> EntityMatcher:
    """The matcher for the shipped configuration, extended (or replaced, when the file says
    ``replace = true``) by the user's TOML file `extra`; `rules` turns the open-class rules
    on (the default) or off (configured names and IDs only).

    Raises `ingest.errors.EntityConfigError` naming the file and the problem.
    """
    return EntityMatcher(load_config(extra), rules=rules)

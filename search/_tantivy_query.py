"""Compiling our query tree (`search._qtree`) into tantivy queries.

The same mapping as `_whoosh_query` (its `DEFAULT_FIELDS` and boosts, IDs as a phrase of
their parts in the text and one exact term in the entity field, stop words dropped), for
the tantivy schema of `_tantivy_schema`. A compiled query is a `Compiled`: the tantivy
query plus the entity terms it asks for (to mark mentions in snippets).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import tantivy
from tantivy import Occur, Query

from search import _qtree as qt
from search._types import QueryError
from search import _whoosh_query
from search._whoosh_query import DEFAULT_FIELDS

_INDEX_FIELD = {"report": "report_id"}
#: Fields whose values are whole terms; the rest are analyzed text.
_RAW = {"entity", "series", "type", "year", "format", "report_id", "heading", "kind"}
_LOWER_RAW = {"entity", "series", "type"}
_STEMMED = {"text", "title", "section"}


@dataclass(frozen=True)
class Compiled:
    query: object
    entities: frozenset = frozenset()


class Compiler:
    """Compiles trees for one schema; `searcher` (optional) checks pattern expansion."""

    def __init__(self, schema, words, searcher=None, resolve=None) -> None:
        self.schema = schema
        self.words_of = words  # text -> [(offset, term)] without stop words
        self.searcher = searcher
        self.resolve = resolve
        self.entities: set[str] = set()
        self._tokens: dict[str, list] = {}

    def compile(self, node) -> Compiled | None:
        self.entities = set()
        q = self.node(node)
        return Compiled(q, frozenset(self.entities)) if q is not None else None

    def tokens(self, text: str) -> list[tuple[int, str]]:
        found = self._tokens.get(text)
        if found is None:  # a word is looked up once per default field
            found = self._tokens[text] = self.words_of(text)
        return found

    def node(self, n):
        if isinstance(n, qt.And):
            return self._and(n.children)
        if isinstance(n, qt.Or):
            parts = [p for p in (self.node(c) for c in n.children) if p is not None]
            return _one_or(parts)
        if isinstance(n, qt.Not):
            child = self.node(n.child)
            if child is None:
                return None
            return Query.boolean_query([(Occur.Must, Query.all_query()), (Occur.MustNot, child)])
        if isinstance(n, qt.Required):
            return self.node(n.child)
        if isinstance(n, qt.Period):
            lo = _month(n.lo) if n.lo else 1
            return Query.range_query(self.schema, "month", tantivy.FieldType.Unsigned,
                                     lo, _month(n.hi))
        if isinstance(n, (qt.Word, qt.Phrase)):
            return self.words(n)
        if isinstance(n, (qt.Prefix, qt.Wildcard, qt.Fuzzy)):
            return self.pattern(n)
        raise TypeError(f"not a query node: {n!r}")

    def _and(self, children):
        clauses = []
        for c in children:
            if isinstance(c, qt.Not):
                inner = self.node(c.child)
                if inner is not None:
                    clauses.append((Occur.MustNot, inner))
                continue
            q = self.node(c)
            if q is not None:
                clauses.append((Occur.Must, q))
        if not clauses:
            return None
        if all(o == Occur.MustNot for o, _ in clauses):
            clauses.insert(0, (Occur.Must, Query.all_query()))
        if len(clauses) == 1:
            return clauses[0][1]
        return Query.boolean_query(clauses)

    # words and phrases --------------------------------------------------------------------
    def words(self, n):
        if n.field is None:
            if not self.tokens(n.text):
                return None  # a stop word, one letter or punctuation: nothing to look for
            parts = [self.in_field(f, n.text, boost * n.boost)
                     for f, boost in DEFAULT_FIELDS.items()]
            return _one_or([p for p in parts if p is not None])
        return self.in_field(_INDEX_FIELD.get(n.field, n.field), n.text, n.boost)

    def in_field(self, field: str, text: str, boost: float = 1.0):
        if field == "entity":
            value = self.resolve(text) if self.resolve else text
            self.entities.add(value.lower())
            return _boost(Query.term_query(self.schema, "entity", value.lower()), boost)
        if field in _RAW:
            value = text.lower() if field in _LOWER_RAW else text
            return _boost(Query.term_query(self.schema, field, value), boost)
        words = self.tokens(text)
        if not words:
            return None
        return _boost(_phrase(self.schema, field, words), boost)

    # prefix, wildcard, fuzzy -------------------------------------------------------------
    def pattern(self, n):
        fields = [(n.field, 1.0)] if n.field else list(DEFAULT_FIELDS.items())
        parts = []
        for field, boost in fields:
            field = _INDEX_FIELD.get(field, field)
            if field == "period":
                continue
            text = n.text if field == "report_id" else n.text.lower()
            if isinstance(n, qt.Fuzzy):
                parts.append(_boost(Query.fuzzy_term_query(
                    self.schema, field, text, distance=n.distance,
                    transposition_cost_one=True, prefix=False), boost))
                continue
            if isinstance(n, qt.Prefix):
                regex = re.escape(text) + ".*"
            else:
                regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c)
                                for c in text)
            self._check_expansion(field, n, text, regex)
            parts.append(_boost(Query.regex_query(self.schema, field, regex), boost))
        return _one_or(parts)

    def _check_expansion(self, field: str, node, text: str, regex: str) -> None:
        """QueryError when a prefix or wildcard expands to more than MAX_EXPANSION words."""
        if self.searcher is None:
            return
        # the bound lives with the Whoosh compiler's (read now: one bound for both engines)
        MAX_EXPANSION = _whoosh_query.MAX_EXPANSION
        literal = re.match(r"[^*?]*", text).group(0)
        if isinstance(node, qt.Prefix):
            count = len(self.searcher.terms_with_prefix(field, literal, limit=MAX_EXPANSION + 1))
        else:
            pattern = re.compile(regex)
            count = 0
            for term, _ in self.searcher.terms_with_prefix(field, literal):
                if pattern.fullmatch(term):
                    count += 1
                    if count > MAX_EXPANSION:
                        break
        if count > MAX_EXPANSION:
            shown = node.text + ("*" if isinstance(node, qt.Prefix) else "")
            raise QueryError(
                f"Query too broad: {shown!r} matches more than {MAX_EXPANSION} different "
                "words. Give more letters before the * or ?.", param="q")


def _phrase(schema, field: str, words: list[tuple[int, str]], slop: int = 0):
    """A term, or the words at their offsets (stop words left out, their places kept)."""
    if len(words) == 1:
        return Query.term_query(schema, field, words[0][1])
    first = words[0][0]
    return Query.phrase_query(schema, field, [(o - first, w) for o, w in words], slop=slop)


class Words:
    """Query text -> [(offset, stemmed term)] without stop words, offsets counting only the
    words kept, as the phrase fields index them (see `_tantivy_schema.content_words`)."""

    def __init__(self, analyzers: dict) -> None:
        from search._tantivy_schema import LOWER, STEM, STOP, STOP_WORDS
        self.stem, self.lower, self.stop = analyzers[STEM], analyzers[LOWER], analyzers[STOP]
        self.stop_words = frozenset(STOP_WORDS)

    def __call__(self, text: str) -> list[tuple[int, str]]:
        stems = self.stem.analyze(text)
        lowers = self.lower.analyze(text)
        return list(enumerate(t for t, w in zip(stems, lowers) if w not in self.stop_words))

    def is_stop_word(self, word: str) -> bool:
        return not self.stop.analyze(word)


def _month(value: str) -> int:
    return int(value[:4]) * 100 + int(value[5:7])


def _boost(q, boost: float):
    return q if boost == 1.0 else Query.boost_query(q, boost)


def _one_or(parts: list):
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return Query.boolean_query([(Occur.Should, p) for p in parts])


def literal_query(text: str, schema, words_of) -> Compiled | None:
    """The words of `text` as one phrase in the text, title or heading (None: no words)."""
    words = words_of(text)
    if not words:
        return None
    parts = []
    for field in ("text", "title", "section"):
        parts.append(_boost(_phrase(schema, field, words), DEFAULT_FIELDS[field]))
    return Compiled(_one_or(parts))

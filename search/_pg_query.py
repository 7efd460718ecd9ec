"""Compiling our query tree (`search._qtree`) into SQL over the ``sections`` table.

The counterpart of `_whoosh_query`: a node becomes a `Sql` condition on the section row
``s`` plus the ``tsquery`` texts its words contribute to the rank and the highlighting.
Bare words are looked for in the weighted document (entity names, heading, title, body;
see `_pg_write.TSV`) and as whole entity names and ID series; ``title:``, ``section:`` and
``text:`` restrict a word to its weights; ``entity:``, ``series:``, ``type:``, ``year:``,
``format:`` and ``report:`` are exact lookups. Words the English configuration drops
(stop words, punctuation) drop out of the query, as in the other engines.

Prefix, wildcard and fuzzy terms expand over the vocabulary (a ``pg_trgm`` index): more
than `max_expansion()` words is a QueryError, as for Whoosh.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from search import _qtree as qt
from search._pg_schema import SCHEMA
from search._types import QueryError

def max_expansion() -> int:
    """Most words a prefix or wildcard may stand for: the embedded engines' limit, read at
    call time (one limit for every engine)."""
    from search import _whoosh_query
    return _whoosh_query.MAX_EXPANSION


#: Bonus to the rank of a section that names the entity a word or ID resolves to.
ENTITY_BONUS = 0.3
#: The weights a field's words must carry (see `_pg_write.TSV`).
_WEIGHTS = {"text": "AD", "title": "C", "section": "B"}
_LEXEME = re.compile(r"'((?:[^']|'')*)'")


@dataclass(frozen=True)
class Sql:
    """A condition on section row ``s`` with its parameters; `rank` are tsquery texts that
    score it, `names` the lower-cased entity names it asks for."""

    where: str
    params: tuple = ()
    rank: tuple = ()
    names: tuple = ()


def quote_tsquery(word: str) -> str:
    """`word` as one quoted operand of to_tsquery (its parser splits it as for documents)."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def weighted(tsquery: str, weights: str) -> str:
    """A tsquery text with every lexeme restricted to `weights` (e.g. ``'butler':B``)."""
    return _LEXEME.sub(lambda m: f"'{m.group(1)}':{weights}", tsquery)


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class Compiler:
    """Compiles one tree; `lexemes(texts)` gives each text's tsquery ("" for stop words),
    `vocabulary` expands patterns, `resolve` maps entity aliases to canonical names."""

    def __init__(self, lexemes, vocabulary, resolve) -> None:
        self.lexemes = lexemes
        self.vocabulary = vocabulary
        self.resolve = resolve or (lambda name: name)

    def compile(self, node) -> Sql | None:
        texts = [n.text for n in qt.leaves(node) if isinstance(n, (qt.Word, qt.Phrase))
                 and n.field in (None, "text", "title", "section")]
        self.tsq = self.lexemes(texts) if texts else {}
        return self.node(node)

    def node(self, n) -> Sql | None:
        if isinstance(n, (qt.And, qt.Or)):
            parts = [p for p in (self.node(c) for c in n.children) if p is not None]
            if not parts:
                return None
            if len(parts) == 1:
                return parts[0]
            joiner = " AND " if isinstance(n, qt.And) else " OR "
            return Sql("(" + joiner.join(p.where for p in parts) + ")",
                       sum((p.params for p in parts), ()), sum((p.rank for p in parts), ()),
                       sum((p.names for p in parts), ()))
        if isinstance(n, qt.Not):
            child = self.node(n.child)
            if child is None:
                return None
            return Sql(f"NOT coalesce({child.where}, false)", child.params)
        if isinstance(n, qt.Required):
            return self.node(n.child)
        if isinstance(n, qt.Period):
            return Sql("(s.period BETWEEN %s AND %s)", (n.lo, n.hi))
        if isinstance(n, (qt.Word, qt.Phrase)):
            return self.words(n)
        if isinstance(n, (qt.Prefix, qt.Wildcard, qt.Fuzzy)):
            return self.pattern(n)
        raise TypeError(f"not a query node: {n!r}")

    # words and phrases --------------------------------------------------------------------
    def words(self, n) -> Sql | None:
        field = n.field
        if field in (None, "text", "title", "section"):
            tsq = self.tsq.get(n.text, "")
            if not tsq:
                return None  # stop words or punctuation only: nothing to look for
            if field is not None:
                tsq = weighted(tsq, _WEIGHTS[field])
                return Sql("s.tsv @@ %s::tsquery", (tsq,), (tsq,))
            name = self.resolve(n.text).lower()
            series = n.text.lower()
            if name == series:
                # The word is the entity name itself: the names are in the tsvector (weight
                # A), so its text condition finds every section naming it. An OR with a
                # lookup in the names' index would keep the planner from intersecting that
                # index with an entity filter's (it ANDs no two scans of one index): the
                # filter would read every section naming the entity and test its text.
                return Sql("(s.tsv @@ %s::tsquery OR s.series @> ARRAY[%s])", (tsq, series),
                           (tsq,), (name,))
            return Sql("(s.tsv @@ %s::tsquery OR s.entity_names @> ARRAY[%s] "
                       "OR s.series @> ARRAY[%s])", (tsq, name, series), (tsq,), (name,))
        if field == "entity":
            name = self.resolve(n.text).lower()
            return Sql("s.entity_names @> ARRAY[%s]", (name,), (), (name,))
        if field == "series":
            return Sql("s.series @> ARRAY[%s]", (n.text.lower(),))
        if field == "type":
            return Sql("s.etypes @> ARRAY[%s]", (n.text.lower(),))
        if field in ("year", "format"):
            return Sql(f"s.{field} = %s", (n.text if field == "year" else n.text.lower(),))
        if field == "report":
            return Sql("s.report_id = %s", (n.text,))
        raise QueryError(f"Unknown field {field!r}.", param="q")

    # prefix, wildcard, fuzzy -------------------------------------------------------------
    def pattern(self, n) -> Sql:
        field = n.field
        if field == "report" and not isinstance(n, qt.Fuzzy):
            like = _like(n.text).replace("*", "%").replace("?", "_") if isinstance(
                n, qt.Wildcard) else _like(n.text) + "%"
            return Sql("s.report_id LIKE %s", (like,))
        if field in ("entity", "series", "type") and not isinstance(n, qt.Fuzzy):
            column = {"entity": "entity_names", "series": "series", "type": "etypes"}[field]
            like = (_like(n.text.lower()).replace("*", "%").replace("?", "_")
                    if isinstance(n, qt.Wildcard) else _like(n.text.lower()) + "%")
            return Sql(f"EXISTS (SELECT 1 FROM unnest(s.{column}) v WHERE v LIKE %s)", (like,))
        words = self.expand(n)
        tsq = " | ".join(t for t in self.lexemes(words).values() if t) if words else ""
        if field in _WEIGHTS:
            tsq = weighted(tsq, _WEIGHTS[field])
        text = Sql("s.tsv @@ %s::tsquery", (tsq,), (tsq,)) if tsq else Sql("false")
        if field is not None or isinstance(n, qt.Fuzzy):
            return text
        # A bare pattern also matches whole entity names and ID series (dmtn-2* finds
        # DMTN-208), as the default fields of the other engines do.
        like = (_like(n.text.lower()).replace("*", "%").replace("?", "_")
                if isinstance(n, qt.Wildcard) else _like(n.text.lower()) + "%")
        return Sql(f"({text.where} OR EXISTS (SELECT 1 FROM unnest(s.entity_names || "
                   "s.series) v WHERE v LIKE %s))", text.params + (like,), text.rank)

    def expand(self, n) -> list[str]:
        """The vocabulary words `n` stands for (QueryError past MAX_EXPANSION)."""
        text = n.text.lower()
        if isinstance(n, qt.Fuzzy):  # the first letter stays, as in the other engines
            return [text] + [w for _, w in self.vocabulary.within(text, n.distance)
                             if w[:1] == text[:1]]
        like = (_like(text).replace("*", "%").replace("?", "_") if isinstance(n, qt.Wildcard)
                else _like(text) + "%")
        limit = max_expansion()
        words = self.vocabulary.like(like, limit + 1)
        if len(words) > limit:
            shown = n.text + ("*" if isinstance(n, qt.Prefix) else "")
            raise QueryError(
                f"Query too broad: {shown!r} matches more than {limit} different "
                "words. Give more letters before the * or ?.", param="q")
        return words


_FOLLOWED_BY = re.compile(r"'(?:[^']|'')*'|<->")


def loose_query(tsquery: str) -> str:
    """`tsquery` with its phrases turned into conjunctions: what ts_headline marks when a
    phrase holds stop words between its words in the text (ts_headline reads the text's
    own positions, stop words included, not the packed ones)."""
    return _FOLLOWED_BY.sub(lambda m: "&" if m.group() == "<->" else m.group(), tsquery)


def lexemes_sql() -> str:
    """SQL giving (text, tsquery text) of each text: a phrase of its lexemes, read as the
    packed documents are (stop words and single letters hold no place; see `_pg_schema`)."""
    return f"SELECT t, {SCHEMA}.phrase(t)::text FROM unnest(%s::text[]) AS t"


VOCABULARY = f"{SCHEMA}.vocabulary"

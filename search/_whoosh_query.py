"""Compiling our query tree (`search._qtree`) into Whoosh queries.

This is the only place that knows how a tree node maps onto the Whoosh schema: bare words
are looked for in the text, the report title, the section heading (stemmed) and as whole
entity names and ID series; field values in the field they name; IDs as a phrase of their
parts in the text and as one exact term in the entity field. Words the text analyzer drops
(stop words, one-letter words) are dropped from the query too, so "status of the Butler"
asks for "status" and "Butler".
"""

from __future__ import annotations

from whoosh import query as wq

from search import _qtree as qt

#: Where bare words are looked for, with their boosts: a section that names the thing (entity)
#: or is headed by it beats one that merely shares a word.
DEFAULT_FIELDS = {"text": 1.0, "title": 1.5, "section": 2.0, "entity": 3.0, "series": 1.0}
#: Fields of exact whole values (no stemming, no splitting).
_EXACT_FIELDS = ("entity", "series")
#: The field a query names -> the index field.
_INDEX_FIELD = {"report": "report_id"}
#: Most words a prefix or wildcard may expand to, per field: "a*" over a large archive is
#: thousands of terms, each a posting list to walk.
MAX_EXPANSION = 256


def compile_tree(node, schema, resolve=None, expand=None):
    """The Whoosh query for `node`; `wq.NullQuery` when it has no searchable word left.

    `resolve(name)` maps an entity alias to the canonical name the index holds.
    `expand(field, kind, text)` counts what a prefix/wildcard expands to (see
    `check_expansion`); None skips the check.
    """
    compiled = _Compiler(schema, resolve, expand).node(node)
    return compiled if compiled is not None else wq.NullQuery


class _Compiler:
    def __init__(self, schema, resolve, expand) -> None:
        self.schema = schema
        self.resolve = resolve
        self.expand = expand

    def node(self, n):
        if isinstance(n, qt.And):
            parts = [self.node(c) for c in n.children]
            parts = [p for p in parts if p is not None]
            return _one_or(parts, wq.And)
        if isinstance(n, qt.Or):
            parts = [p for p in (self.node(c) for c in n.children) if p is not None]
            return _one_or(parts, wq.Or)
        if isinstance(n, qt.Not):
            child = self.node(n.child)
            return wq.Not(child) if child is not None else None
        if isinstance(n, qt.Required):
            return self.node(n.child)
        if isinstance(n, qt.Period):
            return wq.TermRange("period", n.lo or None, n.hi, startexcl=False, endexcl=False)
        if isinstance(n, (qt.Word, qt.Phrase)):
            return self.words(n)
        if isinstance(n, (qt.Prefix, qt.Wildcard, qt.Fuzzy)):
            return self.pattern(n)
        raise TypeError(f"not a query node: {n!r}")

    # words and phrases --------------------------------------------------------------------
    def words(self, n):
        if n.field is None:
            if not self._tokens("text", n.text):
                return None  # a stop word, one letter or punctuation: nothing to look for
            parts = [self.in_field(f, n.text, boost * n.boost)
                     for f, boost in DEFAULT_FIELDS.items()]
            return _one_or([p for p in parts if p is not None], wq.Or)
        return self.in_field(_INDEX_FIELD.get(n.field, n.field), n.text, n.boost)

    def in_field(self, field: str, text: str, boost: float = 1.0):
        if field == "entity":
            value = self.resolve(text) if self.resolve else text
            return wq.Term("entity", value.lower(), boost=boost)
        if field in _EXACT_FIELDS:
            return wq.Term(field, text.lower(), boost=boost)
        words = self._tokens(field, text)
        if not words:
            return None
        if len(words) == 1:
            return wq.Term(field, words[0], boost=boost)
        return wq.Phrase(field, words, boost=boost)

    def _tokens(self, field: str, text: str) -> list[str]:
        return list(self.schema[field].process_text(text, mode="query"))

    # prefix, wildcard, fuzzy -------------------------------------------------------------
    def pattern(self, n):
        fields = [(n.field, 1.0)] if n.field else list(DEFAULT_FIELDS.items())
        parts = []
        for field, boost in fields:
            field = _INDEX_FIELD.get(field, field)
            text = n.text.lower() if field != "report_id" else n.text
            if isinstance(n, qt.Fuzzy):
                parts.append(wq.FuzzyTerm(field, text, boost=boost, maxdist=n.distance,
                                          prefixlength=1))
                continue
            if self.expand is not None:
                self.expand(field, n, text)
            cls = wq.Prefix if isinstance(n, qt.Prefix) else wq.Wildcard
            parts.append(cls(field, text, boost=boost))
        return _one_or(parts, wq.Or)


def field_query(schema, field: str, text: str, resolve=None):
    """What a bare word or phrase becomes in one default field (a Term, a Phrase or None),
    without boosts: the per-field parts of `compile_tree`'s query for it."""
    return _Compiler(schema, resolve, None).in_field(field, text)


def field_terms(schema, field: str, text: str) -> list[str] | None:
    """The indexed term a bare word becomes in `field` ([] for a stop word, None when it
    becomes several terms, i.e. a phrase): what `compile_tree` looks the word up as."""
    if field in _EXACT_FIELDS:
        return [text.lower()]
    words = list(schema[field].process_text(text, mode="query"))
    return words if len(words) <= 1 else None


def _one_or(parts: list, cls):
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else cls(parts)


def check_expansion(reader):
    """An `expand` callback for `compile_tree`: raises QueryError when a prefix or wildcard
    would expand to more than `MAX_EXPANSION` words in one field."""
    from search._types import QueryError

    def expand(field: str, node, text: str) -> None:
        if field not in reader.schema.names():
            return
        q = (wq.Prefix if isinstance(node, qt.Prefix) else wq.Wildcard)(field, text)
        count = 0
        for _ in q._btexts(reader):  # the words it expands to, read lazily from the lexicon
            count += 1
            if count > MAX_EXPANSION:
                shown = node.text + ("*" if isinstance(node, qt.Prefix) else "")
                raise QueryError(
                    f"Query too broad: {shown!r} matches more than {MAX_EXPANSION} different "
                    "words. Give more letters before the * or ?.", param="q")
    return expand


def literal_query(text: str, schema):
    """The words of `text` as one phrase (punctuation and stop words ignored), in the text,
    title or heading; None when `text` holds no searchable word."""
    words = list(schema["text"].process_text(text, mode="query"))
    if not words:
        return None
    parts = []
    for field in ("text", "title", "section"):
        boost = DEFAULT_FIELDS[field]
        parts.append(wq.Term(field, words[0], boost=boost) if len(words) == 1
                     else wq.Phrase(field, words, boost=boost))
    return wq.Or(parts)


def id_terms(q, field: str) -> set[str]:
    """The terms `q` looks for in `field` (used to mark entity matches in snippets)."""
    if q is None:
        return set()
    return {t for f, t in q.iter_all_terms() if f == field}

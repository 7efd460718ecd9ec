"""What a user typed, parsed into a small engine-neutral query tree, or a `QueryError`.

The tree is ours, not an engine's: relevance decisions (which words must match, which only
rank, which to correct) are made on it, and each engine compiles it into its own query
(`search/_whoosh_query.py` for Whoosh). Nothing here imports an engine.

Syntax (the README's table): words, ``"phrases"``, IDs (``DMTN-208``), ``field:value`` and
``field:"a phrase"``, ``AND``/``OR``/``NOT`` in capitals, ``(groups)``, ``+required``,
``word^2`` boosts, ``prefix*`` and ``wild?card`` terms, ``fuzzy~`` / ``fuzzy~2`` terms and
``period:2021``, ``period:2021-01..2021-06``. Explicit operators bind tighter than the
blank between two terms, and AND tighter than OR: ``a OR b c`` is ``(a OR b) c``.

Every query's cost is bounded before any engine sees it (`Limits`): its length, its terms,
operators and nesting, and fuzzy distances. Exceeding one is a `QueryError` that names
the limit and says how to narrow the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.model import ENTITY_TYPES
from search._types import _LITERAL_HINT as LITERAL_HINT
from search._types import QueryError
# The tree's nodes and walks live in _qnodes; they are re-exported here because every reader
# of a parsed query imports this one module (as `qt`).
from search._qnodes import (And, Fuzzy, Node, Not, Or, Period, Phrase, Prefix, Required,
                            Wildcard, Word, children, leaves, replace_words)

__all__ = [
    "FIELDS", "ID_LIKE", "LIMITS", "LITERAL_HINT", "Limits", "QueryError", "check_limits", "fail",
    "parse", "period_bounds",
    "And", "Fuzzy", "Node", "Not", "Or", "Period", "Phrase", "Prefix", "Required", "Wildcard",
    "Word", "children", "leaves", "replace_words",
]

#: Fields a query may name (``report`` is the report id).
FIELDS = ("text", "title", "section", "entity", "type", "series", "period", "year", "format",
          "report")

_TOKENS = re.compile(r'"[^"]*"|\s+|[()]|[^\s()"]+')
_FIELD_PREFIX = re.compile(r"^([A-Za-z_]+):(.*)$", re.S)
#: Hyphenated identifiers: DMTN-208, LDM-503-EFDa, DM-12345.
ID_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9.]+)+$")
_MONTH = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
_BOOST = re.compile(r"^(.+?)\^(\d+(?:\.\d+)?)$", re.S)
_FUZZY = re.compile(r"^(.+?)~(\d*)$", re.S)
_OPERATORS = ("AND", "OR", "NOT")


@dataclass(frozen=True)
class Limits:
    """What one query may cost. Each bound is checked before the query runs."""

    chars: int = 1_000
    terms: int = 64
    operators: int = 32
    depth: int = 12
    fuzzy_distance: int = 2


LIMITS = Limits()


# -- checks that give the messages users already know --------------------------------------
def fail(q: str, problem: str, fix: str) -> QueryError:
    """A malformed-query error: what is wrong, how to fix it, and the literal escape hatch."""
    return QueryError(f"{problem} in query {_shown(q)}. {fix}, {LITERAL_HINT}", param="q",
                      literal_hint=True)


def _shown(q: str) -> str:
    return repr(q if len(q) <= 200 else q[:200] + "…")


def period_bounds(value: str, q: str) -> tuple[str, str]:
    """``2021`` -> (2021-01, 2021-12); ``2021-01..2021-06`` -> as is; open ends allowed."""
    lo, sep, hi = value.partition("..")
    if not sep:
        hi = lo
    bounds = []
    for i, part in enumerate((lo, hi)):
        if part == "" and sep:
            bounds.append("" if i == 0 else "9999-12")
            continue
        m = _MONTH.match(part)
        if not m or (m.group(2) and not 1 <= int(m.group(2)) <= 12):
            raise fail(q, f"Bad period {value!r}",
                       "Write period:YYYY, period:YYYY-MM or period:YYYY-MM..YYYY-MM "
                       "(e.g. period:2021-01..2021-06)")
        bounds.append(part if m.group(2) else f"{part}-{'01' if i == 0 else '12'}")
    if bounds[0] > bounds[1]:
        raise fail(q, f"Empty period range {value!r}", "Put the earlier month first")
    return bounds[0], bounds[1]


def _too_big(what: str, found: int, limit: int, fix: str) -> QueryError:
    return QueryError(f"Query too complex: {found} {what}, at most {limit} allowed. {fix}.",
                      param="q")


def check_limits(q: str, limits: Limits = LIMITS) -> list[str]:
    """The query's tokens, once its size is known to be within `limits` (else QueryError)."""
    if len(q) > limits.chars:
        raise QueryError(f"Query too long: {len(q):,} characters, at most {limits.chars:,} "
                         "allowed. Search for a few distinctive words instead.", param="q")
    tokens = _TOKENS.findall(q)
    words = [t for t in tokens if not t.isspace() and t not in "()"]
    operators = sum(1 for t in words if t in _OPERATORS)
    if operators > limits.operators:
        raise _too_big("operators", operators, limits.operators,
                       "Split the query into several searches")
    if len(words) - operators > limits.terms:
        raise _too_big("terms", len(words) - operators, limits.terms,
                       "Search for fewer words")
    depth = deepest = 0
    for t in tokens:
        depth += {"(": 1, ")": -1}.get(t, 0)
        deepest = max(deepest, depth)
    if deepest > limits.depth:
        raise _too_big("levels of parentheses", deepest, limits.depth, "Remove some brackets")
    return tokens


def _check_balance(q: str, tokens: list[str]) -> None:
    if q.count('"') % 2:
        raise QueryError(f"Unbalanced quote in query {_shown(q)}. Close the quote, "
                         f"{LITERAL_HINT}", param="q", literal_hint=True)
    depth = 0
    for token in tokens:
        depth += {"(": 1, ")": -1}.get(token, 0)
        if depth < 0:
            break
    if depth:
        raise fail(q, "Unbalanced parenthesis", "Close every '(' with a ')'")


def _check_operators(q: str, tokens: list[str]) -> None:
    """AND/OR need a term on both sides and NOT one after it: a dangling one would quietly
    search for something else than was asked."""
    words = [t for t in tokens if not t.isspace()]
    for i, word in enumerate(words):
        if word not in _OPERATORS:
            continue
        before = words[i - 1] if i else "("
        after = words[i + 1] if i + 1 < len(words) else ")"
        missing_after = after in ("AND", "OR") or after == ")"
        missing_before = word != "NOT" and (before in _OPERATORS or before == "(")
        if missing_after or missing_before:
            side = "a term after it" if word == "NOT" else "a term on both sides"
            raise fail(q, f"Dangling operator {word!r}",
                       f"Give {word} {side}, write it in lower case to search for the word")


# -- the parser -----------------------------------------------------------------------------
def parse(q: str, limits: Limits = LIMITS) -> Node | None:
    """The tree for `q`, or None when it asks for nothing; QueryError when it is malformed."""
    tokens = check_limits(q, limits)
    _check_balance(q, tokens)
    _check_operators(q, tokens)
    parser = _Parser(q, [t for t in tokens], limits)
    return parser.parse()


class _Parser:
    """Recursive descent over the tokens; the depth is bounded by `check_limits` (brackets)
    and by `Limits.operators` (NOT chains), so recursion stays shallow."""

    def __init__(self, q: str, tokens: list[str], limits: Limits) -> None:
        self.q = q
        self.tokens = tokens
        self.pos = 0
        self.limits = limits

    # token helpers
    def _peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _next_solid(self) -> str | None:
        """The next token that is not blank (skipping blanks)."""
        while self._peek() is not None and self._peek().isspace():
            self.pos += 1
        return self._peek()

    def parse(self) -> Node | None:
        node = self._juxtaposed(top=True)
        return node

    def _juxtaposed(self, top: bool = False) -> Node | None:
        """Terms side by side: an implicit conjunction."""
        parts = []
        while True:
            t = self._next_solid()
            if t is None or t == ")":
                break
            node = self._or()
            if node is not None:
                parts.append(node)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts), explicit=False)

    def _or(self) -> Node | None:
        parts = [self._and()]
        while self._next_solid() == "OR":
            self.pos += 1
            parts.append(self._and())
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def _and(self) -> Node | None:
        parts = [self._unary()]
        while self._next_solid() == "AND":
            self.pos += 1
            parts.append(self._unary())
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts), explicit=True)

    def _unary(self) -> Node | None:
        t = self._next_solid()
        if t == "NOT":
            self.pos += 1
            child = self._unary()
            return Not(child) if child is not None else None
        return self._atom(None)

    def _atom(self, field: str | None) -> Node | None:
        t = self._next_solid()
        if t is None or t == ")":
            return None
        self.pos += 1
        if t == "(":
            inner = self._juxtaposed_in_field(field)
            if self._peek() == ")":
                self.pos += 1
            return inner
        if t.startswith('"'):
            return self._phrase(t, field)
        m = _FIELD_PREFIX.match(t) if field is None else None
        if m:
            return self._field(m.group(1), m.group(2))
        return self._word(t, field)

    def _juxtaposed_in_field(self, field: str | None) -> Node | None:
        if field is None:
            return self._juxtaposed()
        parts = []
        while True:
            t = self._next_solid()
            if t is None or t == ")":
                break
            if t in _OPERATORS:  # inside field:( ... ): keep the structure simple
                self.pos += 1
                continue
            node = self._atom(field)
            if node is not None:
                parts.append(node)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts), explicit=False)

    def _phrase(self, token: str, field: str | None, boost: float = 1.0) -> Node | None:
        text = token[1:-1]
        nxt = self._peek()
        if nxt is not None and nxt.startswith("^") and _BOOST.match("x" + nxt):
            self.pos += 1
            boost = float(nxt[1:])
        if not text.strip():
            return None
        return Phrase(text, field=field, boost=boost)

    def _field(self, name: str, value: str) -> Node | None:
        nxt = self._peek()
        if value == "" and (nxt is None or nxt.isspace()):
            return Word(name)  # "Status: green" is prose, not a field
        field = name.lower()
        if field not in FIELDS:
            raise fail(self.q, f"Unknown field {name!r}",
                       f"Use one of {', '.join(FIELDS)}; quote the word")
        if field == "period":
            if value == "":
                raise fail(self.q, "Bad period", "Write period:YYYY-MM..YYYY-MM without quotes")
            lo, hi = period_bounds(value, self.q)
            return Period(lo, hi)
        if field == "type":
            check = value or (nxt.strip('"') if nxt and nxt.startswith('"') else "")
            if check and check.lower() not in ENTITY_TYPES:
                raise fail(self.q, f"Unknown entity type {check!r}",
                           f"Use one of {', '.join(ENTITY_TYPES)}")
        if field == "year" and value and not re.fullmatch(r"\d{4}", value):
            raise fail(self.q, f"Bad year {value!r}", "Write a year as YYYY (e.g. year:2021)")
        if value == "":
            if nxt is not None and nxt.startswith('"'):
                self.pos += 1
                return self._phrase(nxt, field)
            if nxt == "(":
                return self._atom(field)
            return None
        return self._word(value, field)

    def _word(self, token: str, field: str | None) -> Node | None:
        if token.startswith("+") and len(token) > 1 and field is None:
            inner = self._word(token[1:], None)
            return Required(inner) if inner is not None else None
        boost = 1.0
        m = _BOOST.match(token)
        if m:
            token, boost = m.group(1), float(m.group(2))
        m = _FUZZY.match(token)
        if m and m.group(1) and not set(m.group(1)) & set("*?"):
            distance = int(m.group(2)) if m.group(2) else 1
            if distance > self.limits.fuzzy_distance:
                raise QueryError(
                    f"Fuzzy distance {distance} in {token!r} is too large: at most "
                    f"{self.limits.fuzzy_distance} edits are allowed. Write "
                    f"{m.group(1)}~1 or {m.group(1)}~2.", param="q")
            return Fuzzy(m.group(1), distance, field)
        if token.endswith("*") and "*" not in token[:-1] and "?" not in token and len(token) > 1:
            return Prefix(token[:-1], field)
        if ("*" in token or "?" in token) and token.strip("*?"):
            return Wildcard(token, field)
        if field is None and ID_LIKE.match(token):
            return Phrase(token, boost=boost, ident=True)
        return Word(token, field, boost)

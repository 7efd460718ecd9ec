"""Turning what a user typed into a Whoosh query, or a `QueryError` that says how to fix it.

Whoosh's parser is lenient: an unbalanced quote or an unknown field silently becomes some
other query. We check the text ourselves first (quotes, parentheses, field names, period
ranges, entity types), rewrite our own syntax (``period:2021-01..2021-06``, hyphenated IDs)
into Whoosh's, then reject anything the parser still marks as an error.
"""

from __future__ import annotations

import re

from whoosh import query as wq
from whoosh.qparser import FieldAliasPlugin, FuzzyTermPlugin, MultifieldParser, SingleQuotePlugin

from ingest.model import ENTITY_TYPES
from search._types import QueryError

#: Fields a query may name, mapped to index fields.
FIELDS = ("text", "title", "section", "entity", "type", "series", "period", "year", "format",
          "report")
#: Where bare words are looked for, with their boosts: a section that names the thing (entity)
#: or is headed by it beats one that merely shares a word.
DEFAULT_FIELDS = {"text": 1.0, "title": 1.5, "section": 2.0, "entity": 3.0, "series": 1.0}

_TOKENS = re.compile(r'"[^"]*"|\s+|[()]|[^\s()"]+')
_FIELD_PREFIX = re.compile(r"^([A-Za-z_]+):(.*)$", re.S)
# Hyphenated identifiers (DMTN-208, LDM-503-EFDa, DM-12345) are quoted so that the text
# fields see a phrase ("dmtn 208") and the entity field one exact term ("dmtn-208").
_ID_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9.]+)+$")
_MONTH = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
_LITERAL_HINT = "or search with literal=True (--literal) to search the text as typed."


def _fail(q: str, problem: str, fix: str) -> QueryError:
    return QueryError(f"{problem} in query {q!r}. {fix}, {_LITERAL_HINT}", param="q")


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
            raise _fail(q, f"Bad period {value!r}",
                        "Write period:YYYY, period:YYYY-MM or period:YYYY-MM..YYYY-MM "
                        "(e.g. period:2021-01..2021-06)")
        bounds.append(part if m.group(2) else f"{part}-{'01' if i == 0 else '12'}")
    if bounds[0] > bounds[1]:
        raise _fail(q, f"Empty period range {value!r}", "Put the earlier month first")
    return bounds[0], bounds[1]


def _check_balance(q: str) -> None:
    if q.count('"') % 2:
        raise QueryError(f"Unbalanced quote in query {q!r}. Close the quote, {_LITERAL_HINT}",
                         param="q")
    depth = 0
    for token in _TOKENS.findall(q):
        depth += {"(": 1, ")": -1}.get(token, 0)
        if depth < 0:
            break
    if depth:
        raise _fail(q, "Unbalanced parenthesis", "Close every '(' with a ')'")


_BINARY = ("AND", "OR")


def _check_operators(q: str) -> None:
    """AND/OR need a term on both sides and NOT one after it; Whoosh would quietly drop
    them, so `qserv AND` would search for something else than was asked."""
    words = [t for t in _TOKENS.findall(q) if not t.isspace()]
    for i, word in enumerate(words):
        if word not in _BINARY and word != "NOT":
            continue
        before = words[i - 1] if i else "("
        after = words[i + 1] if i + 1 < len(words) else ")"
        missing_after = after in _BINARY or after == ")"
        missing_before = word in _BINARY and (before in _BINARY or before in ("NOT", "("))
        if missing_after or missing_before:
            side = "a term after it" if word == "NOT" else "a term on both sides"
            raise _fail(q, f"Dangling operator {word!r}",
                        f"Give {word} {side}, write it in lower case to search for the word")


def rewrite(q: str, resolve=None) -> str:
    """Check `q` and rewrite our syntax into Whoosh's; raise QueryError when it is malformed.

    `resolve(name) -> canonical name` turns aliases in ``entity:`` values into the names the
    index holds (``entity:"Data Butler"`` -> ``entity:"Butler"``).
    """
    _check_balance(q)
    _check_operators(q)
    tokens = _TOKENS.findall(q)
    out = []
    for i, token in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        m = _FIELD_PREFIX.match(token) if not token.startswith('"') else None
        if m:
            name, value = m.group(1), m.group(2)
            if value == "" and (nxt == "" or nxt.isspace()):
                out.append(name)  # "Status: green" is prose, not a field
                continue
            field = name.lower()
            if field not in FIELDS:
                raise _fail(q, f"Unknown field {name!r}",
                            f"Use one of {', '.join(FIELDS)}; quote the word")
            if field == "period":
                if value == "":
                    raise _fail(q, "Bad period", "Write period:YYYY-MM..YYYY-MM without quotes")
                lo, hi = period_bounds(value, q)
                out.append(f"period:[{lo} TO {hi}]" if lo else f"period:[TO {hi}]")
                continue
            if field == "type":
                check = value or (nxt.strip('"') if nxt.startswith('"') else "")
                if check and check.lower() not in ENTITY_TYPES:
                    raise _fail(q, f"Unknown entity type {check!r}",
                                f"Use one of {', '.join(ENTITY_TYPES)}")
            if field == "year" and value and not re.fullmatch(r"\d{4}", value):
                raise _fail(q, f"Bad year {value!r}", "Write a year as YYYY (e.g. year:2021)")
            if field == "entity" and value and not set(value) & set("*?~^"):
                out.append(f'entity:"{resolve(value) if resolve else value}"')
                continue
            if field == "entity" and nxt.startswith('"') and resolve:
                tokens[i + 1] = '"' + resolve(nxt.strip('"')).replace('"', "") + '"'
            out.append(f"{field}:{value}")
            continue
        if _ID_LIKE.match(token) and token not in ("AND", "OR", "NOT"):
            out.append(f'"{token}"')
            continue
        out.append(token)
    return "".join(out)


def make_parser(schema):
    """The parser for user queries: AND by default, fuzzy terms (``qserb~``), no single quotes."""
    parser = MultifieldParser(list(DEFAULT_FIELDS), schema, fieldboosts=DEFAULT_FIELDS)
    # Single quotes would turn "DM's plan" into a quoted term; apostrophes are prose here.
    parser.remove_plugin_class(SingleQuotePlugin)
    parser.add_plugin(FuzzyTermPlugin())
    parser.add_plugin(FieldAliasPlugin({"report_id": ["report"]}))
    return parser


def _errors(q: wq.Query) -> list[str]:
    found = [q.error] if getattr(q, "error", None) else []
    for child in q.children():
        found.extend(_errors(child))
    return found


def parse(text: str, schema, literal: bool = False, resolve=None) -> wq.Query | None:
    """The Whoosh query for `text`, or None when it asks for nothing (empty text).

    `resolve` maps entity aliases to canonical names (see `rewrite`).
    """
    if not text.strip():
        return None
    if literal:
        return literal_query(text, schema)
    parser = make_parser(schema)
    rewritten = rewrite(text, resolve)
    q = parser.parse(rewritten, normalize=False)
    errors = _errors(q)
    if errors:
        raise QueryError(f"Cannot read query {text!r} ({errors[0]}). Check operators and "
                         f"brackets, {_LITERAL_HINT}", param="q")
    stripped = _without_stop_words(q, schema).normalize()
    # Nothing but stop words: keep them (as before) rather than match every section.
    q = q.normalize() if _is_null(stripped) else stripped
    if _is_null(q):
        # Only stop words or operators: search the words as typed instead of matching nothing.
        return literal_query(text, schema)
    return q


# The exact-match fields keep every word, so a bare stop word ("the", "of", "a") became a
# required entity:the OR series:the that no section has, and "status of the Butler" found
# nothing. Words the text analyzer drops are dropped from the query as well.
_EXACT_FIELDS = {"entity", "series"}


def _is_null(q: wq.Query) -> bool:
    return q is wq.NullQuery or isinstance(q, wq.NullQuery.__class__)


def _without_stop_words(q: wq.Query, schema) -> wq.Query:
    children = list(q.children()) if isinstance(q, wq.Or) else []
    if children and {c.fieldname for c in children if isinstance(c, wq.Term)} == _EXACT_FIELDS \
            and len(children) == len(_EXACT_FIELDS) and len({c.text for c in children}) == 1 \
            and not list(schema["text"].tokenize(children[0].text, mode="query")):
        return wq.NullQuery
    return q.apply(lambda child: _without_stop_words(child, schema))


def literal_query(text: str, schema) -> wq.Query | None:
    """Every whitespace-separated chunk must occur as typed (as a phrase of its tokens)."""
    clauses = []
    for chunk in text.split():
        if not list(schema["text"].tokenize(chunk, mode="query")):
            continue  # stop words, one-letter words and punctuation are not indexed
        alternatives = []
        for field, boost in DEFAULT_FIELDS.items():
            words = [t.text for t in schema[field].tokenize(chunk, mode="query")]
            if len(words) == 1:
                alternatives.append(wq.Term(field, words[0], boost=boost))
            elif words:
                alternatives.append(wq.Phrase(field, words, boost=boost))
        if alternatives:
            clauses.append(wq.Or(alternatives))
    return wq.And(clauses).normalize() if clauses else None


def id_terms(q: wq.Query | None, field: str) -> set[str]:
    """The terms `q` looks for in `field` (used to mark entity matches in snippets)."""
    if q is None:
        return set()
    return {t for f, t in q.iter_all_terms() if f == field}

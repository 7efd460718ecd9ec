"""The engine-neutral query tree's nodes, and the walks over them.

`search/_qtree.py` parses a query into these; the relevance rules (`_relevance`), the
corrector (`_correct`) and each engine's compiler read them. Nodes are frozen dataclasses,
so a rewritten tree is a new tree and a cached one is never changed under a reader.
"""

from __future__ import annotations

from dataclasses import dataclass


# -- the tree -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Word:
    """A word; with `field` None it is looked for in the default fields."""

    text: str
    field: str | None = None
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Words in this order (a quoted phrase, or an ID such as ``DMTN-208``)."""

    text: str
    field: str | None = None
    boost: float = 1.0
    #: True for an identifier typed bare (DMTN-208): matched whole in the entity field too.
    ident: bool = False


@dataclass(frozen=True)
class Prefix:
    text: str
    field: str | None = None


@dataclass(frozen=True)
class Wildcard:
    """A pattern with ``*`` (any letters) or ``?`` (one letter) inside it."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Fuzzy:
    text: str
    distance: int = 1
    field: str | None = None


@dataclass(frozen=True)
class Period:
    """Months from `lo` to `hi` inclusive (``YYYY-MM``); `lo` "" means no lower bound."""

    lo: str
    hi: str


@dataclass(frozen=True)
class And:
    children: tuple
    #: False when the terms were only written side by side (no AND): such a conjunction
    #: may be ranked by most words instead of filtered (see _relevance).
    explicit: bool = True


@dataclass(frozen=True)
class Or:
    children: tuple


@dataclass(frozen=True)
class Not:
    child: object


@dataclass(frozen=True)
class Required:
    """``+word``: must match even where the other words only rank."""

    child: object


Node = Word | Phrase | Prefix | Wildcard | Fuzzy | Period | And | Or | Not | Required


# -- walking the tree -----------------------------------------------------------------------
def children(node: Node) -> tuple:
    """The direct sub-nodes of `node`."""
    if isinstance(node, (And, Or)):
        return node.children
    if isinstance(node, (Not, Required)):
        return (node.child,)
    return ()


def leaves(node: Node | None):
    """Every leaf of the tree (words, phrases, patterns, periods), depth first."""
    stack = [node] if node is not None else []
    while stack:
        n = stack.pop()
        kids = children(n)
        if kids:
            stack.extend(reversed(kids))
        else:
            yield n


def replace_words(node: Node | None, fix) -> Node | None:
    """A copy of the tree with each default-field `Word` replaced by `fix(word)` (a Word)."""
    if node is None:
        return None
    if isinstance(node, Word):
        return fix(node) if node.field is None else node
    if isinstance(node, And):
        return And(tuple(replace_words(c, fix) for c in node.children), node.explicit)
    if isinstance(node, Or):
        return Or(tuple(replace_words(c, fix) for c in node.children))
    if isinstance(node, Not):
        return Not(replace_words(node.child, fix))
    if isinstance(node, Required):
        return Required(replace_words(node.child, fix))
    return node

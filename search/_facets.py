"""Facet counts over the whole matching set, from a per-generation table of column values.

Whoosh's `groupedby` does Python work per matching document and facet on every query and
forces scoring every match. Instead we read the few facet columns once per index
generation into plain lists indexed by document number (about 0.1 s at 10k sections,
reused by every later query of a long-lived `Index`, as in the web app), and count the
matching document numbers against them, which is cheap. The same table tells section
documents from report documents and holds each document's period, so the search can
filter and sort by them without a query per request.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import chain

from whoosh import query as wq

from ingest.model import ENTITY_TYPES
from search._schema import KEY_SEP

#: Names shown per entity type in the entity facet; headings shown in the section facet.
ENTITY_FACET_TOP = 10
SECTION_FACET_TOP = 20
#: How many values a facet shows when the request asks for all of them (`expand`): a
#: bound, so that a facet with a value per section never costs a page of unbounded size.
FACET_ALL_MAX = 500
_ORDER = {t: i for i, t in enumerate(ENTITY_TYPES)}
_SINGLE = ("year", "format", "heading", "report_id", "period_desc")
_MULTI = ("etype", "entkey")


class FacetTable:
    """Column values of every document in one searcher's view of the index."""

    def __init__(self, searcher) -> None:
        self.columns: dict[str, list] = {name: [] for name in _SINGLE + _MULTI}
        # One str object per distinct value: less memory, and Counter hashes each once.
        names: dict = {}
        for reader, offset in searcher.reader().leaf_readers():
            count = reader.doc_count_all()
            for name in _SINGLE + _MULTI:
                multi = name in _MULTI
                col = self.columns[name]
                col.extend([() if multi else None] * (offset + count - len(col)))
                if not reader.has_column(name):
                    continue
                values = reader.column_reader(name, translate=not multi)
                for i, value in enumerate(values):
                    if multi:
                        col[offset + i] = tuple(names.get(v) or names.setdefault(v, v.decode("utf-8"))
                                                for v in value)
                    else:
                        col[offset + i] = (names.get(value) or names.setdefault(value, value)) \
                            if value else None
        #: 1 for section documents (what queries match), 0 for report documents.
        self.sections = bytearray(searcher.doc_count_all())
        for docnum in searcher.docs_for_query(wq.Term("kind", "section")):
            self.sections[docnum] = 1
        #: How many section documents there are (for inverse document frequencies).
        self.section_count = sum(self.sections)

    def period(self, docnum: int) -> str | None:
        """The document's report period (YYYY-MM), None when undated."""
        return self.columns["period_desc"][docnum]

    def count(self, name: str, docs) -> Counter:
        values = map(self.columns[name].__getitem__, docs)  # C loops: ~2x a generator
        return Counter(chain.from_iterable(values) if name in _MULTI else values)

    def reports(self, docs, match_set=None) -> int:
        """How many distinct reports the documents belong to (`docs` is every match here:
        `match_set` is unused)."""
        col = self.columns["report_id"]
        return len({col[d] for d in docs})

    def report_of(self, docnum: int) -> str:
        return self.columns["report_id"][docnum]

    def facets(self, docs, expand: str | None = None) -> dict:
        """The facet dict of a SearchResponse for the matching document numbers `docs`."""
        docs = list(docs)
        return from_counts({name: self.count(name, docs)
                            for name in ("entkey", "etype", "year", "heading", "format")}, expand)


def _ranked(counts: Counter) -> list[tuple[str, int]]:
    return sorted(((k, n) for k, n in counts.items() if k), key=lambda kv: (-kv[1], kv[0]))


def _items(pairs) -> list[dict]:
    return [{"value": k, "count": n} for k, n in pairs]


def expandable() -> tuple[str, ...]:
    """The facets a request may ask to see whole (``expand``): sections and each entity type."""
    return ("section",) + tuple(ENTITY_TYPES)


def top_of(facet: str, expand: str | None) -> int:
    """How many values of `facet` ("section" or an entity type) a response shows."""
    if facet == expand:
        return FACET_ALL_MAX
    return SECTION_FACET_TOP if facet == "section" else ENTITY_FACET_TOP


def from_counts(counts: dict[str, Counter], expand: str | None = None) -> dict:
    """The SearchResponse facet dict from full counts per facet column ("entkey", "etype",
    "year", "heading", "format"): what every engine that counts in full (Whoosh's columns,
    PostgreSQL's SQL) returns."""
    # (a defaultdict: `setdefault(etype, Counter())` built a Counter for every value, and
    # a match set names thousands)
    per_type: dict[str, Counter] = defaultdict(Counter)
    for key, n in counts["entkey"].items():
        etype, _, name = key.partition(KEY_SEP)
        if name:
            per_type[etype][name] = n
    sections = _ranked(counts["heading"])
    return shape(types=_ranked(counts["etype"]), years=_ranked(counts["year"]),
                 formats=_ranked(counts["format"]), sections=sections,
                 section_distinct=len(sections),
                 entities={t: _ranked(c) for t, c in per_type.items()},
                 entity_distinct={t: len(c) for t, c in per_type.items()}, expand=expand)


def shape(*, types, years, formats, sections, section_distinct: int, entities: dict,
          entity_distinct: dict, expand: str | None = None) -> dict:
    """The facet dict from ranked (value, count) pairs per facet and the number of distinct
    values of the cut ones (sections, names per entity type), which may be more than the
    pairs given: an engine that aggregates with a size limit passes only the top ones.
    ``more`` says how many values each cut list leaves out, for an "and N more" link."""
    entity, more_entity = {}, {}
    for t in sorted(entities, key=lambda t: _ORDER.get(t, 99)):
        top = list(entities[t])[:top_of(t, expand)]
        if top:
            entity[t] = _items(top)
            left = entity_distinct.get(t, len(top)) - len(top)
            if left > 0:
                more_entity[t] = left
    sections = list(sections)[:top_of("section", expand)]
    return {
        "type": _items(sorted(types, key=lambda kv: _ORDER.get(kv[0], 99))),
        "entity": entity,
        "year": _items(sorted(years)),
        "section": _items(sections),
        "format": _items(formats),
        "more": {"section": max(0, section_distinct - len(sections)), "entity": more_entity},
    }


def empty() -> dict:
    return {"type": [], "entity": {}, "year": [], "section": [], "format": [],
            "more": {"section": 0, "entity": {}}}

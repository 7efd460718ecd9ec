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

from collections import Counter
from itertools import chain

from whoosh import query as wq

from ingest.model import ENTITY_TYPES
from search._schema import KEY_SEP

#: Names shown per entity type in the entity facet; headings shown in the section facet.
ENTITY_FACET_TOP = 10
SECTION_FACET_TOP = 20
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

    def reports(self, docs) -> int:
        """How many distinct reports the documents belong to."""
        col = self.columns["report_id"]
        return len({col[d] for d in docs})

    def report_of(self, docnum: int) -> str:
        return self.columns["report_id"][docnum]

    def facets(self, docs) -> dict:
        """The facet dict of a SearchResponse for the matching document numbers `docs`."""
        docs = list(docs)
        per_type: dict[str, list] = {}
        for key, n in _ranked(self.count("entkey", docs)):
            etype, _, name = key.partition(KEY_SEP)
            bucket = per_type.setdefault(etype, [])
            if len(bucket) < ENTITY_FACET_TOP:
                bucket.append({"value": name, "count": n})
        types = sorted(_ranked(self.count("etype", docs)), key=lambda kv: _ORDER.get(kv[0], 99))
        years = sorted(_ranked(self.count("year", docs)))
        return {
            "type": _items(types),
            "entity": {t: per_type[t] for t in sorted(per_type, key=lambda t: _ORDER.get(t, 99))},
            "year": _items(years),
            "section": _items(_ranked(self.count("heading", docs))[:SECTION_FACET_TOP]),
            "format": _items(_ranked(self.count("format", docs))),
        }


def _ranked(counts: Counter) -> list[tuple[str, int]]:
    return sorted(((k, n) for k, n in counts.items() if k), key=lambda kv: (-kv[1], kv[0]))


def _items(pairs) -> list[dict]:
    return [{"value": k, "count": n} for k, n in pairs]


def empty() -> dict:
    return {"type": [], "entity": {}, "year": [], "section": [], "format": []}

"""Tantivy's facets: the one aggregation that counts every facet over a match set, and the
cutting of its buckets into the lists the facade shows, ranked and cut as the Whoosh engine
ranks and cuts them (split from `search._tantivy_view`)."""

from __future__ import annotations

from operator import itemgetter

from ingest.model import ENTITY_TYPES
from search._facets import top_of
from search._schema import KEY_SEP

_BUCKETS = 65_000  # tantivy's ceiling on the buckets of one aggregation


def ranked(buckets) -> list[tuple[str, int]]:
    """Buckets as (value, count), by count, ties by value (two stable sorts, C-level keys)."""
    pairs = [(b["key"], b["doc_count"]) for b in buckets if b["key"]]
    pairs.sort(key=itemgetter(0))
    pairs.sort(key=itemgetter(1), reverse=True)
    return pairs


def head(pairs: list[tuple[str, int]], shown: int) -> list[tuple[str, int]]:
    """The first `shown` of (value, count) pairs that come by count (ties in any order:
    tantivy 0.27 happens to give them by value, which we do not rely on), ranked as Whoosh
    ranks them: by count, ties by value."""
    if len(pairs) > shown:
        cut, end = pairs[shown - 1][1], shown
        while end < len(pairs) and pairs[end][1] == cut:  # tied with the last one shown
            end += 1
        pairs = pairs[:end]
    pairs.sort(key=itemgetter(0))
    pairs.sort(key=itemgetter(1), reverse=True)
    return pairs[:shown]


def entity_heads(buckets, expand: str | None) -> tuple[dict[str, list], dict[str, int]]:
    """({type: its shown names ranked}, {type: how many distinct names}) from the entity
    facet's buckets (``type<KEY_SEP>name`` keys, most documents first): one pass that
    keeps, per type, the names up to the cut and those tied with the last of them."""
    heads: dict[str, list] = {}
    distinct: dict[str, int] = {}
    cuts: dict[str, int] = {}
    tops = {t: top_of(t, expand) for t in ENTITY_TYPES}
    for b in buckets:
        etype, _, name = b["key"].partition(KEY_SEP)
        if not name:
            continue
        n = b["doc_count"]
        seen = distinct.get(etype, 0)
        distinct[etype] = seen + 1
        shown = tops.get(etype) or top_of(etype, expand)
        if seen < shown:
            heads.setdefault(etype, []).append((name, n))
            if seen == shown - 1:
                cuts[etype] = n
        elif n == cuts[etype]:
            heads[etype].append((name, n))
    return {t: head(pairs, tops.get(t) or top_of(t, expand))
            for t, pairs in heads.items()}, distinct


def facet_spec() -> dict:
    """The one aggregation that counts every facet over a match set: a terms aggregation
    per facet field (the entity names of every type in one, ``ents``), each asking for
    every value, so the lists are cut here, ties and all, as the Whoosh engine cuts them.
    (Tantivy returns at most 65,000 values per facet: past that the rarest are left out.)"""
    fields = {"type": "etype", "year": "year", "format": "format", "section": "heading",
              "entity": "ents"}
    return {name: {"terms": {"field": field, "size": _BUCKETS, "segment_size": _BUCKETS,
                             "order": {"_count": "desc"}}}
            for name, field in fields.items()}


FACET_SPEC = facet_spec()

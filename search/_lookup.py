"""The reports of an embedded index that write given phrases, found by the engine's own
phrase search (text, title and heading fields), not by reading every stored section.

The match is a superset of what the archive pass spreads to (stemmed words, stop words and
punctuation ignored): the pass checks each candidate exactly. A phrase with no searchable
word (stop words alone) cannot be looked up: `report_ids_writing` returns None then, and
the caller falls back to reading the stored sections.
"""

from __future__ import annotations


def report_ids_writing(ix, phrases) -> set[str] | None:
    """Ids of the reports of the committed index `ix` (a Whoosh FileIndex or a tantivy
    handle) whose sections write one of `phrases`; None if one cannot be looked up."""
    if hasattr(ix, "index"):  # the tantivy handle (search._tantivy_engine._Handle)
        return _tantivy(ix.index, phrases)
    return _whoosh(ix, phrases)


def _whoosh(ix, phrases) -> set[str] | None:
    from search._whoosh_query import literal_query

    found: set[str] = set()
    with ix.searcher() as searcher:
        for phrase in phrases:
            q = literal_query(phrase, ix.schema)
            if q is None:
                return None
            for hit in searcher.search(q, limit=None, scored=False):
                found.add(hit["report_id"])
    return found


def _tantivy(index, phrases) -> set[str] | None:
    from search._tantivy_query import Words, literal_query
    from search._tantivy_schema import analyzers, fields_of

    index.reload()
    searcher = index.searcher()
    if not searcher.num_docs:
        return set()
    words = Words(analyzers())
    # The phrases' hits overlap (a section writes several learned names): each document is
    # read once. On a fresh 10k-section ingest the lookup read 65k stored documents, ~6 per
    # section, before this.
    addresses = {}
    for phrase in phrases:
        q = literal_query(phrase, index.schema, words)
        if q is None:
            return None
        for _, addr in searcher.search(q.query, limit=searcher.num_docs, count=False).hits:
            addresses.setdefault((addr.segment_ord, addr.doc), addr)
    return {fields_of(searcher.doc(addr))["report_id"] for addr in addresses.values()}

"""Reading Whoosh postings directly: which sections hold a term, and where in the text.

Most-words ranking needs, for each query word, the set of sections holding it per field,
and word positions for the few sections at the top. Running a Whoosh query per word
(an OR over five fields, scored) cost ten times more than reading the word's posting list
in each field, which is what this module does (about 2 µs per posting).
"""

from __future__ import annotations

import bisect


class Postings:
    """Posting lookups on one searcher (all its segments), limited to section documents."""

    def __init__(self, searcher, sections: bytearray) -> None:
        self.sections = sections
        self.leaves = [(sub.reader(), offset) for sub, offset in searcher.leaf_searchers()]
        self.offsets = [offset for _, offset in self.leaves]

    def docs(self, field: str, term: str) -> set[int]:
        """Section docnums whose `field` holds `term` (an indexed, already analysed term)."""
        found: set[int] = set()
        sections = self.sections
        for reader, offset in self.leaves:
            if (field, term) not in reader:
                continue
            found.update(d for d in (offset + i for i in reader.postings(field, term).all_ids())
                         if sections[d])
        return found

    def positions(self, field: str, terms: list[str], docs) -> dict[int, dict[str, list]]:
        """{doc: {term: word positions in `field`}} for the given docs (any order)."""
        out: dict[int, dict[str, list]] = {d: {} for d in docs}
        by_leaf: dict[int, list[int]] = {}
        for d in sorted(out):
            by_leaf.setdefault(bisect.bisect_right(self.offsets, d) - 1, []).append(d)
        for leaf, wanted in by_leaf.items():
            reader, offset = self.leaves[leaf]
            for term in dict.fromkeys(terms):
                if (field, term) not in reader:
                    continue
                m = reader.postings(field, term)
                for d in wanted:  # ascending, so the matcher only moves forward
                    if not m.is_active():
                        break
                    sub = d - offset
                    if m.id() < sub:
                        m.skip_to(sub)
                    if m.is_active() and m.id() == sub:
                        out[d][term] = m.value_as("positions")
        return out

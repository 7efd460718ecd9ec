"""Typo correction's vocabulary for the PostgreSQL engine: the archive's words under a
``pg_trgm`` index.

Candidates are the words whose trigrams resemble the typed word (an index lookup, however
large the vocabulary), kept when their Damerau-Levenshtein distance is small enough: one
edit, else two, as the embedded engines' `_suggest.Vocabulary` ranks them. Frequencies are
counted from the sections (stems in the text, or whole entity names), so a word a removed
report left in the vocabulary counts 0.
"""

from __future__ import annotations

from search._pg_query import VOCABULARY
from search._pg_schema import SCHEMA

S = SCHEMA
#: Frequencies are counted up to this many sections (correction only compares small ones).
FREQUENCY_CAP = 10_000
#: Words whose similar words and frequencies a vocabulary keeps (it lives as long as its
#: view: until the index changes).
CACHED_WORDS = 10_000


class Vocabulary:
    """Typo correction's questions answered by the index: `candidates`, `frequency`, `best`
    (see `_suggest.BoundVocabulary`), from the trigram-indexed vocabulary."""

    def __init__(self, view) -> None:  # a _pg_engine.PgView
        self.view = view
        self._freq: dict[str, tuple[int, int]] = {}
        self._similar_words: dict[tuple, list[str]] = {}

    def _similar(self, word: str, threshold: float, slack: int) -> list[str]:
        key = (word, threshold, slack)
        if key not in self._similar_words:
            if len(self._similar_words) > CACHED_WORDS:
                self._similar_words.clear()
            self._similar_words[key] = self._similar_read(word, threshold, slack)
        return self._similar_words[key]

    def _similar_read(self, word: str, threshold: float, slack: int) -> list[str]:
        def read(conn):
            with conn.transaction():
                conn.execute(f"SET LOCAL pg_trgm.similarity_threshold = {threshold}")
                return conn.execute(
                    f"SELECT word FROM {VOCABULARY} WHERE word %% %s AND "
                    "abs(length(word) - length(%s)) <= %s AND word <> %s "
                    "ORDER BY similarity(word, %s) DESC, word LIMIT 200",
                    (word, word, slack, word, word)).fetchall()
        return [r[0] for r in self.view.run(read)]

    def within(self, word: str, distance: int, compared: int | None = None
               ) -> list[tuple[int, str]]:
        """(edits, word) of vocabulary words at most `distance` edits from `word`; only
        the `compared` most similar ones are compared for two edits (None: all found)."""
        from whoosh.support.levenshtein import damerau_levenshtein

        out = []
        for i, w in enumerate(self._similar(word, 0.2, distance)):
            d = damerau_levenshtein(w, word, distance)
            if d == 1 or (d == 2 and (compared is None or i < compared)):
                out.append((d, w))
        return sorted(out)

    def like(self, pattern: str, limit: int) -> list[str]:
        rows = self.view._rows(
            f"SELECT word FROM {VOCABULARY} WHERE word LIKE %s ORDER BY word LIMIT %s",
            (pattern, limit))
        return [r[0] for r in rows]

    def candidates(self, word: str) -> list[tuple[int, str]]:
        """The closest known words: those one edit away, else those two edits away (among
        at most `_suggest.MAX_COMPARED` words, as for the embedded engines)."""
        from search import _suggest

        found = self.within(word, 2, _suggest.MAX_COMPARED)
        ones = [c for c in found if c[0] == 1]
        return ones or found

    def frequency(self, word: str) -> int:
        """How many sections use `word` (its stem in the text, or as an entity name)."""
        return self._count(word, FREQUENCY_CAP)

    def _count(self, word: str, cap: int) -> int:
        """`frequency(word)`, counted up to `cap` sections (a smaller cap reads fewer rows:
        a common word's count reads thousands)."""
        known = self._freq.get(word)  # (count, the cap it was counted with)
        if known is not None and (known[0] < known[1] or known[1] >= cap):
            return min(known[0], cap)
        if len(self._freq) > CACHED_WORDS:
            self._freq.clear()
        tsq = self.view.lexemes([word])[word]
        row = self.view._rows(
            f"SELECT (SELECT count(*) FROM (SELECT 1 FROM {S}.sections s WHERE "
            f"s.tsv @@ %s::tsquery LIMIT %s) a), "
            f"(SELECT count(*) FROM (SELECT 1 FROM {S}.sections s WHERE "
            f"s.entity_names @> ARRAY[%s] LIMIT %s) b)",
            (tsq or "''", cap, word, cap))
        n = max(row[0]) if tsq else row[0][1]
        self._freq[word] = (n, cap)
        return n

    def best(self, word: str, at_least: int = 1) -> str | None:
        found = self.candidates(word)
        if len(found) == 1:
            # one candidate: whether it is used in `at_least` sections is all there is to
            # know (no frequencies to compare), which reads at most that many rows
            d, w = found[0]
            return w if self._count(w, max(at_least, 1)) >= at_least else None
        scored = [(d, -self.frequency(w), w) for d, w in found]
        scored = [s for s in scored if -s[1] >= at_least]
        return min(scored)[2] if scored else None

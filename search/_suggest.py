"""Did-you-mean: misspelt words replaced by the closest words the index holds.

Whoosh's corrector compares the word with every indexed term (86 ms at 10k sections) and
ranks every candidate within `maxdist` by frequency alone, so "calibratoin" got
"calibrations" (2 edits) over "calibration" (1 edit). Here the vocabulary (the unstemmed
words of the text, plus single-word entity names) is read once per index generation into
a set (~25 ms at 10k sections in 6 segments, ~5 ms at 100k in one). A word's one-edit
variants (deletion, transposition, substitution, insertion: a few hundred strings) are
looked up in that set, which costs the same however large the vocabulary is. Only when
none exists do we widen to two edits, among words sharing the first letter and of similar
length. Candidates rank by edit distance, then by how many sections use the word, then
alphabetically, so the result does not depend on segment layout.
"""

from __future__ import annotations

from whoosh.support.levenshtein import damerau_levenshtein


#: Most words a two-edit correction compares a typo with.
MAX_COMPARED = 20_000


class Vocabulary:
    """The words a suggestion may use, read from one searcher's view of the index."""

    def __init__(self, searcher) -> None:
        schema = searcher.schema
        spell = schema["text"].spelling_fieldname("text")
        self.spell_field = spell
        words: set[str] = set()
        spelled = spell in schema.names()
        for reader, _ in searcher.reader().leaf_readers():
            if spelled:
                words.update(w.decode("utf-8") for w in reader.lexicon(spell))
            # Entity names stay correctable-to even if a name is rare in running text.
            words.update(n for n in (w.decode("utf-8") for w in reader.lexicon("entity"))
                         if n.isalpha())
        self._set_words(words)

    @classmethod
    def from_counts(cls, counts: dict[str, int]) -> "CountedVocabulary":
        """A vocabulary of the words in `counts` ({word: sections using it}), for engines
        that read words and frequencies together."""
        vocabulary = cls.__new__(cls)
        vocabulary.spell_field = None
        vocabulary._set_words(counts)
        return CountedVocabulary(vocabulary, counts)

    def _set_words(self, words) -> None:
        self.words = frozenset(words)
        self.alphabet = "".join(sorted({c for w in words for c in w}))
        # Words by (initial, length): a two-edit search only compares lengths within 2.
        self._by_shape: dict[tuple[str, int], list[str]] = {}
        for w in sorted(words):
            self._by_shape.setdefault((w[:1], len(w)), []).append(w)

    def __contains__(self, word: str) -> bool:
        return word in self.words

    def _one_edit(self, word: str) -> set[str]:
        splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
        letters = self.alphabet
        variants = {a + b[1:] for a, b in splits if b}
        variants.update(a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1)
        variants.update(a + c + b[1:] for a, b in splits if b for c in letters)
        variants.update(a + c + b for a, b in splits for c in letters)
        variants.discard(word)
        return variants & self.words

    def _two_edits(self, word: str) -> set[str]:
        # Too many two-edit variants to generate: compare with words of the same initial
        # and a length within 2, at most MAX_COMPARED of them (a bound on the corrector's
        # work however large the archive's vocabulary grows).
        found, compared = set(), 0
        for size in range(max(1, len(word) - 2), len(word) + 3):
            for w in self._by_shape.get((word[:1], size), ()):
                compared += 1
                if compared > MAX_COMPARED:
                    return found
                if w != word and damerau_levenshtein(w, word, 2) <= 2:
                    found.add(w)
        return found

    def candidates(self, word: str) -> list[tuple[int, str]]:
        """(edit distance, word) of the closest known words: one edit, else two."""
        found = self._one_edit(word)
        if found:
            return [(1, w) for w in found]
        return [(damerau_levenshtein(w, word), w) for w in self._two_edits(word)]



    def bind(self, reader) -> "BoundVocabulary":
        """This vocabulary with the frequencies of `reader` (one thread's searcher)."""
        return BoundVocabulary(self, reader)


class BoundVocabulary:
    """A vocabulary and a Whoosh reader: what `search._correct` asks of an engine."""

    def __init__(self, vocabulary: Vocabulary, reader) -> None:
        self.vocabulary = vocabulary
        self.words = vocabulary.words
        self._reader = reader
        self.spell_field = vocabulary.spell_field

    def candidates(self, word: str) -> list[tuple[int, str]]:
        return self.vocabulary.candidates(word)

    def frequency(self, word: str) -> int:
        """How many sections use `word` (in the text, or as an entity name)."""
        if word not in self.words:
            return 0
        return max(self._reader.doc_frequency(self.spell_field, word),
                   self._reader.doc_frequency("entity", word))

    def best(self, word: str, at_least: int = 1) -> str | None:
        """The best replacement for `word` used in at least `at_least` sections: fewest
        edits, then most sections, then A-Z; None when there is none."""
        scored = [(d, -self.frequency(w), w) for d, w in self.vocabulary.candidates(word)]
        scored = [s for s in scored if -s[1] >= at_least]
        return min(scored)[2] if scored else None


class CountedVocabulary(BoundVocabulary):
    """A vocabulary with its words' section counts at hand (no reader to ask)."""

    def __init__(self, vocabulary: Vocabulary, counts: dict[str, int]) -> None:
        self.vocabulary = vocabulary
        self.words = vocabulary.words
        self._counts = counts

    def frequency(self, word: str) -> int:
        """How many sections use `word` (in the text, or as an entity name)."""
        return self._counts.get(word, 0)

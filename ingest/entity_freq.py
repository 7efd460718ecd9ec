"""How often English uses a word (`wordfreq`'s Zipf frequencies), and what that says about
a name: a word rare in English ("Keycloak", "sqlfluff") is more likely a coined product name
than a person or a common word; a lower-case word must be rarer still to be a name at all."""

from __future__ import annotations

import math
import re
from functools import lru_cache

# Zipf frequencies (log10 of uses per billion words): below RARE a word is seldom English
# (people's given names and surnames sit around 2.6-3.8); at COMMON or above it is an
# ordinary word that needs one more cue.
RARE, COMMON = 2.5, 4.0
EVERYDAY = 5.0  # about the 1,500 most frequent English words
_LOWER_RARE = 2.0  # a lower-case word must be rarer still


def everyday_word(word: str) -> bool:
    """Whether English uses `word` among its most frequent words (Zipf 5 or more: have,
    team, test, black): written alone, it is not a name to spread over an archive."""
    return " " not in word and zipf_of(word) >= EVERYDAY


# Cached: the rules ask about the same few thousand words in every text of an archive
# (bounded, so an archive of coined words cannot grow it without end).
@lru_cache(maxsize=65_536)
def zipf_of(word: str) -> float:
    """The word's Zipf frequency in English (0 for words wordfreq does not list)."""
    freq = _frequencies().get(word.lower())
    return math.log10(freq * 1e9) if freq else 0.0


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    # Loaded once per process on first use (~0.2 s): most texts never need it.
    from wordfreq import get_frequency_dict

    return get_frequency_dict("en")


@lru_cache(maxsize=65_536)  # a pure function of the word, asked again in every text
def word_bonus(surface: str) -> int | None:
    """What the word itself adds to its cues: +1 if rare in English, -1 if common, 0 else;
    None when it cannot be a name at all (a lower-case word that English uses)."""
    if " " in surface:
        return 0
    core = surface.replace("-", "").replace("_", "")
    if any(c.isdigit() for c in core) or sum(c.isupper() for c in core) >= 2:
        return 0  # shaped like a name already: its frequency says nothing
    zipf = zipf_of(surface)
    if surface[0].islower():
        parts = re.split(r"[-_]", surface)
        if len(parts) > 1:
            # "lsst-build-tools" is a package; "hand-written", "light-curve" are English
            return 1 if any(zipf_of(p) < _LOWER_RARE for p in parts) else None
        return 1 if zipf < _LOWER_RARE else None
    return 1 if zipf < RARE else (-1 if zipf >= COMMON else 0)

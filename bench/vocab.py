"""The synthetic archive's vocabulary: Zipf-ranked words and phrases, and the entity pool.

Words: a core of common status-report words (written for this benchmark, ranked roughly by
how often such words occur) followed by deterministic pseudo-words, so the vocabulary has a
few thousand types with a long Zipf tail like real prose. A handful of two-word phrases are
single vocabulary items, so phrase queries have hits.

Entities: canonical names and aliases from the gazetteer in ``ingest/entities.toml`` (read
as data with tomllib; bench never needs the matcher to generate text) plus identifiers made
from the ID families the conventions describe (DMTN-208, LDM-503-07, DM-26348, ...).
"""

from __future__ import annotations

import random
import tomllib
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

import ingest

#: Zipf exponent of word ranks (about 1 for English prose).
ZIPF_S = 1.05
#: Size of the word vocabulary, core words included.
VOCAB_SIZE = 4000

_CORE = """
the of and to in a for on was with is by were from as at this that are be has have
work team data new been will which all during progress month also release test system
pipeline processing support progress completed ongoing plan development review issue
testing service services version updated continued integration performance production
schedule documentation deployment design infrastructure configuration milestone
requirements operations software code tests changes report status first next second
several more other these their its it we our an not but into after before between
within through improved added fixed started finished moved closed opened merged
prepared delivered planned expected delayed risk risks effort staff hiring meeting
meetings discussion discussions workshop presentation presentations community users
user requests request feedback access query queries storage database databases
catalog catalogs image images calibration calibrations photometry astrometry survey
observing observations nightly weekly monthly quarterly annual budget cost costs
contract contracts hardware network networking transfer transfers throughput latency
memory disk cluster nodes node compute batch jobs job workflow workflows monitoring
alerts alert metrics metric validation verification analysis results result
processing campaign campaigns reprocessing science scientists engineering engineers
developers development documentation notebook notebooks interface interfaces
authentication authorization security upgrade upgrades migration migrations package
packages library libraries build builds container containers deployment deployments
cloud facility facilities center centre site sites remote local shared
outage outages incident incidents resolved investigation investigated identified
prototype prototypes demonstration demonstrated benchmark benchmarks scaling scale
largest smaller faster slower stable unstable critical minor major overall general
specific detailed summary overview highlights activities activity effort efforts
group groups working coordination coordinated agreed approved submitted reviewed
draft drafts final finalised revision revisions comment comments change changes
implemented implementation tested deployed released published announced reported
quality assurance coverage continuous regular scheduled unscheduled
source sources object objects detection detections measurement measurements model
models fitting simulation simulations flat bias dark exposure
exposures visit visits field fields region regions sky coadd coadds template
templates difference subtraction background forced deblending
shape shapes flux fluxes magnitude magnitudes color colors star stars galaxy galaxies
"""

#: Two-word items that occur as units, so phrase queries find something.
PHRASES = (
    "test plan", "data release", "image processing", "code review", "change request",
    "status update", "user feedback", "query performance", "storage system", "work plan",
    "technical note", "release notes", "test campaign", "science validation",
)

_ONSETS = ("b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w",
           "br", "cl", "dr", "fl", "gr", "pl", "pr", "st", "tr", "sh", "ch", "th")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "io", "ou")
_CODAS = ("", "", "n", "r", "s", "t", "l", "m", "nd", "st", "rk", "ng", "x")


@dataclass(frozen=True)
class Entity:
    """One entity the generator can mention: its type, canonical name and written forms."""

    type: str
    name: str
    surfaces: tuple[str, ...]


def entities_toml() -> Path:
    """The shipped entity configuration (package data of `ingest`)."""
    return Path(ingest.__file__).with_name("entities.toml")


def load_gazetteer(path: Path | None = None) -> list[Entity]:
    """Gazetteer names from the entity TOML, or [] while the file does not exist yet."""
    path = path or entities_toml()
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    found = []
    for entry in data.get("name", []):
        aliases = [a for a in entry.get("aliases", []) if a != entry["name"]]
        # Context rules make some aliases match only in special contexts: use those
        # entries by their canonical name only, so every generated mention is findable.
        context = any(k in entry for k in ("require_before", "require_after"))
        surfaces = (entry["name"],) if context else (entry["name"], *aliases)
        found.append(Entity(entry["type"], entry["name"], tuple(surfaces)))
    return found


def make_ids(rng: random.Random) -> list[Entity]:
    """Identifiers in the families of the conventions, canonical forms only (deterministic)."""
    ids: list[Entity] = []

    def add(type_: str, names: set[str]) -> None:
        ids.extend(Entity(type_, n, (n,)) for n in sorted(names))

    add("document", {f"DMTN-{rng.randint(1, 350):03d}" for _ in range(120)}
        | {f"SQR-{rng.randint(1, 120):03d}" for _ in range(30)}
        | {f"LDM-{rng.choice((148, 151, 294, 503, 564, 732))}" for _ in range(10)}
        | {f"DMTR-{rng.randint(10, 400)}" for _ in range(30)}
        | {f"RTN-{rng.randint(1, 120):03d}" for _ in range(30)})
    add("milestone", {f"LDM-503-{n:02d}" for n in range(1, 20)}
        | {"LDM-503-EFDa", "LDM-503-EFDb", "LDM-503-RSPa", "LDM-503-NET"})
    add("ticket", {f"DM-{rng.randint(10000, 45000)}" for _ in range(400)}
        | {f"RFC-{rng.randint(10, 900)}" for _ in range(60)}
        | {f"LCR-{rng.randint(1000, 2500)}" for _ in range(30)})
    return ids


def entity_pool(seed: int) -> dict[str, list[Entity]]:
    """Entities by type, in a fixed shuffled order that doubles as popularity rank."""
    rng = random.Random(f"entities-{seed}")
    by_type: dict[str, list[Entity]] = {t: [] for t in ingest.ENTITY_TYPES}
    for entity in load_gazetteer() + make_ids(rng):
        by_type.setdefault(entity.type, []).append(entity)
    for entities in by_type.values():
        rng.shuffle(entities)
    return by_type


def _pseudo_word(rng: random.Random) -> str:
    syllables = rng.choice((1, 2, 2, 2, 3))
    return "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables - 1)) \
        + rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)


def vocabulary(seed: int, forbidden: set[str]) -> list[str]:
    """VOCAB_SIZE words in Zipf rank order (phrases included), deterministic for `seed`.

    `forbidden` holds lower-cased entity surfaces: a plain word that is also an alias
    ("registry") would add mentions the profile does not ask for.
    """
    rng = random.Random(f"vocab-{seed}")
    core = [w for w in dict.fromkeys(_CORE.split()) if w.lower() not in forbidden]
    # Phrases go in at mid ranks, where a content word of a report would be.
    words = core[:60] + list(PHRASES) + core[60:]
    seen = set(words)
    while len(words) < VOCAB_SIZE:
        word = _pseudo_word(rng)
        if len(word) >= 4 and word not in seen and word not in forbidden:
            seen.add(word)
            words.append(word)
    return words


def zipf_cum_weights(n: int, s: float = ZIPF_S) -> list[float]:
    """Cumulative Zipf weights for ranks 1..n, for `random.choices(cum_weights=...)`."""
    return list(accumulate(1.0 / (rank ** s) for rank in range(1, n + 1)))

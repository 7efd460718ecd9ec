"""Entity extraction scored against a hand-annotated evaluation set.

Two sets, both written for this project and annotated by conventions §6 before the rules
they measure, not from the matcher's output:

- `tests/fixtures/entities/eval.toml`: passages whose names the shipped gazetteer was written
  from (so its figures say little about reports we have never seen);
- `tests/fixtures/entities/eval_open.toml`: passages full of names that are in no
  configuration file (new software, teams, meetings, institutions, data sets), plus hard
  negatives: the figures that say how extraction holds on unseen reports;
- `tests/fixtures/entities/eval_heldout.toml`: a second such set, written in session 3 before
  that session's rule work and never tuned to it; floors from the figures reached after it;
- `tests/fixtures/entities/eval_dev2.toml`: a development set written in session 4 before
  that session's rule work (and before its author read the rules), then used to tune them;
- `tests/fixtures/entities/eval_dev3.toml`: a third development set, written in session 5
  before that session's rule changes, to check each new rule on text it was not written from;
- `tests/fixtures/entities/eval_heldout2.toml`: a second held-out set, written blind in
  session 5 while that session's rules were tuned on the development sets, and scored on
  them from outside; never tuned on;
- `tests/fixtures/entities/eval_dev4.toml`: a fourth development set, written in session 6
  before that session's rule changes (everyday words and lower-case words as product
  names, two-word products of ordinary words), then used to check and tune them;
- `tests/fixtures/entities/eval_heldout3.toml`: a third held-out set, written blind in
  session 7 while that session's rules were tuned on the development sets, and scored on
  them from outside; never tuned on;
- `tests/fixtures/entities/eval_dev5.toml`: a fifth development set, written in session 7
  before that session's rule changes, which were tuned on the sets above and checked here.

A mention is correct when its (type, canonical name, start, end) equals a gold entry's;
precision, recall and F1 are micro-averaged over all passages, and reported separately for
names the configuration knows (a gazetteer entry or an ID pattern gives that type and
name) and names it does not.

For the figures, the misses and the false positives, run:

    .venv/bin/python -m tests.test_entity_eval            # summary + every difference
    .venv/bin/python -m tests.test_entity_eval --quiet    # summary only
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ingest.entities import EntityMatcher, load_matcher
from ingest.entity_config import EntityConfig, load_config
from ingest.model import ENTITY_TYPES

EVAL_PATH = Path(__file__).parent / "fixtures" / "entities" / "eval.toml"
OPEN_EVAL_PATH = Path(__file__).parent / "fixtures" / "entities" / "eval_open.toml"
HELDOUT_EVAL_PATH = Path(__file__).parent / "fixtures" / "entities" / "eval_heldout.toml"
DEV2_EVAL_PATH = Path(__file__).parent / "fixtures" / "entities" / "eval_dev2.toml"
DEV3_EVAL_PATH = Path(__file__).parent / "fixtures" / "entities" / "eval_dev3.toml"
HELDOUT2_EVAL_PATH = Path(__file__).parent / "fixtures" / "entities" / "eval_heldout2.toml"
DEV4_EVAL_PATH = Path(__file__).parent / "fixtures" / "entities" / "eval_dev4.toml"
HELDOUT3_EVAL_PATH = Path(__file__).parent / "fixtures" / "entities" / "eval_heldout3.toml"
DEV5_EVAL_PATH = Path(__file__).parent / "fixtures" / "entities" / "eval_dev5.toml"

# Thresholds the shipped matcher reaches on the set (measured: see the module's __main__);
# a change that drops below them lost real mentions or invented some.
MIN_PRECISION = 0.97
MIN_RECALL = 0.95

Key = tuple[str, str, int, int]  # (type, name, start, end)


@dataclass(frozen=True)
class Passage:
    """One annotated passage: the text, its gold mentions with offsets, its hard negatives."""

    id: str
    text: str
    gold: tuple[Key, ...]
    negatives: tuple[str, ...] = ()
    not_as: tuple[tuple[str, str], ...] = ()
    split: str = "dev"  # "heldout": annotated blind, never used to tune the gazetteer


def load_eval(path: Path = EVAL_PATH) -> list[Passage]:
    """Read the evaluation set; each gold surface is located at or after the previous one.

    Raises ValueError naming the passage when a surface cannot be found, so a fixture edit
    that breaks the alignment says where.
    """
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    passages = []
    for entry in data["passage"]:
        text = entry["text"]
        gold, cursor = [], 0
        for type_, name, surface in entry["gold"]:
            start = text.find(surface, cursor)
            if start < 0:
                raise ValueError(f"{entry['id']}: gold surface {surface!r} not found after offset {cursor}")
            gold.append((type_, name, start, start + len(surface)))
            cursor = start + len(surface)
        passages.append(Passage(
            entry["id"], text, tuple(gold), tuple(entry.get("negatives", ())),
            tuple(tuple(x) for x in entry.get("not_as", ())), entry.get("split", "dev"),
        ))
    return passages


@dataclass
class Counts:
    """Micro counts of one bucket (known or unknown names)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def summary(self) -> str:
        return (f"P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f} "
                f"(tp={self.tp} fp={self.fp} fn={self.fn})")


class Knowledge:
    """Whether the shipped configuration knows a (type, name): a gazetteer entry with that
    canonical name, or an ID pattern of that type that matches the whole name."""

    def __init__(self, config: EntityConfig) -> None:
        self._names = {(n.type, n.name) for n in config.names}
        self._patterns = [(p.type, re.compile(p.regex, re.IGNORECASE)) for p in config.patterns]

    def __call__(self, type_: str, name: str) -> bool:
        if (type_, name) in self._names:
            return True
        return any(t == type_ and rx.fullmatch(name) for t, rx in self._patterns)


@dataclass
class Score:
    """Micro counts over passages, and each passage's misses and false positives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: dict[str, list[Key]] = field(default_factory=dict)
    false_positives: dict[str, list[Key]] = field(default_factory=dict)
    known: Counts = field(default_factory=Counts)
    unknown: Counts = field(default_factory=Counts)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def summary(self) -> str:
        return (f"P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f} "
                f"(tp={self.tp} fp={self.fp} fn={self.fn})")

    def diff(self, passages: list[Passage]) -> str:
        """Per passage: '-' gold mentions missed, '+' mentions found that are not gold."""
        texts = {p.id: p.text for p in passages}
        lines = []
        for pid in texts:
            missed, extra = self.misses.get(pid, []), self.false_positives.get(pid, [])
            if not missed and not extra:
                continue
            lines.append(f"[{pid}]")
            for sign, keys in (("-", missed), ("+", extra)):
                for type_, name, start, end in keys:
                    lines.append(f"  {sign} {type_:12} {name:28} {texts[pid][start:end]!r} @{start}")
        return "\n".join(lines)


def score(matcher: EntityMatcher, passages: list[Passage], knows: Knowledge | None = None) -> Score:
    """Score `matcher` on `passages` by exact (type, name, span) match; with `knows`, also
    per bucket of names the configuration knows and names it does not."""
    result = Score()
    for passage in passages:
        found = {(m.type, m.name, m.start, m.end) for m in matcher.find(passage.text)}
        gold = set(passage.gold)
        result.tp += len(found & gold)
        result.fp += len(found - gold)
        result.fn += len(gold - found)
        if knows is not None:
            for keys, attr in ((found & gold, "tp"), (found - gold, "fp"), (gold - found, "fn")):
                for key in keys:
                    bucket = result.known if knows(key[0], key[1]) else result.unknown
                    setattr(bucket, attr, getattr(bucket, attr) + 1)
        if gold - found:
            result.misses[passage.id] = sorted(gold - found, key=lambda k: k[2])
        if found - gold:
            result.false_positives[passage.id] = sorted(found - gold, key=lambda k: k[2])
    return result


def _occurrences(text: str, needle: str):
    start = text.find(needle)
    while start >= 0:
        yield start, start + len(needle)
        start = text.find(needle, start + 1)


@pytest.fixture(scope="module")
def matcher() -> EntityMatcher:
    return load_matcher()


PASSAGES = load_eval()
OPEN_PASSAGES = load_eval(OPEN_EVAL_PATH)
HELDOUT_PASSAGES = load_eval(HELDOUT_EVAL_PATH)
DEV2_PASSAGES = load_eval(DEV2_EVAL_PATH)
DEV3_PASSAGES = load_eval(DEV3_EVAL_PATH)
HELDOUT2_PASSAGES = load_eval(HELDOUT2_EVAL_PATH)
DEV4_PASSAGES = load_eval(DEV4_EVAL_PATH)
HELDOUT3_PASSAGES = load_eval(HELDOUT3_EVAL_PATH)
DEV5_PASSAGES = load_eval(DEV5_EVAL_PATH)
KNOWS = Knowledge(load_config())

# Thresholds on the open set, per bucket, from the measured figures (see __main__): the
# known-name bucket must not lose what the gazetteer finds, the unknown bucket what the
# open-class rules find.
OPEN_MIN = {"known": (0.99, 0.99), "unknown": (0.99, 0.96)}  # session 5: 0.992 / 0.967
# The same on the open-set passages written after the first rules (split "after"): scored
# once unchanged, then looked at when the context rule (rule:cue) was written, so no longer
# blind; tests/fixtures/entities/eval_heldout.toml is the set no rule was tuned on.
AFTER_MIN = {"known": (0.99, 0.99), "unknown": (0.99, 0.93)}  # session 5: 1.000 / 0.935
WRITTEN_BEFORE = [p for p in OPEN_PASSAGES if p.split != "after"]
WRITTEN_AFTER = [p for p in OPEN_PASSAGES if p.split == "after"]
# Hard negatives of the open set that some mention may overlap (none).
OPEN_MAX_NEGATIVE_HITS = 0


def _assert_well_formed(p, min_words: int) -> None:
    """One passage of any set: a length in words, gold of known types, hard negatives that
    are in the text and not (part of) a gold mention, `not_as` surfaces in the text."""
    assert min_words <= len(p.text.split()) <= 250, (p.id, len(p.text.split()))
    assert p.gold, p.id
    for type_, _name, _start, _end in p.gold:
        assert type_ in ENTITY_TYPES, (p.id, type_)
    for needle in p.negatives:
        spans = list(_occurrences(p.text, needle))
        assert spans, (p.id, needle)
        for start, end in spans:
            assert not any(s < end and start < e for _, _, s, e in p.gold), (p.id, needle)
    for needle, type_ in p.not_as:
        assert needle in p.text and type_ in ENTITY_TYPES, (p.id, needle)


def test_evaluation_set_is_well_formed():
    assert 14 <= len(PASSAGES) <= 20
    assert len({p.id for p in PASSAGES}) == len(PASSAGES)
    for p in PASSAGES:
        _assert_well_formed(p, min_words=80)
    # every entity type is exercised
    assert {k[0] for p in PASSAGES for k in p.gold} == set(ENTITY_TYPES)
    assert {p.split for p in PASSAGES} == {"dev", "heldout"}


def _assert_open_class_set(passages, others, min_passages: int, min_gold: int = 0,
                           min_unknown: int = 0, min_negatives: int = 0) -> None:
    """The checks every set of names unknown to the configuration passes: ids unique and
    apart from the `others` sets', every passage well formed, and the point of such a set:
    most gold names are unknown to the configuration, of every open-class type, with hard
    negatives alongside."""
    ids = {p.id for p in passages}
    assert len(passages) >= min_passages and len(ids) == len(passages)
    assert not ids & {p.id for other in others for p in other}
    for p in passages:
        _assert_well_formed(p, min_words=20)
    gold = [k for p in passages for k in p.gold]
    unknown = [k for k in gold if not KNOWS(k[0], k[1])]
    assert len(gold) >= min_gold and len(unknown) >= min_unknown and len(unknown) >= len(gold) / 2
    assert {k[0] for k in unknown} >= {"system", "dataset", "organization", "meeting"}
    assert sum(len(p.negatives) for p in passages) >= min_negatives


def test_open_evaluation_set_is_well_formed():
    _assert_open_class_set(OPEN_PASSAGES, [PASSAGES], min_passages=40, min_unknown=100,
                           min_negatives=100)


def test_heldout_evaluation_set_is_well_formed():
    _assert_open_class_set(HELDOUT_PASSAGES, [PASSAGES, OPEN_PASSAGES], min_passages=30,
                           min_gold=150)


def test_dev2_evaluation_set_is_well_formed():
    _assert_open_class_set(DEV2_PASSAGES, [PASSAGES, OPEN_PASSAGES, HELDOUT_PASSAGES],
                           min_passages=40, min_unknown=150, min_negatives=150)


def test_dev3_evaluation_set_is_well_formed():
    _assert_open_class_set(DEV3_PASSAGES, [PASSAGES, OPEN_PASSAGES, HELDOUT_PASSAGES, DEV2_PASSAGES],
                           min_passages=14, min_unknown=40, min_negatives=45)


def test_heldout2_evaluation_set_is_well_formed():
    _assert_open_class_set(HELDOUT2_PASSAGES, [PASSAGES, OPEN_PASSAGES, HELDOUT_PASSAGES, DEV2_PASSAGES,
                                               DEV3_PASSAGES],
                           min_passages=45, min_gold=400, min_unknown=200, min_negatives=300)


def test_dev4_evaluation_set_is_well_formed():
    _assert_open_class_set(DEV4_PASSAGES, [PASSAGES, OPEN_PASSAGES, HELDOUT_PASSAGES, DEV2_PASSAGES,
                                           DEV3_PASSAGES, HELDOUT2_PASSAGES],
                           min_passages=25, min_gold=100, min_unknown=80, min_negatives=70)


def test_heldout3_evaluation_set_is_well_formed():
    _assert_open_class_set(HELDOUT3_PASSAGES, [PASSAGES, OPEN_PASSAGES, HELDOUT_PASSAGES, DEV2_PASSAGES,
                                               DEV3_PASSAGES, HELDOUT2_PASSAGES, DEV4_PASSAGES],
                           min_passages=45, min_gold=500, min_unknown=300, min_negatives=400)


def test_dev5_evaluation_set_is_well_formed():
    _assert_open_class_set(DEV5_PASSAGES, [PASSAGES, OPEN_PASSAGES, HELDOUT_PASSAGES, DEV2_PASSAGES,
                                           DEV3_PASSAGES, HELDOUT2_PASSAGES, DEV4_PASSAGES,
                                           HELDOUT3_PASSAGES],
                           min_passages=16, min_gold=60, min_unknown=55, min_negatives=45)


#: Figures of this run, printed at the end of the pytest run (tests/conftest.py).
FIGURES: dict[str, str] = {}


@pytest.mark.parametrize(("label", "passages", "minimum"), [
    ("open set", WRITTEN_BEFORE, OPEN_MIN), ("open set, written after the rules", WRITTEN_AFTER, AFTER_MIN)])
def test_open_set_scores_reach_the_thresholds(matcher, label, passages, minimum):
    result = score(matcher, passages, KNOWS)
    FIGURES[f"{label}, known names"] = result.known.summary()
    FIGURES[f"{label}, unknown names"] = result.unknown.summary()
    if label == "open set":
        FIGURES["gazetteer set, known names"] = score(matcher, PASSAGES, KNOWS).known.summary()
    message = (f"known {result.known.summary()}\nunknown {result.unknown.summary()}\n"
               f"{result.diff(passages)}")
    for bucket, (min_p, min_r) in minimum.items():
        counts = getattr(result, bucket)
        assert counts.precision >= min_p, f"{bucket} precision\n{message}"
        assert counts.recall >= min_r, f"{bucket} recall\n{message}"


# Floors on the held-out set, never used to tune. Session 3's rules (rule:cue) reached known
# 0.962 / 0.972, unknown 0.884 / 0.552. Session 4's phrase rules (entity_phrases) were
# measured there three times, figures only (before, midway, at the end): known 0.973 /
# 0.983, unknown 0.871 / 0.611 (F1 0.680 -> 0.718), 4 hard negatives hit (was 1). Session 5's
# rules were measured there once, at the end, figures only: known 0.973 / 0.983, unknown
# 0.873 / 0.620 (F1 0.725), 4 hit (the floors stay: 137/221 is just under 0.62). Session 6's
# rules (entity_code, sentence-initial everyday words, line wraps, lower-case packages),
# measured there four times, figures only (before, twice midway, at the end): known
# unchanged, unknown 0.873 / 0.620 -> 0.874 / 0.629 (F1 0.725 -> 0.732), 4 hit as before.
# Session 7's rules, figures only, looked at three times (before, once midway by the full
# run's summary, at the end): known unchanged, unknown 0.874 / 0.629 -> 0.880 / 0.665 (F1
# 0.732 -> 0.758).
HELDOUT_MIN = {"known": (0.97, 0.98), "unknown": (0.87, 0.66)}
HELDOUT_MAX_NEGATIVE_HITS = 4


# Floors on the second development set (eval_dev2.toml), from the figures reached with the
# session-4 rules, which were written looking at its misses: a tuning set, not a blind one
# (before them: known 0.953 / 1.000, unknown 0.791 / 0.439; after: 0.990 / 1.000, 0.975 /
# 0.720; after the session-5 rules: 1.000 / 1.000, 0.984 / 0.768, 1 hard negative hit;
# after the session-6 rules: 1.000 / 1.000, 0.985 / 0.787; after the session-7 rules: 1.000 /
# 1.000, 0.985 / 0.799).
DEV2_MIN = {"known": (0.99, 0.99), "unknown": (0.98, 0.79)}
DEV2_MAX_NEGATIVE_HITS = 1

# Floors on the third development set (eval_dev3.toml), written before the session-5 rules
# and scored on each of them (before: known 0.750 / 1.000, unknown 0.920 / 0.523); some of
# those rules were written after reading its misses (see its header and the README), so it
# is a tuning set now: after them known 1.000 / 1.000, unknown 1.000 / 0.841; after the
# session-7 rules 1.000 / 0.864.
DEV3_MIN = {"known": (0.99, 0.99), "unknown": (0.99, 0.86)}
DEV3_MAX_NEGATIVE_HITS = 0


def _assert_floors(matcher, label: str, passages, floors: dict, max_negative_hits: int,
                   show_misses: bool) -> None:
    """Score `passages` per bucket (known / unknown names), record the figures under `label`
    and fail below `floors` ({bucket: (min precision, min recall)}) or past
    `max_negative_hits`. The buckets must account for every gold mention. `show_misses`:
    failures list the differences and the hard negatives hit (never for a held-out set:
    nobody tuning the rules may read them)."""
    result = score(matcher, passages, KNOWS)
    FIGURES[f"{label}, known names"] = result.known.summary()
    FIGURES[f"{label}, unknown names"] = result.unknown.summary()
    gold = sum(len(p.gold) for p in passages)
    assert result.known.tp + result.known.fn + result.unknown.tp + result.unknown.fn == gold
    assert (result.tp, result.fp, result.fn) == (
        result.known.tp + result.unknown.tp, result.known.fp + result.unknown.fp,
        result.known.fn + result.unknown.fn)
    message = f"known {result.known.summary()}\nunknown {result.unknown.summary()}"
    if show_misses:
        message += f"\n{result.diff(passages)}"
    for bucket, (min_p, min_r) in floors.items():
        counts = getattr(result, bucket)
        assert counts.precision >= min_p, f"{bucket} precision\n{message}"
        assert counts.recall >= min_r, f"{bucket} recall\n{message}"
    hits = negative_hits(matcher, passages)
    assert len(hits) <= max_negative_hits, "\n".join(hits) if show_misses else ""


def test_dev2_set_scores_reach_the_thresholds(matcher):
    _assert_floors(matcher, "dev set 2", DEV2_PASSAGES, DEV2_MIN, DEV2_MAX_NEGATIVE_HITS,
                   show_misses=True)


def test_dev3_set_scores_reach_the_thresholds(matcher):
    _assert_floors(matcher, "dev set 3", DEV3_PASSAGES, DEV3_MIN, DEV3_MAX_NEGATIVE_HITS,
                   show_misses=True)


# Floors on the fourth development set (eval_dev4.toml), written before the session-6 rule
# changes and scored on main cfc09af before them: known 1.000 / 1.000, unknown 0.947 / 0.379
# (F1 0.541), no hard negative hit; after them (written looking at its misses, so a tuning
# set now): known 1.000 / 1.000, unknown 0.984 / 0.642 (F1 0.777), no hit; after the session-7
# rules (tuned on it): unknown 0.986 / 0.768 (F1 0.864), no hit.
DEV4_MIN = {"known": (0.99, 0.99), "unknown": (0.98, 0.76)}
DEV4_MAX_NEGATIVE_HITS = 0


def test_dev4_set_scores_reach_the_thresholds(matcher):
    _assert_floors(matcher, "dev set 4", DEV4_PASSAGES, DEV4_MIN, DEV4_MAX_NEGATIVE_HITS,
                   show_misses=True)


# Floors on the fifth development set (eval_dev5.toml), written before the session-7 rule
# changes and scored on main 9ad5adc before them: known 1.000 / 1.000, unknown 0.889 / 0.635
# (F1 0.741), no hard negative hit; after them (checked here, not tuned on it): unknown 0.898 /
# 0.698 (F1 0.786), no hit.
DEV5_MIN = {"known": (0.99, 0.99), "unknown": (0.89, 0.69)}
DEV5_MAX_NEGATIVE_HITS = 0


def test_dev5_set_scores_reach_the_thresholds(matcher):
    _assert_floors(matcher, "dev set 5", DEV5_PASSAGES, DEV5_MIN, DEV5_MAX_NEGATIVE_HITS,
                   show_misses=True)


def test_heldout_set_is_scored_per_bucket(matcher):
    # The set measures the rules from outside. The buckets must account for every gold
    # mention, and neither bucket may drop below the figures reached.
    _assert_floors(matcher, "held-out set", HELDOUT_PASSAGES, HELDOUT_MIN,
                   HELDOUT_MAX_NEGATIVE_HITS, show_misses=False)


# Floors on the second held-out set (eval_heldout2.toml), written blind in session 5 and never
# used to tune. Scored on main 1dfd3c8 (the session-4 rules) when it was written: known 0.967 /
# 0.986, unknown 0.856 / 0.463 (F1 0.601), 2 hard negatives hit; floors a little below.
# Session 5's rules, measured once at the end, figures only: known 0.972 / 0.986, unknown
# 0.859 / 0.475 (F1 0.612), 2 hit. Session 6's rules, measured there four times, figures
# only: known unchanged, unknown 0.859 / 0.475 -> 0.861 / 0.484 (F1 0.612 -> 0.619), 2 hit.
# Session 7's rules (looked at as the held-out set was): known unchanged, unknown 0.861 /
# 0.484 -> 0.865 / 0.525 (F1 0.619 -> 0.653).
HELDOUT2_MIN = {"known": (0.97, 0.98), "unknown": (0.86, 0.52)}
HELDOUT2_MAX_NEGATIVE_HITS = 2


def test_heldout2_set_is_scored_per_bucket(matcher):
    # As the held-out set: the buckets account for every gold mention, and neither drops
    # below the figures reached.
    _assert_floors(matcher, "held-out set 2", HELDOUT2_PASSAGES, HELDOUT2_MIN,
                   HELDOUT2_MAX_NEGATIVE_HITS, show_misses=False)


# Floors on the third held-out set (eval_heldout3.toml), written blind in session 7 while that
# session's rules were tuned on the development sets, and never used to tune. Scored once on
# main 9ad5adc when it was written (annotations committed first): known 0.957 / 0.983 (F1
# 0.970), unknown 0.827 / 0.580 (F1 0.682; 182/314 is just under 0.58), 9 hard negatives hit.
HELDOUT3_MIN = {"known": (0.95, 0.98), "unknown": (0.82, 0.57)}
HELDOUT3_MAX_NEGATIVE_HITS = 9


def test_heldout3_set_is_scored_per_bucket(matcher):
    # As the held-out sets: the buckets account for every gold mention, and neither drops
    # below the figures reached.
    _assert_floors(matcher, "held-out set 3", HELDOUT3_PASSAGES, HELDOUT3_MIN,
                   HELDOUT3_MAX_NEGATIVE_HITS, show_misses=False)


def negative_hits(matcher: EntityMatcher, passages: list[Passage]) -> list[str]:
    """Every hard negative (or not_as) that some mention overlaps, as 'passage: needle'."""
    hits = []
    for passage in passages:
        mentions = matcher.find(passage.text)
        checks = [(n, None) for n in passage.negatives] + list(passage.not_as)
        for needle, type_ in checks:
            for start, end in _occurrences(passage.text, needle):
                if any(m.start < end and start < m.end and type_ in (None, m.type) for m in mentions):
                    hits.append(f"{passage.id}: {needle!r}" + (f" as {type_}" if type_ else ""))
                    break
    return hits


def test_open_set_hard_negatives_stay_negative(matcher):
    hits = negative_hits(matcher, OPEN_PASSAGES)
    assert len(hits) <= OPEN_MAX_NEGATIVE_HITS, "\n".join(hits)


def test_scores_reach_the_thresholds(matcher):
    result = score(matcher, PASSAGES)
    message = f"{result.summary()}\n{result.diff(PASSAGES)}"
    assert result.precision >= MIN_PRECISION, message
    assert result.recall >= MIN_RECALL, message


@pytest.mark.parametrize("passage", PASSAGES, ids=lambda p: p.id)
def test_hard_negatives_are_never_extracted(matcher, passage):
    mentions = matcher.find(passage.text)
    for needle in passage.negatives:
        for start, end in _occurrences(passage.text, needle):
            hit = [m for m in mentions if m.start < end and start < m.end]
            assert hit == [], f"{needle!r} must not be extracted"
    for needle, type_ in passage.not_as:
        for start, end in _occurrences(passage.text, needle):
            hit = [m for m in mentions if m.type == type_ and m.start < end and start < m.end]
            assert hit == [], f"{needle!r} must not be a {type_}"


def test_scorer_counts_exact_spans_only():
    # the scorer itself: a right name on a wrong span is one miss and one false positive
    passage = Passage("p", "We used Qserv and the Data Butler.", (("system", "Qserv", 8, 13), ("system", "Butler", 22, 33)))

    class Fake:
        def find(self, text):
            from ingest.model import Mention
            return [Mention("system", "Qserv", 8, 13, "Qserv"), Mention("system", "Butler", 27, 33, "Butler")]

    result = score(Fake(), [passage])
    assert (result.tp, result.fp, result.fn) == (1, 1, 1)
    assert result.misses == {"p": [("system", "Butler", 22, 33)]}
    assert result.false_positives == {"p": [("system", "Butler", 27, 33)]}
    assert "- system       Butler" in result.diff([passage])


def main(argv: list[str]) -> int:
    """Print the micro P/R/F1 per split, per type and overall, then (unless --quiet) every
    difference. `--tuning` leaves the held-out set out (figures and differences), so that
    rule work can look at the tuning sets without seeing it."""
    matcher = load_matcher()
    print_figures(matcher, quiet="--quiet" in argv, heldout="--tuning" not in argv)
    return 0


def print_figures(matcher: EntityMatcher, quiet: bool = False, heldout: bool = True) -> None:
    """The figures of every set: known/unknown buckets, splits, types, differences."""
    sets = [("gazetteer set (eval.toml)", PASSAGES),
            ("open set (eval_open.toml)", WRITTEN_BEFORE),
            ("open set, written after the rules", WRITTEN_AFTER),
            ("dev set 2 (eval_dev2.toml)", DEV2_PASSAGES),
            ("dev set 3 (eval_dev3.toml)", DEV3_PASSAGES),
            ("dev set 4 (eval_dev4.toml)", DEV4_PASSAGES),
            ("dev set 5 (eval_dev5.toml)", DEV5_PASSAGES)]
    if heldout:
        sets.append(("held-out set (eval_heldout.toml)", HELDOUT_PASSAGES))
        sets.append(("held-out set 2 (eval_heldout2.toml)", HELDOUT2_PASSAGES))
        sets.append(("held-out set 3 (eval_heldout3.toml)", HELDOUT3_PASSAGES))
    for label, passages in sets:
        result = score(matcher, passages, KNOWS)
        print(f"{label}: {len(passages)} passages, {sum(len(p.gold) for p in passages)} gold")
        print(f"  {'known names':13} {result.known.summary()}")
        print(f"  {'unknown names':13} {result.unknown.summary()}")
        print(f"  {'all':13} {result.summary()}")
        hits = negative_hits(matcher, passages)
        print(f"  hard negatives hit: {len(hits)}" + "".join(f"\n    {h}" for h in hits))
    result = score(matcher, PASSAGES)
    for split in ("dev", "heldout"):
        part = [p for p in PASSAGES if p.split == split]
        print(f"  {split:13} {score(matcher, part).summary()}  ({len(part)} passages)")
    for type_ in ENTITY_TYPES:
        only = [Passage(p.id, p.text, tuple(k for k in p.gold if k[0] == type_)) for p in PASSAGES]
        typed = Score()
        for p in only:
            found = {(m.type, m.name, m.start, m.end) for m in matcher.find(p.text) if m.type == type_}
            gold = set(p.gold)
            typed.tp += len(found & gold)
            typed.fp += len(found - gold)
            typed.fn += len(gold - found)
        print(f"  {type_:13} {typed.summary()}")
    print(f"  {'all':13} {result.summary()}")
    if not quiet:
        print(result.diff(PASSAGES) or "no differences")
        print(score(matcher, OPEN_PASSAGES).diff(OPEN_PASSAGES) or "no differences")
        print(score(matcher, DEV2_PASSAGES).diff(DEV2_PASSAGES) or "no differences")
        print(score(matcher, DEV3_PASSAGES).diff(DEV3_PASSAGES) or "no differences")
        print(score(matcher, DEV4_PASSAGES).diff(DEV4_PASSAGES) or "no differences")
        if "--dev5" in sys.argv:  # kept apart: the set checks rules tuned on the others
            print(score(matcher, DEV5_PASSAGES).diff(DEV5_PASSAGES) or "no differences")
        if heldout:
            print(score(matcher, HELDOUT_PASSAGES).diff(HELDOUT_PASSAGES) or "no differences")
            print(score(matcher, HELDOUT2_PASSAGES).diff(HELDOUT2_PASSAGES) or "no differences")
            print(score(matcher, HELDOUT3_PASSAGES).diff(HELDOUT3_PASSAGES) or "no differences")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Archive-wide consistency: a name the rules typed in one report is the same entity in every
report that writes it, after a real ingest into an index on disk."""

from __future__ import annotations

from dataclasses import replace

from ingest.entity_consistency import Spreader, learn
from ingest.model import Mention


def _write(folder, name, text):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_name_typed_in_one_report_is_that_entity_in_every_report(tmp_path, make_index):
    archive = tmp_path / "archive"
    archive.mkdir()
    _write(archive, "2024-01-report.txt",
           "Summit systems\n\nNightjar, the new camera-diagnostics dashboard, was installed.\n")
    _write(archive, "2024-03-report.txt",
           "Operations\n\nOperators watched Nightjar every night; two Nightjars run now.\n")
    _write(archive, "2024-05-report.txt", "Nightjar\n\nThe night crew asked for dark mode in Qserv.\n")
    index = make_index(tmp_path, files=[archive])
    detail = index.entity("system", "Nightjar")
    # every month that names it, although only January says what it is
    assert [m.period for m in detail.per_month if m.count] == ["2024-01", "2024-03", "2024-05"]
    assert detail.mentions == 4  # January once; March twice (one plural); May in its heading
    assert set(detail.via) == {"rule:context", "archive"} and detail.curatable
    march = index.report("2024-03-report-txt")
    assert [(m.name, m.surface, m.via) for m in march.sections[0].mentions] == [
        ("Nightjar", "Nightjar", "archive"), ("Nightjar", "Nightjars", "archive")]
    # the summary (entity list, facets) counts the months the pass added
    stats = {(e.type, e.name): e for e in index.entities()}
    assert stats[("system", "Nightjar")].reports == 3


def test_a_later_ingest_brings_older_reports_in_line(tmp_path, make_index):
    archive = tmp_path / "archive"
    archive.mkdir()
    _write(archive, "2024-02-report.txt", "Progress\n\nWe tried Quokka on a small sample.\n")
    index = make_index(tmp_path, files=[archive])
    assert index.entity("system", "Quokka") is None  # nothing says what Quokka is yet
    _write(archive, "2024-04-report.txt", "Transfers\n\nQuokka, our replacement for the old scripts, works.\n")
    index = make_index(tmp_path, files=[archive])
    detail = index.entity("system", "Quokka")
    assert [o.period for o in detail.occurrences] == ["2024-02", "2024-04"]


def test_the_vote_prefers_defining_evidence_and_ignores_repeats_alone():
    mentions = [Mention("system", "TVS", 0, 3, "TVS", "rule:shape"),
                Mention("organization", "TVS", 0, 3, "TVS", "rule:acronym"),
                Mention("system", "Echo", 0, 4, "Echo", "rule:repeat"),
                Mention("system", "Qserv", 0, 5, "Qserv", "gazetteer")]
    assert learn(mentions) == {"TVS": ("organization", "TVS")}
    spread = Spreader(learn(mentions), via="archive")
    text = "TVS met; Qserv ran."
    old = (Mention("system", "TVS", 0, 3, "TVS", "rule:shape"), Mention("system", "Qserv", 9, 14, "Qserv", "gazetteer"))
    assert [(m.type, m.via) for m in spread.apply(text, old)] == [("organization", "rule:shape"), ("system", "gazetteer")]


def test_an_everyday_word_a_rule_typed_is_not_spread_over_the_archive():
    # "Have" opening a sentence typed as a system by a context rule, "Team" as an
    # organisation: spread, they reached hundreds of reports of a generated archive
    learned = {"Have": ("system", "Have"), "Team": ("organization", "Team"),
               "Quokka": ("system", "Quokka")}
    spread = Spreader(learned, via="archive")
    text = "Have a look: Quokka and the Team meet."
    got = spread.apply(text, ())
    assert [(m.name, text[m.start:m.end]) for m in got] == [("Quokka", "Quokka")]


def test_a_name_that_recurs_in_system_contexts_across_the_archive_is_a_system(tmp_path, make_index):
    # No report says enough on its own ("uses Osprey" and "via Osprey" are one weak cue
    # each, and Osprey is an ordinary English word); the archive together does.
    archive = tmp_path / "archive"
    archive.mkdir()
    _write(archive, "2024-01-report.txt", "Support\n\nThe help desk uses Osprey for questions.\n")
    _write(archive, "2024-02-report.txt", "Alerts\n\nNight alerts now reach the crew via Osprey.\n")
    _write(archive, "2024-03-report.txt", "Support\n\nOsprey was slow on Friday; Priya Raman replaced Kai.\n")
    index = make_index(tmp_path, files=[archive])
    detail = index.entity("system", "Osprey")
    assert [o.period for o in detail.occurrences] == ["2024-01", "2024-02", "2024-03"]
    assert set(detail.via) == {"archive"} and detail.curatable
    # one weak cue in one place types nothing: Kai (replaced once) stays a person
    assert not [e for e in index.entities() if e.name in ("Kai", "Priya", "Priya Raman")]


def test_archive_evidence_needs_two_places_and_enough_weight():
    from ingest.entity_cues import texts_evidence

    learned = texts_evidence(["We use Osprey.", "Alerts go via Osprey.", "Lena replaced Omar.",
                              "The team use cases; we run Tests."])
    assert learned == {"Osprey": ("system", "Osprey")}
    # a word inside a mention is part of that name, whatever its cues say
    from ingest.entity_cues import ArchiveEvidence

    evidence = ArchiveEvidence()
    for _ in range(3):
        evidence.add("We run the Prompt Processing service.", [(11, 28)])
    assert evidence.learned() == {}
    # a curated name or a configured one is not re-typed by the archive
    from ingest.entities import load_matcher

    matcher = load_matcher()
    assert matcher.configured("qserv") and matcher.configured("DMTN-208") and not matcher.configured("Osprey")


def _sample_items():
    """The (text, mentions) of every text of each sample report, and names to spread: each
    name the sample archive mentions (stands for a large archive's learned names)."""
    from pathlib import Path

    from ingest.entities import load_matcher
    from ingest.entity_evidence import _parts
    from ingest.extract import extract_report, iter_report_files

    root = Path(__file__).resolve().parent.parent
    matcher = load_matcher()
    reports = [extract_report(p, matcher) for p in iter_report_files([root / "sample_reports"])]
    learned = {m.surface: (m.type, m.name) for r in reports for m in r.mentions}
    # every other mention is taken as rule-found, and re-typed by half the names, so that
    # the spreading re-types too; the rest are left to be found again
    learned.update({m.surface: ("meeting" if m.type != "meeting" else "system", m.name)
                    for r in reports for m in r.mentions if len(m.surface) % 2})
    kept = [[(text, tuple(replace(m, via="rule:shape") for m in mentions[::2]))
             for _, _, text, mentions in _parts(r)] for r in reports]
    return learned, kept


def test_a_report_s_texts_spread_together_as_each_alone():
    # `apply_all` searches a report's texts joined: names, URLs and word edges at the
    # joints must fall as in each text alone
    learned, reports = _sample_items()
    learned.update({"Quokka Zorbit": ("organization", "Quokka Zorbit"), "Quokka": ("system", "Quokka"),
                    "Zorbit": ("organization", "Zorbit X")})
    odd = [("see Quokka.lsst.io", ()), ("Quokka Zorbit met", ()), ("the Quokka", ()), ("Zorbit rota", ()),
           ("", ()), ("Quokka\x00Zorbit and Quokka", ()), ("Quokka\u2011based, \u201cQuokka\u201d", ()),
           ("Quokka-", ()), ("-Quokka", ())]
    spreader = Spreader(learned, via="archive")
    added = retyped = 0
    for items in reports + [odd, odd[:4], odd[6:]]:
        together = spreader.apply_all(items)
        alone = [spreader.apply(text, mentions) for text, mentions in items]
        assert [out for out, _ in together] == alone
        for (text, mentions), (out, own) in zip(items, together):
            was = {(m.start, m.end): m for m in mentions}
            assert own == [(m.start, m.end, was[m.start, m.end].type, was[m.start, m.end].name)
                           for m in out if (m.start, m.end) in was and m != was[m.start, m.end]]
            added += len(out) - len(mentions)
            retyped += len(own)
    assert added > 500 and retyped > 10  # (the comparison is not of empty lists)
    quokka = spreader.apply_all(odd)
    assert [[text[m.start:m.end] for m in out] for (text, _), (out, _) in zip(odd, quokka)] == [
        [], ["Quokka Zorbit"], ["Quokka"], ["Zorbit"], [], ["Quokka", "Zorbit", "Quokka"], ["Quokka"], [], []]

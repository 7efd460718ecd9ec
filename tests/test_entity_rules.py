"""Open-class rules: names in no configuration file, typed from the text, each mention saying
how it was found; and mentions in headings and titles, through extraction and the index."""

from __future__ import annotations

import pytest

from ingest import extract_report
from ingest.entities import load_matcher
from ingest.model import found_by_rule
from search import SearchRequest


@pytest.fixture(scope="module")
def matcher():
    return load_matcher()


def found(matcher, text):
    return [(m.type, m.name, m.surface, m.via) for m in matcher.find(text)]


RULE_CASES = [
    ("The Data Rights Board approved the policy.",
     [("organization", "Data Rights Board", "Data Rights Board", "rule:head-noun")]),
    ("A Crowded Fields workshop is planned.",
     [("meeting", "Crowded Fields workshop", "Crowded Fields workshop", "rule:head-noun")]),
    ("The COSMOS2020 catalog was loaded into Qserv.",
     [("dataset", "COSMOS2020", "COSMOS2020", "rule:head-noun"),
      ("system", "Qserv", "Qserv", "gazetteer")]),
    ("The Solar System Ephemeris Service (SSES) is up; AP uses SSES now.",
     [("system", "SSES", "Solar System Ephemeris Service", "rule:acronym"),
      ("system", "SSES", "SSES", "rule:acronym"), ("system", "AP", "AP", "gazetteer"),
      ("system", "SSES", "SSES", "rule:repeat")]),
    ("The loader uses h5py, the new DataLoader class and pipe_graph.",
     [("system", "h5py", "h5py", "rule:shape"), ("system", "DataLoader", "DataLoader", "rule:context"),
      ("system", "pipe_graph", "pipe_graph", "rule:shape")]),
    ("Talks at PebbleConf and KubeCon.",
     [("meeting", "PebbleConf", "PebbleConf", "rule:shape"), ("meeting", "KubeCon", "KubeCon", "rule:shape")]),
    ("We released the Skyviewer app and a browser called Tabulator.",
     [("system", "Skyviewer", "Skyviewer", "rule:context"),
      ("system", "Tabulator", "Tabulator", "rule:context")]),
    ("Staff from the University of Edinburgh and Universidad de La Serena came.",
     [("organization", "University of Edinburgh", "University of Edinburgh", "rule:head-noun"),
      ("organization", "Universidad de La Serena", "Universidad de La Serena", "rule:head-noun")]),
    # nesting (§6): the whole proper name, not the configured names inside it
    ("The AURA Board of Directors met before the Prompt Processing Readiness Review.",
     [("organization", "AURA Board of Directors", "AURA Board of Directors", "rule:head-noun"),
      ("meeting", "Prompt Processing Readiness Review", "Prompt Processing Readiness Review",
       "rule:head-noun")]),
    # a configured name with a generic noun stays the configured name
    ("The DMLT meeting and the SQuaRE team; the DECam HiTS data set.",
     [("organization", "DMLT", "DMLT", "gazetteer"), ("organization", "SQuaRE", "SQuaRE", "gazetteer"),
      ("system", "DECam", "DECam", "gazetteer"), ("dataset", "HiTS", "HiTS", "gazetteer")]),
    # a date after a proper name is not part of it, so the configured name stands
    ("Slides went to the AURA Management Council for Rubin September 12.",
     [("meeting", "AMCR", "AURA Management Council for Rubin", "gazetteer")]),
    # capitalised words before a configured name are not part of it
    ("Transfers to the Quillon LSST Data Facility ran.",
     [("organization", "LDF", "LSST Data Facility", "gazetteer")]),
    # a variant of a configured name is that name
    ("Two DIAObjects tables were merged.",
     [("dataset", "DiaObject", "DIAObjects", "rule:variant")]),
    ("See DMTN-208.", [("document", "DMTN-208", "DMTN-208", "pattern")]),
    # a name typed by the contexts it is written in (rule:cue): verbs and nouns of software,
    # a move from one product to another, a conference, a partner (and a list with a system:
    # rule:list)
    ("We deployed Keycloak and the datalinker service; plots use matplotlib.",
     [("system", "Keycloak", "Keycloak", "rule:cue"), ("system", "datalinker", "datalinker", "rule:cue"),
      ("system", "matplotlib", "matplotlib", "rule:cue")]),
    ("The farm moved from Buildkite to Tekton; a wrapper, lsst-build-tools, sets flags.",
     [("system", "Buildkite", "Buildkite", "rule:cue"), ("system", "Tekton", "Tekton", "rule:cue"),
      ("system", "lsst-build-tools", "lsst-build-tools", "rule:cue")]),
    ("Ruff replaced flake8 and isort. Registration for PyHEP is open.",
     [("system", "flake8", "flake8", "rule:shape"), ("system", "isort", "isort", "rule:list"),
      ("meeting", "PyHEP", "PyHEP", "rule:cue")]),
    ("A new table, DiaSourceHistory, was added. Students from the Pontificia Universidad Católica came.",
     [("dataset", "DiaSourceHistory", "DiaSourceHistory", "rule:cue"),
      ("organization", "Pontificia Universidad Católica", "Pontificia Universidad Católica", "rule:cue")]),
    # a numbered data release after its survey's name, also wrapped from the line before;
    # a software head noun after capitalised words; a summit that is a meeting, not the site
    ("Stars come from Wendel DR2 and the Deep Night\nSurvey DR11 sweeps.",
     [("dataset", "Wendel DR2", "Wendel DR2", "rule:release"),
      ("dataset", "Deep Night Survey DR11", "Deep Night\nSurvey DR11", "rule:release")]),
    ("Logs are shipped by Quenta to the store; jobs run through a Parsl executor.",
     [("system", "Quenta", "Quenta", "rule:cue"), ("system", "Parsl", "Parsl", "rule:cue")]),
    # a capital at the start of a line where the paragraph wraps opens no sentence
    ("After eleven years Jonas Winter left the quiet back office of the\nScheduler group for a new desk.",
     [("organization", "Scheduler group", "Scheduler group", "rule:head-noun")]),
    ("Ines moved to the Data Engineering group.",
     [("organization", "Data Engineering group", "Data Engineering group", "rule:head-noun")]),
    # a lower-case word English knows a little between an article and a noun of code
    ("The pint library handles the unit conversions.",
     [("system", "pint", "pint", "rule:context")]),
    ("Inference uses Quark Runtime; the Kettle Brokers Summit met in May.",
     [("system", "Quark Runtime", "Quark Runtime", "rule:head-noun"),
      ("meeting", "Kettle Brokers Summit", "Kettle Brokers Summit", "rule:head-noun")]),
    # a noun of code after a coined lower-case word; a capitalised word's classes are a model's
    ("The zorrp classes of the old layer and the Gaussian classes of the fitter.",
     [("system", "zorrp", "zorrp", "rule:cue")]),
    # more head nouns of offices, sprints and hack days, samples and operating systems
    ("The Systems Integration Office planned the Broker Hack Day and a Pipelines Sprint.",
     [("organization", "Systems Integration Office", "Systems Integration Office", "rule:head-noun"),
      ("meeting", "Broker Hack Day", "Broker Hack Day", "rule:head-noun"),
      ("meeting", "Pipelines Sprint", "Pipelines Sprint", "rule:head-noun")]),
    ("The hosts run Alpine Linux 3, and the Faint Stars Sample was released.",
     [("system", "Alpine Linux", "Alpine Linux", "rule:head-noun"),
      ("dataset", "Faint Stars Sample", "Faint Stars Sample", "rule:head-noun")]),
    # what software is run on, hosted on, configured with
    ("The site is hosted on Netlify; short jobs run on Nomad; nodes are configured with Quorra.",
     [("system", "Netlify", "Netlify", "rule:cue"), ("system", "Nomad", "Nomad", "rule:cue"),
      ("system", "Quorra", "Quorra", "rule:cue")]),
    # a name after the noun of its kind
    ("Pages come from the static site generator Quillo; the reference catalog Tessera is loaded.",
     [("system", "Quillo", "Quillo", "rule:context"), ("dataset", "Tessera", "Tessera", "rule:context")]),
    # an apposition with the noun of a kind
    ("Grist, the new linter for SQL, runs; Vetch, a small exporter, too.",
     [("system", "Grist", "Grist", "rule:context"), ("system", "Vetch", "Vetch", "rule:context")]),
    # "Operations" names a team as "Middleware" does; the hosts of §6 alone name no one
    ("The request went to the Operations team, and the DM team agreed.",
     [("organization", "Operations team", "Operations team", "rule:head-noun")]),
    ("A short script wraps lftp for the nightly copy. The team wrapped up the sprint.",
     [("system", "lftp", "lftp", "rule:cue")]),
    # a name ending in -s is no plural unless English has the singular ("Dashboards")
    ("Metrics\nThe old store was slow. Helios was retired at the end of the month. Dashboards were retired too.",
     [("system", "Helios", "Helios", "rule:rare")]),
]


@pytest.mark.parametrize(("text", "expected"), RULE_CASES, ids=[c[0][:40] for c in RULE_CASES])
def test_rules_find_and_say_how(matcher, text, expected):
    assert found(matcher, text) == expected


NEGATIVE_CASES = [
    # English words between an article and a noun of code modify it
    "The plotting library and the helper module moved; the core package and the optional plugin stay.",
    "The python package and the standard library are enough.",
    "Maria Gonzalez joined the middleware group; Tom Becker left in February.",
    "Following the review, Operations planning was rebased. However, the Budget is unclear.",
    "The style guide covers Rust, TypeScript, Python and C++.",
    "Rubin Observatory and LSST and the Project; DM met its goals for March.",
    "Data Facilities\nThe plan for the next Monday meeting is ready.",
    "Weekly w.2024.12 and v27.0 shipped; Gaia-DR3 and SDSS-V; COVID-19 and UTF-8.",
    "The IT team and the DM team met; a Phalanx-based deployment; the Solar System.",
    "Then the Data Management group and the Science team met.",
    "The end-to-end test of the read-only light-curve service; PhD students; 3 IDs.",
    "Was team work enough? Resolved team issues came first. Planning group met.",
    # cues do not type people, cities, common words, adjectives or numbered parts
    "Priya replaced Omar as lead; staff from Lyon came; we use cases and run Tests.",
    "See Table 2.1 and Phase 1.5; a port of the astrometric fitter; the hand-written wrappers.",
    "The Calibration pipeline and the Science service; Black hooks run Black on commits.",
    "The cleanup runs on Mondays; the plan was driven by Sofia; it ran on schedule.",
    "The server Friday was slow; a tool Anna Smith wrote; the catalog June release.",
    "Anna, a client of ours, came; the night operator Maria closed the dome.",
    # from the sample archive: modifiers and a capital that only opens a list item
    "Work started on containerised deployment; a new commandline tool; the deblender "
    "configuration.\n- Validation plots were reviewed.",
    # a release number alone, after a heading or a section number; a section number and a
    # head noun
    "Alerts\nDR2 is planned. We reprocessed DR3 twice.",
    "3.1 Summit and Commissioning Support",
    "The effort was driven by Moreno and the plots made by Anna.",
]


@pytest.mark.parametrize("text", NEGATIVE_CASES)
def test_hard_negatives_stay_negative(matcher, text):
    assert [m for m in matcher.find(text) if found_by_rule(m.via)] == []


def test_rules_can_be_turned_off():
    plain = load_matcher(rules=False)
    assert [m.name for m in plain.find("The Data Rights Board uses h5py and Qserv.")] == ["Qserv"]


def test_matcher_with_rules_survives_pickling(matcher):
    import pickle

    again = pickle.loads(pickle.dumps(matcher))
    assert found(again, "the Skyviewer app") == found(matcher, "the Skyviewer app")


REPORT = """\
DM Status Report for Nightjar, Qserv, March 2024

Summary
A quiet month for the archive, with steady progress everywhere.

Nightjar and the DMTN-301 design
Nightjar, the new camera-diagnostics dashboard, was installed. It reads from the EFD.

Qserv
The COSMOS2020 catalog was loaded.
"""


def test_heading_and_title_mentions_have_their_own_offsets(tmp_path):
    path = tmp_path / "2024-03-report.txt"
    path.write_text(REPORT, encoding="utf-8")
    report = extract_report(path)
    # the title lists Nightjar with a system (rule:list); a section says what it is
    assert [(m.name, m.start, m.end, m.via) for m in report.title_mentions] == [
        ("Nightjar", 21, 29, "rule:list"), ("Qserv", 31, 36, "gazetteer")]
    by_heading = {s.heading: s for s in report.sections}
    design = by_heading["Nightjar and the DMTN-301 design"]
    assert [(m.type, m.name, design.heading[m.start:m.end]) for m in design.heading_mentions] == [
        ("system", "Nightjar", "Nightjar"), ("document", "DMTN-301", "DMTN-301")]
    assert [m.name for m in by_heading["Qserv"].heading_mentions] == ["Qserv"]
    # counted with the section and the report; in the JSON shape with their provenance
    assert ("document", "DMTN-301", 1) in [(e.type, e.name, e.count) for e in design.entity_counts()]
    assert design.to_dict()["heading_mentions"][1] == {
        "type": "document", "name": "DMTN-301", "start": 17, "end": 25, "via": "pattern"}
    assert report.to_dict()["title_mentions"][1]["name"] == "Qserv"


def test_heading_and_title_mentions_reach_the_index(tmp_path, make_index):
    path = tmp_path / "reports" / "2024-03-report.txt"
    path.parent.mkdir()
    path.write_text(REPORT, encoding="utf-8")
    index = make_index(tmp_path, files=[path.parent])
    # the index gives back the same report, heading and title mentions included
    stored = index.report("2024-03-report-txt")
    assert stored == extract_report(path)
    # a heading-only mention is an occurrence on the entity page, with its snippet
    detail = index.entity("document", "DMTN-301")
    assert detail is not None and detail.mentions == 1
    assert [o.section for o in detail.occurrences] == ["Nightjar and the DMTN-301 design"]
    assert "<mark>DMTN-301</mark>" in detail.occurrences[0].snippet_html
    assert detail.via == ("pattern",) and not detail.curatable
    # title + heading + body: three mentions of the rule-found Nightjar, curatable
    nightjar = index.entity("system", "Nightjar")
    assert nightjar.mentions == 3 and nightjar.curatable
    # (the title "... for Nightjar, Qserv, ..." lists it with a system: rule:list)
    assert set(nightjar.via) <= {"rule:context", "rule:repeat", "rule:list"}
    # the entity filter and facets see heading mentions
    hits = index.search(SearchRequest.from_params({"entity": "DMTN-301"}))
    assert [h.section for h in hits.hits] == ["Nightjar and the DMTN-301 design"]
    stats = {(e.type, e.name): e for e in index.entities()}
    assert stats[("document", "DMTN-301")].mentions == 1

"""The phrase rules of `ingest.entity_phrases` through the real matcher: each rule finds its
names with the type and provenance it says, and the hard negatives next to them (people,
places, roles, everyday words) stay out. Sentences written for these tests."""

from __future__ import annotations

import pytest

from ingest.entities import load_matcher
from ingest.model import found_by_rule


@pytest.fixture(scope="module")
def matcher():
    return load_matcher()


def found(matcher, text):
    return [(m.type, m.name, m.surface, m.via) for m in matcher.find(text) if found_by_rule(m.via)]


@pytest.mark.parametrize(("text", "expected"), [
    # appositions: after a noun that says what the name is, or before a noun phrase
    ("The matching now calls a faster matcher, Pelican, written in Rust.",
     [("system", "Pelican", "Pelican", "rule:apposition")]),
    ("A smaller run, dusk_neo_v3, tests the twilight visits.",
     [("dataset", "dusk_neo_v3", "dusk_neo_v3", "rule:apposition")]),
    # the noun before "of" types a name after "a ... of the ...,"
    ("A simulation of the southern sky, SouthSimB, is staged at the facility.",
     [("dataset", "SouthSimB", "SouthSimB", "rule:apposition")]),
    ("Two brokers, Wagtail and Gannet, passed the test.",
     [("system", "Wagtail", "Wagtail", "rule:apposition"), ("system", "Gannet", "Gannet", "rule:apposition")]),
    ("The team released cadence_v9.2, the new survey simulation, last week.",
     [("dataset", "cadence_v9.2", "cadence_v9.2", "rule:apposition")]),
    # compounds around a software name
    ("Next we evaluate Grafana Mimir for the metrics.",
     [("system", "Grafana Mimir", "Grafana Mimir", "rule:compound")]),
    ("Inference runs on TensorFlow Serving in two pods.",
     [("system", "TensorFlow Serving", "TensorFlow Serving", "rule:compound")]),
    # a machine named by what it does, after an article
    ("The Fibre Spectra Extractor was installed on the new cluster.",
     [("system", "Fibre Spectra Extractor", "Fibre Spectra Extractor", "rule:agent")]),
    # words English does not use, where software is written, or made of English words
    ("Every docstring now goes through pydoclint before review.",
     [("system", "pydoclint", "pydoclint", "rule:rare")]),
    ("Sparrowdesk replaced the old ticket queue in May.",
     [("system", "Sparrowdesk", "Sparrowdesk", "rule:rare")]),
    ("Wizbuild was switched off after the migration.",
     [("system", "Wizbuild", "Wizbuild", "rule:rare")]),
    # lists that hold a system
    ("The images ship with Kafka, Grafana, Loupekit and Starboard.",
     [("system", "Loupekit", "Loupekit", "rule:list"), ("system", "Starboard", "Starboard", "rule:list")]),
    ("The summary is now built with polars instead of pandasql.",
     [("system", "pandasql", "pandasql", "rule:list")]),
    # a sentence-initial name with its apposition, then the sentence's verb
    ("Tallow, a small object store, holds the test data.",
     [("system", "Tallow", "Tallow", "rule:apposition")]),
    ("Thrush, a fork of Kafka, was tried in April.",
     [("system", "Thrush", "Thrush", "rule:apposition")]),
    # a capitalised word English barely uses after "with", where no one is met with
    ("Container images with Quillbox are smaller than the others.",
     [("system", "Quillbox", "Quillbox", "rule:rare")]),
    # the sentence-initial subject of a participle, a word English knows a little
    ("The old broker stays. Kestrel was evaluated for the longer campaigns.",
     [("system", "Kestrel", "Kestrel", "rule:rare")]),
    # a lower-case word English barely uses, where the phrase after a preposition ends
    ("The kernel is built by quokka and shipped as wheels.",
     [("system", "quokka", "quokka", "rule:rare")]),
    # a compound wrapped to the next line, but not into a heading
    ("The older web pages of the portal that cannot speak OpenZ\nConnect stay behind the proxy.",
     [("system", "OpenZ Connect", "OpenZ\nConnect", "rule:compound")]),
    # a capitalised word English knows a little, after a participle of making and "with"
    ("The interactive plots are drawn with Wrangler for the tutorials.",
     [("system", "Wrangler", "Wrangler", "rule:rare")]),
    # a list and a participle read across the wrap of a line
    ("The plots in the tutorials are drawn with Kafka and\nLoupekit from now on.",
     [("system", "Loupekit", "Loupekit", "rule:list")]),
    ("The broker stays, and Kestrel was\nremoved from the images.",
     [("system", "Kestrel", "Kestrel", "rule:rare")]),
    # a lower-case name capitalised at a sentence start, where the text writes it lower-case
    ("Plots are drawn with skyproj. Skyproj also draws the focal plane.",
     [("system", "skyproj", "skyproj", "rule:rare"), ("system", "skyproj", "Skyproj", "rule:repeat")]),
])
def test_phrase_rules_find_names(matcher, text, expected):
    got = found(matcher, text)
    for item in expected:
        assert item in got, got


def test_compound_takes_the_whole_name_not_the_configured_one(matcher):
    mentions = matcher.find("Next quarter the team will evaluate Grafana Tempo for tracing.")
    assert [(m.name, m.via) for m in mentions] == [("Grafana Tempo", "rule:compound")]


@pytest.mark.parametrize("text", [
    # people: given names and surnames of any language, written alone or in full
    "The session was chaired by Ngozi Adeyemi and the minutes were taken by Kowalczyk.",
    "Oyelaran presented the results at the weekly meeting.",
    "Our new colleague, Oluwaseun, starts in May.",
    "The Qserv team thanks Wojciech and Dagmara for their patience.",
    "The plan was approved by Ferreira, pending budget.",
    "We met with Okonkwo and Varga to discuss the schedule.",
    "Jenkins Smith and Mary Jenkins joined the project office.",
    "The Grafana dashboards were shown by Priya Raman and Jakob Huber.",
    "JupyterLab and Firefly were shown to Mwangi and Achieng at the workshop.",
    "The board elected its new chair, Maria Santos, in March.",
    # places, roles, languages, everyday words next to systems
    "Rucio transfers to Lyon and Bologna resumed after the outage.",
    "The Deputy Project Manager and the Night Supervisor signed off the plan.",
    "The Outreach Coordinator and the Science Organizer met in June.",
    "The new code is written in Rust, Go and Python.",
    "Qserv, Security and Networking were discussed at length.",
    "Kafka, Monitoring and Alerts are the three topics for the next review.",
    "Authentication was enabled on the staging cluster.",
    "Staff from SLAC, Lyon and Edinburgh attended the meeting.",
    # jargon English barely uses, a survey release written like an ID, modifiers
    "Data sent to the archive is verified with checksums.",
    "The outreach team trained twenty docents, and the Skyviewer app got a new page.",
    "The reference catalog was rebuilt from Gaia-DR3 and the Pan-STARRS1 catalog.",
    "The Notebook and Portal aspects passed the acceptance tests.",
    "Transfers queue files for Rucio and retries the failed ones.",
    "Builds are tagged with w.2022.04 and v23.0.",
    # a word English knows a little after "with" and no participle of making
    "The new racks came with Wrangler and his team from the vendor.",
    "Helpers were trained with Parker, who wrote the guide.",
    # a heading line after a software name
    "The mirrors now run OpenZ\nBackup Plans\nThe plans are due in May.",
    # a social word before "with", a possessive, a sentence opening with "With"
    "The plan was agreed in a call with Okafor last week.",
    "Work continued with Haddad's team on the cooling.",
    "With Oyelaran away, the review moved to June.",
    # jargon English barely uses after a preposition: with a noun's ending, or before a noun
    "Fluxes are calibrated through photometry, then with astrolabe readings.",
    "Offsets are measured with theodolite readings at the dome.",
    # sentence-initial subjects of a participle that are English nouns
    "Replication was tested on the new cluster. Dashboards were rebuilt in Grafana.",
    "Overall, the new service, in the end, worked.",
    "Finally, a new scheduler, was tested.",
])
def test_phrase_rules_leave_hard_negatives_alone(matcher, text):
    phrase_vias = {"rule:apposition", "rule:compound", "rule:agent", "rule:rare", "rule:list"}
    hits = [m for m in found(matcher, text) if m[3] in phrase_vias]
    assert hits == [], hits

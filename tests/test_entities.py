"""The shipped entity matcher on text written like real status reports.

Expected annotations follow the project's annotation rules (conventions §6): handles in
canonical case, zero-padded milestones, aliases normalised, hard negatives not matched.
"""

from __future__ import annotations

import pickle

import pytest

from ingest.entities import DEFAULT_CONFIG_PATH, EntityMatcher, load_matcher
from ingest.model import ENTITY_TYPES


@pytest.fixture(scope="module")
def matcher() -> EntityMatcher:
    return load_matcher()


def found(matcher: EntityMatcher, text: str) -> list[tuple[str, str, str]]:
    return [(m.type, m.name, m.surface) for m in matcher.find(text)]


# (text, [(type, canonical name, surface), ...]) for IDs
ID_CASES = [
    ("See DMTN-208 for the design.", [("document", "DMTN-208", "DMTN-208")]),
    ("described in dmtn-45 and SQR-39", [("document", "DMTN-045", "dmtn-45"), ("document", "SQR-039", "SQR-39")]),
    ("RTN-4, PSTN-17, SITCOMTN-1, ITTN-12, TSTN-3, SMTN-2, CTN-1, SOTN-5",
     [("document", n, s) for n, s in [("RTN-004", "RTN-4"), ("PSTN-017", "PSTN-17"), ("SITCOMTN-001", "SITCOMTN-1"),
                                       ("ITTN-012", "ITTN-12"), ("TSTN-003", "TSTN-3"), ("SMTN-002", "SMTN-2"),
                                       ("CTN-001", "CTN-1"), ("SOTN-005", "SOTN-5")]]),
    ("LDM-148, LSE-61, LPM-17, LCA-227, LTS-1, LEP-9, LDO-13, DMTR-291, SCTR-11",
     [("document", n, n) for n in ["LDM-148", "LSE-61", "LPM-17", "LCA-227", "LTS-1", "LEP-9", "LDO-13", "DMTR-291", "SCTR-11"]]),
    ("RDO-11 is padded", [("document", "RDO-011", "RDO-11")]),
    ("posted to DocuShare, collection-8803.", [("system", "DocuShare", "DocuShare"), ("document", "Collection-8803", "collection-8803")]),
    ("Document-1386 and Report-2045", [("document", "Document-1386", "Document-1386"), ("document", "Report-2045", "Report-2045")]),
    ("the LDM-503 milestones", [("document", "LDM-503", "LDM-503")]),
    ("LDM-503-2 passed", [("milestone", "LDM-503-02", "LDM-503-2")]),
    ("LDM-503-11a and LDM-503-18q", [("milestone", "LDM-503-11a", "LDM-503-11a"), ("milestone", "LDM-503-18q", "LDM-503-18q")]),
    ("LDM-503-EFDa, DM-503-EFDb, LDM-503-RSPa, LDM-503-NET",
     [("milestone", "LDM-503-EFDa", "LDM-503-EFDa"), ("milestone", "LDM-503-EFDb", "DM-503-EFDb"),
      ("milestone", "LDM-503-RSPa", "LDM-503-RSPa"), ("milestone", "LDM-503-NET", "LDM-503-NET")]),
    ("LDM-GEN3 and DM-READY", [("milestone", "LDM-GEN3", "LDM-GEN3"), ("milestone", "DM-READY", "DM-READY")]),
    ("DM-AP-14, DM-DRP-27, DM-DAX-15, DM-SQRE-5, DM-SUIT-10, DM-NCSA-12",
     [("milestone", n, n) for n in ["DM-AP-14", "DM-DRP-27", "DM-DAX-15", "DM-SQRE-5", "DM-SUIT-10", "DM-NCSA-12"]]),
    ("work on tickets/DM-26348 (see RFC-653, LCR-2313)",
     [("ticket", "DM-26348", "DM-26348"), ("ticket", "RFC-653", "RFC-653"), ("ticket", "LCR-2313", "LCR-2313")]),
    ("LVV-T216, PREOPS-898 and ITRFC-3",
     [("ticket", "LVV-T216", "LVV-T216"), ("ticket", "PREOPS-898", "PREOPS-898"), ("ticket", "ITRFC-3", "ITRFC-3")]),
    ("DP0.1, DP0.2, Data Preview 0.3 and DP1, not the DP0 programme",
     [("dataset", "DP0.1", "DP0.1"), ("dataset", "DP0.2", "DP0.2"), ("dataset", "DP0.3", "Data Preview 0.3"),
      ("dataset", "DP1", "DP1")]),
]


@pytest.mark.parametrize(("text", "expected"), ID_CASES)
def test_ids(matcher, text, expected):
    assert found(matcher, text) == expected


HARD_NEGATIVES = [
    "Work slowed during COVID-19 restrictions.",
    "Files are read as UTF-8 now.",
    "Cross-match with Gaia-DR3 and SDSS-V catalogues.",
    "Weekly w.2021.38 and release v23.0 are out; the 2021-09 plan.",
    "We closed 14 issues in March.",
    "The archive is at https://docushare.lsst.org/docushare/dsweb/Get/report-2045 now.",
    "Rendered at dmtn-208.lsst.io and ls.st/LDM-503 and www.lsst.org/DMTN-100.",
    "Write to someone@lsst.org about it.",
    "The base class was refactored; a summit of minds; the stack of papers.",
    "Our docker registry and the web portal moved.",
    "We stayed in Mountain Time; the team met in a summit.",
    "ap and drp teams; data management; the project; Rubin Observatory and LSST.",
    "report-2045 and publication-12 in lower case are not handles.",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negatives(matcher, text):
    assert found(matcher, text) == []


def test_review_written_like_a_handle_is_a_meeting(matcher):
    assert found(matcher, "All LSP-FDR recommendations closed.") == [("meeting", "FDR", "LSP-FDR")]


def test_jira_count_names_the_system_but_no_ticket(matcher):
    assert found(matcher, "We closed 14 JIRA issues.") == [("system", "Jira", "JIRA")]


ALIAS_CASES = [
    ("ComCam", ("system", "LSSTComCam")),
    ("Commissioning Camera", ("system", "LSSTComCam")),
    ("In2P3", ("organization", "IN2P3")),
    ("CC-IN2P3", ("organization", "IN2P3")),
    ("Engineering Facilities Database", ("system", "EFD")),
    ("Data Butler", ("system", "Butler")),
    ("Gen 3", ("system", "Gen3 middleware")),
    ("Gen3", ("system", "Gen3 middleware")),
    ("Cerro Pachón", ("organization", "Summit")),
    ("Cerro Pachon", ("organization", "Summit")),
    ("La Serena", ("organization", "Base")),
    ("the stack", ("system", "Science Pipelines")),
    ("registry", ("system", "Butler Registry")),
    ("Aura Management Council for Rubin", ("meeting", "AMCR")),
    ("Joint Directors Review", ("meeting", "JDR")),
    ("DMLT vF2F", ("meeting", "DMLT F2F")),
    ("OCS-Controlled Pipeline Service", ("system", "OCPS")),
    ("Github", ("system", "GitHub")),
    ("Qserv Kubernetes operator", ("system", "qserv-operator")),
    ("Rubin Science Platform", ("system", "RSP")),
    ("DM Change Control Board", ("organization", "DM CCB")),
]


@pytest.mark.parametrize(("text", "expected"), ALIAS_CASES)
def test_aliases_normalise(matcher, text, expected):
    mentions = matcher.find(f"We discussed {text} today.")
    assert [(m.type, m.name, m.surface) for m in mentions] == [(*expected, text)]


LONGEST_FIRST = [
    ("the Execution Butler is out", [("system", "Execution Butler")]),
    ("the Butler Registry schema", [("system", "Butler Registry")]),
    ("the AURA Management Council for Rubin met", [("meeting", "AMCR")]),
    ("the DOE/NSF Joint Status Review", [("meeting", "JSR")]),
    ("LDM-503-EFDa was claimed", [("milestone", "LDM-503-EFDa")]),
    ("the HSC RC2 reprocessing", [("dataset", "HSC RC2")]),
    ("the AP team and AP", [("organization", "AP team"), ("system", "AP")]),
    ("the DM-SST F2F and DM-SST", [("meeting", "DM-SST F2F"), ("organization", "DM-SST")]),
    # a descriptive phrase: the inner names count
    ("NOIRLab DC2 data; the IN2P3 computing group", [("organization", "NOIRLab"), ("dataset", "DC2"), ("organization", "IN2P3")]),
]


@pytest.mark.parametrize(("text", "expected"), LONGEST_FIRST)
def test_longest_first_and_nesting(matcher, text, expected):
    assert [(m.type, m.name) for m in matcher.find(text)] == expected


CONTEXT_CASES = [
    ("Data moved from the Summit to the Base.", [("organization", "Summit"), ("organization", "Base")]),
    ("Base and Summit networks", [("organization", "Base"), ("organization", "Summit")]),
    ("the summit EFD", [("organization", "Summit"), ("system", "EFD")]),
    ("work on the Mountain went on", [("organization", "Summit")]),
    ("the Portal and the web portal", [("system", "Portal Aspect")]),
    ("the registry and the schema registry", [("system", "Butler Registry")]),
    ("the stack and the stack of tasks", [("system", "Science Pipelines")]),
]


@pytest.mark.parametrize(("text", "expected"), CONTEXT_CASES)
def test_common_words_need_their_context(matcher, text, expected):
    assert [(m.type, m.name) for m in matcher.find(text)] == expected


MILESTONE_SHORTHAND = [
    ("Milestone 503-14 was discussed.", [("milestone", "LDM-503-14", "503-14")]),
    ("* Milestones: 503-11a and 503-12a were claimed; 503-14 is on track.",
     [("milestone", "LDM-503-11a", "503-11a"), ("milestone", "LDM-503-12a", "503-12a"),
      ("milestone", "LDM-503-14", "503-14")]),
    ("the Level 2\nmilestone 503-EFDb closed", [("milestone", "LDM-503-EFDb", "503-EFDb")]),
    # no milestone in the sentence, or only in an earlier paragraph or sentence: just numbers
    ("See pages 503-14 of the proceedings.", []),
    ("A milestone slipped.\n\nRoom 503-14 is booked.", []),
    ("A milestone slipped. Call 503-14 now.", []),
]


@pytest.mark.parametrize(("text", "expected"), MILESTONE_SHORTHAND)
def test_milestone_shorthand_needs_a_milestone_context(matcher, text, expected):
    assert found(matcher, text) == expected


def test_shorthand_alone_is_not_a_canonical_name(matcher):
    assert matcher.canonical("503-14") is None
    assert matcher.canonical("LDM-503-14") == ("milestone", "LDM-503-14")


TEAM_AND_TABLE_CASES = [
    # a team is named by its name; the generic noun after it is not part of the mention
    ("the SQuaRE team and the DAX team", [("organization", "SQuaRE", "SQuaRE"), ("organization", "DAX", "DAX")]),
    ("the summer AAS meeting", [("meeting", "AAS", "AAS")]),
    # ... except where the bare name is something else: AP is the pipeline
    ("the Alert Production team", [("organization", "AP team", "Alert Production team")]),
    ("the Alert Production pipeline", [("system", "AP", "Alert Production")]),
    # table products that are ordinary words count only as tables
    ("the Object and Source tables", [("dataset", "Object", "Object"), ("dataset", "Source", "Source")]),
    ("Object storage; open Source tables; a Python object table; Source code", []),
    ("met by Zoom; zoom in; Zoom in on the plot", [("system", "Zoom", "Zoom")]),
    ("the Butler registries", [("system", "Butler Registry", "Butler registries")]),
    # people and places that share a name with an entity
    # the team is a named team (§6: organisation, like the "AP team"), never the instrument
    ("the Camera team met; the Camera was cooled",
     [("organization", "Camera team", "Camera team"), ("system", "LSSTCam", "the Camera")]),
    ("two hires in the UK; transfers to In2P3, UK and SLAC",
     [("organization", "IN2P3", "In2P3"), ("organization", "UKDF", "UK"), ("organization", "SLAC", "SLAC")]),
    # a city as a venue is no site; data in La Serena are at the Base
    ("The JTM was held in La Serena. Data arrive in La Serena.",
     [("meeting", "JTM", "JTM"), ("organization", "Base", "La Serena")]),
]


@pytest.mark.parametrize(("text", "expected"), TEAM_AND_TABLE_CASES)
def test_teams_tables_and_products(matcher, text, expected):
    assert found(matcher, text) == expected


def test_typographic_variants_and_line_breaks(matcher):
    text = "DMTN\u2011208, LDM\u2013503\u20132, the Engineering\nFacilities  Database and \u201cComCam\u201d"
    assert found(matcher, text) == [
        ("document", "DMTN-208", "DMTN\u2011208"),
        ("milestone", "LDM-503-02", "LDM\u2013503\u20132"),
        ("system", "EFD", "Engineering\nFacilities  Database"),
        ("system", "LSSTComCam", "ComCam"),
    ]


def test_ids_broken_across_lines_at_a_hyphen(matcher):
    text = "see LDM-\n503-2, DMTN-\n  208 and DM-\r\n12345; not COVID-\n19"
    assert found(matcher, text) == [
        ("milestone", "LDM-503-02", "LDM-\n503-2"),
        ("document", "DMTN-208", "DMTN-\n  208"),
        ("ticket", "DM-12345", "DM-\r\n12345"),
    ]


def test_case_rules(matcher):
    # acronyms and single words are case-sensitive; plain phrases are not
    assert found(matcher, "ap, Ap, comcam, kafka, Butlers, Kafkaesque, NSFW") == []
    assert found(matcher, "JOINT STATUS REVIEW") == [("meeting", "JSR", "JOINT STATUS REVIEW")]


def test_ubiquitous_hosts_are_never_entities(matcher):
    assert found(matcher, "DM, Data Management, LSST, Rubin Observatory and the Project.") == []


def test_mentions_are_sorted_non_overlapping_with_true_offsets(matcher):
    text = REPORT_TEXT
    mentions = matcher.find(text)
    assert mentions, "the report text names entities"
    for m in mentions:
        assert text[m.start:m.end] == m.surface
        assert m.type in ENTITY_TYPES
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)
    assert all(a.end <= b.start for a, b in zip(mentions, mentions[1:]))


# Our own report-like text, written for this test, and its annotation by §6.
REPORT_TEXT = """\
DM Status Report for March 2023

The DM status report covering March 2023 has been posted to DocuShare, Collection-9120.

Meetings
The DMLT met for the DMLT vF2F in Tucson. DM staff prepared material for the
NSF/DOE Joint Status Review and presented at SPIE. The DM CCB approved RFC-901.

Technical Progress
SQR-68 describes how Sasquatch replaces the old SQuaSH dashboards; both feed InfluxDB
through Kafka. The Butler now supports the Prompt Processing service on Kubernetes at
USDF, and the APDB moved to Cassandra. LDM-503-14a (Science Platform ready for DP0.1)
is planned; DM-38512 tracks it. The image cutout service follows DMTN\u2011208.
Data from LSSTComCam flowed from the Summit to the Base and on to SLAC over REUNA.
The FrDF at CC-IN2P3 and the UK both ran DRP on HSC RC2 with PanDA and the BPS.
See https://sqr-068.lsst.io/ for details; the dashboard is at usdf-rsp.slac.stanford.edu.
We closed 57 Jira issues. The team fixed UTF-8 handling and tagged w.2023.12.
"""

REPORT_EXPECTED = [
    ("system", "DocuShare"), ("document", "Collection-9120"),
    ("organization", "DMLT"), ("meeting", "DMLT F2F"),
    ("meeting", "JSR"), ("meeting", "SPIE"), ("organization", "DM CCB"), ("ticket", "RFC-901"),
    ("document", "SQR-068"), ("system", "Sasquatch"), ("system", "SQuaSH"), ("system", "InfluxDB"),
    ("system", "Kafka"), ("system", "Butler"), ("system", "Prompt Processing"), ("system", "Kubernetes"),
    ("organization", "USDF"), ("system", "APDB"), ("system", "Cassandra"), ("milestone", "LDM-503-14a"),
    ("system", "LSP"), ("dataset", "DP0.1"), ("ticket", "DM-38512"), ("system", "image cutout service"),
    ("document", "DMTN-208"), ("system", "LSSTComCam"), ("organization", "Summit"), ("organization", "Base"),
    ("organization", "SLAC"), ("organization", "REUNA"), ("organization", "FrDF"), ("organization", "IN2P3"),
    ("organization", "UKDF"), ("system", "DRP"), ("dataset", "HSC RC2"), ("system", "PanDA"), ("system", "BPS"),
    ("system", "Jira"),
]


def test_report_text_annotation(matcher):
    assert [(m.type, m.name) for m in matcher.find(REPORT_TEXT)] == REPORT_EXPECTED


CANONICAL_CASES = [
    ("ComCam", ("system", "LSSTComCam")),
    ("dmtn-208", ("document", "DMTN-208")),
    ("DMTN-8", ("document", "DMTN-008")),
    ("LDM-503-2", ("milestone", "LDM-503-02")),
    ("LDM-503-11a", ("milestone", "LDM-503-11a")),
    ("LDM-503-EFDa", ("milestone", "LDM-503-EFDa")),
    ("DM-503-EFDa", ("milestone", "LDM-503-EFDa")),
    ("LDM-503", ("document", "LDM-503")),
    ("collection-8803", ("document", "Collection-8803")),
    ("dm-12345", ("ticket", "DM-12345")),
    ("DM-AP-14", ("milestone", "DM-AP-14")),
    ("  Joint   Status Review ", ("meeting", "JSR")),
    ("comcam", ("system", "LSSTComCam")),
    ("Mountain", ("organization", "Summit")),
    ("no such thing", None),
    ("COVID-19", None),
    ("", None),
    ("DMTN-208 and DMTN-209", None),
]


@pytest.mark.parametrize(("text", "expected"), CANONICAL_CASES)
def test_canonical(matcher, text, expected):
    assert matcher.canonical(text) == expected


LINK_CASES = [
    ("document", "DMTN-208", "https://dmtn-208.lsst.io/"),
    ("document", "SITCOMTN-001", "https://sitcomtn-001.lsst.io/"),
    ("document", "SCTR-11", "https://sctr-11.lsst.io/"),
    ("document", "LDM-503", "https://ls.st/LDM-503"),
    ("document", "DMTR-51", "https://ls.st/DMTR-51"),
    ("document", "Document-1386", "https://ls.st/Document-1386"),
    ("document", "Collection-7242", "https://docushare.lsst.org/docushare/dsweb/View/Collection-7242"),
    ("ticket", "DM-12345", "https://rubinobs.atlassian.net/browse/DM-12345"),
    ("ticket", "RFC-24", "https://rubinobs.atlassian.net/browse/RFC-24"),
    ("milestone", "LDM-503-02", None),
    ("system", "Butler", None),
    ("document", "not a handle", None),
    ("ticket", "DMTN-208", None),
]


@pytest.mark.parametrize(("type_", "name", "url"), LINK_CASES)
def test_link_for(matcher, type_, name, url):
    assert matcher.link_for(type_, name) == url


def test_types_follow_the_model_order(matcher):
    assert matcher.types == ENTITY_TYPES


def test_pickles_and_finds_the_same(matcher):
    clone = pickle.loads(pickle.dumps(matcher))
    assert clone.find(REPORT_TEXT) == matcher.find(REPORT_TEXT)
    assert len(pickle.dumps(matcher)) < 100_000  # it travels as its configuration


def test_default_config_is_package_data():
    assert DEFAULT_CONFIG_PATH.name == "entities.toml"
    assert DEFAULT_CONFIG_PATH.is_file()


def test_large_text_is_scanned_in_one_go(matcher):
    # many sections' worth of text: same mentions as scanning the pieces one by one
    pieces = [REPORT_TEXT] * 200
    whole = "\n".join(pieces)
    assert len(matcher.find(whole)) == 200 * len(REPORT_EXPECTED)


def test_alert_brokers_and_the_data_access_team():
    text = "Brokers ANTARES, ALeRCE, Fink and Lasair joined; the Data Access team moved Qserv."
    found = [(m.type, m.name, text[m.start:m.end]) for m in load_matcher().find(text)]
    assert found == [
        ("system", "ANTARES", "ANTARES"), ("system", "ALeRCE", "ALeRCE"),
        ("system", "Fink", "Fink"), ("system", "Lasair", "Lasair"),
        ("organization", "DAX", "Data Access team"), ("system", "Qserv", "Qserv"),
    ]
    # "Data Access" alone is a topic (a section heading), not the team.
    assert load_matcher().find("Data Access and Database") == []

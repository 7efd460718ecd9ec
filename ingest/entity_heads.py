"""Head nouns that give a name its type (conventions §6), for ``rule:head-noun`` and the
acronym rule (`ingest.entity_rules`): "X Working Group", "X Board" -> organization; "X
workshop", "X Sprint", "X F2F" -> meeting; "X Catalog", "X Sample" -> dataset; "X Service",
"X Scheduler", "X Linux" -> system."""

from __future__ import annotations

from ingest.entity_regex import trie_regex

# Head nouns and the type they give. Capitalised heads make a proper name with capitalised
# words before them; lower-case heads follow a capitalised name ("the Middleware team").
ORG_CAP = ["Working Group", "Task Force", "Team", "Group", "Board", "Committee", "Council",
           "Panel", "Society", "Collaboration", "Institution", "Institute", "University",
           "College", "Laboratory", "Planetarium", "Museum", "Centre", "Center", "Facility",
           "Foundation", "Agency", "Consortium", "Alliance", "Academy", "Office", "Division",
           "Department", "Directorate", "Commission", "Secretariat", "Union", "Lab", "Labs", "Corporation",
           "Company", "Observatory", "Ministry", "School"]
ORG_LOW = ["working group", "task force", "team", "group"]
MEETING_CAP = ["Hack Week", "Workshop", "Meeting", "Review", "Conference", "Bootcamp",
               "Hackathon", "Symposium", "Retreat", "Colloquium", "Summit", "Hack Day", "Hack Days",
               "Sprint", "Congress", "Jamboree", "Unconference", "Town Hall", "Kickoff", "Kick-off",
               "Festival", "Expo", "Open House", "Star Party"]
MEETING_LOW = ["face-to-face", "workshop", "meeting", "review", "conference", "bootcamp",
               "hackathon", "symposium", "retreat"]
# Part of the name whatever comes before ("DMLT F2F", "IVOA Interop").
MEETING_KEEP = ["vF2F", "F2F", "Interop"]
DATASET_CAP = ["Data Release", "Data Set", "Catalog", "Catalogue", "Sample", "Simulation"]
DATASET_LOW = ["data release", "data set", "catalog", "catalogue", "reanalysis", "release"]
SYSTEM_CAP = ["Service", "System", "Database", "Protocol", "Camera", "Telescope", "Viewer",
              "Explorer", "Queue", "Broker", "Dashboard", "Portal", "Pipeline", "Platform",
              "Framework", "Toolkit", "Library", "Server", "Engine", "Monitor", "Runtime", "Studio",
              "Agent", "Proxy", "Gateway", "Workflows", "Scheduler", "Simulator", "Linux", "Spectrograph", "Imager",
              "Projector", "Bot", "Console", "Tracker", "Generator", "Emulator", "Compiler"]
# Generic software nouns after one name: the name alone is the mention ("Skyviewer app").
SOFTWARE_LOW = ["app", "apps", "dashboard", "dashboards", "library", "package", "tool",
                "server", "client", "plugin", "plugins", "framework", "prototype", "operator",
                "scheduler", "class", "module", "service", "instance", "deployment"]

HEAD_TYPE: dict[str, str] = {}
for _type, _words in (("organization", ORG_CAP + ORG_LOW), ("meeting", MEETING_CAP + MEETING_LOW + MEETING_KEEP),
                      ("dataset", DATASET_CAP + DATASET_LOW), ("system", SYSTEM_CAP + SOFTWARE_LOW)):
    for _w in _words:
        HEAD_TYPE.setdefault(_w, _type)

LOW_HEADS = set(ORG_LOW + MEETING_LOW + DATASET_LOW)
# Capitalised head nouns: a compound product name never ends in one (`entity_phrases`).
STOP_HEADS = frozenset(w for w in HEAD_TYPE if w[0].isupper())

# Head nouns as trie regexes (see `entity_regex.trie_regex`), tried only at the words that
# can start one (`RULE_WORDS`).
HEADS = (ORG_CAP + ORG_LOW + MEETING_CAP + MEETING_LOW + MEETING_KEEP + DATASET_CAP + DATASET_LOW
         + SYSTEM_CAP)
HEAD_RE = trie_regex(HEADS)
SOFTWARE_RE = trie_regex(SOFTWARE_LOW)

"""Word lists shared by the open-class entity rules (`ingest.entity_rules`,
`ingest.entity_shapes`): stop words, programming languages, the ubiquitous hosts."""

from __future__ import annotations

# ------------------------------------------------------------------ vocabulary
MONTHS = ("January February March April May June July August September October November "
          "December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Monday Tuesday Wednesday "
          "Thursday Friday Saturday Sunday").split()
# Words that start a sentence or a clause but never a name; a phrase is cut after them.
STOP = set(MONTHS) | set(
    "The A An Our Their Its His Her This That These Those Each Every Both All Several Many "
    "Some Most Few No Any Other Another One Two Three Four Five Six Seven Eight Nine Ten "
    "First Second Third Next Last New Old In On At For From With By To Of And Or But If When "
    "While After Before During Since Until As Also However Following Meanwhile Overall "
    "Finally Then Now Here There It We They He She I You Weekly Monthly Daily Annual "
    "Quarterly Yearly Current Previous Recent Early Late Initial Final Further Additional "
    "Highlights Summary Subject Re Fwd Dear Hi Hello Thanks Cheers Regards Please Note".split())
#: Programming languages are not systems (§6).
LANGUAGES = frozenset(
    "Python C C++ Rust Java JavaScript TypeScript Go Golang Julia Fortran SQL R Perl Ruby "
    "Scala Kotlin Haskell Lua Bash C# IDL MATLAB Matlab PHP Swift Cython".split())
#: The ubiquitous hosts of §6 never make a team or group name on their own.
HOSTS = frozenset("DM LSST Rubin Observatory Project Data Management Vera Construction "
                  "Operations".split())
# Function words of an organisation chart: "the IT team", "the QA group" name no one.
GENERIC_UNITS = frozenset("IT HR QA CI PM UI UX API IT/IS PR EPO Ops DevOps Science "
                          "Software Engineering Admin".split())

#: Words that number the parts of a document or a plan ("Table 2.1", "Phase 1.5"): never a
#: name before a number that looks like a version.
NUMBERING = frozenset("Table Figure Fig Section Chapter Page Appendix Eq Equation Release "
                      "Version Phase Stage Step Level Tier Milestone Sprint Build Item Task Goal "
                      "Part Volume Vol Rev Revision Issue Note Run Cycle Week Day Year".split())

# Words that join the parts of one name ("Transients and Variable Stars", "Universidad de
# Chile"), never a name and an acronym ("UW for the AP team", "CC-IN2P3 and the UKDF").
CONNECTORS = {"of", "and", "de", "di", "del", "&", "+"}


def standalone(word: str) -> bool:
    """A token that names something on its own: an acronym, digits, inner capitals."""
    core = word.replace("-", "")
    return (any(c.isdigit() for c in core) and any(c.isalpha() for c in core)) or \
        sum(c.isupper() for c in core) >= 2 or "_" in core

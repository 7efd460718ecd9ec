"""Import an organisation's acronym list (CSV or TSV) as gazetteer entries.

A glossary row has a term, its expansion and optional tags (the project's own list,
lsst-texmf's ``glossarydefs.csv``, is the first user). Each usable row becomes one
``[[name]]`` entry: the term is the canonical name and the expansion its alias, with a type
inferred from the expansion's head words (conventions §6):

- "... Team", "... University", "... Council", "... Board", "... Committee", ... -> organization
- "... Review", "... Workshop", "... Meeting", "... Conference" -> meeting
- "... System", "... Service", "... Database", "... Protocol", "... Camera", "... Telescope",
  "... Pipeline", "... Software" -> system
- "... Release", "... Catalog" -> dataset

Rows are left out, and listed with the reason, when the head gives no clear type, when the
term is a generic acronym (1D, CCD, CPU: technique and hardware words flood an index), a
person's initials, a glossary definition rather than an acronym, a term with several
expansions of different types, or a term the shipped configuration already names.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import EntityConfigError

_HEADS = {
    "organization": ("Team Teams University Council Board Committee Group Collaboration "
                     "Consortium Institute Institution Laboratory Observatory Society Foundation "
                     "Agency Office Directorate Alliance Center Centre Facility Panel Association "
                     "Department Division Academy Network").split(),
    "meeting": "Review Reviews Workshop Meeting Conference Symposium Interop Forum Summit".split(),
    "system": ("System Service Database Protocol Camera Telescope Pipeline Software Framework "
               "Toolkit Library Server Platform Archive Spectrograph Instrument Portal "
               "Broker Queue Environment").split(),
    "dataset": "Release Catalog Catalogue Survey Dataset".split(),
}
_TYPE_OF_HEAD = {w.lower(): t for t, words in _HEADS.items() for w in words}
# "Data Release" as a head; "Data Set" reads as one noun.
_TWO_WORD_HEADS = {"data release": "dataset", "data set": "dataset", "data products": "dataset"}
# Acronyms so generic that every report uses them for ordinary things.
GENERIC = frozenset(
    "1D 2D 3D 4D A/D AC ADC API CCD CPU CSV DB DC DDS DNS FITS FTP GPU GUI HTML HTTP HTTPS ID IO "
    "IP IR IT JSON LAN NFS OS PC PDF PSF QA RAM RMS ROI SNR SQL SSD SSH TBD TCP UDP UI URL USB "
    "UTC UV UX VM VPN WAN WBS XML YAML".split())
_HARDWARE = frozenset("Electronics Readout Circuit Interface Controller Timing Driver Power "
                      "Sensor Clock Control Bias Signal Auxiliary".split())
_TERM_KEYS = ("term", "acronym", "abbreviation", "name", "key")
_EXPANSION_KEYS = ("expansion", "description", "definition", "meaning", "long form", "full name")
_TAG_KEYS = ("tags", "subsystem tags", "tag", "subsystem")


@dataclass
class Imported:
    """What an import produced: entries (type, term, expansion, tags) and rows left out."""

    entries: list[tuple[str, str, str, tuple[str, ...]]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (term, reason)

    def to_toml(self, source: str) -> str:
        """The entries as a TOML file that `--entities` reads."""
        lines = [f"# Gazetteer entries imported from {source} by `report-archive entities "
                 f"import-glossary`:", f"# {len(self.entries)} entries; "
                 f"{len(self.skipped)} rows left out (listed on the terminal).", ""]
        for type_, term, expansion, tags in self.entries:
            lines += ["[[name]]", f"type = {_toml(type_)}", f"name = {_toml(term)}",
                      f"aliases = [{_toml(expansion)}]"]
            if tags:
                lines.insert(len(lines) - 3, f"# tags: {', '.join(tags)}")
            lines.append("")
        return "\n".join(lines)


def _toml(value: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes).
    return json.dumps(value, ensure_ascii=False)


def read_glossary(path: Path, known=None) -> Imported:
    """Read a CSV/TSV glossary; `known(text)` -> (type, name) or None says what the shipped
    configuration already names (those rows are left out). Raises EntityConfigError naming
    the file for an unreadable file or one without term and expansion columns."""
    rows = _rows(path)
    by_term: dict[str, list[tuple[str | None, str, tuple[str, ...]]]] = {}
    result = Imported()
    for term, expansion, tags, kind in rows:
        if not term or not expansion:
            continue
        if kind and kind.upper() == "G":
            result.skipped.append((term, "a glossary definition, not an acronym"))
            continue
        by_term.setdefault(term, []).append((infer_type(expansion), expansion, tags))
    seen_aliases: set[str] = set()
    for term, senses in by_term.items():
        reason = _reject(term, senses, known)
        if reason:
            result.skipped.append((term, reason))
            continue
        type_, expansion, tags = senses[0]
        if expansion.lower() in seen_aliases:
            result.skipped.append((term, f"expansion {expansion!r} already names another term"))
            continue
        seen_aliases.add(expansion.lower())
        result.entries.append((type_, term, expansion, tags))
    return result


def _reject(term: str, senses, known) -> str | None:
    if term.upper() in GENERIC or re.fullmatch(r"\d+[A-Za-z]?", term):
        return "a generic acronym"
    if known is not None and (known(term) or known(senses[0][1])):
        return "already in the shipped configuration"
    types = {t for t, _, _ in senses}
    if types == {None}:
        return "no clear type from the expansion's head word"
    if len(types) > 1:
        return "several expansions of different types: " + "; ".join(e for _, e, _ in senses)
    if not re.search(r"[A-Za-z]", term) or len(term) > 40:
        return "not a name"
    return None


def infer_type(expansion: str) -> str | None:
    """The entity type an expansion's head word gives ("Joint Status Review" -> meeting)."""
    core = re.sub(r"\([^)]*\)", " ", expansion)  # "(converter)", "(formerly ...)"
    core = re.split(r"[,;:]", core)[0]
    words = re.findall(r"[A-Za-z][\w'-]*", core)
    if len(words) < 2 or not any(w[0].isupper() for w in words):
        return None  # one word, or a lower-case phrase: a definition, not a name
    if words[-1] == "Board" and words[-2] in _HARDWARE:
        return None  # "Guider Readout Electronics Board" is a circuit board
    if all(w.lower() in _TYPE_OF_HEAD or w.lower() in ("working", "task", "data", "and", "of") for w in words):
        return None  # "Working Group", "Data Release": a kind of thing, not one
    last_two = " ".join(words[-2:]).lower()
    if last_two in _TWO_WORD_HEADS:
        return _TWO_WORD_HEADS[last_two]
    if words[0].lower() in ("university", "universidad", "institute", "observatory") and len(words) >= 3:
        return "organization"
    found = _TYPE_OF_HEAD.get(words[-1].lower())
    if found is None:
        # "AURA Board of Directors", "Department of Energy": the head comes before "of"
        lowered = [w.lower() for w in words]
        for joint in ("of", "for"):
            if joint in lowered[1:-1]:
                before = lowered[lowered.index(joint) - 1]
                found = _TYPE_OF_HEAD.get(before)
                break
    return found


def _rows(path: Path):
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise EntityConfigError(f"{path}: file not found; give the path of a CSV or TSV glossary") from None
    except OSError as exc:
        raise EntityConfigError(f"{path}: cannot read the file ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    if not text.strip():
        raise EntityConfigError(f"{path}: the file is empty; a glossary needs a header row and entries")
    first = text.splitlines()[0]
    delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") or first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    term_col = _column(header, _TERM_KEYS)
    expansion_col = _column(header, _EXPANSION_KEYS)
    if term_col is None or expansion_col is None:
        raise EntityConfigError(
            f"{path}: no term and expansion columns in the header {header!r}; name them "
            "'Term' and 'Expansion' (or 'Description'), with an optional 'Tags' column")
    tags_col = _column(header, _TAG_KEYS)
    kind_col = header.index("type") if "type" in header else None
    for row in reader:
        if len(row) <= max(term_col, expansion_col):
            continue
        tags = tuple(t for t in re.split(r"[\s,;|]+", row[tags_col]) if t) if tags_col is not None and tags_col < len(row) else ()
        kind = row[kind_col].strip() if kind_col is not None and kind_col < len(row) else ""
        yield " ".join(row[term_col].split()), " ".join(row[expansion_col].split()), tags, kind


def _column(header: list[str], keys: tuple[str, ...]) -> int | None:
    for key in keys:
        if key in header:
            return header.index(key)
    return None

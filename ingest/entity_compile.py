"""How the matcher's configuration is compiled: ID patterns with their boundaries and
line-breakable hyphens, the canonical-name templates, and the context rules of names and
patterns (``require_before`` ...). `ingest.entities.EntityMatcher` builds its tables from
these; nothing here scans a text but `fits`, the context check of one match.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from ingest.entity_specs import NameSpec, PatternSpec

# An ID is not part of a longer token: nothing word-like, no dot or hyphen just before it
# (``w.2021``, ``Gaia-DR3``), and no word character or ``.digit`` just after it.
ID_BEFORE = r"(?<![\w.\-])"
_ID_AFTER = r"(?!\w|\.\d)"
_LINE_BREAKS = re.compile(r"[ \t]*\r?\n[ \t]*")


def _title(value: str) -> str:
    """First letter upper, the rest lower ("dmtn" -> "Dmtn"; str.title would split words)."""
    return value[:1].upper() + value[1:].lower()


#: A canonical template's `case` setting, and the same as its ``!u`` / ``!l`` / ``!t``.
_CASES = {"upper": str.upper, "lower": str.lower, "title": _title}
_CONVERSIONS = {"u": str.upper, "l": str.lower, "t": _title}


class _CanonicalFormatter(string.Formatter):
    """`str.format` with three extra conversions: ``!u`` upper, ``!l`` lower, ``!t`` title."""

    def convert_field(self, value, conversion):
        value = "" if value is None else value
        if conversion in _CONVERSIONS:
            return _CONVERSIONS[conversion](value)
        return super().convert_field(value, conversion)


_FORMATTER = _CanonicalFormatter()


Contexts = tuple[tuple[str, bool, re.Pattern], ...]  # (before|after, required, regex)


def fits(contexts: Contexts, text: str, start: int, end: int) -> bool:
    """Whether the text around [start, end) satisfies every context rule (80 characters
    either side: a rule is about the clause a mention sits in, not the whole document)."""
    for where, required, regex in contexts:
        if where == "before":
            found = regex.search(text, max(0, start - 80), start) is not None
        else:
            found = regex.match(text, end, min(len(text), end + 80)) is not None
        if found != required:
            return False
    return True


@dataclass(frozen=True)
class CompiledPattern:
    spec: PatternSpec
    source: str  # the configured regex, allowing a line break after each hyphen
    regex: re.Pattern  # for scanning text, with boundaries
    loose: re.Pattern  # for canonical(): whole string, any case
    contexts: Contexts = ()

    def canonical(self, match: re.Match) -> str:
        groups = {k: (v or "") for k, v in match.groupdict().items()}
        name = _FORMATTER.vformat(self.spec.canonical, (match.group(0),), groups)
        # An ID broken across lines ("LDM-\n503") is one ID; the template's own spaces stay
        # ("Sprint {num}" -> "Sprint 12").
        name = " ".join(_LINE_BREAKS.sub("", name).split())
        case = _CASES.get(self.spec.case)
        return case(name) if case else name


@dataclass(frozen=True)
class CompiledName:
    spec: NameSpec
    contexts: Contexts = ()


def union(regexes) -> re.Pattern | None:
    """One regex that finds what any of `regexes` finds, or None (none given, or they do not
    combine: clashing group names, inline flags)."""
    sources = list(regexes)
    if not sources:
        return None
    try:
        return re.compile("|".join(f"(?:{r})" for r in sources))
    except re.error:
        return None


def compile_pattern(spec: PatternSpec) -> CompiledPattern:
    """The pattern of `spec` for scanning (with boundaries), for whole strings, and its contexts."""
    flags = re.IGNORECASE if spec.ignore_case else 0
    source = _breakable_hyphens(spec.regex)
    regex = re.compile(f"{ID_BEFORE}(?:{source}){_ID_AFTER}", flags)
    return CompiledPattern(spec, source, regex, re.compile(spec.regex, re.IGNORECASE), _compile_contexts(spec))


# Typesetters (TeX breaks after an explicit hyphen) and e-mail wrapping split an ID at its
# hyphen: "LDM-" at the end of one line, "503-2" on the next.
_LINE_BREAK = r"(?:[ \t]*\r?\n[ \t]*)?"


def _breakable_hyphens(source: str) -> str:
    """`source` with every literal hyphen outside a character class also matching a hyphen
    followed by a line break."""
    out, i, in_class = [], 0, False
    while i < len(source):
        c = source[i]
        if c == "\\":
            out.append(source[i:i + 2])
            i += 2
            continue
        if in_class:
            # "]" first in a class ("[]-]", "[^]]") is a literal
            in_class = c != "]" or source[i - 1] == "[" or source[i - 2:i] == "[^"
        elif c == "[":
            in_class = True
        elif c == "-":
            c = "-" + _LINE_BREAK
        out.append(c)
        i += 1
    return "".join(out)


def compile_name(spec: NameSpec) -> CompiledName:
    """A gazetteer entry with its compiled context rules."""
    return CompiledName(spec, _compile_contexts(spec))


def _compile_contexts(spec: NameSpec | PatternSpec) -> Contexts:
    contexts = []
    for key, where, required in (("require_before", "before", True), ("reject_before", "before", False),
                                 ("require_after", "after", True), ("reject_after", "after", False)):
        value = getattr(spec, key)
        if value:
            contexts.append((where, required, re.compile(value)))
    return tuple(contexts)

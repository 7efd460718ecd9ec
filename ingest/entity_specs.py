"""What an entity configuration is, once read and checked: ID patterns, gazetteer names, links.

`ingest/entity_config.py` reads TOML files into these and merges them; `entity_compile.py`
builds the matcher from them. They are frozen, so one loaded configuration can be shared by
every worker of an ingest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: The context rules a [[pattern]] or [[name]] may carry (regexes around the match).
CONTEXT_KEYS = ("require_before", "reject_before", "require_after", "reject_after")


@dataclass(frozen=True)
class PatternSpec:
    """One identifier family. `canonical` is a format template over the regex's named groups
    (``{0}`` is the whole match); `case` is then applied to the whole result."""

    type: str
    regex: str
    canonical: str = "{0}"
    case: str = "keep"
    ignore_case: bool = False
    link: str | None = None
    require_before: str | None = None
    reject_before: str | None = None
    require_after: str | None = None
    reject_after: str | None = None
    source: str = ""
    #: The regex matches URLs: its matches are not skipped as URL text.
    url: bool = False
    #: A cheap regex that every text containing a match contains (a speed hint).
    requires: str | None = None

    @property
    def has_context(self) -> bool:
        """Whether the pattern needs its surroundings to count (see `NameSpec`)."""
        return any(getattr(self, k) for k in CONTEXT_KEYS)


@dataclass(frozen=True)
class NameSpec:
    """One gazetteer entry. `aliases` includes the canonical name itself.

    `case_sensitive` None means: decide per alias (`default_case_sensitive`). The context
    rules are regexes: ``*_before`` is searched in the text just before the match and must
    match at its end (write ``\\s+$``); ``*_after`` must match at the start of the text just
    after the match. ``require_*`` must match, ``reject_*`` must not.
    """

    type: str
    name: str
    aliases: tuple[str, ...]
    case_sensitive: bool | None = None
    link: str | None = None
    require_before: str | None = None
    reject_before: str | None = None
    require_after: str | None = None
    reject_after: str | None = None
    source: str = ""


@dataclass(frozen=True)
class EntityConfig:
    """A checked, merged configuration: what `EntityMatcher` is built from."""

    patterns: tuple[PatternSpec, ...] = ()
    names: tuple[NameSpec, ...] = ()
    links: dict[str, str] = field(default_factory=dict)
    #: Names the open-class rules must not report (curation: "X is not an entity").
    rejects: tuple[str, ...] = ()


def default_case_sensitive(alias: str) -> bool:
    """Whether an alias matches case-sensitively when its entry does not say.

    Single words are case-sensitive (``Butler``, ``Base``, ``faro``: as words of prose
    they would match ordinary English), and so is a phrase made only of acronym-like
    tokens (``DM CCB``, ``HSC RC2``). A phrase with at least one plain word (``Joint Status
    Review``, ``image cutout service``, ``LSST Science Pipelines``) matches in any case,
    since headings and sentence starts capitalise such words freely.
    """
    words = alias.split()
    if len(words) < 2:
        return True
    return all(any(c.isupper() for c in w[1:]) or any(c.isdigit() for c in w) for w in words)

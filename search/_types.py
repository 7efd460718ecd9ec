"""The values the search facade takes and returns: frozen dataclasses with `to_dict()`.

`to_dict()` is the JSON form; the CLI's ``--json`` and the web API both print it, so the two
can never drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from ingest.model import ENTITY_TYPES

SORTS = ("relevance", "newest", "oldest")
#: The hint that ends a malformed-query message (see `QueryError.for_interface`).
_LITERAL_HINT = "or search with literal=True (--literal) to search the text as typed."
_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


class QueryError(ValueError):
    """A query or parameter we cannot run. ``str()`` says what is wrong and how to fix it.

    `param` names the request parameter at fault (``"q"``, ``"page"``, ...) when there is one.
    """

    def __init__(self, message: str, param: str | None = None,
                 literal_hint: bool = False) -> None:
        super().__init__(message)
        self.param = param
        #: True when the message ends with the hint to search the text as typed.
        self.literal_hint = literal_hint

    def for_interface(self, interface: str) -> str:
        """The message with the literal-mode hint in the caller's own words: ``"cli"``
        (``--literal``), ``"api"`` (``literal=1``) or ``"web"`` ("search as typed")."""
        message = str(self)
        if not self.literal_hint:
            return message
        hint = {"cli": "or run it again with --literal to search the text as typed.",
                "api": "or add literal=1 to search the text as typed.",
                "web": "or search as typed."}[interface]
        return message.replace(_LITERAL_HINT, hint)


class IndexBusyError(RuntimeError):
    """Another process is writing the index; ``str()`` names it and says to wait or retry."""


def check_period(value: str | None, param: str) -> str | None:
    """Validate a ``YYYY`` or ``YYYY-MM`` parameter; None and "" mean no bound."""
    if value is None or value == "":
        return None
    m = _PERIOD.match(value.strip())
    if not m or (m.group(2) and not 1 <= int(m.group(2)) <= 12):
        raise QueryError(
            f"Bad value for '{param}': {value!r}. Write a month as YYYY-MM (e.g. 2021-06) "
            f"or a year as YYYY.", param=param)
    return value.strip()


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """One search: the query text plus filters, sort, page and display options."""

    q: str = ""
    type: str | None = None
    entity: str | None = None
    period_from: str | None = None
    period_to: str | None = None
    section: str | None = None
    format: str | None = None
    year: str | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    collapse: bool = False
    literal: bool = False
    #: False: never replace the results with those of a corrected query (still suggest it).
    correct: bool = True
    #: A facet to list whole (up to `_facets.FACET_ALL_MAX` values) instead of its top ones:
    #: "section" or an entity type, what an "and N more" link asks for.
    more: str | None = None
    #: Also count the reports the matches fall in (`SearchResponse.reports`), as the search
    #: page shows ("12 sections in 3 reports"); an engine counts them over its match set.
    count_reports: bool = False

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise QueryError(f"Bad value for 'sort': {self.sort!r}. Use one of: {', '.join(SORTS)}.",
                             param="sort")
        if not isinstance(self.page, int) or self.page < 1:
            raise QueryError(f"Bad value for 'page': {self.page!r}. Use a whole number from 1.",
                             param="page")
        if not isinstance(self.per_page, int) or not 1 <= self.per_page <= 100:
            raise QueryError(f"Bad value for 'per_page': {self.per_page!r}. "
                             "Use a whole number from 1 to 100.", param="per_page")
        if self.type is not None and self.type not in ENTITY_TYPES:
            raise QueryError(f"Bad value for 'type': {self.type!r}. "
                             f"Use one of: {', '.join(ENTITY_TYPES)}.", param="type")
        check_period(self.period_from, "from")
        check_period(self.period_to, "to")
        if self.year is not None and not re.fullmatch(r"\d{4}", self.year):
            raise QueryError(f"Bad value for 'year': {self.year!r}. Write a year as YYYY.",
                             param="year")
        if self.more is not None and self.more not in ("section", *ENTITY_TYPES):
            raise QueryError(f"Bad value for 'more': {self.more!r}. Use 'section' or an "
                             f"entity type: {', '.join(ENTITY_TYPES)}.", param="more")

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> SearchRequest:
        """Build a request from string parameters (web query string or CLI options).

        Accepts ``q, type, entity, from, to, section, format, year, sort, page, per_page,
        collapse, literal, correct, more``; empty values mean "not set". Raises `QueryError` naming the
        parameter for a bad value.
        """
        def get(name: str) -> str | None:
            value = params.get(name)
            return value if value not in (None, "") else None

        def number(name: str, default: int) -> int:
            raw = get(name)
            if raw is None:
                return default
            try:
                return int(raw)
            except ValueError:
                raise QueryError(f"Bad value for '{name}': {raw!r}. Use a whole number.",
                                 param=name) from None

        def flag(name: str) -> bool:
            return (get(name) or "").lower() in ("1", "true", "yes", "on")

        return cls(
            q=params.get("q") or "", type=get("type"), entity=get("entity"),
            period_from=get("from"), period_to=get("to"), section=get("section"),
            format=get("format"), year=get("year"), sort=get("sort") or "relevance",
            page=number("page", 1), per_page=number("per_page", 10),
            collapse=flag("collapse"), literal=flag("literal"),
            correct=(get("correct") or "1").lower() not in ("0", "false", "no", "off"),
            more=get("more"),
        )

    def filters(self) -> dict:
        """The active filters, by their parameter names."""
        pairs = {"type": self.type, "entity": self.entity, "from": self.period_from,
                 "to": self.period_to, "section": self.section, "format": self.format,
                 "year": self.year}
        out = {k: v for k, v in pairs.items() if v is not None}
        if self.collapse:
            out["collapse"] = True
        if self.literal:
            out["literal"] = True
        if not self.correct:
            out["correct"] = False
        return out


class _Record:
    """A result value whose JSON form is simply its fields (see each class's fields)."""

    __slots__ = ()

    def to_dict(self) -> dict:
        """The value as plain JSON-ready data, the shape the CLI and the web API print."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class EntityRef(_Record):
    """An entity named by type and canonical name."""

    type: str
    name: str

    def to_dict(self) -> dict:  # asdict's generic copy is ~10x this; a page has dozens
        return {"type": self.type, "name": self.name}


@dataclass(frozen=True, slots=True)
class Hit:
    """One matching section."""

    report_id: str
    title: str
    period: str | None
    section: str
    anchor: str
    page: int | None
    score: float
    snippet_html: str
    format: str
    entities: tuple[EntityRef, ...] = ()

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in ("report_id", "title", "period", "section", "anchor",
                                           "page", "score", "snippet_html", "format")}
        d["entities"] = [e.to_dict() for e in self.entities]
        return d


@dataclass(frozen=True, slots=True)
class SearchResponse:
    """A page of hits, the total, facets over all matches and maybe a suggested query."""

    query: str
    total: int
    page: int
    per_page: int
    took_ms: float
    sort: str
    filters: dict
    hits: tuple[Hit, ...]
    facets: dict
    suggestion: str | None = None
    #: Which mode answered: "all" (every hit has every word), "most" (hits with every word
    #: first, then those with most of them), "literal" (the words as typed, as a phrase)
    #: or "filter" (no query words: filters only).
    match_mode: str = "filter"
    #: How many sections hold every word of the query (in "most" mode, fewer than total).
    all_words_total: int = 0
    #: True when the hits are for `suggestion` (the query with typos corrected), not `query`.
    corrected: bool = False
    #: How many reports hold a match, when the request asked (`count_reports`), else None.
    reports: int | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def to_dict(self) -> dict:
        return {"query": self.query, "total": self.total, "page": self.page,
                "per_page": self.per_page, "pages": self.pages, "took_ms": self.took_ms,
                "sort": self.sort, "filters": dict(self.filters),
                "hits": [h.to_dict() for h in self.hits], "facets": self.facets,
                "suggestion": self.suggestion, "corrected": self.corrected,
                "match_mode": self.match_mode, "all_words_total": self.all_words_total,
                **({} if self.reports is None else {"reports": self.reports})}


@dataclass(frozen=True, slots=True)
class ReportSummary(_Record):
    """A report as listed: no text, just what a table row shows."""

    id: str
    title: str
    period: str | None
    format: str
    source: str
    pages: int | None
    sections: int
    entities: int


@dataclass(frozen=True, slots=True)
class EntityStat(_Record):
    """An entity across the archive: how many reports and mentions, first and last month."""

    type: str
    name: str
    reports: int
    mentions: int
    first_seen: str | None
    last_seen: str | None


@dataclass(frozen=True, slots=True)
class MonthCount(_Record):
    period: str
    count: int


@dataclass(frozen=True, slots=True)
class Occurrence(_Record):
    """A section that mentions an entity, with a snippet around the mention."""

    report_id: str
    title: str
    period: str | None
    section: str
    anchor: str
    page: int | None
    snippet_html: str
    #: How the mentions in this section were found (see `ingest.model.Mention.via`).
    via: list = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CoMention(_Record):
    """An entity named in the same sections as another, and in how many of them."""

    type: str
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class EntityDetail:
    """One entity over time: counts, mentions per month, where it occurs, what it goes with."""

    type: str
    name: str
    reports: int
    mentions: int
    first_seen: str | None
    last_seen: str | None
    per_month: tuple[MonthCount, ...] = ()
    occurrences: tuple[Occurrence, ...] = ()
    co_mentions: tuple[CoMention, ...] = ()
    #: How many distinct entities share a section with it (co_mentions may list fewer).
    co_mentions_total: int = 0
    #: How its mentions were found: "pattern", "gazetteer", "rule:<name>", "archive".
    via: tuple[str, ...] = ()

    @property
    def curatable(self) -> bool:
        """Whether only rules found it (no configuration names it): a curator can accept,
        retype, merge or reject it in the --entities file."""
        return bool(self.via) and all(v.startswith("rule:") or v == "archive" for v in self.via)

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in ("type", "name", "reports", "mentions",
                                           "first_seen", "last_seen")}
        d["via"] = list(self.via)
        d["curatable"] = self.curatable
        d["per_month"] = [m.to_dict() for m in self.per_month]
        d["occurrences"] = [o.to_dict() for o in self.occurrences]
        d["co_mentions"] = [c.to_dict() for c in self.co_mentions]
        d["co_mentions_total"] = self.co_mentions_total
        return d


@dataclass(frozen=True, slots=True)
class IndexStats(_Record):
    """What the index holds."""

    reports: int
    sections: int
    entities_by_type: dict
    formats: dict
    first_period: str | None
    last_period: str | None
    last_updated: str | None
    index_path: str
    #: Directories holding the indexed files (nested ones folded): the archive's extent.
    roots: list = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class IngestSummary:
    """The outcome of one ingest run; `failed` and `skipped` hold (path, reason) pairs
    (skipped: what a directory walk passed over on purpose, such as a named pipe)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    seconds: float = 0.0
    skipped: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "removed": self.removed,
                "failed": [{"path": p, "reason": r} for p, r in self.failed],
                "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
                "seconds": round(self.seconds, 3)}

    def line(self) -> str:
        """The one-line summary the CLI prints."""
        return (f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.removed} removed, {len(self.failed)} failed"
                + (f", {len(self.skipped)} skipped" if self.skipped else "")
                + f" in {self.seconds:.1f} s")

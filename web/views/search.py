"""Search: ``/`` and ``/search`` (page), ``/api/search`` (exactly `SearchResponse.to_dict()`)."""

from __future__ import annotations

import dataclasses

from flask import Blueprint, request

from search import QueryError, SearchRequest
from web import urls
from web.render import respond, twin, wants_json
from web.state import canonical_entity, get_index, outbound_link

bp = Blueprint("search", __name__)

#: Filters shown as removable chips, with their labels, in display order.
FILTERS: dict[str, str] = {
    "type": "type", "entity": "entity", "year": "year", "section": "section",
    "format": "format", "from": "from", "to": "to",
}
SORTS = ("relevance", "newest", "oldest")
#: Parameters we pass to `SearchRequest.from_params`; anything else in the URL is ignored.
ACCEPTED = urls.SEARCH_PARAMS + ("collapse", "literal", "correct", "more")


class Nav:
    """Links of the search page, each one the current parameters with one change.

    Facet links add a filter to the ones already active (they combine); every change
    of filter or sort goes back to page 1.
    """

    def __init__(self, params: dict[str, str]):
        self.params = params

    def _with(self, **changes: object) -> str:
        merged: dict[str, object] = {**self.params, **changes}
        return urls.search(**merged)

    def add(self, key: str, value: str) -> str:
        return self._with(**{key: value, "page": None})

    def remove(self, key: str) -> str:
        return self._with(**{key: None, "page": None})

    def sort(self, order: str) -> str:
        return self._with(sort=None if order == "relevance" else order, page=None)

    def page(self, number: int) -> str:
        return self._with(page=None if number == 1 else number)

    def more(self, facet: str | None) -> str:
        """The same search with `facet` listed whole (None: every facet cut to its top)."""
        return self._with(more=facet) + "#refine"

    def query(self, q: str, exact: bool = False) -> str:
        """The search for `q`; with `exact`, as typed (no typo correction)."""
        return self._with(q=q, page=None, correct="0" if exact else None)

    def active(self) -> list[tuple[str, str, str]]:
        """(label, value, removal link) for each active filter."""
        return [(label, self.params[k], self.remove(k)) for k, label in FILTERS.items()
                if k in self.params]


def _params() -> dict[str, str]:
    return {k: request.args[k] for k in ACCEPTED if request.args.get(k, "").strip() != ""}


def _page_window(page: int, pages: int, radius: int = 2) -> list[int]:
    """Page numbers to link around the current one (always with first and last)."""
    shown = {1, pages} | set(range(max(1, page - radius), min(pages, page + radius) + 1))
    return sorted(p for p in shown if 1 <= p <= pages)


def _known_entity(index, text: str, preferred_type: str | None) -> dict | None:
    """The index's entity named exactly `text` (any case, or an alias or ID form), or None.

    Uses the entity list the index keeps in memory plus the matcher's alias table, both
    well under a millisecond, so every search page can afford it. When two types share a
    name, the type filter decides, else the one mentioned most.
    """
    text = text.strip().strip('"').strip()
    if not text or len(text) > 80:
        return None
    stats = index.entities()
    folded = text.casefold()
    same = [e for e in stats if e.name.casefold() == folded]
    if not same:
        found = canonical_entity(text)
        same = [e for e in stats if found and (e.type, e.name) == found]
    if not same:
        return None
    best = max(same, key=lambda e: (e.type == preferred_type, e.mentions))
    return {**best.to_dict(), "link": outbound_link(best.type, best.name),
            **urls.links(urls.entity(best.type, best.name),
                         urls.entity(best.type, best.name, api=True))}


def entity_card(index, params: dict[str, str]) -> dict | None:
    """The entity a search is about: its ``entity`` filter, else a query that is exactly
    an entity's name or ID. HTML-only context (the JSON stays `SearchResponse.to_dict()`)."""
    for text in (params.get("entity"), params.get("q")):
        if text:
            card = _known_entity(index, text, params.get("type"))
            if card:
                return card
    return None


def search_page():
    """Run the query in the URL; answer the page or the exact search JSON."""
    params = _params()
    index = get_index()
    if wants_json():
        # Errors go to the app's handler: {"ok": false, "error": ..., "status": 400}.
        return respond("", index.search(SearchRequest.from_params(params)).to_dict())
    nav = Nav(params)
    if not params:
        return respond("home.html", _landing(index), nav=nav)
    try:
        req = dataclasses.replace(SearchRequest.from_params(params), count_reports=True)
        data = index.search(req).to_dict()
        reports = data["reports"]
    except QueryError as error:
        data = {"query": params.get("q", ""), "error": error.for_interface("web"),
                "param": getattr(error, "param", None),
                "literal_hint": error.literal_hint and not params.get("literal")}
        return respond("search.html", data, status=400, nav=nav, params=params, failed=True)
    return respond("search.html", data, nav=nav, params=params, failed=False,
                   reports=reports, sorts=SORTS, card=entity_card(index, params),
                   window=_page_window(data["page"], data["pages"]))


def _landing(index) -> dict:
    """What the empty search page shows: the archive at a glance and where to start."""
    stats = index.stats().to_dict()
    recent = [s.to_dict() for s in reversed(index.reports()[-6:])]
    top = [e.to_dict() for e in index.entities()]
    by_type: dict[str, list[dict]] = {}
    for entity in top:
        bucket = by_type.setdefault(entity["type"], [])
        if len(bucket) < 6:
            bucket.append(entity)
    return {"stats": stats, "recent": recent, "top_entities": by_type}


twin(bp, ["/", "/search"], "/api/search", "page", search_page)

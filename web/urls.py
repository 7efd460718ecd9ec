"""Every URL the app hands out, built in one place.

Templates call these through the ``urls`` global and views use them to add ``url`` /
``html_url`` links to JSON, so a route can move without a cross-link drifting. Each helper
wraps `flask.url_for`, which quotes path parts (entity names contain spaces and dots).
"""

from __future__ import annotations

from flask import url_for

#: Search parameters in the order they appear in URLs (stable URLs, readable history).
SEARCH_PARAMS: tuple[str, ...] = (
    "q", "type", "entity", "year", "section", "format", "from", "to", "sort", "page", "per_page",
)


def search(api: bool = False, **params: object) -> str:
    """The search page (or `/api/search`) with the given non-empty parameters."""
    clean = {k: params[k] for k in SEARCH_PARAMS if params.get(k) not in (None, "")}
    extra = {k: v for k, v in params.items() if k not in SEARCH_PARAMS and v not in (None, "")}
    return url_for("search.page_api" if api else "search.page", **clean, **extra)


def export(fmt: str, **params: object) -> str:
    """The whole result set of a search as a file: ``fmt`` is ``csv`` or ``jsonl``."""
    clean = {k: params[k] for k in SEARCH_PARAMS if params.get(k) not in (None, "")
             and k not in ("page", "per_page")}
    extra = {k: v for k, v in params.items() if k not in SEARCH_PARAMS and v not in (None, "")}
    return url_for(f"downloads.search_{fmt}", **clean, **extra)


def feed(**params: object) -> str:
    """The Atom feed of a search (newest first; sort and paging do not apply)."""
    clean = {k: params[k] for k in SEARCH_PARAMS if params.get(k) not in (None, "")
             and k not in ("sort", "page", "per_page")}
    extra = {k: v for k, v in params.items() if k not in SEARCH_PARAMS and v not in (None, "")}
    return url_for("feeds.search", **clean, **extra)


def entity_feed(entity_type: str, name: str) -> str:
    """The Atom feed of one entity's newest mentions."""
    return url_for("feeds.entity", entity_type=entity_type, name=name)


def batch(api: bool = False, **params: object) -> str:
    """The batch search page (or its JSON), optionally with ``terms`` and filters."""
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    return url_for("batch.page_api" if api else "batch.page", **clean)


def batch_csv(**params: object) -> str:
    """The batch search's rows as CSV (``terms`` and filters as for `batch`)."""
    return url_for("batch.csv", **{k: v for k, v in params.items() if v not in (None, "")})


def reports(api: bool = False) -> str:
    """The list of all reports."""
    return url_for("reports.index_api" if api else "reports.index")


def report(report_id: str, anchor: str | None = None, api: bool = False,
           all_entities: bool = False) -> str:
    """One report; `anchor` jumps to a section (HTML only); `all_entities` lists every
    entity instead of the first ones."""
    if api:
        return url_for("reports.show_api", report_id=report_id)
    extra = {"entities": "all"} if all_entities else {}
    return url_for("reports.show", report_id=report_id, _anchor=anchor or None, **extra)


def similar(report_id: str, anchor: str, api: bool = False) -> str:
    """Sections of other reports similar to one section of a report."""
    endpoint = "reports.similar_api" if api else "reports.similar"
    return url_for(endpoint, report_id=report_id, anchor=anchor)


def source(report_id: str) -> str:
    """The original file of a report, as ingested."""
    return url_for("reports.source", report_id=report_id)


def entities(entity_type: str | None = None, api: bool = False) -> str:
    """All entities, optionally of one type."""
    return url_for("entities.index_api" if api else "entities.index", type=entity_type or None)


def entity(entity_type: str, name: str, api: bool = False,
           all_co_mentions: bool = False) -> str:
    """One entity's page; `all_co_mentions` lists every co-mentioned entity (HTML at
    its "Mentioned with" list)."""
    endpoint = "entities.show_api" if api else "entities.show"
    if all_co_mentions:
        return url_for(endpoint, entity_type=entity_type, name=name, co="all",
                       _anchor=None if api else "co")
    return url_for(endpoint, entity_type=entity_type, name=name)


def about(api: bool = False) -> str:
    """What is indexed (HTML) or the stats (JSON)."""
    return url_for("about.page_api" if api else "about.page")


def openapi() -> str:
    """The OpenAPI document of the JSON API."""
    return url_for("apidocs.openapi")


def api_root() -> str:
    """The JSON index of the API."""
    return url_for("apidocs.root")


def static(filename: str) -> str:
    """A static asset we serve ourselves (no CDN)."""
    return url_for("static", filename=filename)


def links(html_url: str, api_url: str) -> dict[str, str]:
    """The ``url`` (JSON) and ``html_url`` (page) pair every JSON object carries."""
    return {"url": api_url, "html_url": html_url}

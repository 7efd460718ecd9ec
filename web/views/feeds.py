"""Atom feeds: ``/search.atom?q=...`` (any search, newest first) and one per entity,
``/entities/<type>/<name>.atom`` (its newest mentions).

A feed reader polls these and shows what it has not seen: every entry's id is derived
from the section it points to (report id and anchor, both stable across ingests), so
after an ingest only the sections that are new show up as new entries. An entry's
``updated`` is the first day of its report's month; the feed's is the index's last change.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, redirect, render_template, request

from ingest.model import ENTITY_TYPES
from web import urls
from web.filters import period_label
from web.state import get_index
from web.views.search import ACCEPTED

bp = Blueprint("feeds", __name__)

#: Entries per feed: the newest ones (a reader keeps what it saw before).
FEED_ENTRIES = 50
_NS = uuid.UUID("6f0d1b36-2a8e-4bb3-9e53-4f3c0e0b7a11")  # this project's id namespace
_EPOCH = "1970-01-01T00:00:00Z"


def entry_id(report_id: str, anchor: str) -> str:
    """The Atom id of a section: the same in every feed and after every ingest."""
    return uuid.uuid5(_NS, f"section:{report_id}#{anchor}").urn


def feed_id(kind: str, key: str) -> str:
    """The Atom id of a feed (independent of the host name the site is reached by)."""
    return uuid.uuid5(_NS, f"{kind}:{key}").urn


def _absolute(path: str) -> str:
    return request.host_url.rstrip("/") + path


def _entry(item, last_updated: str) -> dict:
    """An entry from a `Hit` or an `Occurrence` (both have these fields)."""
    updated = f"{item.period}-01T00:00:00Z" if item.period else last_updated
    return {"id": entry_id(item.report_id, item.anchor),
            "title": f"{item.title}: {item.section or 'Introduction'}",
            "period": period_label(item.period), "updated": updated,
            "url": _absolute(urls.report(item.report_id, item.anchor)),
            "snippet_html": item.snippet_html}


def _atom(title: str, id_: str, self_path: str, html_path: str, items) -> Response:
    last_updated = get_index().stats().last_updated or _EPOCH
    entries = [_entry(i, last_updated) for i in items]
    feed = {"id": id_, "title": title, "updated": last_updated,
            "self": _absolute(self_path), "html": _absolute(html_path)}
    body = render_template("feed.xml", feed=feed, entries=entries)
    return Response(body, mimetype="application/atom+xml")


def search_feed():
    """The newest sections matching the search in the query string."""
    from search import SearchRequest

    params = {k: request.args[k] for k in ACCEPTED
              if request.args.get(k, "").strip() and k not in ("sort", "page", "per_page")}
    req = SearchRequest.from_params({**params, "sort": "newest",
                                     "per_page": str(FEED_ENTRIES)})
    hits = get_index().search(req).hits
    described = params.get("q") or "all sections"
    if len(params) > ("q" in params):
        described += " (" + ", ".join(f"{k}: {v}" for k, v in params.items() if k != "q") + ")"
    return _atom(f"Report archive: {described}", feed_id("search", urlencode(sorted(params.items()))),
                 urls.feed(**params), urls.search(**params, sort="newest"), hits)


def entity_feed(entity_type: str, name: str):
    """The newest sections that mention one entity."""
    if entity_type not in ENTITY_TYPES:
        abort(404, f"Unknown entity type {entity_type!r}: the types are "
                   f"{', '.join(ENTITY_TYPES)}. The list is at {urls.entities()}.")
    detail = get_index().entity(entity_type, name)
    if detail is None:
        abort(404, f"No {entity_type} named {name!r} in the index. The {entity_type} list is "
                   f"at {urls.entities(entity_type)}.")
    if detail.name != name:  # an alias or another case: one canonical feed URL
        return redirect(urls.entity_feed(detail.type, detail.name))
    newest = sorted(detail.occurrences, key=lambda o: o.period or "", reverse=True)
    return _atom(f"Report archive: {detail.name} ({detail.type})",
                 feed_id("entity", f"{detail.type}/{detail.name}"),
                 urls.entity_feed(detail.type, detail.name),
                 urls.entity(detail.type, detail.name), newest[:FEED_ENTRIES])


bp.add_url_rule("/search.atom", "search", search_feed, methods=["GET"],
                provide_automatic_options=False)
bp.add_url_rule("/entities/<entity_type>/<path:name>.atom", "entity", entity_feed,
                methods=["GET"], provide_automatic_options=False)

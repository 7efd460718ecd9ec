"""About: what is indexed, when, and how much (``/about``; JSON twin ``/api/stats``)."""

from __future__ import annotations

from flask import Blueprint

from ingest.model import ENTITY_TYPES
from web import urls
from web.render import respond, twin
from web.state import get_index

bp = Blueprint("about", __name__)


def page():
    """The index's stats, plus where to go from here."""
    data = get_index().stats().to_dict()
    data["index_path"] = str(data["index_path"])
    data.update(urls.links(urls.about(), urls.about(api=True)))
    endpoints = [
        ("Search", urls.search(api=True, q="butler")),
        ("Reports", urls.reports(api=True)),
        ("Entities", urls.entities(api=True)),
        ("Stats", urls.about(api=True)),
        ("OpenAPI document", urls.openapi()),
    ]
    return respond("about.html", data, endpoints=endpoints, entity_types=ENTITY_TYPES)


twin(bp, ["/about"], "/api/stats", "page", page)

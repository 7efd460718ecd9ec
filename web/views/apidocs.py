"""The API's own description: ``/api`` (an index of endpoints) and ``/api/openapi.json``."""

from __future__ import annotations

from flask import Blueprint, jsonify

from web import urls
from web.openapi import document

bp = Blueprint("apidocs", __name__)


@bp.get("/api", provide_automatic_options=False)
@bp.get("/api/", provide_automatic_options=False)
def root():
    """The JSON endpoints, each with its URL, and where the OpenAPI document is."""
    return jsonify({
        "openapi": urls.openapi(),
        "search": urls.search(api=True),
        "reports": urls.reports(api=True),
        "entities": urls.entities(api=True),
        "stats": urls.about(api=True),
        "batch": urls.batch(api=True),
        "search_csv": urls.export("csv"),
        "search_jsonl": urls.export("jsonl"),
        "html_url": urls.search(),
    })


@bp.get("/api/openapi.json", provide_automatic_options=False)
def openapi():
    """The OpenAPI 3 document describing every JSON route."""
    return jsonify(document())

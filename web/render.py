"""Every page has a JSON twin from the same view function.

A view builds one context: ``data`` (the JSON-able dict) plus, for HTML only, helpers the
template needs. `respond` then renders the template or returns ``data`` as JSON, decided by
the route: anything under ``/api/`` is JSON. `twin` registers the two rules of a view.
"""

from __future__ import annotations

from typing import Callable

from flask import Blueprint, Response, jsonify, render_template, request

API_PREFIX = "/api/"


def wants_json() -> bool:
    """True for the JSON routes (``/api/...``), decided by the route, never by headers."""
    return request.path.startswith(API_PREFIX)


def twin(bp: Blueprint, html_rules: list[str], api_rule: str | None, endpoint: str,
         view: Callable) -> None:
    """Register `view` for its HTML rules (endpoint ``endpoint``) and its API rule.

    GET only (HEAD comes with it); no automatic OPTIONS, the app is read-only.
    """
    for rule in html_rules:
        bp.add_url_rule(rule, endpoint, view, methods=["GET"], provide_automatic_options=False)
    if api_rule:
        bp.add_url_rule(api_rule, f"{endpoint}_api", view, methods=["GET"],
                        provide_automatic_options=False)


def respond(template: str, data: dict, status: int = 200, **html_only: object) -> Response:
    """Render `template` with ``data`` and `html_only`, or return ``data`` as JSON."""
    if wants_json():
        response = jsonify(data)
    else:
        response = Response(render_template(template, data=data, **html_only),
                            mimetype="text/html")
    response.status_code = status
    return response

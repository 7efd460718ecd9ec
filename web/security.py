"""Security headers on every response, and read-only by construction.

The CSP forbids inline script and inline style, so even if some document text slipped past
escaping it could not run; templates therefore use no ``style=`` attributes and no inline
``<script>``, and the SVG chart is styled by classes from our own stylesheet.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from web.errors import error_response

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


#: The only endpoints that take POST: batch search, whose list of terms may be too long
#: for a URL. They run searches and change nothing.
POST_ENDPOINTS = frozenset({"batch.page", "batch.page_api", "batch.csv"})


def _endpoint_for_post() -> str | None:
    """The endpoint a POST to this URL reaches (routing failed for this method, so
    `request.endpoint` is None for a PUT)."""
    try:
        endpoint, _ = current_app.url_map.bind_to_environ(request.environ).match(method="POST")
    except HTTPException:
        return None
    return endpoint


def _read_only() -> Response | None:
    # Routes are GET-only already; this also answers OPTIONS and unknown-path POSTs alike.
    if request.method == "POST" and request.endpoint in POST_ENDPOINTS:
        return None
    if request.method not in ("GET", "HEAD"):
        takes_post = _endpoint_for_post() in POST_ENDPOINTS
        response = error_response(405, f"{request.method} is not allowed: this service is "
                                       "read-only, use GET" + (" or POST." if takes_post else "."))
        if takes_post:  # the Allow header lists what this very URL takes
            response.headers["Allow"] = "GET, HEAD, POST"
        return response
    return None


def _headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def register_security(app: Flask) -> None:
    """Install the read-only guard and the headers on `app`."""
    app.before_request(_read_only)
    app.after_request(_headers)

"""One error handler: JSON under ``/api/``, an HTML page elsewhere, one error shape.

The JSON shape is ``{"ok": false, "error": "<what is wrong and how to fix it>", "status": N}``.
User input never causes a 500: bad parameters are `QueryError` (400), unknown things 404.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException, NotFound

from search import (IndexBusyError, IndexDamagedError, IndexUnavailableError, QueryError,
                    has_index, index_damage)
from web.render import wants_json


def error_response(status: int, message: str) -> Response:
    """The error as JSON (API routes) or as the HTML error page."""
    if wants_json():
        response = jsonify({"ok": False, "error": message, "status": status})
    else:
        response = Response(render_template("error.html", status=status, message=message),
                            mimetype="text/html")
    response.status_code = status
    if status == 405:
        response.headers["Allow"] = "GET, HEAD"
    return response


def _with_retry_after(response: Response, error: HTTPException) -> Response:
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _http(error: HTTPException) -> Response:
    message = error.description or error.name
    if isinstance(error, NotFound) and message == NotFound.description:
        # Routing found nothing (our own 404s carry their own message): say where to go.
        home = url_for("apidocs.root") if wants_json() else url_for("search.page")
        message = (f"There is no page at {request.path}. Start from {home}"
                   + (", which lists the API's endpoints." if wants_json() else "."))
    return _with_retry_after(error_response(error.code or 500, message), error)


def _query(error: QueryError) -> Response:
    # Only the JSON API reaches here (the search page renders its own error): name the
    # API's own parameter in the hint.
    return error_response(400, error.for_interface("api"))


def _busy(error: IndexBusyError) -> Response:
    response = error_response(503, str(error))
    response.headers["Retry-After"] = "5"
    return response


def _damaged(error: IndexDamagedError) -> Response:
    # Not a bug and not the visitor's doing: the operator must rebuild the index.
    current_app.logger.error("%s", error)
    return error_response(503, str(error))


def _unavailable(error: IndexUnavailableError) -> Response:
    # The database is down (every server of a PostgreSQL index) or of another version.
    current_app.logger.error("%s", error)
    response = error_response(503, str(error))
    response.headers["Retry-After"] = "5"
    return response


def _unexpected(error: Exception) -> Response:
    # A query may trip over a broken index file that the check on opening could not see:
    # then say the index is damaged rather than "a bug".
    path = current_app.config.get("INDEX_PATH")
    problem = index_damage(path) if path and has_index(path) else None
    if problem is not None:
        return _damaged(IndexDamagedError(path, problem))
    # A bug, not user input: log it with the traceback, answer in the usual shape.
    current_app.logger.exception("unhandled error")
    return error_response(500, "Internal error: the server hit a bug; the log has details.")


def register(app: Flask) -> None:
    """Install the handlers on `app`."""
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(QueryError, _query)
    app.register_error_handler(IndexBusyError, _busy)
    app.register_error_handler(IndexDamagedError, _damaged)
    app.register_error_handler(IndexUnavailableError, _unavailable)
    app.register_error_handler(Exception, _unexpected)

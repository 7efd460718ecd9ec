"""Downloads of whole result sets: ``/api/search.csv`` and ``/api/search.jsonl``.

Both take the search parameters of ``/api/search`` (``page`` and ``per_page`` are ignored:
the file holds every match, in the requested order) plus ``max_rows`` (default and
maximum `search.EXPORT_MAX`). The query runs before the first byte is sent, so a bad query
is the usual JSON error; the rows are then streamed. ``X-Total-Count`` gives the number
of matches; a cut file ends with a note (see `web.export`).
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, request, stream_with_context

from search import EXPORT_MAX, QueryError, SearchRequest
from web import export, urls
from web.state import get_index

bp = Blueprint("downloads", __name__)

FORMATS = {"csv": ("text/csv", export.csv_lines),
           "jsonl": ("application/jsonl", export.jsonl_lines)}


def max_rows(raw: str | None) -> int:
    """The ``max_rows`` parameter: a whole number from 1 to the export maximum."""
    if raw in (None, ""):
        return EXPORT_MAX
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= EXPORT_MAX:
        raise QueryError(f"Bad value for 'max_rows': {raw!r}. Use a whole number from 1 to "
                         f"{EXPORT_MAX}.", param="max_rows")
    return value


def filename(q: str, fmt: str) -> str:
    """A download name from the query: ``search-dmtn-208.csv``."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", q).strip("-").lower()[:40]
    return f"search-{slug or 'all'}.{fmt}"


def section_link(report_id: str, anchor: str) -> str:
    """The absolute URL of a section on this site (files are read outside the site)."""
    return request.host_url.rstrip("/") + urls.report(report_id, anchor)


def download(fmt: str):
    """Every hit of the search in the query string, as a CSV or JSON Lines file."""
    params = {k: v for k, v in request.args.items() if k not in ("page", "per_page", "max_rows")}
    req = SearchRequest.from_params(params)
    result = get_index().iter_hits(req, max_rows(request.args.get("max_rows")))
    mimetype, lines = FORMATS[fmt]
    response = Response(stream_with_context(lines(result, section_link)),
                        mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename(req.q, fmt)}"'
    response.headers["X-Total-Count"] = str(result.total)
    return response


for _fmt in FORMATS:
    bp.add_url_rule(f"/api/search.{_fmt}", f"search_{_fmt}", download, methods=["GET"],
                    defaults={"fmt": _fmt}, provide_automatic_options=False)

"""Batch search: ``/batch`` (a form and a table), ``/api/batch`` (JSON), ``/api/batch.csv``.

The terms come in the ``terms`` parameter, one per line, by GET (a link that can be
shared) or POST (a long list from the form); the search filters (``from``, ``to``,
``type``...) apply to every term. A request holds at most `web.batch.MAX_TERMS` terms and
`web.batch.MAX_BATCH_BYTES` bytes; beyond that it is refused as a whole with a message
saying how to split it. The rows themselves come from `web.batch.run`.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from search import SearchRequest
from web import batch, urls
from web.render import respond, wants_json
from web.state import get_index

bp = Blueprint("batch", __name__)
#: A short list that shows what the page does (linked from the empty page).
EXAMPLE = "Qserv\nDMTN-208\nrucio transfers\n\"image cutout\""


def _absolute(path: str) -> str:
    return request.host_url.rstrip("/") + path


def section_link(report_id: str, anchor: str) -> str:
    """The absolute URL of a section (CSV files are read outside the site)."""
    return _absolute(urls.report(report_id, anchor))


def search_link(**params) -> str:
    """The absolute URL of the full search for one term."""
    return _absolute(urls.search(**params))


def _input() -> tuple[str, dict]:
    """The terms text and the filters of this request, within the size caps."""
    if request.method == "POST":
        if (request.content_length or 0) > batch.MAX_BATCH_BYTES:
            abort(413, f"The batch is larger than {batch.MAX_BATCH_BYTES:,} bytes: send at most "
                       f"{batch.MAX_TERMS} terms per request, or use `report-archive batch "
                       "FILE` for a long list.")
        source = request.form
    else:
        source = request.args
    text = source.get("terms", "")
    if len(text.encode("utf-8")) > batch.MAX_BATCH_BYTES:
        abort(413, f"The batch is larger than {batch.MAX_BATCH_BYTES:,} bytes: send at most "
                   f"{batch.MAX_TERMS} terms per request, or use `report-archive batch FILE`.")
    filters = {k: source[k] for k in batch.FILTERS if source.get(k, "").strip()}
    return text, filters


def _rows(text: str, filters: dict) -> list[dict]:
    SearchRequest.from_params(filters)  # a bad filter is one error for the batch (400)
    terms = batch.terms_of(text)
    if len(terms) > batch.MAX_TERMS:
        abort(400, f"The batch has {len(terms)} terms; one request may have at most "
                   f"{batch.MAX_TERMS}. Split the list, or use `report-archive batch FILE`.")
    return list(batch.run(get_index(), terms, filters, section_link, search_link))


def json_data(rows: list[dict], filters: dict) -> dict:
    """The JSON of a batch (``/api/batch`` and ``report-archive batch --format json``)."""
    return {"terms": len(rows), "filters": filters, "results": rows,
            **urls.links(urls.batch(), urls.batch(api=True))}


def page():
    """The form; with terms, a table of one row per term (HTML) or the same as JSON."""
    text, filters = _input()
    data = json_data(_rows(text, filters), filters)
    if not wants_json():
        data["csv_url"] = urls.batch_csv(terms=text, **filters) if text else None
    return respond("batch.html", data, text=text, example=urls.batch(terms=EXAMPLE),
                   max_terms=batch.MAX_TERMS, posted=request.method == "POST")


def csv_file():
    """The same rows as a CSV download."""
    text, filters = _input()
    rows = _rows(text, filters)
    response = Response(batch.csv_lines(rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="batch-search.csv"'
    return response


for rule, endpoint, view in (("/batch", "page", page), ("/api/batch", "page_api", page),
                             ("/api/batch.csv", "csv", csv_file)):
    bp.add_url_rule(rule, endpoint, view, methods=["GET", "POST"],
                    provide_automatic_options=False)

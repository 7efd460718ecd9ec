"""The OpenAPI 3.1 document of the JSON API, as a Python dict.

Schemas are JSON Schema 2020-12 (what OpenAPI 3.1 uses), so the tests check real responses
against them with `jsonschema` as they are. Keep this in step with the views: the test
suite validates every JSON route's answer against the schema named here.
"""

from __future__ import annotations

import copy
from importlib.metadata import version

from ingest.model import ENTITY_TYPES
from search import EXPORT_MAX, FACET_ALL_MAX
from web.batch import MAX_BATCH_BYTES, MAX_TERMS


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(required: dict, optional: dict | None = None) -> dict:
    return {"type": "object", "required": list(required),
            "properties": {**required, **(optional or {})}}


STR, INT, NUM, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"}
NSTR, NINT = {"type": ["string", "null"]}, {"type": ["integer", "null"]}
TYPE = {"type": "string", "enum": list(ENTITY_TYPES)}
LINKS = {"url": STR, "html_url": STR}
FACET = {"type": "array", "items": _obj({"value": STR, "count": INT})}

SCHEMAS: dict[str, dict] = {
    "Error": _obj({"ok": {"const": False}, "error": STR, "status": INT}),
    "Hit": _obj({"report_id": STR, "title": STR, "period": NSTR, "section": STR, "anchor": STR,
                 "page": NINT, "score": NUM, "snippet_html": STR, "format": STR,
                 "entities": {"type": "array", "items": _obj({"type": TYPE, "name": STR})}}),
    "SearchResponse": _obj({
        "query": STR, "total": INT, "page": INT, "per_page": INT, "pages": INT, "took_ms": NUM,
        "sort": {"enum": ["relevance", "newest", "oldest"]}, "filters": {"type": "object"},
        "hits": {"type": "array", "items": _ref("Hit")},
        "facets": _obj({"type": FACET, "year": FACET, "section": FACET, "format": FACET,
                        "entity": {"type": "object", "additionalProperties": FACET},
                        # How many values each cut list leaves out ("and N more").
                        "more": _obj({"section": INT, "entity": {
                            "type": "object", "additionalProperties": INT}})}),
        "suggestion": NSTR,
        # True: the hits are for `suggestion` (typos corrected), not for `query` as typed.
        "corrected": BOOL,
        # "all": every hit holds every word; "most": those first, then hits with most words.
        "match_mode": {"enum": ["all", "most", "literal", "filter"]},
        "all_words_total": INT}),
    "ReportSummary": _obj({"id": STR, "title": STR, "period": NSTR, "format": STR, **LINKS}),
    "ReportList": _obj({"total": INT, "reports": {"type": "array", "items": _ref("ReportSummary")},
                        **LINKS}),
    "Mention": _obj({"type": TYPE, "name": STR, "start": INT, "end": INT, "via": STR}),
    "Section": _obj({"anchor": STR, "heading": STR, "level": INT, "page": NINT, "text": STR,
                     "mentions": {"type": "array", "items": _ref("Mention")}, "html_url": STR},
                    {"heading_mentions": {"type": "array", "items": _ref("Mention")}}),
    "Report": _obj({
        "id": STR, "title": STR, "period": NSTR, "source": STR, "format": STR, "sha256": STR,
        "pages": NINT, "source_url": NSTR,
        "sections": {"type": "array", "items": _ref("Section")},
        "entities": {"type": "array", "items": _obj({"type": TYPE, "name": STR, "count": INT,
                                                     **LINKS})},
        "previous": {"oneOf": [{"type": "null"}, _ref("ReportSummary")]},
        "next": {"oneOf": [{"type": "null"}, _ref("ReportSummary")]}, **LINKS}),
    "EntityStat": _obj({"type": TYPE, "name": STR, "reports": INT, "mentions": INT,
                        "first_seen": NSTR, "last_seen": NSTR, **LINKS}),
    "EntityList": _obj({
        "type": {"oneOf": [{"type": "null"}, TYPE]}, "q": NSTR, "total": INT,
        "entities": {"type": "array", "items": _ref("EntityStat")},
        "types": {"type": "array", "items": _obj({"type": TYPE, "count": INT, **LINKS})},
        **LINKS}),
    "EntityDetail": _obj({
        "type": TYPE, "name": STR, "reports": INT, "mentions": INT, "first_seen": NSTR,
        "last_seen": NSTR, "link": NSTR, "via": {"type": "array", "items": STR}, "found_by": STR,
        "curatable": BOOL,
        "per_month": {"type": "array", "items": _obj({"period": STR, "count": INT})},
        "occurrences": {"type": "array", "items": _obj({
            "report_id": STR, "title": STR, "period": NSTR, "section": STR, "anchor": STR,
            "page": NINT, "snippet_html": STR, "via": {"type": "array", "items": STR},
            **LINKS})},
        "co_mentions_total": INT,
        "co_mentions": {"type": "array", "items": _obj({"type": TYPE, "name": STR, "count": INT,
                                                        **LINKS})},
        **LINKS}),
    "Stats": _obj({
        "reports": INT, "sections": INT,
        "entities_by_type": {"type": "object", "additionalProperties": INT},
        "formats": {"type": "object", "additionalProperties": INT},
        "first_period": NSTR, "last_period": NSTR, "last_updated": NSTR, "index_path": STR,
        "roots": {"type": "array", "items": STR}, **LINKS}),
    "SimilarSections": _obj({
        "report_id": STR, "anchor": STR, "section": STR,
        "hits": {"type": "array", "items": {"allOf": [
            _ref("Hit"), _obj({**LINKS, "similar_url": STR})]}},
        **LINKS}),
    "ExportRow": _obj({"report_id": STR, "title": STR, "period": NSTR, "section": STR,
                       "page": NINT, "url": STR, "snippet": STR,
                       "entities": {"type": "array", "items": _obj({"type": TYPE, "name": STR})}}),
    "BatchRow": _obj({
        "line": INT, "term": STR, "total": NINT, "reports": NINT, "first_period": NSTR,
        "last_period": NSTR, "search_url": STR, "error": NSTR,
        "hits": {"type": "array", "items": {"allOf": [_ref("Hit"), _obj({"html_url": STR})]}}}),
    "BatchResponse": _obj({"terms": INT, "filters": {"type": "object"},
                           "results": {"type": "array", "items": _ref("BatchRow")}, **LINKS}),
    "ApiRoot": _obj({"openapi": STR, "search": STR, "reports": STR, "entities": STR,
                     "stats": STR, "html_url": STR}),
}


def _param(name: str, desc: str, schema: dict | None = None, where: str = "query") -> dict:
    return {"name": name, "in": where, "required": where == "path", "description": desc,
            "schema": schema or STR}


def _get(summary: str, schema: str, params: list[dict] | None = None,
         errors: tuple[int, ...] = ()) -> dict:
    responses = {"200": {"description": "OK", "content": {
        "application/json": {"schema": _ref(schema)}}}}
    for code in errors:
        why = {400: "Bad query or parameter; the message says how to fix it",
               404: "Unknown report, section or entity"}[code]
        responses[str(code)] = {"description": why, "content": {
            "application/json": {"schema": _ref("Error")}}}
    return {"get": {"summary": summary, "parameters": params or [], "responses": responses}}


SEARCH_PARAMS = [
    _param("q", "Query text: words, \"phrases\", AND/OR/NOT, field:value"),
    _param("type", "Only sections mentioning an entity of this type", TYPE),
    _param("entity", "Only sections mentioning this entity (name, alias or ID, any case)"),
    _param("from", "Earliest period, YYYY or YYYY-MM"),
    _param("to", "Latest period, YYYY or YYYY-MM"),
    _param("section", "Section heading"),
    _param("format", "Source format (pdf, html, text, markdown)"),
    _param("year", "Report year, YYYY"),
    _param("sort", "Order of hits", {"enum": ["relevance", "newest", "oldest"]}),
    _param("page", "1-based page", {"type": "integer", "minimum": 1}),
    _param("per_page", "Hits per page", {"type": "integer", "minimum": 1, "maximum": 100}),
    _param("collapse", "1: one hit per report (its best section)",
           {"enum": ["0", "1", "true", "false"]}),
    _param("literal", "1: search the words exactly as typed (no query syntax)",
           {"enum": ["0", "1"]}),
    _param("correct", "0: show the results for the query as typed even when a word looks "
           "misspelt (the correction is still given as `suggestion`)", {"enum": ["0", "1"]}),
    _param("more", f"List one facet whole (up to {FACET_ALL_MAX} values) instead of its top "
           "ones: `section` or an entity type", {"enum": ["section", *ENTITY_TYPES]}),
]

EXPORT_PARAMS = [p for p in SEARCH_PARAMS if p["name"] not in ("page", "per_page")] + [
    _param("max_rows", f"At most this many rows (default and maximum {EXPORT_MAX})",
           {"type": "integer", "minimum": 1, "maximum": EXPORT_MAX}),
]
_CUT = (f"Every matching section in the requested order, streamed, at most max_rows (at most "
        f"{EXPORT_MAX}); X-Total-Count gives the number of matches.")


def _export(summary: str, mimetype: str, description: str) -> dict:
    """A download of the whole result set (not JSON: the schema describes one row)."""
    op = _get(summary, "ExportRow", EXPORT_PARAMS, (400,))["get"]
    op["responses"]["200"] = {
        "description": description,
        "headers": {"X-Total-Count": {"description": "Matching sections (before any cut)",
                                      "schema": INT}},
        "content": {mimetype: {"schema": {"type": "string"}}}}
    return {"get": op}


BATCH_PARAMS = [
    _param("terms", f"Queries, one per line (at most {MAX_TERMS} terms, {MAX_BATCH_BYTES} bytes); "
                    "blank lines and lines starting with # are skipped"),
    *[p for p in SEARCH_PARAMS if p["name"] in ("type", "entity", "from", "to", "section",
                                                "format", "year")],
]


def _batch(summary: str, schema: str, mimetype: str = "application/json") -> dict:
    """A batch endpoint: GET with the terms in the query string, or POST them as a form."""
    get = _get(summary, schema, BATCH_PARAMS, (400,))["get"]
    get["responses"]["413"] = {"description": "More bytes of terms than a request may carry",
                               "content": {"application/json": {"schema": _ref("Error")}}}
    if mimetype != "application/json":
        get["responses"]["200"] = {"description": "One CSV line per term: line, term, "
                                   "sections, reports, first_period, last_period, top_hits, "
                                   "search_url, error",
                                   "content": {mimetype: {"schema": {"type": "string"}}}}
    form = {"type": "object", "properties": {p["name"]: p["schema"] for p in BATCH_PARAMS}}
    post = {**get, "parameters": [], "requestBody": {"content": {
        "application/x-www-form-urlencoded": {"schema": form},
        "multipart/form-data": {"schema": form}}}}
    return {"get": get, "post": post}


def _feed(summary: str, params: list[dict], errors: tuple[int, ...]) -> dict:
    """An Atom feed (not JSON; errors are HTML pages, as for every page outside /api/)."""
    responses = {"200": {"description": "Atom 1.0; entry ids are urn:uuid: values derived "
                                        "from report id and section anchor, stable across "
                                        "ingests",
                         "content": {"application/atom+xml": {"schema": {"type": "string"}}}}}
    for code in errors:
        responses[str(code)] = {"description": {400: "Bad query or parameter",
                                                404: "Unknown entity"}[code],
                                "content": {"text/html": {"schema": {"type": "string"}}}}
    return {"get": {"summary": summary, "parameters": params, "responses": responses}}


PATHS = {
    "/api": _get("Index of the JSON endpoints", "ApiRoot"),
    "/api/search": _get("Search the sections of all reports", "SearchResponse", SEARCH_PARAMS,
                        (400,)),
    "/api/search.csv": _export(
        "All hits of a search as CSV", "text/csv",
        f"{_CUT} Columns, in order, are the properties of ExportRow; entities are one cell of "
        "type:name pairs separated by '; '. A cut file ends with a row whose report_id is "
        "'#note' and whose title says so."),
    "/api/search.jsonl": _export(
        "All hits of a search as JSON Lines", "application/jsonl",
        f"{_CUT} One ExportRow object per line; a cut file ends with a line "
        '{"note": ..., "total": N, "exported": M}.'),
    "/api/batch": _batch("Batch search: per term, sections, reports, first and last period and "
                         "the top hits; a bad line gets its error in its row", "BatchResponse"),
    "/api/batch.csv": _batch("The batch search as CSV", "BatchResponse", "text/csv"),
    "/api/reports": _get("All reports, by period", "ReportList"),
    "/api/reports/{report_id}": _get("One report with sections and entity mentions", "Report",
                                     [_param("report_id", "Report id", where="path")], (404,)),
    "/api/reports/{report_id}/similar/{anchor}": _get(
        "Sections of other reports most like one section of this report (at most 5)",
        "SimilarSections", [_param("report_id", "Report id", where="path"),
                            _param("anchor", "Section anchor, as in the report's sections",
                                   where="path")], (404,)),
    "/api/entities": _get("All entities with report and mention counts", "EntityList",
                          [_param("type", "Only this entity type", TYPE),
                           _param("q", "Only names containing this text (any case)")], (400,)),
    "/api/entities/{type}/{name}": _get(
        "One entity: mentions per month, every occurrence, co-mentioned entities",
        "EntityDetail", [_param("type", "Entity type", TYPE, "path"),
                         _param("name", "Canonical name (an alias redirects to it)",
                                where="path")], (404,)),
    "/api/stats": _get("What is indexed and when", "Stats"),
    "/api/openapi.json": {"get": {"summary": "This document", "responses": {"200": {
        "description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    "/search.atom": _feed(
        "Atom feed of a search: its newest 50 sections (sort and paging do not apply)",
        [p for p in SEARCH_PARAMS if p["name"] not in ("sort", "page", "per_page")], (400,)),
    "/entities/{type}/{name}.atom": _feed(
        "Atom feed of an entity: the newest 50 sections that mention it",
        [_param("type", "Entity type", TYPE, "path"),
         _param("name", "Canonical name (an alias redirects to it)", where="path")], (404,)),
}


def document() -> dict:
    """A fresh copy of the OpenAPI document (callers may mutate it)."""
    return copy.deepcopy({
        "openapi": "3.1.0",
        "info": {"title": "report-archive API", "version": version("report-archive"),
                 "description": "Read-only JSON API over an archive of monthly status reports. "
                                "Errors are {\"ok\": false, \"error\": ..., \"status\": N}."},
        "paths": PATHS,
        "components": {"schemas": SCHEMAS},
    })

"""Hits and stored sections of the PostgreSQL index: snippets, entity pages, similar sections.

`hits` reads the sections of a page of results with their ts_headline snippets (document
text escaped in Python, only our <mark>) and their body mentions; `entity_sections` the
sections naming one entity (the entity page); `more_like_this` other reports' sections
sharing a section's most frequent body words. Each takes the view's way to run a read
(a replica, else the primary); `_pg_engine.PgView` hands its requests here.
"""

from __future__ import annotations

from psycopg.rows import dict_row

from search import _snippet
from search._pg_query import Sql, loose_query, quote_tsquery
from search._pg_schema import CONFIG, SCHEMA
from search._types import EntityRef, Hit

S = SCHEMA
#: ts_rank weights for {D, C, B, A}: body, title, heading, entity names.
RANK_WEIGHTS = "{0.1, 0.15, 0.2, 0.3}"
#: ts_headline marks matches with these control characters (which never reach the index:
#: ingest drops them), so the headline is plain text that Python escapes before turning them
#: into <mark>; angle brackets are swapped for two others first, since PostgreSQL's parser
#: would treat "<script>" as a tag, and swapped back after.
_START, _STOP, _LT, _GT = "\x02", "\x03", "\x05", "\x06"
_HEADLINE = (f"StartSel={_START}, StopSel={_STOP}, MaxFragments=2, MaxWords=30, MinWords=12, "
             "FragmentDelimiter=\" … \"")
_UNSWAP = str.maketrans(_LT + _GT, "<>")


def hits(run, items, highlight: Sql | None) -> list[Hit]:
    """The `Hit` of each (score, doc) of `items` in that order, its snippet marking the
    words of `highlight` (ts_headline; else the mentions of its entity names, else the
    lead); `run(fn)` runs a read on a connection (see `_pg_pool.Readers`)."""
    items = list(items)
    if not items:
        return []
    ids = [d for _, d in items]
    tsq = " | ".join(f"({t})" for t in highlight.rank) if highlight and highlight.rank \
        else ""
    body = "translate(s.body, '<>', %(swap)s)"
    # A phrase with stop words between its words in the text: ts_headline finds no
    # phrase there (it numbers the text's words itself), so its words are marked.
    headline = f"ts_headline('{CONFIG}', {body}, %(tsq)s::tsquery, %(opts)s)"
    if tsq:
        snippet = (f"h.first, CASE WHEN strpos(h.first, %(start)s) = 0 AND %(tsq)s <> "
                   f"%(loose)s THEN {headline.replace('(tsq)', '(loose)')} END AS second FROM "
                   f"{S}.sections s, LATERAL (SELECT {headline} AS first) h")
    else:
        snippet = f"'' AS first, NULL AS second FROM {S}.sections s"
    params = {"swap": _LT + _GT, "tsq": tsq, "loose": loose_query(tsq), "opts": _HEADLINE,
              "start": _START, "ids": ids}

    def read(conn):
        with conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute(
                f"SELECT s.id, s.report_id, s.title, s.period, s.heading, s.anchor, "
                f"s.page, s.format, s.body, {snippet} WHERE s.id = ANY(%(ids)s)",
                params).fetchall()
            mentions = cur.execute(
                f"SELECT section_id, type, name, start_at, end_at FROM {S}.mentions "
                "WHERE section_id = ANY(%s) AND NOT in_heading ORDER BY section_id, ord",
                (ids,)).fetchall()
        return rows, mentions
    rows, mentions = run(read)
    by_id = {r["id"]: r for r in rows}
    body_mentions: dict[int, list] = {}
    for m in mentions:
        body_mentions.setdefault(m["section_id"], []).append(m)
    wanted = set(highlight.names) if highlight else set()
    out = []
    for score, doc in items:
        r = by_id.get(doc)
        if r is None:  # removed by another writer since the match: skip it
            continue
        own = body_mentions.get(doc, [])
        text = r["body"]
        headline = r["first"] if _START in r["first"] else r["second"] or ""
        snippet_html = _marked(headline) if _START in headline else ""
        if not snippet_html:
            spans = [(m["start_at"], m["end_at"]) for m in own
                     if m["name"].lower() in wanted]
            snippet_html = _snippet.mark_spans(text, spans) if spans else _snippet.lead(text)
        seen = dict.fromkeys((m["type"], m["name"]) for m in own)
        out.append(Hit(report_id=r["report_id"], title=r["title"], period=r["period"],
                       section=r["heading"], anchor=r["anchor"], page=r["page"],
                       score=round(abs(float(score or 0.0)), 4), snippet_html=snippet_html,
                       format=r["format"],
                       entities=tuple(EntityRef(t, n) for t, n in seen)))
    return out


def entity_sections(run, name: str) -> list[tuple[dict, dict]]:
    """(fields, data) of the sections naming `name`, in the `_schema.section_data` form."""
    def read(conn):
        with conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute(
                f"SELECT s.id, s.report_id, s.title, s.period, s.heading, s.anchor, "
                f"s.ord, s.level, s.page, s.body, r.title_mentions FROM {S}.sections s "
                f"JOIN {S}.reports r ON r.id = s.report_id "
                "WHERE s.entity_names @> ARRAY[%s]", (name.lower(),)).fetchall()
            ids = [r["id"] for r in rows]
            mentions = cur.execute(
                f"SELECT section_id, in_heading, type, name, start_at, end_at, via "
                f"FROM {S}.mentions WHERE section_id = ANY(%s) ORDER BY section_id, ord",
                (ids,)).fetchall() if ids else []
        return rows, mentions
    rows, mentions = run(read)
    per: dict[int, dict] = {}
    for m in mentions:
        key = "hm" if m["in_heading"] else "m"
        per.setdefault(m["section_id"], {"m": [], "hm": []})[key].append(
            [m["type"], m["name"], m["start_at"], m["end_at"], m["via"]])
    out = []
    for r in rows:
        fields = {k: r[k] for k in ("report_id", "title", "period", "heading", "anchor")}
        got = per.get(r["id"], {"m": [], "hm": []})
        data = {"o": r["ord"], "l": r["level"], "p": r["page"], "t": r["body"],
                "m": got["m"], "hm": got["hm"]}
        if r["ord"] == 0 and r["title_mentions"]:
            data["tm"] = r["title_mentions"]
        out.append((fields, data))
    return out


def more_like_this(view, report_id: str, anchor: str, limit: int) -> list[Hit]:
    """Other reports' sections sharing the section's most frequent words."""
    row = view._rows(f"SELECT id FROM {S}.sections WHERE report_id = %s AND anchor = %s",
                     (report_id, anchor))
    if not row:
        return []
    words = view._rows(
        f"SELECT word FROM ts_stat(format('SELECT tsv FROM {S}.sections WHERE id = %%s', "
        "%s::bigint), 'D') ORDER BY nentry DESC, length(word) DESC, word LIMIT 12",
        (row[0][0],))  # 'D': the body's words only, as the embedded engines compare
    if not words:
        return []
    tsq = " | ".join(quote_tsquery(w[0]) for w in words)
    found = view._rows(
        f"SELECT s.id, ts_rank('{RANK_WEIGHTS}', s.tsv, %s::tsquery) AS r "
        f"FROM {S}.sections s WHERE s.tsv @@ %s::tsquery AND s.report_id <> %s "
        "ORDER BY r DESC, s.id LIMIT %s", (tsq, tsq, report_id, limit))
    return hits(view.run, [(r[1], r[0]) for r in found], None)


def _marked(headline: str) -> str:
    """The HTML of a ts_headline: its text escaped, its marks <mark>, one per ID
    (<mark>DMTN</mark><mark>-208</mark> -> <mark>DMTN-208</mark>)."""
    from html import escape

    html = escape(headline.translate(_UNSWAP), quote=False)
    html = html.replace(_START, "<mark>").replace(_STOP, "</mark>")
    return html.replace("</mark><mark>", "").replace("</mark>-<mark>", "-")

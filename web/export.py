"""Search results as files: CSV and JSON Lines rows, streamed from a `search.Export`.

The web routes (``/api/search.csv``, ``/api/search.jsonl``) and ``report-archive search
--format csv|jsonl`` both write through these functions, so a file downloaded from the
site and one written by the CLI have the same columns. Rows are produced one at a time
from the export's hit iterator; nothing here holds more than one row.

When the result set is larger than the export maximum the file ends with a note saying
so: a last CSV row whose ``report_id`` is ``#note``, or a last JSON line ``{"note": ...}``.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Callable, Iterator

from search import EXPORT_MAX, Export, Hit

#: Columns of a CSV export, in order (a JSON Lines row has the same keys).
COLUMNS = ("report_id", "title", "period", "section", "page", "url", "snippet", "entities")
NOTE_ID = "#note"
_TAG = re.compile(r"</?mark>")

Link = Callable[[str, str], str]


def plain(snippet_html: str) -> str:
    """A snippet as plain text: our ``<mark>`` tags dropped, entities unescaped."""
    return html.unescape(_TAG.sub("", snippet_html)).replace("\n", " ").strip()


def row(hit: Hit, link: Link) -> dict:
    """One export row; `link(report_id, anchor)` gives the section's URL."""
    return {"report_id": hit.report_id, "title": hit.title, "period": hit.period,
            "section": hit.section, "page": hit.page, "url": link(hit.report_id, hit.anchor),
            "snippet": plain(hit.snippet_html),
            "entities": [e.to_dict() for e in hit.entities]}


def cut_note(export: Export) -> str | None:
    """The sentence that ends a cut file, or None when every match is in it."""
    if not export.truncated:
        return None
    cut = f"Cut at {export.limit:,} of {export.total:,} matching sections"
    if export.limit < EXPORT_MAX:
        return f"{cut} (the max_rows asked for)."
    return (f"{cut}: {EXPORT_MAX:,} rows is the export maximum. Narrow the query, for "
            "example with from/to periods, and export each part.")


def _csv_line(values) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue()


def csv_lines(export: Export, link: Link) -> Iterator[str]:
    """The CSV file, line by line: a header, one row per hit, then the note if cut.

    Entities are one cell, ``type:name`` pairs separated by ``; ``.
    """
    yield _csv_line(COLUMNS)
    for hit in export.hits:
        r = row(hit, link)
        r["entities"] = "; ".join(f"{e['type']}:{e['name']}" for e in r["entities"])
        yield _csv_line("" if r[c] is None else r[c] for c in COLUMNS)
    note = cut_note(export)
    if note:
        yield _csv_line([NOTE_ID, note] + [""] * (len(COLUMNS) - 2))


def jsonl_lines(export: Export, link: Link) -> Iterator[str]:
    """The JSON Lines file: one object per hit, then ``{"note", "total", "exported"}`` if cut."""
    for hit in export.hits:
        yield json.dumps(row(hit, link), ensure_ascii=False) + "\n"
    note = cut_note(export)
    if note:
        yield json.dumps({"note": note, "total": export.total, "exported": export.limit},
                         ensure_ascii=False) + "\n"

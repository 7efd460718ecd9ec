"""Batch search: a list of terms, one query per line, and one result row per term.

Each row says how often the term comes up (sections, reports), from when to when (first
and last period) and where best (the top hits, linked). A line that is not a valid query
gets its error in its row and the other lines still run. Blank lines and lines starting
with ``#`` are skipped; line numbers count every line, so a row points back at the file.

The web page (``/batch``), its JSON twin, the CSV download and ``report-archive batch``
all build rows here, one term at a time (the CLI streams a file of any length; the web
caps a request at `MAX_TERMS`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator

from search import QueryError, SearchRequest

#: Terms one web request may carry, and characters per term (the CLI has no term cap).
MAX_TERMS = 100
MAX_TERM_CHARS = 300
#: Bytes of terms one web request may carry (a form or a query string).
MAX_BATCH_BYTES = 20_000
#: Top hits per term.
TOP_HITS = 3
#: Parameters applied to every term (the search filters).
FILTERS = ("type", "entity", "from", "to", "section", "format", "year", "literal")
CSV_COLUMNS = ("line", "term", "sections", "reports", "first_period", "last_period",
               "top_hits", "search_url", "error")

Links = Callable[..., str]


def terms_of(text: str) -> list[tuple[int, str]]:
    """(line number, term) for every line that holds a term."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        term = line.strip()
        if term and not term.startswith("#"):
            out.append((number, term))
    return out


def run(index, terms: Iterable[tuple[int, str]], filters: dict, section_url: Links,
        search_url: Links, top: int = TOP_HITS) -> Iterator[dict]:
    """One row per term, in order. `section_url(report_id, anchor)` and
    `search_url(**params)` build the links."""
    for number, term in terms:
        row = {"line": number, "term": term, "total": None, "reports": None,
               "first_period": None, "last_period": None, "hits": [],
               "search_url": search_url(q=term, **filters), "error": None}
        if len(term) > MAX_TERM_CHARS:
            row["error"] = (f"This line is {len(term)} characters long; a term may have "
                            f"at most {MAX_TERM_CHARS}. Shorten it.")
            yield row
            continue
        try:
            found = index.overview(SearchRequest.from_params({**filters, "q": term}), top)
        except QueryError as error:
            row["error"] = str(error)
            yield row
            continue
        row.update(total=found.total, reports=found.reports, first_period=found.first_period,
                   last_period=found.last_period,
                   hits=[{**h.to_dict(), "html_url": section_url(h.report_id, h.anchor)}
                         for h in found.hits])
        yield row


def _csv_line(values) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue()


def csv_lines(rows: Iterable[dict]) -> Iterator[str]:
    """The batch as CSV: a header, then one line per term. ``top_hits`` is one cell,
    ``title § section (period) url`` per hit, separated by `` | ``."""
    yield _csv_line(CSV_COLUMNS)
    for row in rows:
        tops = " | ".join(f"{h['title']} § {h['section'] or 'Introduction'} "
                          f"({h['period'] or 'undated'}) {h['html_url']}" for h in row["hits"])
        cells = {**row, "sections": row["total"], "top_hits": tops}
        yield _csv_line("" if cells[c] is None else cells[c] for c in CSV_COLUMNS)

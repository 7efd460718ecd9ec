"""`report-archive batch TERMS.txt`: one search per line, one result row per term.

Rows come from `web.batch` (the same as the ``/batch`` page and its CSV), one term at a
time, so a file of any length streams through in constant memory. A bad line is reported
in its row and the others still run; the exit code is 1 when any line failed.
"""

from __future__ import annotations

import json

import click

from cli.index_cmds import DEFAULT_BASE_URL, QueryUsageError, index_option
from cli.text import plural
from ingest import ENTITY_TYPES
from search import Index, QueryError, SearchRequest, resolve_index_dir


@click.command()
@click.argument("terms_file", metavar="TERMS.txt", type=click.File("r", encoding="utf-8"))
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text",
              show_default=True, help="text: a line per term; csv or json: for other tools.")
@click.option("--top", type=click.IntRange(0, 10), default=3, show_default=True,
              help="Best hits listed per term.")
@click.option("--type", "etype", type=click.Choice(ENTITY_TYPES),
              help="Only sections naming this type (every term).")
@click.option("--entity", help="Only sections naming this entity (every term).")
@click.option("--from", "period_from", metavar="YYYY-MM", help="From this month (or year).")
@click.option("--to", "period_to", metavar="YYYY-MM", help="Up to this month (or year).")
@click.option("--base-url", default=DEFAULT_BASE_URL, show_default=True, metavar="URL",
              help="The site the links point to (where `serve` runs).")
@index_option
def batch(terms_file, fmt, top, etype, entity, period_from, period_to, base_url, index_dir):
    """Run every line of TERMS.txt ('-' for stdin) as a query: sections, reports, first and
    last period and the top hits per term. Blank lines and '#' lines are skipped."""
    from web import batch as rows_of, create_app
    from web.views.batch import json_data, search_link, section_link

    filters = {k: v for k, v in {"type": etype, "entity": entity, "from": period_from,
                                 "to": period_to}.items() if v}
    try:
        SearchRequest.from_params(filters)
    except QueryError as error:
        raise QueryUsageError(str(error)) from None
    index = Index(resolve_index_dir(index_dir))
    terms = ((n, line.strip()) for n, line in enumerate(terms_file, start=1)
             if line.strip() and not line.strip().startswith("#"))
    failed = []

    def noting(rows):
        for row in rows:
            if row["error"]:
                failed.append(row["line"])
            yield row

    with create_app({"INDEX_PATH": str(index.path)}).test_request_context(base_url=base_url):
        rows = noting(rows_of.run(index, terms, filters, section_link, search_link, top=top))
        if fmt == "csv":
            for line in rows_of.csv_lines(rows):
                click.echo(line, nl=False)
        elif fmt == "json":
            click.echo(json.dumps(json_data(list(rows), filters), indent=2, ensure_ascii=False))
        else:
            for row in rows:
                click.echo(_text(row))
    if failed:
        click.echo(f"{plural(len(failed), 'line')} could not be run "
                   f"(line {', '.join(map(str, failed))}); the other terms ran.", err=True)
        raise SystemExit(1)


def _text(row: dict) -> str:
    if row["error"]:
        return f"{row['line']:>4}  {row['term']}: {row['error']}"
    span = (f", {row['first_period'] or 'undated'} to {row['last_period'] or 'undated'}"
            if row["total"] else "")
    counts = f"{plural(row['total'], 'section')} in {plural(row['reports'], 'report')}"
    lines = [f"{row['line']:>4}  {row['term']}: {counts}{span}"]
    lines += [f"        {h['period'] or 'undated'}  {h['title']} / {h['section']}  {h['html_url']}"
              for h in row["hits"]]
    return "\n".join(lines)


COMMANDS = [batch]

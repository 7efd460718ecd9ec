"""Index commands: ingest, search, entities, entity, stats.

Each command parses its options, calls the `search` facade and prints. ``--json`` prints
exactly the facade's ``to_dict()`` (what the web API returns), so scripts and the web agree.
"""

from __future__ import annotations

import html
import json
import os
import re
import shlex
import sys

import click

from search._engine import ENV_VAR as ENGINE_ENV
from search._engine import requested_engine
from cli.extract_cmd import load_read_options, read_options_option
from cli.text import plural
from cli.index_access import index_errors, open_index
from ingest import ENTITY_TYPES, EntityConfigError
from search import (DEFAULT_ENGINE, ENGINES, EXPORT_MAX, EngineMismatchError, Index, IndexBusyError, IndexDamagedError, IndexUnavailableError,
                    QueryError,
                    SearchRequest, has_index, ingest_paths, resolve_index_dir)

#: The command's name as a user types it (in the commands we print for them to paste).
PROG = "report-archive"
#: Where `serve` listens by default: the site exported links point to unless told otherwise.
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
_index_dir_option = click.option(
    "--index", "index_dir", metavar="DIR",
    help="Index directory (default: $REPORT_ARCHIVE_INDEX, else .report-archive/index).")


def _set_engine(ctx, param, value):
    """--engine applies to the whole command: it sets $REPORT_ARCHIVE_ENGINE, which
    `search.ingest_paths` (a new index) and `search.Index` (a check of an existing one)
    read, so every call the command makes agrees. The variable is put back when the
    command ends, so a command run in-process (tests, `--get`-style callers) leaks nothing
    into the next one."""
    if value:
        before = os.environ.get(ENGINE_ENV)
        os.environ[ENGINE_ENV] = value

        def restore():
            if before is None:
                os.environ.pop(ENGINE_ENV, None)
            else:
                os.environ[ENGINE_ENV] = before
        ctx.call_on_close(restore)
    return value


engine_option = click.option(
    "--engine", type=click.Choice(ENGINES), expose_value=False, callback=_set_engine,
    is_eager=True, help=f"Search engine (default: $REPORT_ARCHIVE_ENGINE, else [search] engine "
    f"in report-archive.toml, else what the index records; a new index: {DEFAULT_ENGINE}).")


def index_option(command):
    """--index DIR and --engine NAME: which index, read or written with which engine."""
    return _index_dir_option(engine_option(command))
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON (as the web API).")


class QueryUsageError(click.ClickException):
    """A bad query or option value: ``Error: <how to fix it>``, exit code 2, no traceback."""

    exit_code = 2


def _dump(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _plain(snippet_html: str, tty: bool) -> str:
    """A snippet for the terminal: <mark> as bold/underline on a TTY, else plain text."""
    def mark(m: re.Match) -> str:
        text = m.group(1)
        return click.style(text, bold=True, underline=True) if tty else text
    return html.unescape(_MARK.sub(mark, snippet_html.replace("\n", " ")))


@click.command()
# Paths are not checked here: a missing one is reported as a failed file and the rest of
# the batch is still indexed (one bad path never aborts a run).
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@index_option
@click.option("--entities", "entities_file", type=click.Path(exists=True, dir_okay=False),
              help="Extra entity configuration (TOML) on top of the shipped one.")
@click.option("--jobs", type=click.IntRange(min=1),
              help="Worker processes that extract and index files (default: all cores; "
                   "a run with under ~48 pages of work uses one; long files are shared out first).")
@click.option("--prune", is_flag=True, help="Remove reports whose files are gone.")
@click.option("--watch", is_flag=True,
              help="Keep running: ingest files as they appear or change in the directories "
                   "(with --prune, remove the reports of deleted ones) until Ctrl-C.")
@click.option("--settle", type=click.FloatRange(0.1, 60), default=2.0, show_default=True,
              metavar="SECONDS", help="--watch: a file is read once it has not changed for "
                                      "this long.")
@click.option("--follow-symlinks", is_flag=True,
              help="Follow symbolic links that lead out of the given paths (default: skip them).")
@read_options_option
@json_option
def ingest(paths, index_dir, entities_file, jobs, prune, watch, settle, follow_symlinks,
           config_file, pdf_reader, ocr, as_json):
    """Index report files (directories are walked); unchanged files are skipped."""
    options = load_read_options(config_file, pdf_reader, ocr)
    if watch:
        from cli.index_access import directory_only
        from cli.watch_cmd import watch_dirs

        directory_only(resolve_index_dir(index_dir), "ingest --watch")
        return watch_dirs(paths, resolve_index_dir(index_dir), jobs, prune, settle,
                          entities_file=entities_file, read_options=options)
    bar = None
    show_bar = sys.stderr.isatty() and not as_json

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None and show_bar and total:
            bar = click.progressbar(length=total, label="Ingesting", file=sys.stderr)
            bar.__enter__()
        if bar is not None:
            bar.update(done - bar.pos)

    try:
        summary = ingest_paths(paths, resolve_index_dir(index_dir), entities_file=entities_file,
                               jobs=jobs, prune=prune, progress=progress,
                               read_options=options, follow_symlinks=follow_symlinks,
                               engine=requested_engine(None, config_file))
    except (IndexBusyError, IndexDamagedError, IndexUnavailableError,
            EntityConfigError, EngineMismatchError) as error:
        raise click.ClickException(str(error)) from None
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if as_json:
        _dump(summary.to_dict())
    else:
        for _path, reason in summary.skipped:
            click.echo(f"skipped: {reason}", err=True)
        for _path, reason in summary.failed:
            click.echo(f"failed: {reason}", err=True)
        click.echo(summary.line())
    if summary.failed:
        sys.exit(1)


@click.command()
@click.argument("query", required=False, default="")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv", "jsonl"]),
              default="text", show_default=True,
              help="text or json: one page of hits; csv or jsonl: every hit (see --max-rows).")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--limit", default="10", metavar="N", help="Hits per page (1-100).")
@click.option("--page", default="1", metavar="N", help="Page number.")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance")
@click.option("--type", "etype", type=click.Choice(ENTITY_TYPES), help="Only sections naming this type.")
@click.option("--entity", help="Only sections naming this entity (name, alias or ID).")
@click.option("--from", "period_from", metavar="YYYY-MM", help="From this month (or year).")
@click.option("--to", "period_to", metavar="YYYY-MM", help="Up to this month (or year).")
@click.option("--literal", is_flag=True, help="Search the text as typed (no query syntax).")
@click.option("--collapse", is_flag=True, help="One hit per report.")
@click.option("--max-rows", type=click.IntRange(1, EXPORT_MAX), default=EXPORT_MAX,
              metavar="N", help=f"csv/jsonl: at most N rows (default and maximum {EXPORT_MAX}); "
                                "a cut file ends with a note.")
@click.option("--base-url", default=DEFAULT_BASE_URL, show_default=True, metavar="URL",
              help="csv/jsonl: the site the section links point to (where `serve` runs).")
@click.option("--no-correct", is_flag=True,
              help="Show the results for the query as typed, even if a word looks misspelt.")
@index_option
@click.pass_context
@index_errors
def search(ctx, query, fmt, as_json, limit, page, sort, etype, entity, period_from, period_to,
           literal, collapse, max_rows, base_url, no_correct, index_dir):
    """Search the index: words, "phrases", AND/OR/NOT, prefix*, fuzzy~, entity:DMTN-208, ..."""
    fmt = "json" if as_json else fmt
    params = {"q": query, "per_page": limit, "page": page, "sort": sort, "type": etype,
              "entity": entity, "from": period_from, "to": period_to,
              "literal": "1" if literal else "", "collapse": "1" if collapse else "",
              "correct": "0" if no_correct else ""}
    try:
        request = SearchRequest.from_params({k: v for k, v in params.items() if v})
        if not has_index(resolve_index_dir(index_dir)):
            Index(resolve_index_dir(index_dir)).search(request)  # a bad query is told first
        index = open_index(index_dir)
        if fmt in ("csv", "jsonl"):
            _export(index, request, fmt, max_rows, base_url)
            return
        response = index.search(request)
    except QueryError as error:
        raise QueryUsageError(error.for_interface("cli")) from None
    if fmt == "json":
        _dump(response.to_dict())
        return
    if response.corrected:
        click.echo(f"Showing results for: {response.suggestion}\n"
                   f"Search instead for: {response.query}  (add --no-correct)\n")
    tty = sys.stdout.isatty()
    click.echo(f"{plural(response.total, 'hit')} "
               f"(page {response.page} of {response.pages}, {response.took_ms:.0f} ms)")
    for hit in response.hits:
        where = " / ".join(p for p in (hit.period or "undated", hit.section) if p)
        title = click.style(hit.title, bold=True) if tty else hit.title
        click.echo(f"\n{title}  [{where}]  {hit.report_id}#{hit.anchor}")
        click.echo(f"  {_plain(hit.snippet_html, tty)}")
    if response.match_mode == "most" and response.total:
        click.echo(f"\n{_mode_line(response)}")
    if response.suggestion and not response.corrected:
        click.echo(f"\nDid you mean: {response.suggestion}")
    if response.page < response.pages:
        click.echo(f"\nNext page: {command_line(ctx, page=str(response.page + 1))}")


def _export(index, request, fmt: str, max_rows: int, base_url: str) -> None:
    """Stream every hit as CSV or JSON Lines to stdout, through the web's own writers."""
    from web import create_app, export
    from web.views.downloads import section_link

    result = index.iter_hits(request, max_rows)  # a bad query raises before any output
    lines = export.csv_lines if fmt == "csv" else export.jsonl_lines
    with create_app({"INDEX_PATH": str(index.path)}).test_request_context(base_url=base_url):
        for line in lines(result, section_link):
            click.echo(line, nl=False)


def command_line(ctx: click.Context, **changes) -> str:
    """The command the user ran, with `changes` to its parameters, ready to paste."""
    values = {**ctx.params, **changes}
    words = [PROG, ctx.info_name]
    for param in ctx.command.params:
        value = values.get(param.name)
        if isinstance(param, click.Argument):
            if value:
                words.append(shlex.quote(value))
        elif param.name in ("fmt", "as_json") or value in (None, False) or value == param.default:
            continue
        elif param.is_flag:
            words.append(param.opts[0])
        else:
            words += [param.opts[0], shlex.quote(str(value))]
    return " ".join(words)


def _mode_line(response) -> str:
    """What the CLI says when the hits hold most of the words, not all."""
    n = response.all_words_total
    if n:
        return (f"{n} section{'s' if n != 1 else ''} hold{'s' if n == 1 else ''} every word; "
                "the rest hold most of them.")
    return "No section holds every word: these hold most of them."


@click.command()
@click.argument("name")
@click.option("--type", "etype", type=click.Choice(ENTITY_TYPES),
              help="The entity's type (default: the first type that knows the name).")
@json_option
@index_option
@index_errors
def entity(name, etype, as_json, index_dir):
    """Show one entity: mentions per month, where it occurs, what it is mentioned with."""
    idx = open_index(index_dir)
    detail = None
    for t in ([etype] if etype else ENTITY_TYPES):
        detail = idx.entity(t, name)
        if detail is not None:
            break
    if detail is None:
        raise click.ClickException(
            f"No entity named {name!r}{f' of type {etype}' if etype else ''} in the index. "
            "List them with: report-archive entities")
    if as_json:
        _dump(detail.to_dict())
        return
    click.echo(f"{detail.name} ({detail.type}): {plural(detail.mentions, 'mention')} in "
               f"{plural(detail.reports, 'report')}, {detail.first_seen or '?'} to "
               f"{detail.last_seen or '?'}")
    click.echo("\nPer month: " + ", ".join(f"{m.period} {m.count}" for m in detail.per_month))
    if detail.co_mentions:
        click.echo("Mentioned with: " + ", ".join(f"{c.name} ({c.count})" for c in detail.co_mentions))
    tty = sys.stdout.isatty()
    for o in detail.occurrences:
        click.echo(f"\n{o.period or 'undated'}  {o.title} / {o.section}  {o.report_id}#{o.anchor}")
        click.echo(f"  {_plain(o.snippet_html, tty)}")


@click.command()
@json_option
@index_option
@index_errors
def stats(as_json, index_dir):
    """Show what the index holds."""
    data = open_index(index_dir).stats().to_dict()
    if as_json:
        _dump(data)
        return
    for key, value in data.items():
        label = key.replace("_", " ")
        if isinstance(value, list):  # the roots: one directory per line
            click.echo(f"{label}:" + "".join(f"\n  {v}" for v in value) if value else f"{label}: -")
            continue
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v:,}" for k, v in value.items()) or "-"
        elif isinstance(value, int):
            value = f"{value:,}"
        click.echo(f"{label}: {value if value is not None else '-'}")


COMMANDS = [ingest, search, entity, stats]  # `entities` is a group: cli/entity_cmds.py

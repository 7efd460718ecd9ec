"""The `entities` group: list entities, import a glossary, list rule-found candidates for
curation, and apply a curated configuration to the index.

``report-archive entities [--type T]`` alone lists entities, as it always did.
"""

from __future__ import annotations

from pathlib import Path

import click

from cli.index_access import directory_only, index_dir_or_exit, index_errors, open_index
from cli.index_cmds import _dump, index_option, json_option
from cli.text import plural
from ingest import ENTITY_TYPES, EntityConfigError
from search import IndexBusyError, entity_candidates, reannotate_index, resolve_index_dir


@click.group(invoke_without_command=True)
@click.option("--type", "etype", type=click.Choice(ENTITY_TYPES), help="Only this type.")
@json_option
@index_option
@click.pass_context
@index_errors
def entities(ctx, etype, as_json, index_dir):
    """List entities with report and mention counts (or run a subcommand)."""
    if ctx.invoked_subcommand is not None:
        return
    stats = open_index(index_dir).entities(etype)
    if as_json:
        _dump({"type": etype, "total": len(stats), "entities": [e.to_dict() for e in stats]})
        return
    for e in stats:
        span = f"{e.first_seen or '?'}..{e.last_seen or '?'}"
        click.echo(f"{e.type:<12} {e.name:<32} {plural(e.reports, 'report'):>12} "
                   f"{plural(e.mentions, 'mention'):>14}  {span}")


@entities.command("import-glossary")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--out", type=click.Path(dir_okay=False), help="Write the TOML here (default: stdout).")
@click.option("--quiet", is_flag=True, help="Do not list the rows left out.")
def import_glossary(file, out, quiet):
    """Turn an acronym list (CSV/TSV: term, expansion, optional tags) into gazetteer entries
    for --entities: the term and its expansion as aliases of one name, typed from the
    expansion's head word; rows with no clear type, generic acronyms and names already
    configured are left out and listed on stderr."""
    from ingest.entities import load_matcher
    from ingest.glossary import read_glossary

    known = load_matcher(rules=False).canonical
    try:
        result = read_glossary(Path(file), known=known)
    except EntityConfigError as error:
        raise click.ClickException(str(error)) from None
    toml = result.to_toml(Path(file).name)
    if out:
        Path(out).write_text(toml, encoding="utf-8")
    else:
        click.echo(toml, nl=False)
    if not quiet:
        for term, reason in result.skipped:
            click.echo(f"left out: {term}: {reason}", err=True)
    click.echo(f"{len(result.entries)} entries written{f' to {out}' if out else ''}, "
               f"{len(result.skipped)} rows left out", err=True)


@entities.command()
@click.option("--min-reports", default=1, type=click.IntRange(min=1), metavar="N",
              help="Only names found in at least N reports.")
@click.option("--limit", default=0, type=click.IntRange(min=0), metavar="N", help="At most N (0: all).")
@json_option
@index_option
@index_errors
def candidates(min_reports, limit, as_json, index_dir):
    """Names found by rules (in no configuration file), best first, to curate: accept,
    retype or merge them with [[name]] entries, reject them with reject = [...], in the
    file that --entities reads; then run `report-archive entities reannotate`."""
    try:
        directory_only(resolve_index_dir(index_dir), "entities candidates")
        found = entity_candidates(index_dir_or_exit(index_dir), min_reports)
    except (FileNotFoundError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    if limit:
        found = found[:limit]
    if as_json:
        _dump({"min_reports": min_reports, "total": len(found), "candidates": [c.to_dict() for c in found]})
        return
    for c in found:
        click.echo(f"{c.type:<12} {c.name:<32} {plural(c.reports, 'report'):>12} "
                   f"{plural(c.mentions, 'mention'):>14}  {c.first_seen or '?'}..{c.last_seen or '?'}"
                   f"  [{', '.join(c.via)}]")
        for report_id, text in c.contexts:
            click.echo(f"    {report_id}: …{text}…")


@entities.command()
@click.option("--entities", "entities_file", type=click.Path(exists=True, dir_okay=False),
              help="The curated configuration (default: the one the index was built with).")
@index_option
@index_errors
def reannotate(entities_file, index_dir):
    """Find every entity again in the text stored in the index, with a new or curated
    configuration; no source file is read (much cheaper than a re-ingest)."""
    try:
        directory_only(resolve_index_dir(index_dir), "entities reannotate")
        count = reannotate_index(index_dir_or_exit(index_dir), entities_file)
    except (IndexBusyError, EntityConfigError, FileNotFoundError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{count} report{'s' if count != 1 else ''} re-annotated")


COMMANDS = [entities]

"""`report-archive extract FILE`: show what ingest makes of one report."""

from __future__ import annotations

import json
from pathlib import Path

import click

from cli.text import plural
from ingest import EntityConfigError, IngestError, Report, extract_report
from ingest.options import ConfigError, ReadOptions, load_options

ENTITIES_OPTION = click.option(
    "--entities", "entities_file", type=click.Path(path_type=Path, dir_okay=False),
    help="A TOML file of extra ID patterns and names that extends the shipped gazetteer.",
)


def read_options_option(func):
    """`--config`, `--pdf-reader` and `--ocr`: how files are read (ingest.options)."""
    func = click.option("--ocr/--no-ocr", default=None,
                        help="OCR PDFs without a text layer (needs Debian's ocrmypdf and "
                             "tesseract-ocr); default: the config file's [pdf] ocr, else off.")(func)
    func = click.option("--pdf-reader", type=click.Choice(["pdfium", "pdfminer"]),
                        help="PDF engine (default: the config file's [pdf] reader, else pdfium).")(func)
    return click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
                        help="Configuration file (default: ./report-archive.toml if present).")(func)


def load_read_options(config_file: Path | None, pdf_reader: str | None,
                      ocr: bool | None) -> ReadOptions:
    """The reading options from the config file and the command line, as a click error if bad."""
    try:
        return load_options(config_file).with_overrides(pdf_reader=pdf_reader, ocr=ocr)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


def load_entity_matcher(entities_file: Path | None):
    """The matcher for `--entities FILE` (or the default), as a click error if it is bad."""
    from ingest.entities import load_matcher

    try:
        return load_matcher(entities_file)
    except EntityConfigError as error:
        raise click.ClickException(str(error)) from None


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@ENTITIES_OPTION
@read_options_option
def extract(file: Path, as_json: bool, entities_file: Path | None, config_file: Path | None,
            pdf_reader: str | None, ocr: bool | None) -> None:
    """Extract one report FILE and print its outline (or JSON)."""
    options = load_read_options(config_file, pdf_reader, ocr)
    matcher = load_entity_matcher(entities_file)
    try:
        report = extract_report(file, matcher, options)
    except IngestError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(format_outline(report))


def format_outline(report: Report) -> str:
    """A readable outline: metadata, sections with pages and mention counts, entities."""
    lines = [
        report.title,
        f"  id {report.id} · period {report.period or 'unknown'} · {report.format}"
        + (f" · {plural(report.pages, 'page')}" if report.pages else "")
        + f" · sha256 {report.sha256[:12]}",
        f"  source {report.source}",
        "",
        "Sections",
    ]
    for section in report.sections:
        indent = "  " * max(section.level, 1)
        page = f"  p.{section.page}" if section.page else ""
        words = len(section.text.split())
        lines.append(f"{indent}{section.heading or '(opening text)'}  #{section.anchor}{page}"
                     f"  · {plural(words, 'word')} · {plural(len(section.mentions), 'mention')}")
    counts = report.entity_counts()
    lines += ["", "Entities" if counts else "Entities: none found"]
    by_type: dict[str, list[str]] = {}
    for entity in counts:
        label = entity.name + (f" ×{entity.count}" if entity.count > 1 else "")
        by_type.setdefault(entity.type, []).append(label)
    for entity_type, names in by_type.items():
        lines.append(f"  {entity_type:<13}{', '.join(names)}")
    return "\n".join(lines)


COMMANDS = [extract]

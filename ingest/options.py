"""Reading options: which PDF engine, OCR on or off, and the per-file PDF limits.

They come from a small TOML file, ``report-archive.toml`` in the current directory (or the
file given with ``--config``), and command-line options override it::

    [pdf]
    reader = "pdfium"        # or "pdfminer"
    ocr = false              # OCR PDFs that have no text layer (needs ocrmypdf, tesseract)
    max_inflate_mb = 200     # what one file's compressed streams may inflate to
    max_pages = 2000         # pages per file
    max_seconds = 120        # seconds to read one file

A missing default file is fine (the defaults apply); a bad one is an error naming it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from ingest.readers.pdf_engine import PdfLimits

#: Looked for in the current directory when no ``--config`` is given.
CONFIG_NAME = "report-archive.toml"
#: The PDF engine by default: PDFium, measured 7-10x faster than pdfminer as a reader and
#: 5-6x through extract_report, where entity matching then takes most of the time
#: (python -m bench.phase_extract), with the same output on every test PDF.
DEFAULT_PDF_READER = "pdfium"
_READERS = ("pdfium", "pdfminer")


class ConfigError(Exception):
    """A configuration file or option that cannot be used; the message names it."""


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How files are read (see the module docs for the file format)."""

    pdf_reader: str = DEFAULT_PDF_READER
    ocr: bool = False
    limits: PdfLimits = field(default_factory=PdfLimits)

    def with_overrides(self, pdf_reader: str | None = None, ocr: bool | None = None) -> "ReadOptions":
        """These options with the command line's choices on top (None: keep)."""
        out = self
        if pdf_reader is not None:
            out = replace(out, pdf_reader=_reader(pdf_reader, "--pdf-reader"))
        if ocr is not None:
            out = replace(out, ocr=ocr)
        return out


def _reader(value: object, where: str) -> str:
    if value not in _READERS:
        raise ConfigError(f"{where}: unknown PDF reader {value!r}; use one of {', '.join(_READERS)}")
    return str(value)


def _number(table: dict, key: str, where: str, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"{where}: [pdf] {key} must be a positive number, not {value!r}")
    return value


def load_options(config: str | Path | None = None) -> ReadOptions:
    """Options from `config` (must exist), else ./report-archive.toml if present, else defaults.

    Raises ConfigError naming the file for unreadable TOML or a bad value.
    """
    path = Path(config) if config else Path(CONFIG_NAME)
    if not path.is_file():
        if config:
            raise ConfigError(f"{path}: no such configuration file; check the --config path")
        return ReadOptions()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: not a readable TOML file ({error})") from None
    table = data.get("pdf", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [pdf] must be a table")
    unknown = set(table) - {"reader", "ocr", "max_inflate_mb", "max_pages", "max_seconds"}
    if unknown:
        raise ConfigError(f"{path}: unknown [pdf] key {sorted(unknown)[0]!r}; "
                          "known: reader, ocr, max_inflate_mb, max_pages, max_seconds")
    ocr = table.get("ocr", False)
    if not isinstance(ocr, bool):
        raise ConfigError(f"{path}: [pdf] ocr must be true or false, not {ocr!r}")
    base = PdfLimits()
    limits = PdfLimits(
        max_inflated_bytes=int(_number(table, "max_inflate_mb", str(path),
                                       base.max_inflated_bytes / 2**20) * 2**20),
        max_pages=int(_number(table, "max_pages", str(path), base.max_pages)),
        max_seconds=float(_number(table, "max_seconds", str(path), base.max_seconds)),
    )
    reader = _reader(table.get("reader", DEFAULT_PDF_READER), str(path))
    return ReadOptions(pdf_reader=reader, ocr=ocr, limits=limits)

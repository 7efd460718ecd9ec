"""Which reader handles which file: a small registry keyed by file extension.

Adding a format (or swapping the PDF engine) means registering one reader here; nothing
else in the pipeline knows about file types.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ingest.errors import UnsupportedFormatError
from ingest.readers.base import ParsedDocument


@dataclass(frozen=True, slots=True)
class Format:
    """A format we read: its name, the extensions that select it, and its reader."""

    name: str
    suffixes: tuple[str, ...]
    load_reader: Callable[[], Callable[..., ParsedDocument]]
    #: The reader takes the `ingest.options.ReadOptions` as a third argument.
    takes_options: bool = False


def _pdf():
    from ingest.readers.pdf import read_pdf

    return read_pdf


def _html():
    from ingest.readers.html import read_html

    return read_html


def _text():
    from ingest.readers.text import read_text

    return read_text


def _markdown():
    from ingest.readers.markdown import read_markdown

    return read_markdown


# Readers are imported on first use so that `extract` of a text file never loads pdfminer.
FORMATS: tuple[Format, ...] = (
    Format("pdf", (".pdf",), _pdf, takes_options=True),
    Format("html", (".html", ".htm", ".xhtml"), _html),
    Format("text", (".txt", ".text", ".eml"), _text),
    Format("markdown", (".md", ".markdown"), _markdown),
)
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(s for f in FORMATS for s in f.suffixes)


def format_for(path: Path) -> Format:
    """The format that reads `path`, or UnsupportedFormatError listing what we accept."""
    suffix = path.suffix.lower()
    for fmt in FORMATS:
        if suffix in fmt.suffixes:
            return fmt
    accepted = ", ".join(SUPPORTED_SUFFIXES)
    shown = f"'{path.suffix}'" if path.suffix else "no extension"
    raise UnsupportedFormatError(
        path, f"unsupported file type ({shown}); supported extensions are {accepted}"
    )


def is_supported(path: Path) -> bool:
    """True when some reader accepts `path`'s extension."""
    return path.suffix.lower() in SUPPORTED_SUFFIXES

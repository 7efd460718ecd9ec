"""Markdown notes: parsed with markdown-it-py, then read like any other HTML.

Rendering to HTML and reusing the HTML reader's block walk keeps one notion of headings,
paragraphs and list items for both formats, and leaves Markdown syntax (links, emphasis,
code spans) to a real parser instead of regexes.
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from ingest.readers.base import ParsedDocument
from ingest.readers.decoding import decode_text, ensure_text_bytes
from ingest.readers.html import sections_from_html
from ingest.readers.text import parse_text_sections

# "commonmark" plus tables; raw HTML in the note is kept as markup so its tags are not text.
_PARSER = MarkdownIt("commonmark").enable("table")
# Tokens that hold a line's text (containers such as lists span lines they may have lost).
_TEXT_TOKENS = frozenset({"inline", "fence", "code_block", "html_block", "hr"})
_QUOTE_MARKS = re.compile(r"^\s{0,3}(?:>\s?)+")
# Lines that are syntax only, or a link reference definition (markdown-it keeps no token).
_NO_TEXT = re.compile(r"^[\s>*+\-=#|:`~_]*$|^\s{0,3}(?:>\s*)*\[[^\]]+\]:\s*\S")


def read_markdown(path: Path, data: bytes) -> ParsedDocument:
    """Read a Markdown report: ``#`` headings, paragraphs and lists."""
    ensure_text_bytes(path, data, "a Markdown file")
    source = decode_text(data)
    tokens = _PARSER.parse(source)
    lines = source.replace("\r\n", "\n").split("\n")
    if _drops_lines(tokens, lines):
        # markdown-it stops reading a block nested past its limit (20 levels of ">" or
        # lists), and with a list everything after it: such a note is read as plain text
        # rather than losing its end (quote marks dropped: they are not words)
        sections = parse_text_sections([_QUOTE_MARKS.sub("", line) for line in lines])
    else:
        soup = BeautifulSoup(_PARSER.renderer.render(tokens, _PARSER.options, {}),
                             "html.parser")
        for tag in soup.find_all(["script", "style"]):
            tag.decompose()
        sections = sections_from_html(soup)
    if sections and sections[0].heading:
        title = sections[0].heading  # a note that opens with a heading is titled by it
    else:
        lines = source.strip().splitlines()
        first = lines[0].strip() if lines else ""
        title = first if 0 < len(first) <= 200 else None
    return ParsedDocument(format="markdown", title=title, sections=sections)


def _drops_lines(tokens, lines: list[str]) -> bool:
    """Whether the parse left out a line with text: no text-holding token covers it."""
    covered = bytearray(len(lines) + 1)
    for token in tokens:
        if token.map and token.type in _TEXT_TOKENS:
            start, end = token.map
            covered[start:end] = b"\x01" * (end - start)
    return any(not covered[i] and not _NO_TEXT.match(line) for i, line in enumerate(lines))

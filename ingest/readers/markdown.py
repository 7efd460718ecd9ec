"""Markdown notes: parsed with markdown-it-py, then read like any other HTML.

Rendering to HTML and reusing the HTML reader's block walk keeps one notion of headings,
paragraphs and list items for both formats, and leaves Markdown syntax (links, emphasis,
code spans) to a real parser instead of regexes.
"""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from ingest.readers.base import ParsedDocument
from ingest.readers.decoding import decode_text, ensure_text_bytes
from ingest.readers.html import sections_from_html
from ingest.readers.text import parse_text_sections

# "commonmark" plus tables; raw HTML in the note is kept as markup so its tags are not text.
_PARSER = MarkdownIt("commonmark").enable("table")


def read_markdown(path: Path, data: bytes) -> ParsedDocument:
    """Read a Markdown report: ``#`` headings, paragraphs and lists."""
    ensure_text_bytes(path, data, "a Markdown file")
    source = decode_text(data)
    soup = BeautifulSoup(_PARSER.render(source), "html.parser")
    for tag in soup.find_all(["script", "style"]):
        tag.decompose()
    sections = sections_from_html(soup)
    if not any(sec.text or sec.heading for sec in sections) and source.strip():
        # markdown-it drops what is nested past its limit (20 levels of ">" or lists):
        # such a note is read as plain text rather than lost
        sections = parse_text_sections(source.replace("\r\n", "\n").split("\n"))
    if sections and sections[0].heading:
        title = sections[0].heading  # a note that opens with a heading is titled by it
    else:
        lines = source.strip().splitlines()
        first = lines[0].strip() if lines else ""
        title = first if 0 < len(first) <= 200 else None
    return ParsedDocument(format="markdown", title=title, sections=sections)

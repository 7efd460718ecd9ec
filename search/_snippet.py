"""HTML-safe snippets: document text is escaped, our own ``<mark>`` is the only markup."""

from __future__ import annotations

from html import escape

from whoosh.highlight import ContextFragmenter, Formatter, get_text

SNIPPET_CHARS = 240


class MarkFormatter(Formatter):
    """Whoosh formatter that escapes everything and wraps matched terms in <mark>."""

    between = " … "

    def _text(self, text: str) -> str:
        return escape(text, quote=False)

    def format_token(self, text, token, replace=False):
        return "<mark>" + escape(get_text(text, token, replace), quote=False) + "</mark>"


def configure(results) -> None:
    """Make `results.highlights()` produce our escaped, <mark>-only fragments."""
    results.formatter = MarkFormatter()
    results.fragmenter = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=70)


def lead(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The escaped start of `text`, cut at a word boundary, for sections with no highlight."""
    if len(text) <= limit:
        return escape(text, quote=False)
    cut = text.rfind(" ", 0, limit)
    return escape(text[:cut if cut > limit // 2 else limit], quote=False) + " …"


def around(text: str, start: int, end: int, surround: int = 90) -> str:
    """An escaped window of `text` around [start, end) with that span marked."""
    lo = max(0, start - surround)
    hi = min(len(text), end + surround)
    if lo > 0:
        space = text.find(" ", lo, start)
        lo = space + 1 if space != -1 else lo
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        hi = space if space != -1 else hi
    return ("… " if lo > 0 else "") + escape(text[lo:start], quote=False) + "<mark>" + \
        escape(text[start:end], quote=False) + "</mark>" + escape(text[end:hi], quote=False) + \
        (" …" if hi < len(text) else "")


def mark_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """A snippet around the first of `spans` (entity mentions the query asked for)."""
    start, end = min(spans)
    return around(text, start, end)

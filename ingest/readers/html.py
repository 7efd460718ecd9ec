"""HTML reports (forum posts saved from a browser, exported pages) via beautifulsoup4.

Only the report's own text is kept: scripts, styles, navigation and forum chrome (author
lines, tag lists, "Back to top" links, reply buttons) are dropped before anything is read,
so their words never become sections or entities. Headings are ``h1``-``h6`` plus two forum
habits: a paragraph that is only bold text (``<p><strong>Technical Progress</strong></p>``)
and a ``##Heading`` (or ``**Heading**``, ``*## Heading*``) line typed into a paragraph.

Mailing-list archive pages (Mailman's pipermail, HyperKitty) hold a plain-text mail: its
body is read by the plain-text reader's rules, the archive's chrome (author and date lines,
"Previous message", "Messages sorted by", the list footer) dropped, and the posting date
kept as a date hint. A link whose target is an issue, pull or merge request keeps that
target in the text ("#212 (https://github.com/o/r/pull/212)"), since its text alone
("#212", "the typing issue") does not say which repository it means.

Parsed with lxml (libxml2's HTML parser), which closes elements as browsers do: a
``<p>`` before a ``<ul>``, a ``<head>`` never closed. The tree is walked with explicit
stacks, so no depth of nesting costs Python recursion.
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from ingest.readers.base import ParsedDocument, RawSection
from ingest.readers.decoding import ensure_text_bytes
from ingest.readers.html_page import (
    BACK_TO_TOP, clean, document_title, has_class, header_date, mail_lines,
    metadata_tags, pipermail_article, post_date, prune_and_find_content,
)
from ingest.readers.mail import (
    emphasis_heading,
    is_archive_nav,
    strip_archive_chrome,
    strip_list_tag,
)
from ingest.readers.text import parse_text_sections

_HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCK_TAGS = {
    "div", "section", "article", "main", "blockquote", "header", "body", "html", "table",
    "thead", "tbody", "tfoot", "figure", "details", "dl", "center", "aside",
}
_HASH_LINE = re.compile(r"^(#{1,6})\s*(\S.*?)\s*#*$")
_BOLD_TAGS = {"strong", "b"}
BOLD_HEADING_LEVEL = 2
MAX_BOLD_HEADING_WORDS = 12
# An issue, pull request or merge request page on a forge (GitHub, GitLab on any host).
_TRACKER_URL = re.compile(r"^https?://[^/\s]+/\S+?/(?:-/)?(?:issues|pulls?|merge_requests)/\d+", re.I)
_SHORT_REFERENCE = re.compile(r"[\w.-]/[\w./-]*\w[#!]\d")


def read_html(path: Path, data: bytes) -> ParsedDocument:
    """Read an HTML report into title and sections, forum chrome removed."""
    ensure_text_bytes(path, data, "an HTML file")
    soup = BeautifulSoup(data, "lxml")
    tags = metadata_tags(soup)
    title, date_hint = strip_list_tag(document_title(tags)), post_date(tags)
    article = pipermail_article(soup)
    root = prune_and_find_content(soup)
    mail = article if article is not None else (root if has_class(root.attrs, "email-body") else None)
    if mail is None:
        return ParsedDocument(format="html", title=title, sections=sections_from_html(root),
                              date_hint=date_hint)
    _keep_tracker_targets(mail)
    lines, posted = strip_archive_chrome(mail_lines(mail))
    return ParsedDocument(format="html", title=title, sections=parse_text_sections(lines),
                          date_hint=date_hint or posted or header_date(soup, article))


def sections_from_html(root: Tag) -> list[RawSection]:
    """Group the blocks under `root` into sections at each heading."""
    _keep_tracker_targets(root)
    sections: list[RawSection] = []
    heading, level, blocks = "", 0, []
    last_is_list = False  # kept, not re-checked: a list of n items must not cost n^2
    for kind, text, block_level in _blocks(root):
        if kind == "heading":
            if heading or blocks:
                sections.append(RawSection(heading, level, "\n\n".join(blocks)))
            heading, level, blocks, last_is_list = text, block_level, [], False
        elif blocks and kind == "item" and last_is_list:
            blocks[-1] += "\n" + text
        else:
            blocks.append(text)
            last_is_list = kind == "item" or _is_list(text)
    if heading or blocks:
        sections.append(RawSection(heading, level, "\n\n".join(blocks)))
    return sections


def _is_list(block: str) -> bool:
    return all(line.startswith("- ") or re.match(r"\d+\. ", line) for line in block.split("\n"))


def _blocks(element: Tag):
    """Yield ("heading"|"para"|"item", text, level) in document order.

    Walked with an explicit stack of child iterators, not recursion: a page nested a
    thousand ``<div>`` deep is read like any other (Python's recursion limit is 1,000).
    """
    inline: list[str] = []

    def flush():
        text = clean("".join(inline))
        inline.clear()
        if text:
            yield from _paragraph_blocks(text)

    stack = [iter(element.children)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            yield from flush()  # the end of a block ends its paragraph
            continue
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            inline.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name in _HEADING_TAGS:
            yield from flush()
            text = clean(child.get_text(" "))
            if text:
                yield "heading", text, _HEADING_TAGS[name]
        elif name == "p":
            yield from flush()
            yield from _p_blocks(child)
        elif name in ("ul", "ol"):
            yield from flush()
            yield from _list_items(child, ordered=name == "ol")
        elif name == "pre":
            yield from flush()
            yield from _pre_blocks(child)
        elif name == "tr":
            yield from flush()
            cells = [clean(c.get_text(" ")) for c in child.find_all(["td", "th"], recursive=False)]
            if any(cells):
                yield "para", " | ".join(cells), 0
        elif name == "br":
            inline.append("\n")
        elif name in ("li", "dt", "dd"):
            yield from flush()
            text = clean(child.get_text(" "))
            if text:
                yield "para", text, 0
        elif name in _BLOCK_TAGS or name == "hr":
            yield from flush()
            stack.append(iter(child.children))
        else:
            inline.append(child.get_text())


def _pre_blocks(pre: Tag):
    """Preformatted text is one block, kept as written."""
    text = pre.get_text().strip("\n")
    if text.strip():
        yield "para", text, 0


def _keep_tracker_targets(root: Tag) -> None:
    """Write the target of each issue/pull/merge-request link after its text, unless the
    text already names it (the URL itself, or an ``owner/repo#123`` short form)."""
    for a in root.find_all("a", href=True):
        href = a["href"].strip()
        if not _TRACKER_URL.match(href):
            continue
        text = a.get_text(" ")
        if href.rstrip("/") in text or _SHORT_REFERENCE.search(text):
            continue
        a.append(f" ({href})")


def _p_blocks(p: Tag):
    """A paragraph: a bold-only paragraph is a heading; ``##Heading`` lines are headings."""
    text = clean(_text_with_breaks(p))
    if not text or BACK_TO_TOP.match(text):
        return
    if _is_bold_only(p) and len(text.split()) <= MAX_BOLD_HEADING_WORDS and not text.endswith("."):
        yield "heading", text.rstrip(":").strip(), BOLD_HEADING_LEVEL
        return
    yield from _paragraph_blocks(text)


def _paragraph_blocks(text: str):
    """Split a paragraph's lines, turning ``##Heading`` lines into headings."""
    pending: list[str] = []
    for line in text.split("\n"):
        m = _HASH_LINE.match(line.strip())
        found = (m.group(2), len(m.group(1))) if m is not None else emphasis_heading(line)
        if found is not None:
            if pending:
                yield "para", " ".join(pending), 0
                pending = []
            yield "heading", found[0], found[1]
        elif line.strip() and not is_archive_nav(line):
            pending.append(line.strip())
    if pending:
        yield "para", " ".join(pending), 0


def _list_items(lst: Tag, ordered: bool):
    """The items of a list, nested lists' items after their parent item (depth-first,
    with a stack rather than recursion, so deep nesting costs no Python frames)."""
    stack = [(iter(lst.find_all("li", recursive=False)), ordered, 0)]
    while stack:
        items, is_ordered, number = stack.pop()
        li = next(items, None)
        if li is None:
            continue
        number += 1
        stack.append((items, is_ordered, number))
        # nested lists are read after the item, not as part of its text (not extracted:
        # bs4's extract() walks the whole subtree, quadratic in the nesting depth)
        nested = li.find_all(["ul", "ol"], recursive=False)
        text = clean(_inline_text(li, skip=_LIST_TAGS)).replace("\n", " ")
        if text:
            yield "item", (f"{number}. " if is_ordered else "- ") + text, 0
        for sub in reversed(nested):
            stack.append((iter(sub.find_all("li", recursive=False)), sub.name == "ol", 0))


_SPACED_TAGS = frozenset(("p", "div", "br", "li", "td", "th", "dd", "dt", "blockquote", "table", "tr"))


_LIST_TAGS = frozenset(("ul", "ol"))


def _inline_text(tag: Tag, skip: frozenset[str] = frozenset()) -> str:
    """The text of `tag` as a reader sees it: inline elements run on ("(#212)", "SLAC,"),
    block elements and line breaks are separated by a space; `skip` subtrees left out."""
    parts = []
    stack = list(reversed(tag.contents))
    while stack:
        node = stack.pop()
        if isinstance(node, NavigableString):
            if not isinstance(node, Comment):
                parts.append(str(node))
        elif isinstance(node, Tag) and node.name not in skip:
            if node.name in _SPACED_TAGS:
                parts.append(" ")
            stack.extend(reversed(node.contents))
    return "".join(parts)


def _is_bold_only(p: Tag) -> bool:
    """True when every piece of text in `p` sits inside <strong>/<b>."""
    has_bold = False
    for node in p.descendants:
        if isinstance(node, NavigableString) and not isinstance(node, Comment) and node.strip():
            if not any(parent.name in _BOLD_TAGS for parent in node.parents if parent is not p):
                return False
            has_bold = True
    return has_bold


def _text_with_breaks(tag: Tag) -> str:
    parts = []
    for node in tag.descendants:
        if isinstance(node, NavigableString) and not isinstance(node, Comment):
            parts.append(str(node))
        elif isinstance(node, Tag) and node.name == "br":
            parts.append("\n")
    return "".join(parts)
